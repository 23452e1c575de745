/**
 * @file id_source.h
 * @brief Port: random identifiers (order numbers, event ids).
 */
#ifndef ORDERS_PORTS_ID_SOURCE_H
#define ORDERS_PORTS_ID_SOURCE_H

#include <orders/domain/error.h>
#include <orders/domain/order.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Version of ord_id_source_ops this header describes. */
#define ORD_ID_SOURCE_VERSION 1

/** @brief Operations of an id source. */
typedef struct ord_id_source_ops {
    int version; /**< ORD_ID_SOURCE_VERSION the adapter was built against. */
    /**
     * @brief A new random (version 4) UUID, canonical lower-case text.
     * @param[out] out ORD_UUID_SIZE bytes, NUL-terminated.
     * @return ORD_OK, or ORD_EINTERNAL when no randomness is available.
     */
    ord_error (*uuid_v4)(void *self, char out[ORD_UUID_SIZE]);
} ord_id_source_ops;

/** @brief An id source: its operations and their state. */
typedef struct ord_id_source {
    const ord_id_source_ops *ops; /**< Method table. */
    void *self;                   /**< Passed back to every method. */
} ord_id_source;

#ifdef __cplusplus
}
#endif
#endif
