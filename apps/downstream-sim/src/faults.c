/* Fault injection: which calls a service's fault applies to (errorRate), and
 * how each mode misbehaves. Nothing here holds the state lock while it waits,
 * so a slow or hanging service never delays the others. */
#include "sim.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <civetweb.h>

/* How often a hang looks whether its client is still there. */
#define SIM_HANGUP_POLL_MS 50

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

static int port_of(const struct sockaddr_storage *addr)
{
    if (addr->ss_family == AF_INET)
        return ntohs(((const struct sockaddr_in *)(const void *)addr)->sin_port);
    if (addr->ss_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *)(const void *)addr)->sin6_port);
    return -1;
}

/* Whether descriptor fd is the connection from this request's client. */
static bool is_connection_of(int fd, const struct mg_request_info *info)
{
    struct sockaddr_storage local, peer;
    socklen_t local_len = sizeof local, peer_len = sizeof peer;
    if (getsockname(fd, (struct sockaddr *)&local, &local_len) != 0 ||
        getpeername(fd, (struct sockaddr *)&peer, &peer_len) != 0 ||
        port_of(&local) != info->server_port || port_of(&peer) != info->remote_port)
        return false;
    char text[INET6_ADDRSTRLEN];
    const void *ip = peer.ss_family == AF_INET
                         ? (const void *)&((const struct sockaddr_in *)(const void *)&peer)->sin_addr
                         : (const void *)&((const struct sockaddr_in6 *)(const void *)&peer)->sin6_addr;
    return inet_ntop(peer.ss_family, ip, text, sizeof text) != NULL &&
           strcmp(text, info->remote_addr) == 0;
}

/* civetweb does not hand out a connection's socket, so a hang finds it among
 * the process's descriptors by its two addresses (unique while the request
 * is being served). -1 when not found: the hang then cannot see its client
 * leave and lasts its full time. */
static int connection_socket(const struct mg_connection *conn)
{
    const struct mg_request_info *info = mg_get_request_info(conn);
    DIR *dir = opendir("/proc/self/fd");
    if (dir == NULL)
        return -1;
    int found = -1;
    const struct dirent *entry;
    while (found < 0 && (entry = readdir(dir)) != NULL) {
        char *end = NULL;
        long fd = strtol(entry->d_name, &end, 10);
        if (end != entry->d_name && *end == '\0' && fd != dirfd(dir) &&
            is_connection_of((int)fd, info))
            found = (int)fd;
    }
    closedir(dir);
    return found;
}

/* The client closed its end (or the connection broke). Peeking consumes
 * nothing, so civetweb still reads whatever the client sent. */
static bool client_gone(int fd)
{
    char byte;
    ssize_t n = recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Hold a request until its client gives up, the service's fault changes,
 * the simulator stops, or the cap runs out. A held request occupies a worker
 * thread, so it must not outlive its client: enough of them would leave no
 * thread for the other services. */
static void hold(sim_state *st, sim_service svc, const sim_fault *fault,
                 const struct mg_connection *conn)
{
    int fd = connection_socket(conn);
    int64_t end = monotonic_ms() + st->hang_max_ms;
    for (;;) {
        int64_t left = end - monotonic_ms();
        if (left <= 0)
            return;
        int step = fd >= 0 && left > SIM_HANGUP_POLL_MS ? SIM_HANGUP_POLL_MS : (int)left;
        if (!wait_for(st, svc, fault->generation, step, true))
            return;
        if (fd >= 0 && client_gone(fd))
            return;
    }
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
        hold(st, svc, fault, conn);
        /* Nobody may be listening any more; the answer only closes the exchange. */
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
