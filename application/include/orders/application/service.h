/**
 * @file service.h
 * @brief The order service: the use cases' shared state (ports and settings)
 *        and who is calling.
 */
#ifndef ORDERS_APPLICATION_SERVICE_H
#define ORDERS_APPLICATION_SERVICE_H

#include <stdbool.h>
#include <stdint.h>

#include <orders/domain/error.h>
#include <orders/domain/order_status.h>
#include <orders/ports/ports.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Version of ord_service_config this header describes. Version 2 appended
 *  serialize_customer_creates; a version 1 config (built against the older
 *  header, without that field) is still accepted and reads as false.
 *  Version 3 appended outbox_retention_ms; an older config reads as the
 *  default (7 days), which matters only to a program that calls
 *  ord_purge_delivered_events(). */
#define ORD_SERVICE_CONFIG_VERSION 3

/** @brief Optional callbacks for metrics and logs; any member may be NULL. */
typedef struct ord_service_observer {
    void *ctx; /**< Passed back to every callback. */
    /** @brief An order was stored (PENDING_CHECK or DRAFT). */
    void (*order_created)(void *ctx, const ord_order *order);
    /** @brief A status change was stored. */
    void (*status_changed)(void *ctx, const ord_order *order, ord_status from, ord_status to);
    /** @brief A background step acted on one order or event; @p what is static text. */
    void (*background_action)(void *ctx, const char *what, int64_t order_id, ord_error result);
} ord_service_observer;

/** @brief Settings; start from ORD_SERVICE_CONFIG_INIT and change what you need. */
typedef struct ord_service_config {
    int version;                      /**< ORD_SERVICE_CONFIG_VERSION. */
    int64_t pending_stale_ms;         /**< Resume a PENDING_CHECK order untouched this long. */
    int64_t pending_deadline_ms;      /**< Cancel a PENDING_CHECK order this old (releasing stock). */
    int64_t tracking_backoff_min_ms;  /**< First wait before asking tracking again. */
    int64_t tracking_backoff_max_ms;  /**< Longest wait between tracking attempts. */
    int64_t lease_ms;                 /**< How long a claim of background work holds. */
    int64_t idempotency_ttl_ms;       /**< Keys are kept at least this long. */
    int64_t idempotency_lock_ms;      /**< A request holding a key is presumed dead after this. */
    int outbox_max_attempts;          /**< Park an event after this many failed deliveries. */
    int64_t outbox_backoff_min_ms;    /**< First wait before delivering an event again. */
    int64_t outbox_backoff_max_ms;    /**< Longest wait between deliveries. */
    const char *worker_id;            /**< Lease owner name (copied), 1..63 bytes; NULL:
                                           "orders". */
    ord_service_observer observer;    /**< Optional callbacks (copied). */
    bool serialize_customer_creates;  /**< Version 2. Place one order of a customer at a
                                           time, across threads and instances: create
                                           and checkout of a customer's draft hold the
                                           repository's per-customer lock from before
                                           the prechecks to the end of the saga, and a
                                           second one meanwhile is answered
                                           ORD_PLACE_CUSTOMER_BUSY. Needs a repository
                                           with lock_customer (version 2). */
    int64_t outbox_retention_ms;      /**< Version 3. ord_purge_delivered_events() deletes
                                           outbox events delivered longer ago than
                                           this; 0 keeps them forever. At most a
                                           year. */
} ord_service_config;

/** Defaults of docs/api.md, Background work: resume after 10 s, cancel after 15 min, tracking 1..60 s,
 *  keys kept 24 h, park events after 20 attempts; creates not serialised;
 *  delivered events kept 7 days. */
#define ORD_SERVICE_CONFIG_INIT                                                 \
    {                                                                           \
        ORD_SERVICE_CONFIG_VERSION, 10000, 900000, 1000, 60000, 30000,          \
            86400000, 60000, 20, 500, 60000, NULL, { NULL, NULL, NULL, NULL },  \
            false, 604800000                                                    \
    }

/** @brief The use cases' state. Opaque. */
typedef struct ord_service ord_service;

/**
 * @brief Build a service over a set of ports.
 * @param[out] out receives the service, owned by the caller (ord_service_free());
 *             NULL on failure.
 * @param ports copied; the adapters behind them must outlive the service.
 * @param config copied; NULL for the defaults.
 * @return ORD_OK; ORD_EINVALID when a required port is missing, its version is
 *         newer than this library knows, a setting is out of range, or
 *         serialize_customer_creates is asked of a repository without the
 *         per-customer lock; ORD_ENOMEM.
 */
ord_error ord_service_new(ord_service **out, const ord_ports *ports, const ord_service_config *config);

/** @brief Free a service (not its adapters). Accepts NULL. */
void ord_service_free(ord_service *service);

/** @brief Who is calling. A zeroed principal is a guest: the least rights. */
typedef enum ord_principal_kind {
    ORD_PRINCIPAL_GUEST = 0,    /**< Nobody signed in: only drafts it proves with a guest
                                     token; no order of a customer, ever. */
    ORD_PRINCIPAL_CUSTOMER = 1, /**< A customer: only their own orders, no ship/deliver. */
    ORD_PRINCIPAL_ADMIN = 2     /**< Operator: any order, every action. */
} ord_principal_kind;

/** @brief The caller, as the transport authenticated it. Borrowed pointers. */
typedef struct ord_principal {
    ord_principal_kind kind; /**< What the caller may do. */
    int64_t customer_id;     /**< The customer, for ORD_PRINCIPAL_CUSTOMER. */
    const char *subject;     /**< Token subject, for logs and for scoping an admin's
                                  Idempotency-Keys; may be NULL. */
} ord_principal;

/**
 * @brief Whether @p who may see and change orders of @p customer_id: an
 *        admin always, a customer only its own, a guest never.
 * @param who the caller; NULL owns nothing.
 * @param customer_id the order's customer (0 for a guest's draft).
 * @return true when @p who owns them.
 */
bool ord_principal_owns(const ord_principal *who, int64_t customer_id);

#ifdef __cplusplus
}
#endif
#endif
