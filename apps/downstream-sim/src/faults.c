/* Fault injection: which calls a service's fault applies to (errorRate), and
 * how each mode misbehaves. Nothing here holds the state lock while it waits,
 * so a slow or hanging service never delays the others. */
#include "sim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <civetweb.h>

void sim_enter(sim_state *st, sim_service svc, sim_fault *fault)
{
    *fault = (sim_fault){.mode = SIM_FAULT_OK};
    sim_state_lock(st);
    st->requests[svc]++;
    if (++st->in_flight[svc] > st->in_flight_max[svc])
        st->in_flight_max[svc] = st->in_flight[svc];
    if (++st->in_flight_all > st->in_flight_all_max)
        st->in_flight_all_max = st->in_flight_all;
    sim_fault *armed = &st->faults[svc];
    if (armed->error_rate > 0 && armed->skip > 0) {
        armed->skip--;
    } else if (armed->error_rate > 0 && armed->times != 0) {
        /* An accumulator instead of a random draw: a rate r fails exactly
         * every 1/r-th call, so tests see the same sequence every run. */
        armed->credit += armed->error_rate;
        if (armed->credit >= 1.0 - 1e-9) {
            armed->credit -= 1.0;
            if (armed->times > 0)
                armed->times--;
            *fault = *armed;
            fault->body = armed->body != NULL ? strdup(armed->body) : NULL;
            /* "ok" with an error rate fails the chosen calls with 503. */
            if (fault->mode == SIM_FAULT_OK)
                fault->mode = SIM_FAULT_ERROR;
        }
    }
    fault->generation = st->fault_generation[svc];
    sim_state_unlock(st);
}

void sim_leave(sim_state *st, sim_service svc)
{
    sim_state_lock(st);
    st->in_flight[svc]--;
    st->in_flight_all--;
    sim_state_unlock(st);
}

void sim_note_headers(sim_state *st, sim_service svc, const struct mg_connection *conn)
{
    const char *id = mg_get_header(conn, "X-Request-Id");
    const char *tp = mg_get_header(conn, "traceparent");
    sim_state_lock(st);
    snprintf(st->last_request_id[svc], sizeof st->last_request_id[svc], "%s", id != NULL ? id : "");
    snprintf(st->last_traceparent[svc], sizeof st->last_traceparent[svc], "%s", tp != NULL ? tp : "");
    sim_state_unlock(st);
}

static struct timespec deadline_after(int ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

/* Wait up to ms, or until the simulator stops; with until_change, also until
 * the service's fault changes. Returns false when it should give up. */
static bool wait_for(sim_state *st, sim_service svc, uint64_t generation, int ms,
                     bool until_change)
{
    struct timespec deadline = deadline_after(ms);
    bool timed_out = false;
    sim_state_lock(st);
    while (!st->stopping && !timed_out &&
           !(until_change && st->fault_generation[svc] != generation))
        timed_out = pthread_cond_timedwait(&st->changed, &st->lock, &deadline) == ETIMEDOUT;
    bool keep_going = !st->stopping && !(until_change && st->fault_generation[svc] != generation);
    sim_state_unlock(st);
    return keep_going;
}

static void play_huge(struct mg_connection *conn)
{
    enum { TOTAL = 16 * 1024 * 1024, CHUNK = 64 * 1024 };
    char *chunk = malloc(CHUNK);
    if (chunk == NULL) {
        sim_reply_error(conn, 500, "out of memory");
        return;
    }
    memset(chunk, ' ', CHUNK);
    chunk[0] = '[';
    mg_response_header_start(conn, 200);
    mg_response_header_add(conn, "Content-Type", "application/json", -1);
    mg_response_header_add(conn, "Content-Length", "16777216", -1);
    mg_response_header_send(conn);
    for (int sent = 0; sent < TOTAL; sent += CHUNK)
        if (mg_write(conn, chunk, CHUNK) <= 0)
            break; /* the client gave up, as it should */
    free(chunk);
}

static void play_trickle(sim_state *st, sim_service svc, const sim_fault *fault,
                         struct mg_connection *conn)
{
    static const char body[] = "[{\"productId\":1,\"price\":1.00,\"currency\":\"USD\"}]";
    int step = fault->latency_ms > 0 ? fault->latency_ms : 500;
    char length[16];
    snprintf(length, sizeof length, "%zu", sizeof body - 1);
    mg_response_header_start(conn, 200);
    mg_response_header_add(conn, "Content-Type", "application/json", -1);
    mg_response_header_add(conn, "Content-Length", length, -1);
    mg_response_header_send(conn);
    for (size_t i = 0; i < sizeof body - 1; i++) {
        if (mg_write(conn, body + i, 1) <= 0)
            return;
        if (!wait_for(st, svc, fault->generation, step, true))
            return;
    }
}

bool sim_fault_play(sim_state *st, sim_service svc, const sim_fault *fault,
                    struct mg_connection *conn)
{
    switch (fault->mode) {
    case SIM_FAULT_OK:
    case SIM_FAULT_MODE_COUNT:
        return false;
    case SIM_FAULT_ERROR:
        sim_reply_error(conn, 503, "Service unavailable (simulated)");
        return true;
    case SIM_FAULT_SLOW:
        wait_for(st, svc, fault->generation, fault->latency_ms, false);
        return false;
    case SIM_FAULT_HANG:
        /* Civetweb cannot tell us when the client hangs up, so the hang ends
         * when the fault changes (reset, new fault), at stop, or at the cap. */
        wait_for(st, svc, fault->generation, st->hang_max_ms, true);
        sim_reply_error(conn, 503, "Service hung (simulated)");
        return true;
    case SIM_FAULT_GARBAGE: {
        static const char junk[] = "<html><body>Definitely not JSON</body></html>";
        const char *body = fault->body != NULL ? fault->body : junk;
        sim_reply(conn, fault->status > 0 ? fault->status : 200, "application/json", body,
                  strlen(body));
        return true;
    }
    case SIM_FAULT_HUGE:
        play_huge(conn);
        return true;
    case SIM_FAULT_TRICKLE:
        play_trickle(st, svc, fault, conn);
        return true;
    case SIM_FAULT_REDIRECT: {
        const struct mg_request_info *info = mg_get_request_info(conn);
        char location[2048];
        snprintf(location, sizeof location, "%s%s%s", info->local_uri_raw,
                 info->query_string != NULL ? "?" : "",
                 info->query_string != NULL ? info->query_string : "");
        mg_response_header_start(conn, 302);
        mg_response_header_add(conn, "Location", location, -1);
        mg_response_header_add(conn, "Content-Length", "0", -1);
        mg_response_header_send(conn);
        return true;
    }
    }
    return false;
}
