/* The tracking service: one shipment per orderId; asking again returns the
 * same tracking number. */
#include "sim.h"

#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>

#include <civetweb.h>

static bool same_order(const void *ctx, size_t pos)
{
    const sim_state *st = ctx;
    return st->shipments[pos].order_id == st->shipments[st->shipment_count].order_id;
}

/* "TRK-" and a random (version 4) UUID. */
static int new_number(char out[48])
{
    unsigned char b[16];
    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b)
        return -1;
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 48,
             "TRK-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
    return 0;
}

static bool nonempty_string(const cJSON *json, const char *name)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(json, name);
    return cJSON_IsString(item) && item->valuestring[0] != '\0';
}

int sim_handle_shipment(struct mg_connection *conn, sim_state *st, const char *body, size_t len)
{
    cJSON *json = sim_json_parse(body, len);
    int64_t order_id = 0;
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(json, "customerName");
    bool ok = cJSON_IsObject(json) &&
              sim_json_int(cJSON_GetObjectItemCaseSensitive(json, "orderId"), 1, INT64_MAX,
                           &order_id) &&
              nonempty_string(json, "deliveryAddress") && nonempty_string(json, "carrier") &&
              (name == NULL || cJSON_IsString(name) || cJSON_IsNull(name));
    cJSON_Delete(json);
    if (!ok) {
        sim_reply_error(conn, 400,
                        "orderId, deliveryAddress and carrier are required; customerName is a string");
        return 400;
    }
    char number[48] = "";
    sim_state_lock(st);
    if (st->shipment_count == st->shipment_cap) {
        size_t cap = st->shipment_cap == 0 ? 64 : st->shipment_cap * 2;
        sim_shipment *grown = realloc(st->shipments, (cap + 1) * sizeof *grown);
        if (grown != NULL) {
            st->shipments = grown;
            st->shipment_cap = cap;
        }
    }
    if (st->shipment_count < st->shipment_cap) {
        st->shipments[st->shipment_count].order_id = order_id;
        size_t at = sim_index_find(&st->shipment_index, sim_hash_int(order_id), same_order, st);
        if (at != SIZE_MAX) {
            memcpy(number, st->shipments[at].number, sizeof number);
        } else if (new_number(st->shipments[st->shipment_count].number) == 0 &&
                   sim_index_add(&st->shipment_index, sim_hash_int(order_id),
                                 st->shipment_count) == 0) {
            memcpy(number, st->shipments[st->shipment_count].number, sizeof number);
            st->shipment_count++;
        }
    }
    sim_state_unlock(st);
    if (number[0] == '\0') {
        sim_reply_error(conn, 500, "out of memory");
        return 500;
    }
    char date[16];
    time_t when = time(NULL) + 4 * 24 * 3600;
    struct tm tm;
    gmtime_r(&when, &tm);
    strftime(date, sizeof date, "%Y-%m-%d", &tm);
    cJSON *answer = cJSON_CreateObject();
    if (answer != NULL) {
        cJSON_AddStringToObject(answer, "trackingNumber", number);
        cJSON_AddStringToObject(answer, "estimatedDelivery", date);
    }
    sim_reply_json(conn, 201, answer);
    return 201;
}
