/**
 * @file system.h
 * @brief The real clock (CLOCK_REALTIME) and id source (the kernel's random
 *        numbers), for programs. Stateless; safe from any thread.
 */
#ifndef ORDERS_ADAPTERS_SYSTEM_SYSTEM_H
#define ORDERS_ADAPTERS_SYSTEM_SYSTEM_H

#include <orders/ports/clock.h>
#include <orders/ports/id_source.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief The wall clock port. Needs no state and no freeing. */
ord_clock ord_system_clock(void);

/** @brief The random UUID port (getrandom()). Needs no state and no freeing. */
ord_id_source ord_system_ids(void);

#ifdef __cplusplus
}
#endif
#endif
