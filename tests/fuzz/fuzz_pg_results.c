/* The PostgreSQL adapter's decoders of binary results - what the database
 * hands back, read into the records of the ports: an order with its item
 * and history arrays (ord_pg_decode_order), the rows of a customer's page
 * (ord_pg_decode_order_head), a claimed outbox event (ord_pg_decode_event)
 * and the answer of an idempotency key's begin (ord_pg_decode_idem_record).
 * The results are built with libpq's own PGresult functions: no server.
 *
 * Input, as text: the decoder's name on the first line (order, head, event
 * or idem; another word picks one by its first byte), then one line per
 * column: "~" is NULL, "x:" and hex digits (blanks ignored) binary bytes,
 * anything else the bytes themselves; "--" starts the next row (head and
 * event decode up to three). Missing columns are NULL.
 *
 * Properties: a row the schema could not have produced is refused with
 * ORD_EINTERNAL (never ORD_ENOMEM, never a crash or a leak); a decoded
 * record holds only what its types allow (a known status, NUL-terminated
 * texts that fit, items and history of the arrays' one length).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "pg_internal.h"

#define MAX_COLUMNS 23
#define MAX_ROWS 3

static const struct {
    const char *name;
    int columns;
    int rows;
} DECODERS[] = {{"order", 23, 1}, {"head", 15, MAX_ROWS}, {"event", 9, MAX_ROWS}, {"idem", 5, 1}};

static int hex(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* A column line as its value, in place: its length, or -1 for NULL. */
static int column_value(char *line, size_t len)
{
    if (len == 1 && line[0] == '~')
        return -1;
    if (len < 2 || line[0] != 'x' || line[1] != ':')
        return (int)len;
    size_t out = 0;
    int high = -1;
    for (size_t i = 2; i < len; i++) {
        int v = hex((unsigned char)line[i]);
        if (v < 0)
            continue;
        if (high < 0) {
            high = v;
        } else {
            line[out++] = (char)(high * 16 + v);
            high = -1;
        }
    }
    return (int)out;
}

static bool text_fits(const char *text, size_t size)
{
    return strnlen(text, size) < size;
}

static void check_order(const ord_order *o)
{
    FUZZ_CHECK((unsigned)o->status < ORD_STATUS_COUNT);
    FUZZ_CHECK(text_fits(o->number, sizeof o->number));
    FUZZ_CHECK(text_fits(o->guest_token_hash, sizeof o->guest_token_hash));
    FUZZ_CHECK(strlen(o->total.currency) < sizeof o->total.currency);
    FUZZ_CHECK((o->item_count == 0) == (o->items == NULL));
    for (size_t i = 0; i < o->item_count; i++)
        FUZZ_CHECK(!o->items[i].has_price ||
                   strlen(o->items[i].unit_price.currency) < ORD_CURRENCY_SIZE);
    FUZZ_CHECK((o->history_count == 0) == (o->history == NULL));
    for (size_t i = 0; i < o->history_count; i++) {
        FUZZ_CHECK((unsigned)o->history[i].to < ORD_STATUS_COUNT);
        FUZZ_CHECK(!o->history[i].has_from || (unsigned)o->history[i].from < ORD_STATUS_COUNT);
        FUZZ_CHECK(text_fits(o->history[i].reason, sizeof o->history[i].reason));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = {data, size};
    char *name = fuzz_line(&in, NULL);
    size_t d = (unsigned char)name[0] % 4;
    for (size_t i = 0; i < 4; i++)
        if (strcmp(name, DECODERS[i].name) == 0)
            d = i;
    free(name);

    PGresult *r = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
    FUZZ_CHECK(r != NULL);
    PGresAttDesc attrs[MAX_COLUMNS];
    memset(attrs, 0, sizeof attrs);
    for (int c = 0; c < DECODERS[d].columns; c++) {
        attrs[c].name = (char *)"c";
        attrs[c].format = 1;
        attrs[c].typlen = -1;
        attrs[c].atttypmod = -1;
    }
    FUZZ_CHECK(PQsetResultAttrs(r, DECODERS[d].columns, attrs) != 0);
    int row = 0, col = 0;
    while (in.n > 0) {
        size_t len = 0;
        char *line = fuzz_line(&in, &len);
        if (len == 2 && line[0] == '-' && line[1] == '-') {
            col = 0;
            row++;
        } else if (row < DECODERS[d].rows && col < DECODERS[d].columns) {
            int n = column_value(line, len);
            /* Rows left empty by "--" lines are all NULL. */
            while (PQntuples(r) < row)
                FUZZ_CHECK(PQsetvalue(r, PQntuples(r), 0, NULL, -1) != 0);
            FUZZ_CHECK(PQsetvalue(r, row, col, n < 0 ? NULL : line, n) != 0);
            col++;
        }
        free(line);
        if (row >= DECODERS[d].rows)
            break;
    }
    /* A row with no column line is all NULL. */
    if (PQntuples(r) == 0)
        FUZZ_CHECK(PQsetvalue(r, 0, 0, NULL, -1) != 0);

    int rows = PQntuples(r);
    if (d == 0) {
        ord_order o;
        ord_order_init(&o);
        ord_error rc = ord_pg_decode_order(r, &o);
        FUZZ_CHECK(rc == ORD_OK || rc == ORD_EINTERNAL);
        if (rc == ORD_OK)
            check_order(&o);
        ord_order_free(&o);
    } else if (d == 1) {
        for (int i = 0; i < rows; i++) {
            ord_order o;
            ord_order_init(&o);
            ord_error rc = ord_pg_decode_order_head(r, i, &o);
            FUZZ_CHECK(rc == ORD_OK || rc == ORD_EINTERNAL);
            if (rc == ORD_OK)
                check_order(&o);
            ord_order_free(&o);
        }
    } else if (d == 2) {
        for (int i = 0; i < rows; i++) {
            ord_outbox_event e;
            memset(&e, 0, sizeof e);
            ord_error rc = ord_pg_decode_event(r, i, &e);
            FUZZ_CHECK(rc == ORD_OK || rc == ORD_EINTERNAL);
            FUZZ_CHECK(rc != ORD_OK || e.payload != NULL);
            size_t id_len = strnlen(e.event_id, sizeof e.event_id);
            FUZZ_CHECK(id_len == 0 || id_len == 36);
            free(e.payload);
        }
    } else {
        ord_idem_record rec;
        ord_error rc = ord_pg_decode_idem_record(r, &rec);
        FUZZ_CHECK(rc == ORD_OK || rc == ORD_EINTERNAL);
        if (rc == ORD_OK) {
            FUZZ_CHECK(rec.state == ORD_IDEM_STARTED || rec.state == ORD_IDEM_RESUMABLE ||
                       rec.state == ORD_IDEM_IN_PROGRESS || rec.state == ORD_IDEM_COMPLETED ||
                       rec.state == ORD_IDEM_MISMATCH);
            FUZZ_CHECK((rec.state == ORD_IDEM_COMPLETED) == (rec.response_body != NULL));
            FUZZ_CHECK(text_fits(rec.order_number, sizeof rec.order_number));
        } else {
            FUZZ_CHECK(rec.response_body == NULL);
        }
        ord_idem_record_free(&rec);
    }
    PQclear(r);
    return 0;
}
