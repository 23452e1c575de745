/* The store's connection: connect and reconnect (throttled), prepare each
 * statement on first use in the same round trip as its first execution
 * (pipeline mode), and map failures to ord_error. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pg_internal.h"

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The library logs nothing: server notices are dropped, not printed. */
static void silent_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

PGconn *ord_pg_open(const char *conninfo, int connect_timeout_s, const char *application_name,
                    int statement_timeout_ms)
{
    char timeout[16];
    char options[48] = "";
    snprintf(timeout, sizeof timeout, "%d", connect_timeout_s > 0 ? connect_timeout_s : 5);
    if (statement_timeout_ms > 0)
        snprintf(options, sizeof options, "-c statement_timeout=%d", statement_timeout_ms);
    /* Later keywords win: the URL may override the timeout, name, options
     * and TCP keepalives, but the encoding is ours, since every string we
     * store is UTF-8. An empty value counts as not given.
     * A silently dropped network would otherwise hang a call until the
     * kernel gives up (some 15 minutes): an idle connection is probed after
     * 30 s, 3 times 10 s apart, and data left unacknowledged for 60 s
     * (which keepalives do not cover) ends it as well. libpq ignores these
     * for Unix-domain sockets. */
    const char *const keys[] = {"connect_timeout",  "application_name",    "options",
                                "keepalives",       "keepalives_idle",     "keepalives_interval",
                                "keepalives_count", "tcp_user_timeout",    "dbname",
                                "client_encoding",  NULL};
    const char *const values[] = {timeout, application_name != NULL ? application_name : "orders",
                                  options, "1", "30", "10", "3", "60000", conninfo, "UTF8", NULL};
    PGconn *conn = PQconnectdbParams(keys, values, 1);
    if (conn != NULL)
        PQsetNoticeProcessor(conn, silent_notice, NULL);
    return conn;
}

/* The server ends a connection's advisory locks with it. Their holder
 * still believes them held, so they are kept as lost: no call is served on
 * another connection until the holder has been told (pg_lock.c). */
static void drop_connection(ord_pg_store *store)
{
    pg_link *link = store->link;
    if (link != NULL) {
        PQfinish(link->conn);
        link->conn = NULL;
        memset(link->prepared, 0, sizeof link->prepared);
    }
    if (store->locked_count > 0)
        store->locks_lost = true;
}

void ord_pg_disconnect(ord_pg_store *store)
{
    drop_connection(store);
}

static void note_text(ord_pg_store *store, const char *text)
{
    snprintf(store->last_error, sizeof store->last_error, "%s", text != NULL ? text : "");
    /* Drop libpq's trailing newline. */
    size_t len = strlen(store->last_error);
    while (len > 0 && (store->last_error[len - 1] == '\n' || store->last_error[len - 1] == ' '))
        store->last_error[--len] = '\0';
}

void ord_pg_note_error(ord_pg_store *store, const PGresult *result)
{
    const char *text = result != NULL ? PQresultErrorMessage(result) : "";
    if ((text == NULL || text[0] == '\0') && store->link != NULL && store->link->conn != NULL)
        text = PQerrorMessage(store->link->conn);
    note_text(store, text);
}

/* A connection that answered this recently is taken as alive without a
 * look at its socket: the look is a syscall per statement, and a server
 * that goes down meanwhile fails the statement as it would a moment
 * later. Not while it holds customer locks: their loss must be noticed
 * before anything runs on a new connection (pg_lock.c). */
#define PG_TRUSTED_FOR_MS 250

/* An idle connection has nothing to say: readable input means the server
 * closed it (a restart sends FATAL 57P01 to idle sessions) or something
 * unexpected arrived. Either way, reconnect before sending a request that
 * would otherwise fail. */
