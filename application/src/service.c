/* Building the service: every port and setting is checked once, here, so the
 * use cases can call any required method without testing for NULL. */
#include "internal.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* A port is usable when it has a method table whose version this library
 * knows (an adapter built against a newer header may rely on methods we
 * would never call) and every method we call is present. */
#define PORT_OK(port, ver)                                                                         \
    ((port).ops != NULL && (port).ops->version >= 1 && (port).ops->version <= (ver))

static bool repository_ok(const ord_order_repository *p)
{
    return PORT_OK(*p, ORD_ORDER_REPOSITORY_VERSION) && p->ops->create && p->ops->get_by_id &&
           p->ops->get_by_number && p->ops->list_by_customer && p->ops->update && p->ops->claim &&
           p->ops->defer;
}

/* The per-customer lock came with version 2: a version 1 table ends before
 * those fields, so they are read only from a newer one. Half a lock (one
 * method without the other) is a broken adapter. */
static bool repository_lock(const ord_order_repository *p, bool *has_lock)
{
    *has_lock = false;
    if (p->ops->version < 2)
        return true;
    bool lock = p->ops->lock_customer != NULL;
    bool unlock = p->ops->unlock_customer != NULL;
    *has_lock = lock && unlock;
    return lock == unlock;
}

static bool outbox_ok(const ord_outbox *p)
{
    return PORT_OK(*p, ORD_OUTBOX_VERSION) && p->ops->claim && p->ops->mark_delivered &&
           p->ops->mark_failed && p->ops->count && p->ops->redrive;
}

/* bind_number came with version 2, which promises it: a version 1 table
 * ends before that field, so it is read only from a newer one. */
static bool idempotency_ok(const ord_idempotency_store *p)
{
    if (!PORT_OK(*p, ORD_IDEMPOTENCY_STORE_VERSION) || !p->ops->begin || !p->ops->bind ||
        !p->ops->complete || !p->ops->release || !p->ops->forget || !p->ops->purge)
        return false;
    return p->ops->version < 2 || p->ops->bind_number != NULL;
}

static bool ports_ok(const ord_ports *p)
{
    if (!repository_ok(&p->orders) || !outbox_ok(&p->outbox) || !idempotency_ok(&p->idempotency))
        return false;
    if (!PORT_OK(p->precheck, ORD_PRECHECK_VERSION) || !p->precheck.ops->check)
        return false;
    if (!PORT_OK(p->inventory, ORD_INVENTORY_VERSION) || !p->inventory.ops->reserve ||
        !p->inventory.ops->release || !p->inventory.ops->commit)
        return false;
    if (!PORT_OK(p->tracking, ORD_TRACKING_VERSION) || !p->tracking.ops->create_shipment)
        return false;
    if (!PORT_OK(p->clock, ORD_CLOCK_VERSION) || !p->clock.ops->now_ms)
        return false;
    if (!PORT_OK(p->ids, ORD_ID_SOURCE_VERSION) || !p->ids.ops->uuid_v4)
        return false;
    /* The event sink is needed by ord_relay_events() only: a service without
     * one may be built (ops == NULL), but a sink that is given must be whole. */
    if (p->events.ops != NULL &&
        (!PORT_OK(p->events, ORD_EVENT_SINK_VERSION) || !p->events.ops->deliver))
        return false;
    return true;
}

/* Every duration must be positive and the ranges ordered; a year bounds them
 * so that now + duration can never overflow. */
static bool duration_ok(int64_t ms)
{
    return ms > 0 && ms <= (int64_t)366 * 24 * 3600 * 1000;
}

