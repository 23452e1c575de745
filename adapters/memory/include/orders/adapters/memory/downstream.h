/**
 * @file downstream.h
 * @brief In-memory downstream services: catalog and account checks
 *        (precheck port, in sequence), inventory with reservation accounting,
 *        tracking, and an event sink that records what it receives.
 *        Thread-safe; every operation can be made to fail (fault.h).
 */
#ifndef ORDERS_ADAPTERS_MEMORY_DOWNSTREAM_H
#define ORDERS_ADAPTERS_MEMORY_DOWNSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <orders/adapters/memory/fault.h>
#include <orders/domain/money.h>
#include <orders/ports/event_sink.h>
#include <orders/ports/inventory.h>
#include <orders/ports/precheck.h>
#include <orders/ports/tracking.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief The fake services. Opaque; safe to call from any thread. */
typedef struct ord_memory_downstream ord_memory_downstream;

/** @brief Operations that can be made to fail. */
typedef enum ord_memory_downstream_op {
    ORD_MEM_CATALOG = 0,
    ORD_MEM_RESTRICTIONS,
    ORD_MEM_ELIGIBILITY,
    ORD_MEM_RESERVE,
    ORD_MEM_RELEASE,
    ORD_MEM_COMMIT,
    ORD_MEM_SHIPMENT,
    ORD_MEM_DELIVER_EVENT,
    ORD_MEM_DOWNSTREAM_OP_COUNT
} ord_memory_downstream_op;

/** @brief Where an order's reservation stands. */
typedef enum ord_memory_reservation {
    ORD_MEM_RESERVATION_NONE = 0,  /**< Never asked. */
    ORD_MEM_RESERVATION_REJECTED,  /**< Asked, short of stock (nothing held). */
    ORD_MEM_RESERVATION_RESERVED,
    ORD_MEM_RESERVATION_RELEASED,
    ORD_MEM_RESERVATION_COMMITTED
} ord_memory_reservation;

/** @brief Stock of one product. */
typedef struct ord_memory_stock {
    int64_t available; /**< Free to reserve. */
    int64_t reserved;  /**< Held by reservations. */
    int64_t committed; /**< Consumed by shipped orders. */
} ord_memory_stock;

/**
 * @brief Create fake services with an empty catalog and no account rules.
 * @param[out] out receives them, owned by the caller (ord_memory_downstream_free()).
 * @return ORD_OK, ORD_EINVALID (@p out is NULL) or ORD_ENOMEM.
 */
ord_error ord_memory_downstream_new(ord_memory_downstream **out);

/** @brief Free. Accepts NULL. */
void ord_memory_downstream_free(ord_memory_downstream *ds);

/** @brief The precheck port (valid while @p ds lives). */
ord_precheck ord_memory_downstream_precheck(ord_memory_downstream *ds);
/** @brief The inventory port (valid while @p ds lives). */
ord_inventory ord_memory_downstream_inventory(ord_memory_downstream *ds);
/** @brief The tracking port (valid while @p ds lives). */
ord_tracking ord_memory_downstream_tracking(ord_memory_downstream *ds);
/** @brief The event sink port (valid while @p ds lives). */
ord_event_sink ord_memory_downstream_events(ord_memory_downstream *ds);

/**
 * @brief Add or replace a product in the catalog with its free stock.
 * @return ORD_OK, ORD_EINVALID (id <= 0, negative price or stock), ORD_ENOMEM.
 */
ord_error ord_memory_downstream_set_product(ord_memory_downstream *ds, int64_t product_id,
                                            ord_money price, int64_t available);

/** @brief Mark a customer restricted (or not).
 *  @return ORD_OK, ORD_EINVALID (@p ds NULL, @p customer_id <= 0) or ORD_ENOMEM. */
ord_error ord_memory_downstream_set_restricted(ord_memory_downstream *ds, int64_t customer_id,
                                               bool restricted);

/** @brief Mark a customer ineligible (or not).
 *  @return ORD_OK, ORD_EINVALID (@p ds NULL, @p customer_id <= 0) or ORD_ENOMEM. */
ord_error ord_memory_downstream_set_ineligible(ord_memory_downstream *ds, int64_t customer_id,
                                               bool ineligible);

/** @brief Arm (or with a zeroed @p fault, disarm) a fault. @param fault copied. */
void ord_memory_downstream_inject(ord_memory_downstream *ds, ord_memory_downstream_op op,
                                  const ord_fault *fault);

/** @brief How many times an operation was called (faulted calls included). */
size_t ord_memory_downstream_calls(ord_memory_downstream *ds, ord_memory_downstream_op op);

/**
 * @brief Stock of a product.
 * @param[out] out receives the numbers.
 * @return ORD_OK, ORD_ENOTFOUND, or ORD_EINVALID for a NULL argument.
 */
ord_error ord_memory_downstream_stock(ord_memory_downstream *ds, int64_t product_id,
                                      ord_memory_stock *out);

/** @brief Where an order's reservation stands. */
ord_memory_reservation ord_memory_downstream_reservation(ord_memory_downstream *ds, int64_t order_id);

/** @brief Tracking number issued for an order, copied into @p out (size ORD_TRACKING_NUMBER_SIZE).
 *  @return true when one was issued. */
bool ord_memory_downstream_shipment(ord_memory_downstream *ds, int64_t order_id,
                                    char out[ORD_TRACKING_NUMBER_SIZE]);

/** @brief Events received (duplicates by event id counted once). */
size_t ord_memory_downstream_event_count(ord_memory_downstream *ds);

/** @brief Deliveries of an event id already received. */
size_t ord_memory_downstream_duplicate_events(ord_memory_downstream *ds);

/**
 * @brief Copy of the @p index-th event received (oldest first).
 * @param[out] out an ord_outbox_event the caller releases with free(out->payload).
 * @return ORD_OK, ORD_ENOTFOUND (index too large), ORD_ENOMEM, ORD_EINVALID (NULL argument).
 */
ord_error ord_memory_downstream_event(ord_memory_downstream *ds, size_t index, ord_outbox_event *out);

#ifdef __cplusplus
}
#endif
#endif
