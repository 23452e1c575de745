/**
 * @file fault.h
 * @brief Fault injection for the in-memory adapters, after SQLite's
 *        test_vfs.c: let some calls pass, then fail some calls, transiently
 *        or for good, before or after the operation took effect.
 */
#ifndef ORDERS_ADAPTERS_MEMORY_FAULT_H
#define ORDERS_ADAPTERS_MEMORY_FAULT_H

#include <orders/domain/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief When the failure strikes. */
typedef enum ord_fault_mode {
    ORD_FAULT_NONE = 0,      /**< No fault: calls behave. */
    ORD_FAULT_BEFORE = 1,    /**< Fail without doing anything (service down). */
    ORD_FAULT_AFTER = 2      /**< Do the operation, then report the failure: the
                                  write happened but the caller never heard
                                  (a crash or a lost reply right after it). */
} ord_fault_mode;

/** @brief One armed fault. Zero-initialised means no fault. */
typedef struct ord_fault {
    ord_fault_mode mode; /**< When it strikes. */
    ord_error error;     /**< What the failing calls return (ORD_EUNAVAILABLE,
                              ORD_ETIMEOUT, ORD_ECONFLICT, ORD_ECONTRACT...). */
    int skip;            /**< Let this many calls pass first. */
    int times;           /**< Fail this many calls, then heal; -1: for good. */
} ord_fault;

#ifdef __cplusplus
}
#endif
#endif
