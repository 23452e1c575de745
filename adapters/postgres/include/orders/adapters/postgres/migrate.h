/**
 * @file migrate.h
 * @brief Schema migrations of the PostgreSQL store: versioned SQL files
 *        embedded in the library, applied in one transaction under an
 *        advisory lock, recorded in the table orders_schema_version.
 *
 * Several processes may migrate one database at once: the second waits for
 * the first and then finds nothing left to do.
 */
#ifndef ORDERS_ADAPTERS_POSTGRES_MIGRATE_H
#define ORDERS_ADAPTERS_POSTGRES_MIGRATE_H

#include <stddef.h>

#include <orders/domain/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Bytes of ord_pg_migration_report::detail. */
#define ORD_PG_DETAIL_SIZE 256

/** @brief What a migration run found and did. */
typedef struct ord_pg_migration_report {
    int from_version;  /**< Schema version before the run (0: empty database). */
    int to_version;    /**< Schema version after the run. */
    int applied;       /**< Migrations applied by this run. */
    char detail[ORD_PG_DETAIL_SIZE]; /**< On failure, the server's or libpq's text
                                          for an operator (may quote SQL); "" on success. */
} ord_pg_migration_report;

/**
 * @brief Bring the database at @p conninfo to the newest schema this library
 *        knows, atomically: either every missing migration is applied and
 *        recorded, or none is.
 * @param conninfo libpq URL or key=value string.
 * @param[out] report filled on success and failure; may be NULL.
 * @return ORD_OK; ORD_EUNAVAILABLE when the database cannot be reached;
 *         ORD_ECONFLICT when an applied migration's text differs from the
 *         embedded one (its checksum changed); ORD_EINVALID for a NULL
 *         @p conninfo; ORD_EINTERNAL when a migration fails (nothing applied).
 */
ord_error ord_pg_migrate(const char *conninfo, ord_pg_migration_report *report);

/**
 * @brief The schema version the database is at.
 * @param[out] version receives it (0 for a database never migrated).
 * @return ORD_OK, ORD_EUNAVAILABLE, ORD_EINVALID for NULL arguments.
 */
ord_error ord_pg_schema_version(const char *conninfo, int *version);

/** @brief The newest schema version embedded in this library. */
int ord_pg_latest_schema_version(void);

/**
 * @brief Name of an embedded migration.
 * @param version 1 .. ord_pg_latest_schema_version().
 * @return static text such as "0001_orders_schema", or NULL for an unknown version.
 */
const char *ord_pg_migration_name(int version);

#ifdef __cplusplus
}
#endif
#endif
