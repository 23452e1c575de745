/**
 * @file work_report.h
 * @brief What one background step did: recovery (recovery.h) and the outbox
 *        relay (relay.h) report alike.
 */
#ifndef ORDERS_APPLICATION_WORK_REPORT_H
#define ORDERS_APPLICATION_WORK_REPORT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief What one step did. */
typedef struct ord_work_report {
    size_t claimed;   /**< Orders or events claimed. */
    size_t completed; /**< Finished for good. */
    size_t failed;    /**< Left for a later attempt (or parked). */
} ord_work_report;

#ifdef __cplusplus
}
#endif
#endif
