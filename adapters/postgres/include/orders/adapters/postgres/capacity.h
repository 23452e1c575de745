/**
 * @file capacity.h
 * @brief How many connections the database lets this client open: what a
 *        program checks at start against the connections it will hold.
 *
 * PostgreSQL refuses a connection beyond max_connections less the slots
 * kept for superusers (superuser_reserved_connections, and from version 16
 * reserved_connections for pg_use_reserved_connections), and beyond the
 * role's or the database's CONNECTION LIMIT when set. Every instance of a
 * program takes its connections from that one budget.
 */
#ifndef ORDERS_ADAPTERS_POSTGRES_CAPACITY_H
#define ORDERS_ADAPTERS_POSTGRES_CAPACITY_H

#include <orders/adapters/postgres/migrate.h>
#include <orders/adapters/postgres/store.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief The database's connection limits and their use, as read now. */
typedef struct ord_pg_capacity {
    int max_connections;           /**< The server's max_connections. */
    int superuser_reserved;        /**< superuser_reserved_connections. */
    int other_reserved;            /**< reserved_connections (PostgreSQL 16+), else 0. */
    int role_limit;                /**< The role's CONNECTION LIMIT; -1: none. */
    int database_limit;            /**< The database's CONNECTION LIMIT; -1: none. */
    int in_use;                    /**< Client sessions of the whole server now, the
                                        reading one left out. */
    int role_in_use;               /**< Of them, the current role's. */
    int database_in_use;           /**< Of them, the current database's. */
    int available;                 /**< What a client of this role may hold at most on
                                        this database: the least of max_connections
                                        less both reserves, the role's and the
                                        database's limit. */
    char limited_by[96];           /**< Which limit sets @c available, in words
                                        ("max_connections 200 - superuser_reserved_connections 3"). */
    char detail[ORD_PG_DETAIL_SIZE]; /**< On failure, libpq's or the server's text. */
} ord_pg_capacity;

/**
 * @brief Read the connection limits over one short-lived connection.
 * @param conninfo libpq URL or key=value string.
 * @param options connection settings (application name, connect timeout), or
 *        NULL for ORD_PG_OPTIONS_INIT.
 * @param[out] out filled on success; its detail on failure.
 * @return ORD_OK; ORD_EUNAVAILABLE when the database cannot be reached;
 *         ORD_EINTERNAL when the query fails; ORD_EINVALID for NULL
 *         arguments.
 */
ord_error ord_pg_capacity_read(const char *conninfo, const ord_pg_options *options,
                               ord_pg_capacity *out);

#ifdef __cplusplus
}
#endif
#endif
