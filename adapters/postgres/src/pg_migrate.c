/* Applies the embedded migrations: one transaction, serialised between
 * processes by an advisory lock, each applied file recorded with its
 * checksum in orders_schema_version. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <orders/adapters/postgres/migrate.h>
#include <orders/support/sha256.h>

#include "pg_internal.h"
#include "pg_migrations.h"

/* Advisory lock keys (namespace, id) of the migration run; the
 * per-customer locks use another namespace (pg_internal.h). */
#define MIGRATE_LOCK "pg_advisory_xact_lock(" PG_MIGRATE_LOCK_SPACE ", 1)"

#define VERSION_TABLE                                                                          \
    "CREATE TABLE IF NOT EXISTS orders_schema_version ("                                      \
    "version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, "                \
    "applied_at timestamptz NOT NULL DEFAULT now())"

int ord_pg_latest_schema_version(void)
{
    return (int)ord_pg_migration_count;
}

const char *ord_pg_migration_name(int version)
{
    if (version < 1 || (size_t)version > ord_pg_migration_count)
        return NULL;
    return ord_pg_migrations[version - 1].name;
}

/* Copies @p text into the report, cut to fit, without libpq's newline. */
static void report_detail(ord_pg_migration_report *report, const char *text)
{
    size_t len = text != NULL ? strlen(text) : 0;
    if (len >= sizeof report->detail)
        len = sizeof report->detail - 1;
    if (len > 0)
        memcpy(report->detail, text, len);
    report->detail[len] = '\0';
    while (len > 0 && report->detail[len - 1] == '\n')
        report->detail[--len] = '\0';
}

/* Runs one command; on failure notes the text and maps the error. */
static ord_error run(PGconn *conn, ord_pg_migration_report *report, const char *sql,
                     PGresult **out)
{
    PGresult *r = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        if (out != NULL)
            *out = r;
        else
            PQclear(r);
        return ORD_OK;
    }
    report_detail(report, r != NULL ? PQresultErrorMessage(r) : PQerrorMessage(conn));
    ord_error rc = ord_pg_map_error(conn, r);
    PQclear(r);
    /* A migration that fails is a defect of the migration, not of the caller. */
    return rc == ORD_EUNAVAILABLE ? rc : ORD_EINTERNAL;
}

/* Compares the recorded checksums with the embedded files; returns the
 * highest recorded version in *from. */
static ord_error check_applied(PGconn *conn, ord_pg_migration_report *report, int *from)
{
    PGresult *r = NULL;
    ord_error rc = run(conn, report,
                       "SELECT version, checksum FROM orders_schema_version ORDER BY version", &r);
    if (rc != ORD_OK)
        return rc;
    *from = 0;
    for (int i = 0; rc == ORD_OK && i < PQntuples(r); i++) {
        int version = atoi(PQgetvalue(r, i, 0));
        *from = version;
        if (version < 1 || (size_t)version > ord_pg_migration_count)
            continue; /* newer than this build: applied by a newer release */
        const ord_pg_migration *m = &ord_pg_migrations[version - 1];
        char sum[ORD_SHA256_HEX_SIZE];
        ord_sha256_hex(sum, m->sql, m->len);
        if (strcmp(sum, PQgetvalue(r, i, 1)) != 0) {
            snprintf(report->detail, sizeof report->detail,
                     "migration %s was changed after it was applied (checksum differs)", m->name);
            rc = ORD_ECONFLICT;
        }
    }
    PQclear(r);
    return rc;
}

