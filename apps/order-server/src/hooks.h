/* What the REST API asks of the server program: the calling thread's
 * service, readiness of the dependencies, extra metrics. */
#ifndef ORDER_SERVER_HOOKS_H
#define ORDER_SERVER_HOOKS_H

#include <orders/adapters/rest/api.h>

#include "app.h"

/* Point @p config's service callback and hooks at @p app. */
void srv_hooks_install(ord_rest_api_config *config, srv_app *app);

/* civetweb worker thread start/stop: the thread's slot, whose unit is built
 * on the thread's first request; stop frees both. */
void *srv_hooks_thread_start(void *ctx);
void srv_hooks_thread_stop(void *ctx, void *thread_data);

#endif
