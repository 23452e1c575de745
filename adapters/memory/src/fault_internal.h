/* Private to adapters/memory: the counter behind every injectable operation
 * (fault.h), shared by the store and the downstream fakes. */
#ifndef ORDERS_ADAPTERS_MEMORY_FAULT_INTERNAL_H
#define ORDERS_ADAPTERS_MEMORY_FAULT_INTERNAL_H

#include <stddef.h>

#include <orders/adapters/memory/fault.h>

/**
 * @brief One operation's armed fault and its counters. Zero-initialise it
 *        (or call ord_fault_slot_arm with NULL); it owns nothing.
 *
 * Not thread-safe on its own: call it under the lock that guards the
 * operation, so that the decision and the operation are one step.
 */
typedef struct ord_fault_slot {
    ord_fault fault; /**< The armed fault (mode ORD_FAULT_NONE: none). */
    int skipped;     /**< Calls let through since it was armed. */
    int failed;      /**< Calls failed since it was armed. */
    size_t calls;    /**< Every call since the slot was zeroed (faults included). */
} ord_fault_slot;

/**
 * @brief Arm a fault, or disarm with NULL or a zeroed fault. Resets the skip
 *        and failure counters, not the call count.
 *
 * An armed fault whose error is ORD_OK fails with ORD_EUNAVAILABLE: a fault
 * that reports success would be no fault. times == 0 fails no call (the
 * header's "fail this many calls").
 * @param fault copied; NULL disarms.
 */
void ord_fault_slot_arm(ord_fault_slot *slot, const ord_fault *fault);

/**
 * @brief Count one call and decide its fate.
 *
 * Usage in an operation:
 * @code
 *   ord_error injected;
 *   ord_fault_mode when = ord_fault_slot_next(&s->faults[OP], &injected);
 *   if (when == ORD_FAULT_BEFORE) return injected;       // nothing done
 *   ord_error rc = do_it();
 *   if (rc == ORD_OK && when == ORD_FAULT_AFTER) { undo outputs; return injected; }
 * @endcode
 * @param[out] error receives the error to return when the call fails
 *        (left untouched for ORD_FAULT_NONE).
 * @return ORD_FAULT_NONE (behave), ORD_FAULT_BEFORE (fail without doing
 *         anything) or ORD_FAULT_AFTER (do it, then return @p error).
 */
ord_fault_mode ord_fault_slot_next(ord_fault_slot *slot, ord_error *error);

#endif
