/* The stack's database, for end-to-end tests that check what the servers
 * stored (libpq, linked only by the tests that need it). */
#ifndef ORDERS_TEST_E2E_DB_H
#define ORDERS_TEST_E2E_DB_H

#include <stdint.h>

#include <libpq-fe.h>

/* A connection to the stack's database (its db_url file); the test fails
 * when it cannot connect. The caller owns it (PQfinish). */
PGconn *e2e_database(void);

/* The one value of a one-row query as an integer; the test fails on an
 * error or on another number of rows. */
int64_t e2e_scalar(PGconn *db, const char *sql);

#endif