static ord_error apply(PGconn *conn, ord_pg_migration_report *report, const ord_pg_migration *m)
{
    ord_error rc = run(conn, report, m->sql, NULL);
    if (rc != ORD_OK) {
        /* Name the failing file first: "0002_x: ERROR: ...". */
        char detail[2 * ORD_PG_DETAIL_SIZE];
        size_t name_len = strlen(m->name);
        if (name_len > ORD_PG_DETAIL_SIZE)
            name_len = ORD_PG_DETAIL_SIZE;
        memcpy(detail, m->name, name_len);
        memcpy(detail + name_len, ": ", 2);
        memcpy(detail + name_len + 2, report->detail, strlen(report->detail) + 1);
        report_detail(report, detail);
        return rc;
    }
    char version[16];
    char sum[ORD_SHA256_HEX_SIZE];
    snprintf(version, sizeof version, "%d", m->version);
    ord_sha256_hex(sum, m->sql, m->len);
    const char *values[3] = {version, m->name, sum};
    PGresult *r = PQexecParams(conn,
                               "INSERT INTO orders_schema_version (version, name, checksum) "
                               "VALUES ($1::integer, $2::text, $3::text)",
                               3, NULL, values, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        report_detail(report, PQresultErrorMessage(r));
        rc = ord_pg_map_error(conn, r) == ORD_EUNAVAILABLE ? ORD_EUNAVAILABLE : ORD_EINTERNAL;
    }
    PQclear(r);
    return rc;
}

static ord_error migrate_locked(PGconn *conn, ord_pg_migration_report *report)
{
    ord_error rc = run(conn, report, "SELECT " MIGRATE_LOCK, NULL);
    if (rc == ORD_OK)
        rc = run(conn, report, VERSION_TABLE, NULL);
    int from = 0;
    if (rc == ORD_OK)
        rc = check_applied(conn, report, &from);
    if (rc != ORD_OK)
        return rc;
    report->from_version = from;
    report->to_version = from;
    for (size_t i = (size_t)from; rc == ORD_OK && i < ord_pg_migration_count; i++) {
        rc = apply(conn, report, &ord_pg_migrations[i]);
        if (rc == ORD_OK) {
            report->applied++;
            report->to_version = ord_pg_migrations[i].version;
        }
    }
    return rc;
}

ord_error ord_pg_migrate(const char *conninfo, ord_pg_migration_report *report)
{
    ord_pg_migration_report ignored;
    if (report == NULL)
        report = &ignored;
    memset(report, 0, sizeof *report);
    if (conninfo == NULL)
        return ORD_EINVALID;

    PGconn *conn = ord_pg_open(conninfo, 10, "orders-migrate", 0);
    if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
        report_detail(report, conn != NULL ? PQerrorMessage(conn) : "out of memory");
        PQfinish(conn);
        return ORD_EUNAVAILABLE;
    }
    ord_error rc = run(conn, report, "BEGIN", NULL);
    if (rc == ORD_OK)
        rc = migrate_locked(conn, report);
    if (rc == ORD_OK)
        rc = run(conn, report, "COMMIT", NULL);
    if (rc != ORD_OK) {
        PGresult *r = PQexec(conn, "ROLLBACK");
        PQclear(r);
        report->to_version = report->from_version;
        report->applied = 0;
    }
    PQfinish(conn);
    return rc;
}

ord_error ord_pg_schema_version(const char *conninfo, int *version)
{
    if (conninfo == NULL || version == NULL)
        return ORD_EINVALID;
    *version = 0;
    PGconn *conn = ord_pg_open(conninfo, 10, "orders-migrate", 0);
    if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
        PQfinish(conn);
        return ORD_EUNAVAILABLE;
    }
    PGresult *r = PQexec(conn, "SELECT to_regclass('orders_schema_version') IS NOT NULL");
    ord_error rc = PQresultStatus(r) == PGRES_TUPLES_OK ? ORD_OK : ord_pg_map_error(conn, r);
    bool exists = rc == ORD_OK && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    if (exists) {
        r = PQexec(conn, "SELECT coalesce(max(version), 0) FROM orders_schema_version");
        if (PQresultStatus(r) == PGRES_TUPLES_OK)
            *version = atoi(PQgetvalue(r, 0, 0));
        else
            rc = ord_pg_map_error(conn, r);
        PQclear(r);
    }
    PQfinish(conn);
    return rc;
}
