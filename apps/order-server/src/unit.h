/* One thread's share of the order server: its store (a connection of its
 * own, or connections borrowed from the shared pool per call), downstream
 * HTTP client and service over them (DESIGN.md: nothing shared between
 * threads but thread-safe modules). */
#ifndef ORDER_SERVER_UNIT_H
#define ORDER_SERVER_UNIT_H

#include <orders/adapters/http/client.h>
#include <stdbool.h>

#include <orders/adapters/postgres/store.h>
#include <orders/application/service.h>

#include "app.h"

typedef struct srv_unit {
    srv_app *app;
    const char *role;       /* "http", "recovery", "relay": static text for logs */
    ord_pg_store *store;
    ord_http_client *client;
    ord_service *svc;
} srv_unit;

/* Build a unit for one thread: @p pooled borrows database connections from
 * app->db_pool (the HTTP workers); otherwise the unit has its own (the
 * background workers). Returns NULL after logging why. */
srv_unit *srv_unit_new(srv_app *app, const char *role, bool pooled);

/* Free a unit (connection and client closed). Accepts NULL. */
void srv_unit_free(srv_unit *unit);

#endif
