/* The event sink port of the fakes: keeps a copy of every event delivered,
 * once per event id, and counts the repeats. */
#include "downstream_internal.h"

#include <stdlib.h>
#include <string.h>

void ord_mem_ds_events_clear(ord_memory_downstream *ds)
{
    for (size_t i = 0; i < ds->events.count; i++) {
        ord_outbox_event *e = ord_mem_ds_vec_at(&ds->events, sizeof *e, i);
        free(e->payload);
    }
    free(ds->events.items);
    free(ds->event_ids.items);
    memset(&ds->events, 0, sizeof ds->events);
    memset(&ds->event_ids, 0, sizeof ds->event_ids);
}

/* Where @p id is (or would go) in the sorted event id index. */
static size_t id_search(const ds_vec *ids, const char *id, bool *found)
{
    size_t lo = 0;
    size_t hi = ids->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const ds_event_key *k = ord_mem_ds_vec_at(ids, sizeof *k, mid);
        if (strcmp(k->event_id, id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < ids->count &&
             strcmp(((const ds_event_key *)ord_mem_ds_vec_at(ids, sizeof(ds_event_key), lo))->event_id, id) == 0;
    return lo;
}

static char *text_copy(const char *text)
{
    size_t len = strlen(text) + 1;
    char *copy = malloc(len);
    if (copy != NULL)
        memcpy(copy, text, len);
    return copy;
}

/* Record a first delivery. Nothing changes on ORD_ENOMEM. */
static ord_error record(ord_memory_downstream *ds, size_t id_at, const ord_outbox_event *event)
{
    ord_outbox_event copy = *event;
    copy.payload = text_copy(event->payload);
    if (copy.payload == NULL)
        return ORD_ENOMEM;
    ds_event_key key;
    memcpy(key.event_id, event->event_id, sizeof key.event_id);
    if (ord_mem_ds_vec_insert(&ds->events, sizeof copy, ds->events.count, &copy) != ORD_OK) {
        free(copy.payload);
        return ORD_ENOMEM;
    }
    if (ord_mem_ds_vec_insert(&ds->event_ids, sizeof key, id_at, &key) != ORD_OK) {
        ds->events.count--;
        free(copy.payload);
        return ORD_ENOMEM;
    }
    return ORD_OK;
}

static bool event_valid(const ord_outbox_event *event)
{
    return event != NULL && event->payload != NULL &&
           memchr(event->event_id, '\0', sizeof event->event_id) != NULL &&
           event->event_id[0] != '\0';
}

static ord_error memory_deliver(void *self, const ord_call_context *ctx,
                                const ord_outbox_event *event)
{
    (void)ctx;
    ord_memory_downstream *ds = self;
    if (ds == NULL || !event_valid(event))
        return ORD_EINVALID;

    ord_mem_ds_lock(ds);
    ord_error fault_error;
    ord_fault_mode mode = ord_mem_ds_enter(ds, ORD_MEM_DELIVER_EVENT, &fault_error);
    ord_error err = ORD_OK;
    if (mode == ORD_FAULT_BEFORE) {
        err = fault_error;
        goto done;
    }
    bool seen;
    size_t id_at = id_search(&ds->event_ids, event->event_id, &seen);
    if (seen)
        ds->duplicate_events++;
    else
        err = record(ds, id_at, event);
    if (err == ORD_OK && mode == ORD_FAULT_AFTER)
        err = fault_error; /* kept, but the sender will deliver it again */
done:
    ord_mem_ds_unlock(ds);
    return err;
}

ord_error ord_memory_downstream_event(ord_memory_downstream *ds, size_t index, ord_outbox_event *out)
{
    if (ds == NULL || out == NULL)
        return ORD_EINVALID;
    memset(out, 0, sizeof *out);
    ord_error err = ORD_OK;
    ord_mem_ds_lock(ds);
    if (index >= ds->events.count) {
        err = ORD_ENOTFOUND;
    } else {
        const ord_outbox_event *e = ord_mem_ds_vec_at(&ds->events, sizeof *e, index);
        char *payload = text_copy(e->payload);
        if (payload == NULL) {
            err = ORD_ENOMEM;
        } else {
            *out = *e;
            out->payload = payload;
        }
    }
    ord_mem_ds_unlock(ds);
    return err;
}

const ord_event_sink_ops ord_memory_event_sink_ops = {
    .version = ORD_EVENT_SINK_VERSION,
    .deliver = memory_deliver,
};
