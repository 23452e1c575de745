/**
 * @file test_clock.h
 * @brief A clock and an id source for tests: time moves only when told,
 *        UUIDs count up (well-formed version 4 text, predictable).
 */
#ifndef ORDERS_ADAPTERS_MEMORY_TEST_CLOCK_H
#define ORDERS_ADAPTERS_MEMORY_TEST_CLOCK_H

#include <stdint.h>

#include <orders/ports/clock.h>
#include <orders/ports/id_source.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief A manual clock. Opaque; thread-safe. */
typedef struct ord_manual_clock ord_manual_clock;

/**
 * @brief Create a clock showing @p start_ms.
 * @param[out] out receives it, owned by the caller (ord_manual_clock_free()).
 * @return ORD_OK, ORD_EINVALID (@p out is NULL) or ORD_ENOMEM.
 */
ord_error ord_manual_clock_new(ord_manual_clock **out, int64_t start_ms);
/** @brief Free. Accepts NULL. */
void ord_manual_clock_free(ord_manual_clock *clock);
/** @brief Move time forward (or back) by @p delta_ms. */
void ord_manual_clock_advance(ord_manual_clock *clock, int64_t delta_ms);
/** @brief The clock port (valid while @p clock lives). */
ord_clock ord_manual_clock_port(ord_manual_clock *clock);

/** @brief An id source counting up; thread-safe. */
typedef struct ord_counting_ids ord_counting_ids;

/**
 * @brief Create an id source whose first UUID ends in 1.
 * @param[out] out receives it, owned by the caller (ord_counting_ids_free()).
 * @return ORD_OK, ORD_EINVALID (@p out is NULL) or ORD_ENOMEM.
 */
ord_error ord_counting_ids_new(ord_counting_ids **out);
/** @brief Free. Accepts NULL. */
void ord_counting_ids_free(ord_counting_ids *ids);
/** @brief The id port (valid while @p ids lives). */
ord_id_source ord_counting_ids_port(ord_counting_ids *ids);

#ifdef __cplusplus
}
#endif
#endif
