/* The inventory service: product lookup (prices and stock), and reserve,
 * release, commit keyed by orderId with per-product stock accounting. */
#include "sim.h"

#include <stdlib.h>
#include <string.h>

#include <civetweb.h>

/* Most product ids one lookup may ask for, and lines one reserve may hold. */
#define SIM_MAX_IDS 1000

int sim_handle_products(struct mg_connection *conn, sim_state *st)
{
    const struct mg_request_info *info = mg_get_request_info(conn);
    const char *query = info->query_string != NULL ? info->query_string : "";
    char ids[16384];
    if (mg_get_var(query, strlen(query), "ids", ids, sizeof ids) <= 0) {
        sim_reply_error(conn, 400, "query parameter ids (comma-separated product ids) is required");
        return 400;
    }
    int64_t wanted[SIM_MAX_IDS];
    size_t count = 0;
    for (char *p = ids, *next; *p != '\0'; p = next) {
        char *end = NULL;
        long long id = strtoll(p, &end, 10);
        if (end == p || id <= 0 || (*end != ',' && *end != '\0') || count == SIM_MAX_IDS) {
            sim_reply_error(conn, 400, "ids must be positive integers separated by commas");
            return 400;
        }
        wanted[count++] = id;
        next = *end == ',' ? end + 1 : end;
    }
    cJSON *list = cJSON_CreateArray();
    sim_state_lock(st);
    for (size_t i = 0; i < count && list != NULL; i++) {
        bool repeated = false;
        for (size_t k = 0; k < i; k++)
            repeated = repeated || wanted[k] == wanted[i];
        const sim_product *p = sim_catalog_find(&st->current, wanted[i]);
        if (p == NULL || repeated)
            continue; /* unknown ids are absent (docs/api.md, Downstream services) */
        cJSON *item = cJSON_CreateObject();
        if (item == NULL || !cJSON_AddItemToArray(list, item)) {
            cJSON_Delete(item);
            cJSON_Delete(list);
            list = NULL;
            break;
        }
        cJSON_AddNumberToObject(item, "productId", (double)p->id);
        cJSON_AddStringToObject(item, "name", p->name);
        cJSON_AddItemToObject(item, "price", sim_money_to_json(p->price_minor, p->currency));
        cJSON_AddStringToObject(item, "currency", p->currency);
        cJSON_AddNumberToObject(item, "available", (double)p->available);
    }
    sim_state_unlock(st);
    sim_reply_json(conn, 200, list);
    return 200;
}

static bool same_order(const void *ctx, size_t pos)
{
    const sim_state *st = ctx;
    return st->reservations[pos].order_id == st->reservations[st->reservation_count].order_id;
}

/* Position of an order's reservation, or SIZE_MAX. Caller holds the lock and
 * has room for one more entry (the key is put in the spare slot). */
static size_t find_reservation(sim_state *st, int64_t order_id)
{
    if (st->reservation_count == st->reservation_cap) {
        size_t cap = st->reservation_cap == 0 ? 64 : st->reservation_cap * 2;
        sim_reservation *grown = realloc(st->reservations, (cap + 1) * sizeof *grown);
        if (grown == NULL)
            return SIZE_MAX - 1;
        st->reservations = grown;
        st->reservation_cap = cap;
    }
    st->reservations[st->reservation_count] = (sim_reservation){.order_id = order_id};
    return sim_index_find(&st->reservation_index, sim_hash_int(order_id), same_order, st);
}

static bool order_id_of(const char *body, size_t len, int64_t *order_id, cJSON **json)
{
    *json = sim_json_parse(body, len);
    return cJSON_IsObject(*json) &&
           sim_json_int(cJSON_GetObjectItemCaseSensitive(*json, "orderId"), 1, INT64_MAX, order_id);
}

static int parse_lines(const cJSON *json, sim_line **lines, size_t *count)
{
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(json, "items");
    int n = cJSON_GetArraySize(items);
    if (!cJSON_IsArray(items) || n < 1 || n > SIM_MAX_IDS)
        return -1;
    *lines = calloc((size_t)n, sizeof **lines);
    if (*lines == NULL)
        return -1;
    *count = 0;
    for (const cJSON *it = items->child; it != NULL; it = it->next) {
        sim_line *line = &(*lines)[(*count)++];
        if (!sim_json_int(cJSON_GetObjectItemCaseSensitive(it, "productId"), 1, INT64_MAX,
                          &line->product_id) ||
            !sim_json_int(cJSON_GetObjectItemCaseSensitive(it, "quantity"), 1, 1000000000,
                          &line->quantity)) {
            free(*lines);
            *lines = NULL;
            return -1;
        }
    }
    return 0;
}

