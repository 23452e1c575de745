/* The control API under /sim: faults, state, catalog replacement, reset. */
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <civetweb.h>

static const char *const reservation_names[] = {"RESERVED", "REJECTED", "RELEASED", "COMMITTED"};

/* Parse PUT /sim/faults into a fault; false with a message on bad input. */
static bool parse_fault(const cJSON *json, sim_fault *out, const char **message)
{
    const cJSON *mode = cJSON_GetObjectItemCaseSensitive(json, "mode");
    const cJSON *latency = cJSON_GetObjectItemCaseSensitive(json, "latencyMs");
    const cJSON *rate = cJSON_GetObjectItemCaseSensitive(json, "errorRate");
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(json, "status");
    const cJSON *body = cJSON_GetObjectItemCaseSensitive(json, "body");
    const cJSON *skip = cJSON_GetObjectItemCaseSensitive(json, "skip");
    const cJSON *times = cJSON_GetObjectItemCaseSensitive(json, "times");
    int64_t value = 0;
    *out = (sim_fault){.mode = SIM_FAULT_OK, .times = -1};
    if (!cJSON_IsString(mode) || !sim_fault_mode_parse(mode->valuestring, &out->mode)) {
        *message = "mode must be one of ok, error, slow, hang, garbage, huge, trickle, redirect";
        return false;
    }
    if (latency != NULL) {
        if (!sim_json_int(latency, 0, 600000, &value)) {
            *message = "latencyMs must be an integer 0..600000";
            return false;
        }
        out->latency_ms = (int)value;
    }
    /* A mode other than ok applies to every call unless a rate says less;
     * ok with a rate fails that fraction of calls with 503. */
    out->error_rate = out->mode == SIM_FAULT_OK ? 0.0 : 1.0;
    if (rate != NULL) {
        if (!cJSON_IsNumber(rate) || !(rate->valuedouble >= 0.0 && rate->valuedouble <= 1.0)) {
            *message = "errorRate must be a number 0..1";
            return false;
        }
        out->error_rate = rate->valuedouble;
    }
    if (skip != NULL) {
        if (!sim_json_int(skip, 0, 1000000, &value)) {
            *message = "skip must be an integer 0..1000000";
            return false;
        }
        out->skip = (int)value;
    }
    if (times != NULL) {
        if (!sim_json_int(times, -1, 1000000, &value)) {
            *message = "times must be an integer -1..1000000 (-1: for good)";
            return false;
        }
        out->times = (int)value;
    }
    if (status != NULL) {
        if (!sim_json_int(status, 100, 599, &value)) {
            *message = "status must be an HTTP status 100..599";
            return false;
        }
        out->status = (int)value;
    }
    if (body != NULL) {
        if (!cJSON_IsString(body)) {
            *message = "body must be a string";
            return false;
        }
        out->body = strdup(body->valuestring);
        if (out->body == NULL) {
            *message = "out of memory";
            return false;
        }
    }
    return true;
}

int sim_handle_faults(struct mg_connection *conn, sim_state *st, const char *body, size_t len)
{
    cJSON *json = sim_json_parse(body, len);
    const cJSON *service = cJSON_GetObjectItemCaseSensitive(json, "service");
    sim_service svc = SIM_CATALOG;
    bool all = cJSON_IsString(service) && strcmp(service->valuestring, "all") == 0;
    const char *message = NULL;
    sim_fault fault;
    if (!cJSON_IsObject(json) || !cJSON_IsString(service) ||
        (!all && !sim_service_parse(service->valuestring, &svc))) {
        cJSON_Delete(json);
        sim_reply_error(conn, 400,
                        "service must be one of catalog, inventory, tracking, restrictions, "
                        "eligibility, events, all");
        return 400;
    }
    if (!parse_fault(json, &fault, &message)) {
        cJSON_Delete(json);
        sim_reply_error(conn, 400, message);
        return 400;
    }
    int failed = 0;
    sim_state_lock(st);
    for (int i = all ? 0 : (int)svc; i <= (all ? SIM_SERVICE_COUNT - 1 : (int)svc); i++) {
        sim_fault copy = fault;
        copy.body = fault.body != NULL ? strdup(fault.body) : NULL;
        failed |= fault.body != NULL && copy.body == NULL;
        sim_fault_clear(&st->faults[i]);
        st->faults[i] = copy;
        st->fault_generation[i]++; /* ends hangs of the old fault */
    }
    pthread_cond_broadcast(&st->changed);
    sim_state_unlock(st);
    free(fault.body);
    if (failed) {
        cJSON_Delete(json);
        sim_reply_error(conn, 500, "out of memory");
        return 500;
    }
    /* Echo what is now armed. */
    cJSON_DeleteItemFromObjectCaseSensitive(json, "body");
    sim_reply_json(conn, 200, json);
    return 200;
}

static cJSON *products_json(const sim_catalog *catalog)
{
    cJSON *list = cJSON_CreateArray();
    for (size_t i = 0; list != NULL && i < catalog->product_count; i++) {
        const sim_product *p = &catalog->products[i];
        cJSON *item = cJSON_CreateObject();
        if (item == NULL || !cJSON_AddItemToArray(list, item)) {
            cJSON_Delete(item);
            cJSON_Delete(list);
            return NULL;
        }
        cJSON_AddNumberToObject(item, "productId", (double)p->id);
        cJSON_AddNumberToObject(item, "available", (double)p->available);
        cJSON_AddNumberToObject(item, "reserved", (double)p->reserved);
        cJSON_AddNumberToObject(item, "committed", (double)p->committed);
    }
    return list;
}

