/* The precheck port: prices, restrictions and eligibility in one batch on
 * the multi handle; the first failure or refusal cancels the rest. */
#include "codec.h"

#include <string.h>

static bool products_stop(const void *out)
{
    return ((const http_products_out *)out)->unknown;
}

static bool account_stop(const void *out)
{
    return ((const http_account_out *)out)->refused;
}

static ord_precheck_service which(const http_call *call)
{
    switch (call->endpoint->service) {
    case ORD_HTTP_RESTRICTIONS:
        return ORD_PRECHECK_RESTRICTIONS;
    case ORD_HTTP_ELIGIBILITY:
        return ORD_PRECHECK_ELIGIBILITY;
    default:
        return ORD_PRECHECK_CATALOG;
    }
}

static ord_precheck_verdict verdict_of(const http_call *call)
{
    switch (call->endpoint->service) {
    case ORD_HTTP_RESTRICTIONS:
        return ORD_PRECHECK_RESTRICTED;
    case ORD_HTTP_ELIGIBILITY:
        return ORD_PRECHECK_INELIGIBLE;
    default:
        return ORD_PRECHECK_UNKNOWN_PRODUCTS;
    }
}

/* One after another, stopping at the first failure or refusal (the
 * comparison mode of the benchmark). */
static ord_error run_in_sequence(ord_http_client *c, const ord_call_context *ctx,
                                 http_call *calls, size_t count, size_t *decisive)
{
    for (size_t i = 0; i < count; i++) {
        size_t d;
        ord_error rc = ord_http_run(c, ctx, &calls[i], 1, true, &d);
        if (d != SIZE_MAX) {
            *decisive = i;
            for (size_t k = i + 1; k < count; k++)
                calls[k].state = HTTP_CALL_CANCELLED;
            return rc;
        }
    }
    *decisive = SIZE_MAX;
    return ORD_OK;
}

static ord_error http_precheck_check(void *self, const ord_call_context *ctx, int64_t customer_id,
                                     ord_product_price *prices, size_t count,
                                     ord_precheck_result *result)
{
    ord_http_client *c = self;
    if (prices == NULL || result == NULL || count == 0 || count > ORD_MAX_ITEMS ||
        customer_id < 0)
        return ORD_EINVALID;
    for (size_t i = 0; i < count; i++)
        if (prices[i].product_id <= 0)
            return ORD_EINVALID;
    *result = (ord_precheck_result){.verdict = ORD_PRECHECK_PASSED, .failed = ORD_PRECHECK_NONE};

    http_products_args products_args = {.asked = prices, .count = count};
    http_products_out products_out;
    http_account_args account_args = {.customer_id = customer_id};
    http_account_out restrictions_out = {0}, eligibility_out = {0};
    http_call calls[3];
    size_t n = 0;
    memset(calls, 0, sizeof calls);
    calls[n++] = (http_call){.endpoint = &ord_http_ep_products, .args = &products_args,
                             .out = &products_out, .stops_batch = products_stop};
    /* Guests have no account to check; unconfigured services are skipped. */
    if (customer_id > 0 && ord_http_services_configured(c->services, ORD_HTTP_RESTRICTIONS))
        calls[n++] = (http_call){.endpoint = &ord_http_ep_restrictions, .args = &account_args,
                                 .out = &restrictions_out, .stops_batch = account_stop};
    if (customer_id > 0 && ord_http_services_configured(c->services, ORD_HTTP_ELIGIBILITY))
        calls[n++] = (http_call){.endpoint = &ord_http_ep_eligibility, .args = &account_args,
                                 .out = &eligibility_out, .stops_batch = account_stop};

    size_t decisive = SIZE_MAX;
    ord_error rc = c->services->sequential_precheck
                       ? run_in_sequence(c, ctx, calls, n, &decisive)
                       : ord_http_run(c, ctx, calls, n, true, &decisive);
    if (decisive != SIZE_MAX && calls[decisive].result != ORD_OK) {
        result->failed = which(&calls[decisive]);
        return calls[decisive].result;
    }
    if (rc != ORD_OK) {
        result->failed = ORD_PRECHECK_CATALOG;
        return rc;
    }
    if (calls[0].state == HTTP_CALL_DONE)
        for (size_t i = 0; i < count; i++) {
            prices[i].found = products_out.prices[i].found;
            if (prices[i].found)
                prices[i].price = products_out.prices[i].price;
        }
    if (decisive != SIZE_MAX)
        result->verdict = verdict_of(&calls[decisive]);
    return ORD_OK;
}

static const ord_precheck_ops http_precheck_ops = {
    .version = ORD_PRECHECK_VERSION,
    .check = http_precheck_check,
};

ord_precheck ord_http_client_precheck(ord_http_client *client)
{
    return (ord_precheck){.ops = &http_precheck_ops, .self = client};
}