static bool connection_suspect(const ord_pg_store *store, const pg_link *link)
{
    PGconn *conn = link->conn;
    if (PQstatus(conn) != CONNECTION_OK || PQtransactionStatus(conn) != PQTRANS_IDLE)
        return true;
    if (store->locked_count == 0 && monotonic_ms() - link->last_answer_ms < PG_TRUSTED_FOR_MS)
        return false;
    struct pollfd pfd = {.fd = PQsocket(conn), .events = POLLIN};
    if (pfd.fd < 0)
        return true;
    int ready = poll(&pfd, 1, 0);
    return ready != 0;
}

ord_error ord_pg_connect(ord_pg_store *store)
{
    if (store->link == NULL) {
        store->link = ord_pg_pool_take(store->pool);
        if (store->link == NULL) {
            note_text(store, "database unavailable (no pooled connection became free in time)");
            return ORD_EUNAVAILABLE;
        }
    }
    pg_link *link = store->link;
    if (link->conn != NULL && !connection_suspect(store, link))
        return ORD_OK;
    if (link->conn != NULL)
        drop_connection(store);
    int64_t now = monotonic_ms();
    if (now < link->retry_connect_at_ms) {
        note_text(store, "database unavailable (waiting before the next connection attempt)");
        return ORD_EUNAVAILABLE;
    }
    link->conn = ord_pg_open(store->conninfo, store->options.connect_timeout_s,
                             store->application_name, store->options.statement_timeout_ms);
    if (link->conn == NULL || PQstatus(link->conn) != CONNECTION_OK) {
        note_text(store, link->conn != NULL ? PQerrorMessage(link->conn) : "out of memory");
        drop_connection(store);
        link->retry_connect_at_ms = monotonic_ms() + store->options.reconnect_interval_ms;
        return ORD_EUNAVAILABLE;
    }
    link->retry_connect_at_ms = 0;
    return ORD_OK;
}

void ord_pg_let_go(ord_pg_store *store)
{
    if (store->pool == NULL || store->link == NULL || store->locked_count > 0)
        return;
    ord_pg_pool_give(store->pool, store->link);
    store->link = NULL;
}

static bool state_is(const char *state, const char *code)
{
    return strcmp(state, code) == 0;
}

static bool class_is(const char *state, const char *cls)
{
    return strncmp(state, cls, 2) == 0;
}

ord_error ord_pg_map_error(PGconn *conn, const PGresult *result)
{
    if (conn == NULL || PQstatus(conn) != CONNECTION_OK)
        return ORD_EUNAVAILABLE;
    const char *state = result != NULL ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : NULL;
    if (state == NULL)
        return ORD_EINTERNAL;
    /* A duplicate line of one order is bad input; any other duplicate (order
     * number, event id, idempotency key) lost a race or repeats a request. */
    const char *constraint = PQresultErrorField(result, PG_DIAG_CONSTRAINT_NAME);
    if (state_is(state, "23505") && constraint != NULL &&
        strncmp(constraint, "order_items_", 12) == 0)
        return ORD_EINVALID;
    if (state_is(state, "23505") || state_is(state, "40001") || state_is(state, "40P01") ||
        state_is(state, "55P03"))
        return ORD_ECONFLICT;
    /* 54000: a value too large for an index (a scope of several KiB): bad
     * input like any other, not a fault of the store. */
    if (class_is(state, "23") || class_is(state, "22") || state_is(state, "54000"))
        return ORD_EINVALID;
    if (class_is(state, "08") || class_is(state, "53") || state_is(state, "57P01") ||
        state_is(state, "57P02") || state_is(state, "57P03") || state_is(state, "25006"))
        return ORD_EUNAVAILABLE;
    if (state_is(state, "57014"))
        return ORD_ETIMEOUT;
    return ORD_EINTERNAL;
}

/* Prepare and execute in one pipeline: one round trip for the first use of
 * a statement on a connection. Returns the failing or final result. */
