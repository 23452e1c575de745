/* Exact money: integer minor units, decimal text in and out, checked arithmetic. */
#include <orders/domain/money.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* ISO 4217 codes whose minor unit is not 2 decimals. CLF and UYW (4 decimals)
 * are left out: they are units of account, not prices. */
static const char zero_decimal[][ORD_CURRENCY_SIZE] = {
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG",
    "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF",
};
static const char three_decimal[][ORD_CURRENCY_SIZE] = {
    "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND",
};

static const uint64_t pow10_table[] = {1, 10, 100, 1000};

static bool currency_is_wellformed(const char *currency)
{
    if (!currency)
        return false;
    for (int i = 0; i < 3; i++) {
        if (currency[i] < 'A' || currency[i] > 'Z')
            return false;
    }
    return currency[3] == '\0';
}

static bool code_listed(const char (*list)[ORD_CURRENCY_SIZE], size_t n, const char *currency)
{
    for (size_t i = 0; i < n; i++) {
        if (memcmp(list[i], currency, 3) == 0)
            return true;
    }
    return false;
}

int ord_currency_decimals(const char *currency)
{
    if (!currency_is_wellformed(currency))
        return -1;
    if (code_listed(zero_decimal, sizeof zero_decimal / sizeof zero_decimal[0], currency))
        return 0;
    if (code_listed(three_decimal, sizeof three_decimal / sizeof three_decimal[0], currency))
        return 3;
    return 2;
}

ord_error ord_money_make(ord_money *out, int64_t minor, const char *currency)
{
    if (!out || !currency_is_wellformed(currency))
        return ORD_EINVALID;
    out->minor = minor;
    memcpy(out->currency, currency, ORD_CURRENCY_SIZE);
    return ORD_OK;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* magnitude = magnitude * 10 + digit, refusing to pass limit. */
static bool push_digit(uint64_t *magnitude, unsigned digit, uint64_t limit)
{
    if (*magnitude > (limit - digit) / 10)
        return false;
    *magnitude = *magnitude * 10 + digit;
    return true;
}

ord_error ord_money_parse(ord_money *out, const char *text, size_t len, const char *currency)
{
    int decimals = ord_currency_decimals(currency);
    if (!out || !text || decimals < 0)
        return ORD_EINVALID;

    size_t i = 0;
    bool negative = false;
    if (i < len && text[i] == '-') {
        negative = true;
        i++;
    }
    /* The magnitude of INT64_MIN is one more than INT64_MAX; work unsigned. */
    const uint64_t limit = negative ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;

    /* Syntax first, so a malformed text is EINVALID even when it is also huge. */
    size_t int_start = i;
    while (i < len && is_digit(text[i]))
        i++;
    size_t int_end = i;
    size_t frac_start = i, frac_end = i;
    if (i < len && text[i] == '.') {
        frac_start = ++i;
        while (i < len && is_digit(text[i]))
            i++;
        frac_end = i;
        if (frac_end == frac_start)
            return ORD_EINVALID; /* "1." */
    }
    if (i != len || int_end == int_start)
        return ORD_EINVALID; /* trailing junk, "", "-", ".5" */
    for (size_t k = frac_start + (size_t)decimals; k < frac_end; k++) {
        if (text[k] != '0')
            return ORD_EINVALID; /* more precision than the currency has */
    }

    uint64_t magnitude = 0;
    for (size_t k = int_start; k < int_end; k++) {
        if (!push_digit(&magnitude, (unsigned)(text[k] - '0'), limit))
            return ORD_EOVERFLOW;
    }
    for (int d = 0; d < decimals; d++) {
        size_t k = frac_start + (size_t)d;
        unsigned digit = k < frac_end ? (unsigned)(text[k] - '0') : 0u;
        if (!push_digit(&magnitude, digit, limit))
            return ORD_EOVERFLOW;
    }

    int64_t minor;
    if (!negative)
        minor = (int64_t)magnitude;
    else if (magnitude == (uint64_t)INT64_MAX + 1u)
        minor = INT64_MIN;
    else
        minor = -(int64_t)magnitude;
    out->minor = minor;
    memcpy(out->currency, currency, ORD_CURRENCY_SIZE);
    return ORD_OK;
}

ord_error ord_money_format(char *buf, size_t cap, ord_money value)
{
    if (buf && cap > 0)
        buf[0] = '\0';
    int decimals = ord_currency_decimals(value.currency);
    if (!buf || decimals < 0)
        return ORD_EINVALID;

    bool negative = value.minor < 0;
    /* -(INT64_MIN) overflows; negate in unsigned arithmetic instead. */
    uint64_t magnitude = negative ? 0u - (uint64_t)value.minor : (uint64_t)value.minor;
    uint64_t scale = pow10_table[decimals];
    uint64_t whole = magnitude / scale;
    uint64_t frac = magnitude % scale;

    char tmp[ORD_MONEY_TEXT_SIZE];
    int n;
    if (decimals == 0)
        n = snprintf(tmp, sizeof tmp, "%s%" PRIu64, negative ? "-" : "", whole);
    else
        n = snprintf(tmp, sizeof tmp, "%s%" PRIu64 ".%0*" PRIu64, negative ? "-" : "", whole,
                     decimals, frac);
    if (n < 0 || (size_t)n >= cap)
        return ORD_EINVALID;
    memcpy(buf, tmp, (size_t)n + 1);
    return ORD_OK;
}

static bool same_currency(const ord_money *a, const ord_money *b)
{
    return memcmp(a->currency, b->currency, 3) == 0;
}

ord_error ord_money_add(ord_money *out, ord_money a, ord_money b)
{
    if (!out || !currency_is_wellformed(a.currency) || !same_currency(&a, &b))
        return ORD_EINVALID;
    int64_t sum;
    if (__builtin_add_overflow(a.minor, b.minor, &sum))
        return ORD_EOVERFLOW;
    out->minor = sum;
    memcpy(out->currency, a.currency, ORD_CURRENCY_SIZE);
    return ORD_OK;
}

ord_error ord_money_multiply(ord_money *out, ord_money value, int64_t factor)
{
    if (!out)
        return ORD_EINVALID;
    int64_t product;
    if (__builtin_mul_overflow(value.minor, factor, &product))
        return ORD_EOVERFLOW;
    out->minor = product;
    memcpy(out->currency, value.currency, ORD_CURRENCY_SIZE);
    return ORD_OK;
}

bool ord_money_equal(ord_money a, ord_money b)
{
    return a.minor == b.minor && same_currency(&a, &b);
}
