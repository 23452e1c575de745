/* The {id} of a request path and its neighbours: ord_order_ref_parse()
 * (an orderId or an order number), the REST adapter's checks built on it
 * (ord_rest_order_ref_ok(), ord_rest_parse_positive_id() for
 * {customerId} and limit) and ord_status_parse() (the status filter).
 *
 * Input: the text (up to its first NUL, as the path segment would be).
 *
 * Properties: an id is the canonical decimal form of a positive int64 and
 * prints back as the text; a number is the text with its UUID lower-cased
 * and is a valid order number; NULL outputs do not change the verdict; a
 * positive id is digits only and reads as strtoll() reads it; a status
 * that parses is named back as the text.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <orders/domain/order_ref.h>
#include <orders/domain/order_status.h>
#include <orders/domain/text.h>

#include "call.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = {data, size};
    char *text = fuzz_rest_string(&in);

    int64_t id = -1;
    char number[ORD_ORDER_NUMBER_SIZE];
    memset(number, 'x', sizeof number);
    bool ok = ord_order_ref_parse(text, &id, number);
    FUZZ_CHECK(ok == ord_order_ref_parse(text, NULL, NULL));
    if (ok) {
        FUZZ_CHECK((id > 0) != (number[0] != '\0'));
        if (id > 0) {
            char printed[24];
            snprintf(printed, sizeof printed, "%" PRId64, id);
            FUZZ_CHECK(strcmp(printed, text) == 0);
        } else {
            FUZZ_CHECK(ord_order_number_is_valid(number));
            FUZZ_CHECK(strcasecmp(number, text) == 0 && strncmp(text, "ORD-", 4) == 0);
        }
    } else {
        FUZZ_CHECK(id == 0 && number[0] == '\0');
    }
    FUZZ_CHECK(ord_rest_order_ref_ok(text) == (ok && strlen(text) < 64));

    int64_t positive = -1;
    if (ord_rest_parse_positive_id(text, &positive)) {
        FUZZ_CHECK(positive > 0 && strlen(text) <= 18);
        FUZZ_CHECK(strspn(text, "0123456789") == strlen(text));
        FUZZ_CHECK(strtoll(text, NULL, 10) == positive);
    } else {
        FUZZ_CHECK(positive == -1);
    }

    ord_status status;
    if (ord_status_parse(&status, text))
        FUZZ_CHECK(strcmp(ord_status_name(status), text) == 0);
    free(text);
    return 0;
}
