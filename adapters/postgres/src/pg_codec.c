/* Text parameters in, binary results out: integers and arrays need no
 * parsing of decimal text, and strings travel as they are (no escaping). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <orders/support/uuid.h>

#include "pg_internal.h"

void ord_pg_params_init(pg_params *p)
{
    memset(p, 0, sizeof *p);
}

void ord_pg_params_free(pg_params *p)
{
    for (int i = 0; i < p->count; i++)
        free(p->owned[i]);
    memset(p, 0, sizeof *p);
}

static bool params_room(pg_params *p)
{
    if (p->count < PG_MAX_PARAMS)
        return true;
    p->failed = true;
    return false;
}

void ord_pg_param_i64(pg_params *p, int64_t value)
{
    if (!params_room(p))
        return;
    snprintf(p->numbers[p->count], sizeof p->numbers[p->count], "%" PRId64, value);
    p->values[p->count] = p->numbers[p->count];
    p->count++;
}

void ord_pg_param_text(pg_params *p, const char *value)
{
    if (!params_room(p))
        return;
    p->values[p->count++] = value;
}

void ord_pg_param_bool(pg_params *p, bool value)
{
    ord_pg_param_text(p, value ? "t" : "f");
}

void ord_pg_param_owned(pg_params *p, char *value)
{
    if (!params_room(p)) {
        free(value);
        return;
    }
    if (value == NULL)
        p->failed = true;
    p->owned[p->count] = value;
    p->values[p->count++] = value;
}

/* A growing buffer for array literals. */
typedef struct text_buf {
    char *data;
    size_t len;
    size_t cap;
    bool failed;
} text_buf;

static void buf_add(text_buf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap == 0 ? 64 : b->cap;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *grown = realloc(b->data, cap);
        if (grown == NULL) {
            b->failed = true;
            return;
        }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void buf_str(text_buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

/* An array element as a double-quoted string: only '"' and '\' need a
 * backslash inside quotes (the array literal syntax). */
static void buf_quoted(text_buf *b, const char *s)
{
    buf_add(b, "\"", 1);
    for (const char *c = s; *c != '\0'; c++) {
        if (*c == '"' || *c == '\\')
            buf_add(b, "\\", 1);
        buf_add(b, c, 1);
    }
    buf_add(b, "\"", 1);
}

static char *buf_take(text_buf *b)
{
    if (b->failed) {
        free(b->data);
        return NULL;
    }
    return b->data;
}

typedef enum item_column { ITEM_PRODUCT, ITEM_QUANTITY, ITEM_PRICE, ITEM_CURRENCY } item_column;

static char *items_array(const ord_order_item *items, size_t count, item_column column)
{
    text_buf b = {0};
    buf_str(&b, "{");
    for (size_t i = 0; i < count; i++) {
        char num[24];
        if (i > 0)
            buf_str(&b, ",");
        const ord_order_item *it = &items[i];
        switch (column) {
        case ITEM_PRODUCT:
            snprintf(num, sizeof num, "%" PRId64, it->product_id);
            buf_str(&b, num);
            break;
        case ITEM_QUANTITY:
            snprintf(num, sizeof num, "%" PRId32, it->quantity);
            buf_str(&b, num);
            break;
        case ITEM_PRICE:
            if (it->has_price) {
                snprintf(num, sizeof num, "%" PRId64, it->unit_price.minor);
                buf_str(&b, num);
            } else {
                buf_str(&b, "NULL");
            }
            break;
        case ITEM_CURRENCY:
            if (it->has_price) {
                char cur[ORD_CURRENCY_SIZE];
                memcpy(cur, it->unit_price.currency, sizeof cur);
                cur[sizeof cur - 1] = '\0';
                buf_quoted(&b, cur);
            } else {
                buf_str(&b, "NULL");
            }
            break;
        }
    }
    buf_str(&b, "}");
    return buf_take(&b);
}

void ord_pg_param_items(pg_params *p, const ord_order_item *items, size_t count)
{
    ord_pg_param_owned(p, items_array(items, count, ITEM_PRODUCT));
    ord_pg_param_owned(p, items_array(items, count, ITEM_QUANTITY));
    ord_pg_param_owned(p, items_array(items, count, ITEM_PRICE));
    ord_pg_param_owned(p, items_array(items, count, ITEM_CURRENCY));
}

int64_t ord_pg_decode_int(const unsigned char *data, size_t len)
{
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++)
        v = (v << 8) | data[i];
    /* Sign-extend the narrower types. */
    if (len == 2)
        return (int16_t)(uint16_t)v;
    if (len == 4)
        return (int32_t)(uint32_t)v;
    return (int64_t)v;
}

bool ord_pg_is_null(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) != 0;
}

