/* UTF-8 checking, RFC 3339 UTC times by calendar arithmetic (no libc time
 * functions: the domain reads no clock and needs no time zone), and UUID
 * syntax. */
#include <orders/domain/text.h>

#include <string.h>

bool ord_utf8_count(const char *text, size_t len, size_t *chars)
{
    if (!text && len > 0)
        return false;
    const unsigned char *s = (const unsigned char *)text;
    size_t count = 0;
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        size_t need;
        uint32_t cp;
        if (c == 0x00)
            return false;
        if (c < 0x80) {
            i++;
            count++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {        /* C0, C1 would be overlong */
            need = 1;
            cp = c & 0x1Fu;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            cp = c & 0x0Fu;
        } else if (c >= 0xF0 && c <= 0xF4) { /* F5.. would pass U+10FFFF */
            need = 3;
            cp = c & 0x07u;
        } else {
            return false;                    /* stray continuation or invalid lead */
        }
        if (len - i - 1 < need)
            return false;                    /* truncated sequence */
        for (size_t k = 1; k <= need; k++) {
            unsigned char cc = s[i + k];
            if ((cc & 0xC0u) != 0x80u)
                return false;
            cp = (cp << 6) | (cc & 0x3Fu);
        }
        if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000))
            return false;                    /* overlong */
        if (cp >= 0xD800 && cp <= 0xDFFF)
            return false;                    /* UTF-16 surrogate */
        if (cp > 0x10FFFF)
            return false;
        i += need + 1;
        count++;
    }
    if (chars)
        *chars = count;
    return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. Shifting the year to
 * start in March puts the leap day last, so each 400-year era has a fixed
 * shape (146097 days). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;                                 /* 0..399 */
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* 0..365 */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;        /* 0..146096 */
    return era * 146097 + doe - 719468;
}

/* The inverse of days_from_civil. */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* Write value as exactly n decimal digits, zero-padded. */
static void put_digits(char *dst, int value, int n)
{
    for (int k = n - 1; k >= 0; k--) {
        dst[k] = (char)('0' + value % 10);
        value /= 10;
    }
}

/* 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z in Unix milliseconds. */
#define MIN_TIME_MS (-62167219200000LL)
#define MAX_TIME_MS (253402300799999LL)

ord_error ord_time_format(char buf[ORD_TIME_TEXT_SIZE], int64_t unix_ms)
{
    if (!buf)
        return ORD_EINVALID;
    if (unix_ms < MIN_TIME_MS || unix_ms > MAX_TIME_MS) {
        buf[0] = '\0';
        return ORD_EINVALID;
    }
    /* Floor division, so times before 1970 land in the right second. */
    int64_t secs = unix_ms / 1000 - (unix_ms % 1000 < 0);
    int64_t days = secs / 86400 - (secs % 86400 < 0);
    int64_t sod = secs - days * 86400;
    int64_t year;
    int month, day;
    civil_from_days(days, &year, &month, &day);
    /* Fixed-width fields written by hand: every value is in range here. */
    put_digits(buf, (int)year, 4);
    buf[4] = '-';
    put_digits(buf + 5, month, 2);
    buf[7] = '-';
    put_digits(buf + 8, day, 2);
    buf[10] = 'T';
    put_digits(buf + 11, (int)(sod / 3600), 2);
    buf[13] = ':';
    put_digits(buf + 14, (int)(sod / 60 % 60), 2);
    buf[16] = ':';
    put_digits(buf + 17, (int)(sod % 60), 2);
    buf[19] = 'Z';
    buf[20] = '\0';
    return ORD_OK;
}

/* Exactly n digits at text[*pos]; advances *pos. */
static bool read_digits(const char *text, size_t *pos, int n, int *value)
{
    int v = 0;
    for (int k = 0; k < n; k++) {
        char c = text[*pos];
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
        (*pos)++;
    }
    *value = v;
    return true;
}

static bool expect_char(const char *text, size_t *pos, char a, char b)
{
    if (text[*pos] != a && text[*pos] != b)
        return false;
    (*pos)++;
    return true;
}

static int days_in_month(int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

ord_error ord_time_parse(int64_t *unix_ms, const char *text)
{
    if (!unix_ms || !text)
        return ORD_EINVALID;
    size_t pos = 0;
    int year, month, day, hour, minute, second;
    /* Each step stops at the first mismatch, so no read passes the NUL. */
    if (!read_digits(text, &pos, 4, &year) || !expect_char(text, &pos, '-', '-') ||
        !read_digits(text, &pos, 2, &month) || !expect_char(text, &pos, '-', '-') ||
        !read_digits(text, &pos, 2, &day) || !expect_char(text, &pos, 'T', 't') ||
        !read_digits(text, &pos, 2, &hour) || !expect_char(text, &pos, ':', ':') ||
        !read_digits(text, &pos, 2, &minute) || !expect_char(text, &pos, ':', ':') ||
        !read_digits(text, &pos, 2, &second))
        return ORD_EINVALID;
    int millis = 0;
    if (text[pos] == '.') {
        pos++;
        int digits = 0;
        while (text[pos] >= '0' && text[pos] <= '9') {
            if (digits < 3)
                millis = millis * 10 + (text[pos] - '0');
            digits++;
            pos++;
        }
        if (digits == 0 || digits > 9)
            return ORD_EINVALID;
        for (int k = digits; k < 3; k++)
            millis *= 10; /* ".5" is 500 ms; digits past the third are cut */
    }
    if (!expect_char(text, &pos, 'Z', 'z') || text[pos] != '\0')
        return ORD_EINVALID;
    /* No leap seconds: Unix time has no place for :60. */
    if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 ||
        minute > 59 || second > 59)
        return ORD_EINVALID;
    int64_t days = days_from_civil(year, month, day);
    *unix_ms = ((days * 86400 + hour * 3600 + minute * 60 + second) * 1000) + millis;
    return ORD_OK;
}

static bool is_lower_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

bool ord_uuid_is_valid(const char *text)
{
    if (!text)
        return false;
    for (int i = 0; i < 36; i++) {
        bool dash_here = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash_here ? text[i] != '-' : !is_lower_hex(text[i]))
            return false; /* also stops at an early NUL */
    }
    return text[36] == '\0';
}

bool ord_order_number_is_valid(const char *text)
{
    return text && strncmp(text, "ORD-", 4) == 0 && ord_uuid_is_valid(text + 4);
}
