/* The event sink (the order server's default webhook): records each event
 * body once per eventId and counts the duplicates. */
#include "sim.h"

#include <stdlib.h>
#include <string.h>

#include <civetweb.h>

typedef struct event_key {
    const sim_state *st;
    const char *event_id;
} event_key;

static bool same_event(const void *ctx, size_t pos)
{
    const event_key *key = ctx;
    return strcmp(key->st->events[pos].event_id, key->event_id) == 0;
}

int sim_handle_event(struct mg_connection *conn, sim_state *st, const char *body, size_t len)
{
    cJSON *json = sim_json_parse(body, len);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(json, "eventId");
    if (!cJSON_IsObject(json) || !cJSON_IsString(id) || id->valuestring[0] == '\0') {
        cJSON_Delete(json);
        sim_reply_error(conn, 400, "the event must be a JSON object with a string eventId");
        return 400;
    }
    int status = 204;
    sim_state_lock(st);
    event_key key = {.st = st, .event_id = id->valuestring};
    uint64_t hash = sim_hash_text(id->valuestring);
    if (sim_index_find(&st->event_index, hash, same_event, &key) != SIZE_MAX) {
        st->duplicate_events++;
    } else {
        if (st->event_count == st->event_cap) {
            size_t cap = st->event_cap == 0 ? 64 : st->event_cap * 2;
            sim_event *grown = realloc(st->events, cap * sizeof *grown);
            if (grown != NULL) {
                st->events = grown;
                st->event_cap = cap;
            }
        }
        sim_event ev = {.event_id = strdup(id->valuestring), .body = strdup(body)};
        if (st->event_count < st->event_cap && ev.event_id != NULL && ev.body != NULL &&
            sim_index_add(&st->event_index, hash, st->event_count) == 0) {
            st->events[st->event_count++] = ev;
        } else {
            free(ev.event_id);
            free(ev.body);
            status = 500;
        }
    }
    sim_state_unlock(st);
    cJSON_Delete(json);
    if (status == 204)
        sim_reply_empty(conn, 204);
    else
        sim_reply_error(conn, 500, "out of memory");
    return status;
}
