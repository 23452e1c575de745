/* The database's connection budget, read in one query: its limits and how
 * many sessions use them now. */
#include <orders/adapters/postgres/capacity.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_internal.h"

/* reserved_connections exists from PostgreSQL 16: missing_ok gives NULL
 * before. Only client backends count against max_connections (background
 * workers and WAL senders have slots of their own). */
#define CAPACITY_SQL                                                                           \
    "SELECT current_setting('max_connections')::int, "                                        \
    "current_setting('superuser_reserved_connections')::int, "                                \
    "coalesce(current_setting('reserved_connections', true), '0')::int, "                     \
    "r.rolconnlimit, d.datconnlimit, "                                                        \
    "count(a.pid)::int, "                                                                     \
    "count(a.pid) FILTER (WHERE a.usesysid = r.oid)::int, "                                   \
    "count(a.pid) FILTER (WHERE a.datid = d.oid)::int "                                       \
    "FROM pg_roles r CROSS JOIN pg_database d "                                               \
    "LEFT JOIN pg_stat_activity a ON a.backend_type = 'client backend' "                     \
    "AND a.pid <> pg_backend_pid() "                                                          \
    "WHERE r.rolname = current_user AND d.datname = current_database() "                      \
    "GROUP BY r.rolconnlimit, d.datconnlimit"

static void note(ord_pg_capacity *out, const char *text)
{
    snprintf(out->detail, sizeof out->detail, "%s", text != NULL ? text : "");
    size_t n = strlen(out->detail);
    while (n > 0 && out->detail[n - 1] == '\n')
        out->detail[--n] = '\0';
}

static int field(const PGresult *r, int column)
{
    return (int)strtol(PQgetvalue(r, 0, column), NULL, 10);
}

/* The least of the limits, and which one it is. */
static void settle(ord_pg_capacity *c)
{
    c->available = c->max_connections - c->superuser_reserved - c->other_reserved;
    if (c->other_reserved > 0)
        snprintf(c->limited_by, sizeof c->limited_by,
                 "max_connections %d - superuser_reserved_connections %d - "
                 "reserved_connections %d",
                 c->max_connections, c->superuser_reserved, c->other_reserved);
    else
        snprintf(c->limited_by, sizeof c->limited_by,
                 "max_connections %d - superuser_reserved_connections %d", c->max_connections,
                 c->superuser_reserved);
    if (c->role_limit >= 0 && c->role_limit < c->available) {
        c->available = c->role_limit;
        snprintf(c->limited_by, sizeof c->limited_by, "the role's CONNECTION LIMIT %d",
                 c->role_limit);
    }
    if (c->database_limit >= 0 && c->database_limit < c->available) {
        c->available = c->database_limit;
        snprintf(c->limited_by, sizeof c->limited_by, "the database's CONNECTION LIMIT %d",
                 c->database_limit);
    }
}

ord_error ord_pg_capacity_read(const char *conninfo, const ord_pg_options *options,
                               ord_pg_capacity *out)
{
    if (out == NULL)
        return ORD_EINVALID;
    memset(out, 0, sizeof *out);
    if (conninfo == NULL)
        return ORD_EINVALID;
    ord_pg_options defaults = ORD_PG_OPTIONS_INIT;
    const ord_pg_options *o = options != NULL ? options : &defaults;
    PGconn *conn = ord_pg_open(conninfo, o->connect_timeout_s, o->application_name, 0);
    if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
        note(out, conn != NULL ? PQerrorMessage(conn) : "out of memory");
        PQfinish(conn);
        return ORD_EUNAVAILABLE;
    }
    PGresult *r = PQexec(conn, CAPACITY_SQL);
    ord_error rc = ORD_OK;
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1 || PQnfields(r) != 8) {
        note(out, PQresultStatus(r) == PGRES_TUPLES_OK ? "unexpected answer"
                                                      : PQresultErrorMessage(r));
        rc = ORD_EINTERNAL;
    } else {
        out->max_connections = field(r, 0);
        out->superuser_reserved = field(r, 1);
        out->other_reserved = field(r, 2);
        out->role_limit = field(r, 3);
        out->database_limit = field(r, 4);
        out->in_use = field(r, 5);
        out->role_in_use = field(r, 6);
        out->database_in_use = field(r, 7);
        settle(out);
    }
    PQclear(r);
    PQfinish(conn);
    return rc;
}