int64_t ord_pg_get_int(const PGresult *r, int row, int col)
{
    if (ord_pg_is_null(r, row, col))
        return 0;
    int len = PQgetlength(r, row, col);
    if (len != 2 && len != 4 && len != 8)
        return 0;
    return ord_pg_decode_int((const unsigned char *)PQgetvalue(r, row, col), (size_t)len);
}

bool ord_pg_get_bool(const PGresult *r, int row, int col)
{
    if (ord_pg_is_null(r, row, col) || PQgetlength(r, row, col) != 1)
        return false;
    return PQgetvalue(r, row, col)[0] != 0;
}

ord_error ord_pg_get_text(const PGresult *r, int row, int col, char **out)
{
    *out = NULL;
    if (ord_pg_is_null(r, row, col))
        return ORD_OK;
    size_t len = (size_t)PQgetlength(r, row, col);
    char *s = malloc(len + 1);
    if (s == NULL)
        return ORD_ENOMEM;
    memcpy(s, PQgetvalue(r, row, col), len);
    s[len] = '\0';
    *out = s;
    return ORD_OK;
}

bool ord_pg_get_text_into(const PGresult *r, int row, int col, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (ord_pg_is_null(r, row, col))
        return true;
    size_t len = (size_t)PQgetlength(r, row, col);
    if (len >= cap)
        return false;
    memcpy(buf, PQgetvalue(r, row, col), len);
    buf[len] = '\0';
    return true;
}

void ord_pg_get_uuid(const PGresult *r, int row, int col, char out[37])
{
    out[0] = '\0';
    if (ord_pg_is_null(r, row, col) || PQgetlength(r, row, col) != 16)
        return;
    ord_uuid_format((const unsigned char *)PQgetvalue(r, row, col), out);
}

static bool read_i32(const unsigned char **p, const unsigned char *end, int32_t *v)
{
    if (end - *p < 4)
        return false;
    *v = (int32_t)ord_pg_decode_int(*p, 4);
    *p += 4;
    return true;
}

/* Binary array layout: ndim, has-null flag, element type oid, then per
 * dimension its length and lower bound, then (length, bytes) per element. */
bool ord_pg_array_open(const PGresult *r, int row, int col, pg_array *a)
{
    memset(a, 0, sizeof *a);
    if (ord_pg_is_null(r, row, col))
        return true;
    const unsigned char *p = (const unsigned char *)PQgetvalue(r, row, col);
    const unsigned char *end = p + PQgetlength(r, row, col);
    int32_t ndim, flags, type, dim, lower;
    if (!read_i32(&p, end, &ndim) || !read_i32(&p, end, &flags) || !read_i32(&p, end, &type))
        return false;
    if (ndim == 0) {
        a->p = a->end = p;
        return true;
    }
    if (ndim != 1 || !read_i32(&p, end, &dim) || !read_i32(&p, end, &lower) || dim < 0)
        return false;
    /* Each element takes at least its 4-byte length: a count the value
     * cannot hold is refused here, before a caller sizes an array by it. */
    if ((size_t)dim > (size_t)(end - p) / 4)
        return false;
    a->p = p;
    a->end = end;
    a->count = (size_t)dim;
    return true;
}

bool ord_pg_array_next(pg_array *a, const unsigned char **data, size_t *len)
{
    int32_t n;
    if (a->p == NULL || !read_i32(&a->p, a->end, &n))
        return false;
    if (n < 0) {
        *data = NULL;
        *len = 0;
        return true;
    }
    if (a->end - a->p < n)
        return false;
    *data = a->p;
    *len = (size_t)n;
    a->p += n;
    return true;
}
