/**
 * @file clock.h
 * @brief Port: the current time (the core reads no clock of its own, so tests
 *        can move time).
 */
#ifndef ORDERS_PORTS_CLOCK_H
#define ORDERS_PORTS_CLOCK_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Version of ord_clock_ops this header describes. */
#define ORD_CLOCK_VERSION 1

/** @brief Operations of a clock. */
typedef struct ord_clock_ops {
    int version; /**< ORD_CLOCK_VERSION the adapter was built against. */
    /** @brief Wall-clock time, Unix milliseconds. Cannot fail. */
    int64_t (*now_ms)(void *self);
} ord_clock_ops;

/** @brief A clock: its operations and their state. */
typedef struct ord_clock {
    const ord_clock_ops *ops; /**< Method table. */
    void *self;               /**< Passed back to every method. */
} ord_clock;

#ifdef __cplusplus
}
#endif
#endif
