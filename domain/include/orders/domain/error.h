/**
 * @file error.h
 * @brief The one status code shared by the domain, the ports and the use cases.
 *
 * Zero is success; the few failures a caller can act on are negative values of
 * their own, everything else is ORD_EINTERNAL (libgit2's rule: only expected
 * failures get a code). Detail travels in caller-supplied structs, never in
 * global state.
 */
#ifndef ORDERS_DOMAIN_ERROR_H
#define ORDERS_DOMAIN_ERROR_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Status returned by every function that acts. */
typedef enum ord_error {
    ORD_OK = 0,              /**< Success. */
    ORD_ENOTFOUND = -1,      /**< The thing asked for does not exist (or is not yours). */
    ORD_ECONFLICT = -2,      /**< Lost a race: stale version, duplicate, lock busy. */
    ORD_EINVALID = -3,       /**< Bad input; nothing was changed. */
    ORD_EUNAVAILABLE = -4,   /**< A dependency is down or its breaker is open; retry later. */
    ORD_ETIMEOUT = -5,       /**< A dependency did not answer in time; retry later. */
    ORD_ECONTRACT = -6,      /**< A dependency answered outside its contract. */
    ORD_EOVERFLOW = -7,      /**< An amount does not fit in 64-bit minor units. */
    ORD_ETRANSITION = -8,    /**< The status machine refuses this change. */
    ORD_EFORBIDDEN = -9,     /**< The caller may not do this. */
    ORD_ENOMEM = -10,        /**< Out of memory; nothing was changed. */
    ORD_EINTERNAL = -11,     /**< Anything else: a bug or an unexpected failure. */
    ORD_EUNAUTHORIZED = -12  /**< The caller did not prove who it is (a missing or wrong
                                  credential, such as a draft's owner proof). */
} ord_error;

/**
 * @brief Static English text for a status code.
 * @param err any value, also ones outside the enum.
 * @return a string with static lifetime; never NULL; not to be freed.
 */
const char *ord_strerror(ord_error err);

/**
 * @brief Whether a failure is transient (worth retrying later).
 * @param err the status to classify.
 * @return true for ORD_EUNAVAILABLE, ORD_ETIMEOUT and ORD_ECONTRACT.
 */
bool ord_error_is_transient(ord_error err);

#ifdef __cplusplus
}
#endif
#endif