static PGresult *prepare_and_run(ord_pg_store *store, pg_stmt id, const char *const *values,
                                 int count)
{
    PGconn *conn = store->link->conn;
    const pg_statement *st = ord_pg_statement(id);
    if (!PQenterPipelineMode(conn))
        return NULL;
    if (!PQsendPrepare(conn, st->name, st->sql, st->params, NULL) ||
        !PQsendQueryPrepared(conn, st->name, count, values, NULL, NULL, 1) ||
        !PQpipelineSync(conn))
        return NULL;

    PGresult *prepared = NULL;
    PGresult *result = NULL;
    int nulls = 0;
    bool synced = false;
    /* Results: the prepare's, NULL, the execution's, NULL, the sync. */
    while (!synced && nulls < 3) {
        PGresult *r = PQgetResult(conn);
        if (r == NULL) {
            if (PQstatus(conn) != CONNECTION_OK)
                break;
            nulls++;
            continue;
        }
        nulls = 0;
        if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
            synced = true;
            PQclear(r);
        } else if (prepared == NULL) {
            prepared = r;
        } else if (result == NULL) {
            result = r;
        } else {
            PQclear(r);
        }
    }
    if (!synced || !PQexitPipelineMode(conn)) {
        PQclear(prepared);
        PQclear(result);
        return NULL;
    }
    if (prepared != NULL && PQresultStatus(prepared) == PGRES_COMMAND_OK) {
        store->link->prepared[id] = true;
        PQclear(prepared);
        return result;
    }
    PQclear(result);
    return prepared;
}

ord_error ord_pg_run_count(ord_pg_store *store, pg_stmt id, const pg_params *p, bool must_change,
                           int64_t *rows)
{
    if (rows != NULL)
        *rows = 0;
    if (p->failed)
        return ORD_ENOMEM;
    PGresult *r = NULL;
    ord_error rc = ord_pg_run(store, id, p->values, p->count, &r);
    if (rc != ORD_OK)
        return rc;
    int64_t n = strtoll(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    if (rows != NULL)
        *rows = n;
    return must_change && n == 0 ? ORD_ENOTFOUND : ORD_OK;
}

static ord_error run_on_link(ord_pg_store *store, pg_stmt id, const char *const *values,
                             int count, PGresult **out)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        ord_error rc = ord_pg_connect(store);
        if (rc != ORD_OK)
            return rc;
        if (store->locks_lost) {
            note_text(store, "the connection holding customer locks was lost; unlock them first");
            return ORD_EUNAVAILABLE;
        }
        pg_link *link = store->link;
        PGresult *r = link->prepared[id]
                          ? PQexecPrepared(link->conn, ord_pg_statement(id)->name, count, values,
                                           NULL, NULL, 1)
                          : prepare_and_run(store, id, values, count);
        ExecStatusType status = r != NULL ? PQresultStatus(r) : PGRES_FATAL_ERROR;
        if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
            link->last_answer_ms = monotonic_ms();
            store->last_error[0] = '\0';
            *out = r;
            return ORD_OK;
        }
        ord_pg_note_error(store, r);
        const char *field = r != NULL ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
        bool vanished = field != NULL && strcmp(field, "26000") == 0;
        rc = ord_pg_map_error(link->conn, r);
        PQclear(r);
        if (r == NULL || PQstatus(link->conn) != CONNECTION_OK ||
            PQtransactionStatus(link->conn) != PQTRANS_IDLE) {
            drop_connection(store);
            return rc == ORD_EINTERNAL ? ORD_EUNAVAILABLE : rc;
        }
        /* The statement vanished (DISCARD ALL by a pooler): prepare again once.
         * Nothing ran, so repeating is safe. */
        if (vanished && attempt == 0) {
            link->prepared[id] = false;
            continue;
        }
        return rc;
    }
    return ORD_EINTERNAL;
}

ord_error ord_pg_run(ord_pg_store *store, pg_stmt id, const char *const *values, int count,
                     PGresult **out)
{
    *out = NULL;
    ord_error rc = run_on_link(store, id, values, count, out);
    ord_pg_let_go(store);
    return rc;
}
