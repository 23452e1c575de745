/**
 * @file validation.h
 * @brief Every rule and limit of the create request, reporting all field
 *        errors at once (field path + message), not just the first.
 */
#ifndef ORDERS_DOMAIN_VALIDATION_H
#define ORDERS_DOMAIN_VALIDATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <orders/domain/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Bytes of a field path ("items[99].productId") with NUL. */
#define ORD_FIELD_PATH_SIZE 48
/** Bytes of a field error message with NUL. */
#define ORD_FIELD_MESSAGE_SIZE 96
/** Longest Idempotency-Key, in bytes. */
#define ORD_MAX_IDEMPOTENCY_KEY 255

/** @brief One invalid field. */
typedef struct ord_field_error {
    char field[ORD_FIELD_PATH_SIZE];     /**< JSON path of the field. */
    char message[ORD_FIELD_MESSAGE_SIZE]; /**< What is wrong ("must be > 0"). */
} ord_field_error;

/** @brief A growable list of field errors. Zero-initialise before use. */
typedef struct ord_field_errors {
    ord_field_error *items; /**< Owned array. */
    size_t count;           /**< Errors in items. */
    size_t capacity;        /**< Allocated slots. */
    bool out_of_memory;     /**< An error could not be recorded. */
} ord_field_errors;

/**
 * @brief Append an error; paths and messages longer than their buffers are cut.
 * @return ORD_OK or ORD_ENOMEM (then out_of_memory is set).
 */
ord_error ord_field_errors_add(ord_field_errors *errors, const char *field, const char *message);

/** @brief Whether an error for exactly @p field is listed. */
bool ord_field_errors_has(const ord_field_errors *errors, const char *field);

/** @brief Free the list and zero it. Accepts NULL. */
void ord_field_errors_free(ord_field_errors *errors);

/** @brief One requested line: raw values, checked by the validators. */
typedef struct ord_item_request {
    int64_t product_id; /**< Must be > 0. */
    int64_t quantity;   /**< Must be 1 .. ORD_MAX_QUANTITY. */
} ord_item_request;

/** @brief The create request, as decoded from the transport. Borrowed pointers. */
typedef struct ord_create_request {
    int64_t customer_id;            /**< Must be > 0. */
    const char *customer_name;      /**< Optional; at most ORD_MAX_NAME_CHARS. */
    const char *delivery_address;   /**< Required, not blank; at most ORD_MAX_ADDRESS_CHARS.
                                         Text fields are single-line: no control characters. */
    const char *carrier;            /**< Optional (NULL: default); at most ORD_MAX_CARRIER_CHARS. */
    const ord_item_request *items;  /**< 1 .. ORD_MAX_ITEMS lines, each product once. */
    size_t item_count;              /**< Lines in items. */
} ord_create_request;

/**
 * @brief Check a create request against every rule.
 * @param req the request.
 * @param[out] errors receives one entry per broken rule (appended).
 * @return ORD_OK when valid, ORD_EINVALID when @p errors got entries,
 *         ORD_ENOMEM when the list could not grow.
 */
ord_error ord_validate_create_request(const ord_create_request *req, ord_field_errors *errors);

/**
 * @brief Check order lines by the create request's rules: product id > 0 and
 *        each product once, quantity 1 .. ORD_MAX_QUANTITY, at most
 *        ORD_MAX_ITEMS lines (paths "items", "items[i].productId", ...).
 * @param items the lines; may be NULL when @p count is 0.
 * @param count lines in @p items.
 * @param allow_empty whether no lines at all is valid (a draft) or not (an order).
 * @param[out] errors receives one entry per broken rule (appended).
 * @return ORD_OK, ORD_EINVALID or ORD_ENOMEM as for ord_validate_create_request().
 */
ord_error ord_validate_items(const ord_item_request *items, size_t count, bool allow_empty,
                             ord_field_errors *errors);

/**
 * @brief Check the delivery fields given at checkout (same rules as create).
 * @param customer_name optional.
 * @param delivery_address required.
 * @param carrier optional.
 * @param[out] errors receives one entry per broken rule (appended).
 * @return ORD_OK, ORD_EINVALID or ORD_ENOMEM as for ord_validate_create_request().
 */
ord_error ord_validate_delivery(const char *customer_name, const char *delivery_address,
                                const char *carrier, ord_field_errors *errors);

/**
 * @brief Check one draft line: product id > 0, quantity 0 .. ORD_MAX_QUANTITY
 *        (0 removes the line).
 * @param[out] errors receives one entry per broken rule (appended).
 * @return ORD_OK, ORD_EINVALID or ORD_ENOMEM.
 */
ord_error ord_validate_draft_line(int64_t product_id, int64_t quantity, ord_field_errors *errors);

/**
 * @brief Whether an Idempotency-Key is 1..255 printable ASCII characters,
 *        not all of them spaces: the one check of a key, for transports,
 *        use cases and key stores alike.
 * @param key the header value, need not be NUL-terminated.
 * @param len its length in bytes.
 */
bool ord_idempotency_key_is_valid(const char *key, size_t len);

#ifdef __cplusplus
}
#endif
#endif
