/* The encoders of stored records: an order as its JSON body
 * (ord_order_to_json(), full and summary: what GET returns and what an
 * Idempotency-Key stores as the answer to replay) and the outbox event's
 * payload around it (ord_event_to_json(), what the relay delivers as is).
 * Their text comes from clients (names, addresses, carriers) and from
 * downstream services (tracking numbers), so it may hold anything.
 *
 * Input: five lines of text - order number, customer name, delivery
 * address, carrier, tracking number (an empty line is NULL) - then binary
 * fields in this order: id, customer id (8 bytes each), status (1), total
 * (8), its currency (3), version, created at (8 each), the count of items
 * (1, % 8) and per item product id (8), quantity (4), has price (1), price
 * (8), currency (3); the count of history entries (1, % 8) and per entry
 * has from, from, to (1 each), at (8), reason (16 bytes, cut at a NUL);
 * then the event's type (1), sequence and occurred at (8 each).
 *
 * Properties: each encoder either refuses (ORD_EINVALID: a money or time
 * it cannot write, *out NULL) or writes one valid JSON document that says
 * what the record holds: the ids, the texts (exactly, when valid UTF-8),
 * one element per item and history entry, and for the event its type and
 * the order inside.
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <orders/application/order_json.h>
#include <orders/domain/event.h>

#include "fuzz.h"

static char *optional_line(fuzz_input *in)
{
    char *s = fuzz_line(in, NULL);
    if (s[0] != '\0')
        return s;
    free(s);
    return NULL;
}

static void take_currency(fuzz_input *in, char out[ORD_CURRENCY_SIZE])
{
    for (int i = 0; i < 3; i++)
        out[i] = (char)fuzz_u8(in);
    out[3] = '\0';
}

static cJSON *parse_whole(const char *text)
{
    const char *end = NULL;
    cJSON *json = cJSON_ParseWithLengthOpts(text, strlen(text), &end, false);
    FUZZ_CHECK(json != NULL && end == text + strlen(text));
    return json;
}

/* A text member: the text itself when it is plain printable ASCII (any
 * other byte may have been replaced), null for NULL. */
static void check_text(const cJSON *obj, const char *name, const char *text)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (text == NULL) {
        FUZZ_CHECK(cJSON_IsNull(item));
        return;
    }
    FUZZ_CHECK(cJSON_IsString(item));
    bool plain = true;
    for (const char *p = text; *p != '\0'; p++)
        plain = plain && *p >= 0x20 && *p < 0x7f;
    if (plain)
        FUZZ_CHECK(strcmp(item->valuestring, text) == 0);
}

static void check_order(const cJSON *json, const ord_order *o, bool full)
{
    FUZZ_CHECK(cJSON_IsObject(json));
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(json, "orderId");
    FUZZ_CHECK(cJSON_IsNumber(id) && id->valuedouble == (double)o->id);
    check_text(json, "orderNumber", o->number);
    check_text(json, "trackingNumber", o->tracking_number);
    if (!full)
        return;
    check_text(json, "customerName", o->customer_name);
    check_text(json, "deliveryAddress", o->delivery_address);
    check_text(json, "carrier", o->carrier);
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(json, "items");
    FUZZ_CHECK(cJSON_IsArray(items) && (size_t)cJSON_GetArraySize(items) == o->item_count);
    const cJSON *history = cJSON_GetObjectItemCaseSensitive(json, "statusHistory");
    FUZZ_CHECK(cJSON_IsArray(history) &&
               (size_t)cJSON_GetArraySize(history) == o->history_count);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = {data, size};
    ord_order o;
    ord_order_init(&o);
    char *number = fuzz_line(&in, NULL);
    strncpy(o.number, number, sizeof o.number - 1);
    free(number);
    o.customer_name = optional_line(&in);
    o.delivery_address = optional_line(&in);
    o.carrier = optional_line(&in);
    o.tracking_number = optional_line(&in);
    o.id = (int64_t)fuzz_u64(&in);
    o.customer_id = (int64_t)fuzz_u64(&in);
    o.status = (ord_status)(fuzz_u8(&in) % ORD_STATUS_COUNT);
    o.total.minor = (int64_t)fuzz_u64(&in);
    take_currency(&in, o.total.currency);
    o.version = (int64_t)fuzz_u64(&in);
    o.created_at_ms = (int64_t)fuzz_u64(&in);
    o.updated_at_ms = o.created_at_ms;
    o.item_count = fuzz_u8(&in) % 8;
    o.items = o.item_count > 0 ? calloc(o.item_count, sizeof *o.items) : NULL;
    for (size_t i = 0; i < o.item_count; i++) {
        o.items[i].product_id = (int64_t)fuzz_u64(&in);
        o.items[i].quantity = (int32_t)fuzz_u32(&in);
        o.items[i].has_price = (fuzz_u8(&in) & 1) != 0;
        o.items[i].unit_price.minor = (int64_t)fuzz_u64(&in);
        take_currency(&in, o.items[i].unit_price.currency);
    }
    o.history_count = fuzz_u8(&in) % 8;
    o.history = o.history_count > 0 ? calloc(o.history_count, sizeof *o.history) : NULL;
    for (size_t i = 0; i < o.history_count; i++) {
        ord_status_change *h = &o.history[i];
        h->has_from = (fuzz_u8(&in) & 1) != 0;
        h->from = (ord_status)(fuzz_u8(&in) % ORD_STATUS_COUNT);
        h->to = (ord_status)(fuzz_u8(&in) % ORD_STATUS_COUNT);
        h->at_ms = (int64_t)fuzz_u64(&in);
        for (size_t k = 0; k < 16; k++)
            h->reason[k] = (char)fuzz_u8(&in);
    }
    ord_outbox_event event;
    memset(&event, 0, sizeof event);
    memcpy(event.event_id, "00000000-0000-4000-8000-000000000001", sizeof event.event_id);
    event.type = (ord_event_type)(1 + fuzz_u8(&in) % 4);
    event.order_id = o.id;
    event.customer_id = o.customer_id;
    event.sequence = (int64_t)fuzz_u64(&in);
    event.occurred_at_ms = (int64_t)fuzz_u64(&in);

    for (int form = 0; form < 2; form++) {
        char *text = (char *)1;
        ord_error rc = ord_order_to_json(&text, &o, (ord_order_json_form)form);
        FUZZ_CHECK(rc == ORD_OK || rc == ORD_EINVALID);
        FUZZ_CHECK((rc == ORD_OK) == (text != NULL));
        if (rc == ORD_OK) {
            cJSON *json = parse_whole(text);
            check_order(json, &o, form == ORD_ORDER_JSON_FULL);
            cJSON_Delete(json);
        }
        free(text);
    }
    char *payload = (char *)1;
    ord_error rc = ord_event_to_json(&payload, &event, &o);
    FUZZ_CHECK(rc == ORD_OK || rc == ORD_EINVALID);
    FUZZ_CHECK((rc == ORD_OK) == (payload != NULL));
    if (rc == ORD_OK) {
        cJSON *json = parse_whole(payload);
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(json, "eventType");
        FUZZ_CHECK(cJSON_IsString(type) &&
                   strcmp(type->valuestring, ord_event_type_name(event.type)) == 0);
        check_order(cJSON_GetObjectItemCaseSensitive(json, "order"), &o, true);
        cJSON_Delete(json);
    }
    free(payload);
    ord_order_free(&o);
    return 0;
}
