/* Creating and freeing a store, readiness, and the diagnostic error text. */
#include <stdlib.h>
#include <string.h>

#include "pg_internal.h"

static bool options_ok(const ord_pg_options *o)
{
    return o->version == ORD_PG_OPTIONS_VERSION && o->connect_timeout_s > 0 &&
           o->reconnect_interval_ms >= 0 && o->statement_timeout_ms >= 0;
}

static bool conninfo_ok(const char *conninfo)
{
    char *err = NULL;
    PQconninfoOption *parsed = PQconninfoParse(conninfo, &err);
    PQfreemem(err);
    if (parsed == NULL)
        return false;
    PQconninfoFree(parsed);
    return true;
}

bool ord_pg_options_ok(const ord_pg_options *o, const char *conninfo)
{
    return o != NULL && conninfo != NULL && options_ok(o) && conninfo_ok(conninfo);
}

static ord_pg_store *store_alloc(const char *conninfo, const ord_pg_options *o)
{
    ord_pg_store *store = calloc(1, sizeof *store);
    if (store == NULL)
        return NULL;
    store->options = *o;
    store->conninfo = strdup(conninfo);
    store->application_name = strdup(o->application_name != NULL ? o->application_name : "orders");
    store->options.application_name = store->application_name;
    if (store->conninfo == NULL || store->application_name == NULL) {
        ord_pg_store_free(store);
        return NULL;
    }
    return store;
}

ord_error ord_pg_store_new(ord_pg_store **out, const char *conninfo, const ord_pg_options *options)
{
    if (out == NULL)
        return ORD_EINVALID;
    *out = NULL;
    ord_pg_options defaults = ORD_PG_OPTIONS_INIT;
    const ord_pg_options *o = options != NULL ? options : &defaults;
    if (!ord_pg_options_ok(o, conninfo))
        return ORD_EINVALID;
    ord_pg_store *store = store_alloc(conninfo, o);
    if (store == NULL)
        return ORD_ENOMEM;
    store->link = &store->own;
    /* A database that is down now is not an error: the store connects on
     * first use, and ord_pg_ping() reports readiness. */
    (void)ord_pg_connect(store);
    *out = store;
    return ORD_OK;
}

ord_error ord_pg_store_new_pooled(ord_pg_store **out, ord_pg_pool *pool)
{
    if (out == NULL)
        return ORD_EINVALID;
    *out = NULL;
    if (pool == NULL)
        return ORD_EINVALID;
    ord_pg_store *store = store_alloc(ord_pg_pool_conninfo(pool), ord_pg_pool_options_of(pool));
    if (store == NULL)
        return ORD_ENOMEM;
    store->pool = pool;
    *out = store;
    return ORD_OK;
}

void ord_pg_store_free(ord_pg_store *store)
{
    if (store == NULL)
        return;
    if (store->pool != NULL && store->link != NULL) {
        /* Pinned by customer locks: the server releases them with the
         * connection, which is the one sure way to let them go. */
        PQfinish(store->link->conn);
        store->link->conn = NULL;
        memset(store->link->prepared, 0, sizeof store->link->prepared);
        ord_pg_pool_give(store->pool, store->link);
    } else if (store->pool == NULL) {
        PQfinish(store->own.conn);
    }
    free(store->locked);
    free(store->conninfo);
    free(store->application_name);
    free(store);
}

ord_error ord_pg_ping(ord_pg_store *store)
{
    if (store == NULL)
        return ORD_EINVALID;
    ord_error rc = ord_pg_connect(store);
    if (rc == ORD_OK) {
        PGresult *r = PQexec(store->link->conn, "SELECT 1");
        if (PQresultStatus(r) == PGRES_TUPLES_OK) {
            store->last_error[0] = '\0';
        } else {
            ord_pg_note_error(store, r);
            rc = ORD_EUNAVAILABLE; /* the next call reconnects */
        }
        PQclear(r);
    }
    ord_pg_let_go(store);
    return rc;
}

const char *ord_pg_store_last_error(const ord_pg_store *store)
{
    return store != NULL ? store->last_error : "";
}

bool ord_pg_owner_ok(const char *owner)
{
    if (owner == NULL)
        return false;
    size_t len = strlen(owner);
    return len > 0 && len < ORD_OWNER_SIZE;
}
