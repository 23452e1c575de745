/* The migrations embedded at build time (pg_migrations_data.c is generated
 * from adapters/postgres/migrations by cmake/embed_migrations.cmake). */
#ifndef ORDERS_ADAPTERS_POSTGRES_PG_MIGRATIONS_H
#define ORDERS_ADAPTERS_POSTGRES_PG_MIGRATIONS_H

#include <stddef.h>

/** @brief One migration: its version (1, 2, ...), file name and SQL text. */
typedef struct ord_pg_migration {
    int version;     /**< Position in the sequence, from 1. */
    const char *name; /**< File name without ".sql". */
    const char *sql; /**< NUL-terminated SQL, possibly several statements. */
    size_t len;      /**< Bytes of sql without the NUL. */
} ord_pg_migration;

/** Every migration, in version order (ord_pg_migrations[i].version == i + 1). */
extern const ord_pg_migration ord_pg_migrations[];
/** Entries in ord_pg_migrations. */
extern const size_t ord_pg_migration_count;

#endif
