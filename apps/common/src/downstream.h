/* The downstream services (catalog, inventory, tracking, account checks,
 * event webhook) as the settings describe them. */
#ifndef ORDER_APPS_DOWNSTREAM_H
#define ORDER_APPS_DOWNSTREAM_H

#include <stddef.h>

#include <orders/adapters/http/services.h>

#include "config.h"
#include "log.h"

/* Build the services every unit's client shares. @p webhook_buf receives
 * a webhook URL derived from the downstream URL and must outlive them.
 * On failure logs one error line naming the problem. */
ord_error srv_downstream_open(ord_http_services **out, const srv_config *cfg, const srv_log *log,
                              char *webhook_buf, size_t cap);

#endif
