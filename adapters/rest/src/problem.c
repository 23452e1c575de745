/* The type URI of each kind of problem (problem.h). A URI once published
 * never changes meaning: clients compare it. */
#include "problem.h"

#include <stddef.h>

#define URI(name) REST_PROBLEM_TYPE_PREFIX name

static const char *const TYPE_URIS[] = {
    [REST_PROBLEM_BAD_REQUEST] = URI("bad-request"),
    [REST_PROBLEM_MALFORMED_JSON] = URI("malformed-json"),
    [REST_PROBLEM_VALIDATION] = URI("validation-failed"),
    [REST_PROBLEM_INVALID_IDEMPOTENCY_KEY] = URI("invalid-idempotency-key"),
    [REST_PROBLEM_PAYLOAD_TOO_LARGE] = URI("payload-too-large"),
    [REST_PROBLEM_UNSUPPORTED_MEDIA_TYPE] = URI("unsupported-media-type"),
    [REST_PROBLEM_HEADER_FIELDS_TOO_LARGE] = URI("header-fields-too-large"),
    [REST_PROBLEM_EXPECTATION_FAILED] = URI("expectation-failed"),
    [REST_PROBLEM_REQUEST_TIMEOUT] = URI("request-timeout"),
    [REST_PROBLEM_HTTP_VERSION] = URI("http-version-not-supported"),
    [REST_PROBLEM_NOT_FOUND] = URI("not-found"),
    [REST_PROBLEM_METHOD_NOT_ALLOWED] = URI("method-not-allowed"),
    [REST_PROBLEM_UNAUTHORIZED] = URI("unauthorized"),
    [REST_PROBLEM_DRAFT_OWNER_MISMATCH] = URI("draft-owner-mismatch"),
    [REST_PROBLEM_FORBIDDEN] = URI("forbidden"),
    [REST_PROBLEM_INSUFFICIENT_SCOPE] = URI("insufficient-scope"),
    [REST_PROBLEM_TOO_MANY_REQUESTS] = URI("too-many-requests"),
    [REST_PROBLEM_ORDER_NOT_FOUND] = URI("order-not-found"),
    [REST_PROBLEM_INVALID_TRANSITION] = URI("invalid-status-transition"),
    [REST_PROBLEM_CONFLICT] = URI("conflict"),
    [REST_PROBLEM_PRECONDITION_FAILED] = URI("precondition-failed"),
    [REST_PROBLEM_NOT_IN_DRAFT_STATE] = URI("not-in-draft-state"),
    [REST_PROBLEM_DRAFT_EMPTY] = URI("draft-empty"),
    [REST_PROBLEM_UNKNOWN_PRODUCT] = URI("unknown-product"),
    [REST_PROBLEM_PRODUCT_CANNOT_BE_PRICED] = URI("product-cannot-be-priced"),
    [REST_PROBLEM_SEVERAL_CURRENCIES] = URI("several-currencies"),
    [REST_PROBLEM_ACCOUNT_RESTRICTED] = URI("account-restricted"),
    [REST_PROBLEM_ACCOUNT_INELIGIBLE] = URI("account-ineligible"),
    [REST_PROBLEM_INSUFFICIENT_STOCK] = URI("insufficient-stock"),
    [REST_PROBLEM_INVENTORY_UNAVAILABLE] = URI("inventory-unavailable"),
    [REST_PROBLEM_CUSTOMER_BUSY] = URI("customer-busy"),
    [REST_PROBLEM_IDEMPOTENCY_KEY_MISMATCH] = URI("idempotency-key-mismatch"),
    [REST_PROBLEM_IDEMPOTENCY_KEY_IN_PROGRESS] = URI("idempotency-key-in-progress"),
    [REST_PROBLEM_UNAVAILABLE] = URI("service-unavailable"),
    [REST_PROBLEM_INTERNAL_ERROR] = URI("internal-error"),
    [REST_PROBLEM_REQUEST_REFUSED] = URI("request-refused"),
};

const char *ord_rest_problem_type_uri(rest_problem_type type)
{
    size_t i = (size_t)type;
    if (i < sizeof TYPE_URIS / sizeof TYPE_URIS[0] && TYPE_URIS[i] != NULL)
        return TYPE_URIS[i];
    return TYPE_URIS[REST_PROBLEM_INTERNAL_ERROR];
}
