/* The simulator's state: lifetime, reset, catalog replacement, and the names
 * of services and fault modes as the control API spells them. */
#include "sim.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const service_names[SIM_SERVICE_COUNT] = {
    "catalog", "inventory", "tracking", "restrictions", "eligibility", "events", "jwks"};

static const char *const mode_names[SIM_FAULT_MODE_COUNT] = {
    "ok", "error", "slow", "hang", "garbage", "huge", "trickle", "redirect"};

const char *sim_service_name(sim_service svc)
{
    return (int)svc >= 0 && svc < SIM_SERVICE_COUNT ? service_names[svc] : "unknown";
}

bool sim_service_parse(const char *name, sim_service *out)
{
    for (int i = 0; i < SIM_SERVICE_COUNT; i++)
        if (name != NULL && strcmp(name, service_names[i]) == 0) {
            *out = (sim_service)i;
            return true;
        }
    return false;
}

const char *sim_fault_mode_name(sim_fault_mode mode)
{
    return (int)mode >= 0 && mode < SIM_FAULT_MODE_COUNT ? mode_names[mode] : "unknown";
}

bool sim_fault_mode_parse(const char *name, sim_fault_mode *out)
{
    for (int i = 0; i < SIM_FAULT_MODE_COUNT; i++)
        if (name != NULL && strcmp(name, mode_names[i]) == 0) {
            *out = (sim_fault_mode)i;
            return true;
        }
    return false;
}

void sim_fault_clear(sim_fault *fault)
{
    free(fault->body);
    *fault = (sim_fault){.mode = SIM_FAULT_OK, .times = -1};
}

int sim_state_init(sim_state *st, sim_catalog *start, int hang_max_ms)
{
    memset(st, 0, sizeof *st);
    if (pthread_mutex_init(&st->lock, NULL) != 0)
        return -1;
    /* Hangs wait on a monotonic clock: a wall-clock step must not end them. */
    pthread_condattr_t attr;
    if (pthread_condattr_init(&attr) != 0) {
        pthread_mutex_destroy(&st->lock);
        return -1;
    }
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    int rc = pthread_cond_init(&st->changed, &attr);
    pthread_condattr_destroy(&attr);
    if (rc != 0) {
        pthread_mutex_destroy(&st->lock);
        return -1;
    }
    st->hang_max_ms = hang_max_ms;
    st->start = *start;
    *start = (sim_catalog){0};
    if (sim_catalog_copy(&st->current, &st->start) != 0) {
        sim_state_destroy(st);
        return -1;
    }
    return 0;
}

static void forget_activity(sim_state *st)
{
    for (size_t i = 0; i < st->reservation_count; i++) {
        free(st->reservations[i].lines);
        free(st->reservations[i].unavailable);
    }
    for (size_t i = 0; i < st->event_count; i++) {
        free(st->events[i].event_id);
        free(st->events[i].body);
    }
    free(st->reservations);
    free(st->shipments);
    free(st->events);
    st->reservations = NULL;
    st->shipments = NULL;
    st->events = NULL;
    st->reservation_count = st->reservation_cap = 0;
    st->shipment_count = st->shipment_cap = 0;
    st->event_count = st->event_cap = 0;
    sim_index_clear(&st->reservation_index);
    sim_index_clear(&st->shipment_index);
    sim_index_clear(&st->event_index);
    st->duplicate_events = 0;
}

void sim_state_destroy(sim_state *st)
{
    forget_activity(st);
    for (int i = 0; i < SIM_SERVICE_COUNT; i++)
        sim_fault_clear(&st->faults[i]);
    sim_catalog_free(&st->start);
    sim_catalog_free(&st->current);
    free(st->jwks);
    st->jwks = NULL;
    pthread_cond_destroy(&st->changed);
    pthread_mutex_destroy(&st->lock);
}

void sim_state_lock(sim_state *st)
{
    pthread_mutex_lock(&st->lock);
}

void sim_state_unlock(sim_state *st)
{
    pthread_mutex_unlock(&st->lock);
}

int sim_state_reset_locked(sim_state *st)
{
    sim_catalog fresh;
    if (sim_catalog_copy(&fresh, &st->start) != 0)
        return -1;
    forget_activity(st);
    sim_catalog_free(&st->current);
    st->current = fresh;
    for (int i = 0; i < SIM_SERVICE_COUNT; i++) {
        sim_fault_clear(&st->faults[i]);
        st->fault_generation[i]++;
        /* Requests still running keep counting themselves out; the maximum
         * starts again from what is in flight now. */
        st->in_flight_max[i] = st->in_flight[i];
        st->requests[i] = 0;
    }
    st->in_flight_all_max = st->in_flight_all;
    memset(st->last_request_id, 0, sizeof st->last_request_id);
    memset(st->last_traceparent, 0, sizeof st->last_traceparent);
    pthread_cond_broadcast(&st->changed);
    return 0;
}

void sim_state_replace_catalog_locked(sim_state *st, sim_catalog *catalog)
{
    sim_catalog_free(&st->current);
    st->current = *catalog;
    *catalog = (sim_catalog){0};
    /* The new stock numbers are the whole truth: reservations held against
     * the old catalog no longer move stock when released or committed. */
    st->catalog_generation++;
}

void sim_state_stop(sim_state *st)
{
    sim_state_lock(st);
    st->stopping = true;
    pthread_cond_broadcast(&st->changed);
    sim_state_unlock(st);
}
