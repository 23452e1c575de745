/* Money from text: the domain's exact parser ord_money_parse() (and
 * ord_money_format() back), and the HTTP adapter's reading of a price from
 * a downstream JSON number, ord_http_json_money().
 *
 * Input: one byte for the currency (USD, JPY, KWD, EUR, CLP, BHD by
 * byte % 8, else the next three bytes as a code, well-formed or not), then
 * the amount as text ("349.97").
 *
 * Properties: the parser agrees with a plain model (optional '-', digits,
 * optional '.' and digits, no more significant decimals than the currency
 * has, overflow past int64); what it accepts formats and parses back to
 * the same value; and a price the JSON reader accepts is what the text
 * says, exactly when the text is one the domain parser accepts too.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <orders/domain/money.h>

#include "fuzz.h"
#include "internal.h"

static const char *const CURRENCIES[] = {"USD", "JPY", "KWD", "EUR", "CLP", "BHD"};

/* The model: ORD_OK, ORD_EINVALID or ORD_EOVERFLOW and the value. */
static ord_error model(const char *text, size_t len, int decimals, int64_t *out)
{
    if (decimals < 0)
        return ORD_EINVALID;
    size_t i = 0;
    bool negative = len > 0 && text[0] == '-';
    i += negative;
    size_t int_digits = 0, frac_digits = 0;
    while (i < len && text[i] >= '0' && text[i] <= '9')
        i++, int_digits++;
    size_t frac_at = i + 1;
    if (i < len && text[i] == '.') {
        i++;
        while (i < len && text[i] >= '0' && text[i] <= '9')
            i++, frac_digits++;
        if (frac_digits == 0)
            return ORD_EINVALID;
    }
    if (i != len || int_digits == 0)
        return ORD_EINVALID;
    for (size_t k = (size_t)decimals; k < frac_digits; k++)
        if (text[frac_at + k] != '0')
            return ORD_EINVALID;
    /* The magnitude in minor units; "huge" once it passes 64 bits. */
    uint64_t m = 0;
    bool huge = false;
    size_t start = negative ? 1 : 0;
    for (size_t k = 0; k < int_digits + (size_t)decimals; k++) {
        unsigned digit;
        if (k < int_digits)
            digit = (unsigned)(text[start + k] - '0');
        else
            digit = k - int_digits < frac_digits ? (unsigned)(text[frac_at + k - int_digits] - '0')
                                                 : 0u;
        huge = huge || m > (UINT64_MAX - digit) / 10;
        m = m * 10 + digit;
    }
    uint64_t limit = (uint64_t)INT64_MAX + (negative ? 1u : 0u);
    if (huge || m > limit)
        return ORD_EOVERFLOW;
    *out = negative ? (int64_t)(0 - m) : (int64_t)m;
    return ORD_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = {data, size};
    uint8_t pick = fuzz_u8(&in);
    char currency[ORD_CURRENCY_SIZE] = {0};
    if (pick % 8 < 6) {
        memcpy(currency, CURRENCIES[pick % 8], sizeof currency);
    } else {
        for (int i = 0; i < 3; i++)
            currency[i] = (char)fuzz_u8(&in);
    }
    size_t len = 0;
    char *text = fuzz_rest(&in, &len);
    int decimals = ord_currency_decimals(currency);

    ord_money money = {0, ""};
    ord_error err = ord_money_parse(&money, text, len, currency);
    int64_t expected = 0;
    ord_error expected_err = model(text, len, decimals, &expected);
    FUZZ_CHECK(err == expected_err);
    if (err == ORD_OK) {
        FUZZ_CHECK(money.minor == expected);
        FUZZ_CHECK(strcmp(money.currency, currency) == 0);
        char formatted[ORD_MONEY_TEXT_SIZE];
        FUZZ_CHECK(ord_money_format(formatted, sizeof formatted, money) == ORD_OK);
        ord_money again;
        FUZZ_CHECK(ord_money_parse(&again, formatted, strlen(formatted), currency) == ORD_OK);
        FUZZ_CHECK(ord_money_equal(again, money));
    }

    /* The same text as a downstream's JSON number (not NUL-terminated,
     * as a body is). */
    cJSON *number = ord_http_json_parse(text, len);
    ord_money price = {0, ""};
    ord_error read = ord_http_json_money(number, currency, &price);
    FUZZ_CHECK(read == ORD_OK || read == ORD_ECONTRACT);
    if (read == ORD_OK) {
        FUZZ_CHECK(cJSON_IsNumber(number) && price.minor >= 0);
        FUZZ_CHECK(strcmp(price.currency, currency) == 0);
        double scale = pow(10, decimals);
        FUZZ_CHECK(fabs((double)price.minor / scale - number->valuedouble) <= 0.5 / scale);
    }
    /* Below 2^51 minor units a double tells every amount apart: a price
     * the domain reads from plain text, the JSON reader reads the same
     * (cJSON reads at most 63 characters of a number, hence the length). */
    if (err == ORD_OK && money.minor >= 0 && money.minor < ((int64_t)1 << 51) && len < 60 &&
        text[0] != '-') {
        FUZZ_CHECK(read == ORD_OK);
        FUZZ_CHECK(price.minor == money.minor);
    }
    cJSON_Delete(number);
    free(text);
    return 0;
}