static cJSON *reserve_answer(const sim_reservation *r)
{
    cJSON *json = cJSON_CreateObject();
    if (json == NULL)
        return NULL;
    bool ok = r->status != SIM_RES_REJECTED;
    cJSON_AddBoolToObject(json, "success", ok);
    cJSON_AddStringToObject(json, "message", ok ? "Reserved" : "Insufficient stock");
    cJSON *list = cJSON_AddArrayToObject(json, "unavailableProducts");
    for (size_t i = 0; list != NULL && i < r->unavailable_count; i++)
        cJSON_AddItemToArray(list, cJSON_CreateNumber((double)r->unavailable[i]));
    return json;
}

/* Decide and apply a new reservation. Caller holds the lock. */
static int reserve_new(sim_state *st, sim_reservation *r)
{
    r->unavailable = calloc(r->line_count, sizeof *r->unavailable);
    if (r->unavailable == NULL)
        return -1;
    for (size_t i = 0; i < r->line_count; i++) {
        int64_t id = r->lines[i].product_id, wanted = 0;
        bool seen = false;
        for (size_t k = 0; k < r->line_count; k++) {
            if (r->lines[k].product_id == id)
                wanted += r->lines[k].quantity; /* a product on two lines counts once */
            if (k < i && r->lines[k].product_id == id)
                seen = true;
        }
        const sim_product *p = sim_catalog_find(&st->current, id);
        if (!seen && (p == NULL || p->available < wanted))
            r->unavailable[r->unavailable_count++] = id;
    }
    r->status = r->unavailable_count > 0 ? SIM_RES_REJECTED : SIM_RES_RESERVED;
    r->catalog_generation = st->catalog_generation;
    if (r->status == SIM_RES_RESERVED)
        for (size_t i = 0; i < r->line_count; i++) {
            sim_product *p = sim_catalog_find(&st->current, r->lines[i].product_id);
            p->available -= r->lines[i].quantity;
            p->reserved += r->lines[i].quantity;
        }
    return 0;
}

int sim_handle_reserve(struct mg_connection *conn, sim_state *st, const char *body, size_t len)
{
    cJSON *json = NULL;
    sim_reservation fresh = {0};
    if (!order_id_of(body, len, &fresh.order_id, &json) ||
        parse_lines(json, &fresh.lines, &fresh.line_count) != 0) {
        cJSON_Delete(json);
        sim_reply_json(conn, 400, cJSON_Parse("{\"success\":false,\"message\":"
                                              "\"orderId and items[] {productId, quantity} "
                                              "are required\"}"));
        return 400;
    }
    cJSON_Delete(json);
    cJSON *answer = NULL;
    int status = 500;
    sim_state_lock(st);
    size_t at = find_reservation(st, fresh.order_id);
    if (at == SIZE_MAX - 1) {
        /* out of memory: answered below */
    } else if (at != SIZE_MAX) {
        /* The first outcome, replayed: a retry never reserves twice. */
        answer = reserve_answer(&st->reservations[at]);
        status = st->reservations[at].status == SIM_RES_REJECTED ? 400 : 200;
    } else if (reserve_new(st, &fresh) == 0 &&
               sim_index_add(&st->reservation_index, sim_hash_int(fresh.order_id),
                             st->reservation_count) == 0) {
        st->reservations[st->reservation_count++] = fresh;
        answer = reserve_answer(&fresh);
        status = fresh.status == SIM_RES_REJECTED ? 400 : 200;
        fresh = (sim_reservation){0};
    }
    sim_state_unlock(st);
    free(fresh.lines);
    free(fresh.unavailable);
    if (answer == NULL) {
        sim_reply_error(conn, 500, "out of memory");
        return 500;
    }
    sim_reply_json(conn, status, answer);
    return status;
}

int sim_handle_release(struct mg_connection *conn, sim_state *st, const char *body, size_t len,
                       bool commit)
{
    cJSON *json = NULL;
    int64_t order_id = 0;
    bool ok = order_id_of(body, len, &order_id, &json);
    cJSON_Delete(json);
    if (!ok) {
        sim_reply_error(conn, 400, "orderId (integer > 0) is required");
        return 400;
    }
    sim_state_lock(st);
    size_t at = find_reservation(st, order_id);
    if (at < SIZE_MAX - 1 && st->reservations[at].status == SIM_RES_RESERVED) {
        sim_reservation *r = &st->reservations[at];
        /* Stock held in a catalog replaced since is gone with it. */
        size_t lines = r->catalog_generation == st->catalog_generation ? r->line_count : 0;
        for (size_t i = 0; i < lines; i++) {
            sim_product *p = sim_catalog_find(&st->current, r->lines[i].product_id);
            if (p == NULL)
                continue; /* cannot happen: the reservation found it in this catalog */
            p->reserved -= r->lines[i].quantity;
            if (commit)
                p->committed += r->lines[i].quantity;
            else
                p->available += r->lines[i].quantity;
        }
        r->status = commit ? SIM_RES_COMMITTED : SIM_RES_RELEASED;
    }
    /* Anything else (unknown order, already released or committed) is a
     * repeat: nothing to do, and still a success. */
    sim_state_unlock(st);
    sim_reply_empty(conn, 204);
    return 204;
}
