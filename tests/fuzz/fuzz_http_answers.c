/* The answers of the downstream services as the HTTP adapter reads them:
 * ord_http_read_answer() - the status mapped to an endpoint's decoder, the
 * body parsed (ord_http_json_parse(), with the support library's depth
 * scan first) and decoded: the catalog's prices, the account restrictions
 * and eligibility, a reservation or its shortage, a shipment's tracking
 * number; release, commit and the event webhook read only the status.
 *
 * Input, as text: "ENDPOINT STATUS IDS" on the first line, the body after
 * it (not NUL-terminated, as received). ENDPOINT is products,
 * restrictions, eligibility, reserve, release, commit, shipment or event
 * (another word picks one by its first byte); IDS the comma-separated
 * product ids asked for (products, reserve), at most 100.
 *
 * Properties: a 5xx without a decoder is "unavailable" and retryable,
 * every other failure a contract error and not retryable; a decoded answer
 * only ever holds what was asked: the prices of the products asked for (in
 * their order, usable or marked unusable, "unknown" exactly when one is
 * missing), a shortage naming 1 to 100 products asked for, a tracking
 * number of printable ASCII that fits.
 */
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "fuzz.h"

static const struct {
    const char *name;
    const http_endpoint *ep;
} ENDPOINTS[] = {
    {"products", &ord_http_ep_products},   {"restrictions", &ord_http_ep_restrictions},
    {"eligibility", &ord_http_ep_eligibility}, {"reserve", &ord_http_ep_reserve},
    {"release", &ord_http_ep_release},     {"commit", &ord_http_ep_commit},
    {"shipment", &ord_http_ep_shipment},   {"event", &ord_http_ep_event},
};
#define ENDPOINT_COUNT (sizeof ENDPOINTS / sizeof ENDPOINTS[0])

typedef union answer {
    http_products_out products;
    http_account_out account;
    ord_reserve_result reserve;
    http_shipment_out shipment;
} answer;

static bool asked(const int64_t *ids, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id)
            return true;
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = {data, size};
    char *head = fuzz_line(&in, NULL);
    size_t body_len = 0;
    char *body = fuzz_rest(&in, &body_len);

    char *save = NULL;
    const char *word = strtok_r(head, " ", &save);
    const char *status_text = strtok_r(NULL, " ", &save);
    const char *ids_text = strtok_r(NULL, " ", &save);
    size_t e = word != NULL ? (unsigned char)word[0] % ENDPOINT_COUNT : 0;
    for (size_t i = 0; word != NULL && i < ENDPOINT_COUNT; i++)
        if (strcmp(word, ENDPOINTS[i].name) == 0)
            e = i;
    const http_endpoint *ep = ENDPOINTS[e].ep;
    long status = status_text != NULL ? strtol(status_text, NULL, 10) : 200;

    int64_t ids[ORD_MAX_ITEMS];
    size_t n = 0;
    for (char *t = ids_text != NULL ? strtok_r((char *)ids_text, ",", &save) : NULL;
         t != NULL && n < ORD_MAX_ITEMS; t = strtok_r(NULL, ",", &save)) {
        ids[n++] = strtoll(t, NULL, 10);
    }
    ord_product_price prices[ORD_MAX_ITEMS];
    ord_order_item items[ORD_MAX_ITEMS];
    memset(prices, 0, sizeof prices);
    memset(items, 0, sizeof items);
    for (size_t i = 0; i < n; i++) {
        prices[i].product_id = ids[i];
        items[i].product_id = ids[i];
        items[i].quantity = 1;
    }
    http_products_args products = {prices, n};
    http_reserve_args reserve = {7, items, n};
    http_account_args account = {12345};
    http_order_args order = {7};
    const void *args = &order;
    if (ep == &ord_http_ep_products)
        args = &products;
    else if (ep == &ord_http_ep_reserve)
        args = &reserve;
    else if (ep == &ord_http_ep_restrictions || ep == &ord_http_ep_eligibility)
        args = &account;

    answer out;
    memset(&out, 0xa5, sizeof out);
    ord_http_outcome outcome = ORD_HTTP_OUTCOME_COUNT;
    bool retryable = true;
    ord_error rc = ord_http_read_answer(ep, status, body, body_len, args, &out, &outcome,
                                        &retryable);
    FUZZ_CHECK(rc == ORD_OK || rc == ORD_ECONTRACT || rc == ORD_EUNAVAILABLE);
    FUZZ_CHECK(retryable == (rc == ORD_EUNAVAILABLE));
    FUZZ_CHECK(rc != ORD_EUNAVAILABLE || (status >= 500 && status <= 599));
    FUZZ_CHECK((rc == ORD_ECONTRACT) == (outcome == ORD_HTTP_OUTCOME_CONTRACT));
    if (rc == ORD_OK)
        FUZZ_CHECK(outcome == ORD_HTTP_OUTCOME_SUCCESS || outcome == ORD_HTTP_OUTCOME_REJECTED);

    if (rc == ORD_OK && ep == &ord_http_ep_products) {
        bool missing = false;
        for (size_t i = 0; i < n; i++) {
            const ord_product_price *p = &out.products.prices[i];
            FUZZ_CHECK(p->product_id == ids[i]);
            missing = missing || !p->found;
            if (p->found && p->price.minor < 0)
                FUZZ_CHECK(p->price.minor == -1 && p->price.currency[0] == '\0');
            else if (p->found)
                FUZZ_CHECK(ord_currency_decimals(p->price.currency) >= 0);
        }
        FUZZ_CHECK(out.products.unknown == missing);
    }
    if (rc == ORD_OK && ep == &ord_http_ep_reserve) {
        const ord_reserve_result *r = &out.reserve;
        FUZZ_CHECK(r->reserved == (status == 200));
        if (!r->reserved) {
            FUZZ_CHECK(r->unavailable_count >= 1 && r->unavailable_count <= ORD_MAX_ITEMS);
            for (size_t i = 0; i < r->unavailable_count; i++)
                FUZZ_CHECK(asked(ids, n, r->unavailable[i]));
        }
    }
    if (rc == ORD_OK && ep == &ord_http_ep_shipment) {
        const char *number = out.shipment.number;
        size_t len = strnlen(number, sizeof out.shipment.number);
        FUZZ_CHECK(len > 0 && len < sizeof out.shipment.number);
        for (size_t i = 0; i < len; i++)
            FUZZ_CHECK(number[i] > ' ' && number[i] < 0x7f);
    }
    free(body);
    free(head);
    return 0;
}