static cJSON *reservations_json(const sim_state *st)
{
    cJSON *list = cJSON_CreateArray();
    for (size_t i = 0; list != NULL && i < st->reservation_count; i++) {
        const sim_reservation *r = &st->reservations[i];
        cJSON *item = cJSON_CreateObject();
        if (item == NULL || !cJSON_AddItemToArray(list, item)) {
            cJSON_Delete(item);
            cJSON_Delete(list);
            return NULL;
        }
        cJSON_AddNumberToObject(item, "orderId", (double)r->order_id);
        cJSON_AddStringToObject(item, "status", reservation_names[r->status]);
        cJSON *lines = cJSON_AddArrayToObject(item, "items");
        for (size_t k = 0; lines != NULL && k < r->line_count; k++) {
            cJSON *line = cJSON_CreateObject();
            if (line == NULL || !cJSON_AddItemToArray(lines, line)) {
                cJSON_Delete(line);
                break;
            }
            cJSON_AddNumberToObject(line, "productId", (double)r->lines[k].product_id);
            cJSON_AddNumberToObject(line, "quantity", (double)r->lines[k].quantity);
        }
        cJSON *missing = cJSON_AddArrayToObject(item, "unavailableProducts");
        for (size_t k = 0; missing != NULL && k < r->unavailable_count; k++)
            cJSON_AddItemToArray(missing, cJSON_CreateNumber((double)r->unavailable[k]));
    }
    return list;
}

static cJSON *per_service(const void *values, bool is_int64)
{
    cJSON *map = cJSON_CreateObject();
    for (int i = 0; map != NULL && i < SIM_SERVICE_COUNT; i++) {
        double v = is_int64 ? (double)((const int64_t *)values)[i]
                            : (double)((const int *)values)[i];
        cJSON_AddNumberToObject(map, sim_service_name((sim_service)i), v);
    }
    return map;
}

static cJSON *faults_json(const sim_state *st)
{
    cJSON *map = cJSON_CreateObject();
    for (int i = 0; map != NULL && i < SIM_SERVICE_COUNT; i++) {
        cJSON *f = cJSON_AddObjectToObject(map, sim_service_name((sim_service)i));
        if (f == NULL)
            continue;
        cJSON_AddStringToObject(f, "mode", sim_fault_mode_name(st->faults[i].mode));
        cJSON_AddNumberToObject(f, "latencyMs", st->faults[i].latency_ms);
        cJSON_AddNumberToObject(f, "errorRate", st->faults[i].error_rate);
    }
    return map;
}

static cJSON *last_requests_json(const sim_state *st)
{
    cJSON *map = cJSON_CreateObject();
    for (int i = 0; map != NULL && i < SIM_SERVICE_COUNT; i++) {
        cJSON *r = cJSON_AddObjectToObject(map, sim_service_name((sim_service)i));
        if (r == NULL)
            continue;
        cJSON_AddStringToObject(r, "requestId", st->last_request_id[i]);
        cJSON_AddStringToObject(r, "traceparent", st->last_traceparent[i]);
    }
    return map;
}

int sim_handle_state(struct mg_connection *conn, sim_state *st)
{
    cJSON *json = cJSON_CreateObject();
    sim_state_lock(st);
    if (json != NULL) {
        cJSON_AddItemToObject(json, "products", products_json(&st->current));
        cJSON_AddItemToObject(json, "reservations", reservations_json(st));
        cJSON *shipments = cJSON_AddArrayToObject(json, "shipments");
        for (size_t i = 0; shipments != NULL && i < st->shipment_count; i++) {
            cJSON *item = cJSON_CreateObject();
            if (item == NULL || !cJSON_AddItemToArray(shipments, item)) {
                cJSON_Delete(item);
                break;
            }
            cJSON_AddNumberToObject(item, "orderId", (double)st->shipments[i].order_id);
            cJSON_AddStringToObject(item, "trackingNumber", st->shipments[i].number);
        }
        cJSON *events = cJSON_AddArrayToObject(json, "events");
        for (size_t i = 0; events != NULL && i < st->event_count; i++)
            cJSON_AddItemToArray(events, cJSON_CreateRaw(st->events[i].body));
        cJSON_AddNumberToObject(json, "duplicateEvents", (double)st->duplicate_events);
        cJSON_AddItemToObject(json, "inFlightMax", per_service(st->in_flight_max, false));
        cJSON_AddItemToObject(json, "inFlight", per_service(st->in_flight, false));
        cJSON_AddNumberToObject(json, "inFlightMaxAll", st->in_flight_all_max);
        cJSON_AddItemToObject(json, "requests", per_service(st->requests, true));
        cJSON_AddItemToObject(json, "faults", faults_json(st));
        cJSON_AddItemToObject(json, "lastRequest", last_requests_json(st));
    }
    sim_state_unlock(st);
    sim_reply_json(conn, 200, json);
    return 200;
}

int sim_handle_catalog(struct mg_connection *conn, sim_state *st, const char *body, size_t len)
{
    sim_catalog catalog;
    char err[256];
    if (sim_catalog_parse(&catalog, body, len, err, sizeof err) != 0) {
        sim_reply_error(conn, 400, err);
        return 400;
    }
    sim_state_lock(st);
    sim_state_replace_catalog_locked(st, &catalog);
    sim_state_unlock(st);
    sim_reply_empty(conn, 204);
    return 204;
}

int sim_handle_reset(struct mg_connection *conn, sim_state *st)
{
    sim_state_lock(st);
    int rc = sim_state_reset_locked(st);
    sim_state_unlock(st);
    if (rc != 0) {
        sim_reply_error(conn, 500, "out of memory");
        return 500;
    }
    sim_reply_empty(conn, 204);
    return 204;
}