static bool config_ok(const ord_service_config *c)
{
    if (c->version < 1 || c->version > ORD_SERVICE_CONFIG_VERSION)
        return false;
    if (!duration_ok(c->pending_stale_ms) || !duration_ok(c->pending_deadline_ms) ||
        !duration_ok(c->tracking_backoff_min_ms) || !duration_ok(c->tracking_backoff_max_ms) ||
        !duration_ok(c->lease_ms) || !duration_ok(c->idempotency_ttl_ms) ||
        !duration_ok(c->idempotency_lock_ms) || !duration_ok(c->outbox_backoff_min_ms) ||
        !duration_ok(c->outbox_backoff_max_ms))
        return false;
    if (c->tracking_backoff_min_ms > c->tracking_backoff_max_ms ||
        c->outbox_backoff_min_ms > c->outbox_backoff_max_ms)
        return false;
    /* A key must outlive the lock of the request holding it. */
    if (c->idempotency_lock_ms > c->idempotency_ttl_ms)
        return false;
    if (c->outbox_max_attempts < 1 || c->outbox_max_attempts > 1000)
        return false;
    if (c->worker_id != NULL) {
        size_t len = strlen(c->worker_id);
        if (len == 0 || len > APP_WORKER_ID_MAX)
            return false;
    }
    /* Only a version 3 struct has the field; 0 keeps events forever. */
    if (c->version >= 3 && c->outbox_retention_ms != 0 && !duration_ok(c->outbox_retention_ms))
        return false;
    return true;
}

/* An older config ends before the fields its version lacks (version 1
 * before serialize_customer_creates, version 2 before outbox_retention_ms):
 * copy only what the caller's struct has, the rest stays at its default. */
static void copy_config(ord_service_config *dst, const ord_service_config *src)
{
    static const ord_service_config defaults = ORD_SERVICE_CONFIG_INIT;
    *dst = defaults;
    if (src->version >= 3)
        *dst = *src;
    else if (src->version == 2)
        memcpy(dst, src, offsetof(ord_service_config, serialize_customer_creates) + sizeof(bool));
    else
        memcpy(dst, src, offsetof(ord_service_config, serialize_customer_creates));
}

ord_error ord_service_new(ord_service **out, const ord_ports *ports,
                          const ord_service_config *config)
{
    static const ord_service_config defaults = ORD_SERVICE_CONFIG_INIT;
    if (out == NULL)
        return ORD_EINVALID;
    *out = NULL;
    bool has_lock = false;
    if (ports == NULL || !ports_ok(ports) || !repository_lock(&ports->orders, &has_lock))
        return ORD_EINVALID;
    if (config == NULL)
        config = &defaults;
    if (!config_ok(config))
        return ORD_EINVALID;
    ord_service_config copy;
    copy_config(&copy, config);
    /* The operator asked for a guarantee this store cannot give. */
    if (copy.serialize_customer_creates && !has_lock)
        return ORD_EINVALID;

    ord_service *svc = calloc(1, sizeof *svc);
    if (svc == NULL)
        return ORD_ENOMEM;
    svc->ports = *ports;
    svc->config = copy;
    svc->lock_customers = copy.serialize_customer_creates;
    svc->bind_numbers = ports->idempotency.ops->version >= 2;
    svc->begin_binds = ports->idempotency.ops->version >= 3;
    strcpy(svc->worker_id, config->worker_id ? config->worker_id : "orders");
    /* The caller's string may not outlive this call; point at our copy. */
    svc->config.worker_id = svc->worker_id;
    *out = svc;
    return ORD_OK;
}

void ord_service_free(ord_service *service)
{
    free(service);
}

bool ord_principal_owns(const ord_principal *who, int64_t customer_id)
{
    if (who == NULL)
        return false;
    if (who->kind == ORD_PRINCIPAL_ADMIN)
        return true;
    /* Customer 0 marks a guest draft: no customer principal owns it. */
    return who->kind == ORD_PRINCIPAL_CUSTOMER && customer_id > 0 &&
           who->customer_id == customer_id;
}

int64_t ord_app_now(const ord_service *svc)
{
    return svc->ports.clock.ops->now_ms(svc->ports.clock.self);
}

ord_error ord_app_new_uuid(const ord_service *svc, char out[ORD_UUID_SIZE])
{
    ord_error err = svc->ports.ids.ops->uuid_v4(svc->ports.ids.self, out);
    if (err != ORD_OK)
        return ORD_EINTERNAL;
    return ORD_OK;
}

void ord_app_notify_created(const ord_service *svc, const ord_order *order)
{
    const ord_service_observer *o = &svc->config.observer;
    if (o->order_created)
        o->order_created(o->ctx, order);
}

void ord_app_notify_background(const ord_service *svc, const char *what, int64_t order_id,
                               ord_error result)
{
    const ord_service_observer *o = &svc->config.observer;
    if (o->background_action)
        o->background_action(o->ctx, what, order_id, result);
}
