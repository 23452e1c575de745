/* The kinds of problem the API answers, each with its own RFC 9457 `type`
 * URI so that clients tell them apart by machine (docs/api.md, Errors;
 * openapi.json lists each with its extra members). */
#ifndef ORDERS_REST_PROBLEM_H
#define ORDERS_REST_PROBLEM_H

/* Every type URI is this prefix plus the kind's name. The URIs identify,
 * they are not links: `.example` never resolves, so they are the same for
 * every deployment and never point at someone else's page. */
#define REST_PROBLEM_TYPE_PREFIX "https://orders.example/problems/"

typedef enum rest_problem_type {
    /* requests the API cannot take */
    REST_PROBLEM_BAD_REQUEST,            /* the HTTP request itself (transport) */
    REST_PROBLEM_MALFORMED_JSON,
    REST_PROBLEM_VALIDATION,
    REST_PROBLEM_INVALID_IDEMPOTENCY_KEY,
    REST_PROBLEM_PAYLOAD_TOO_LARGE,
    REST_PROBLEM_UNSUPPORTED_MEDIA_TYPE,
    REST_PROBLEM_HEADER_FIELDS_TOO_LARGE,
    REST_PROBLEM_EXPECTATION_FAILED,
    REST_PROBLEM_REQUEST_TIMEOUT,
    REST_PROBLEM_HTTP_VERSION,
    REST_PROBLEM_NOT_FOUND,              /* no such resource (route, customer path) */
    REST_PROBLEM_METHOD_NOT_ALLOWED,
    /* who is asking */
    REST_PROBLEM_UNAUTHORIZED,
    REST_PROBLEM_DRAFT_OWNER_MISMATCH,
    REST_PROBLEM_FORBIDDEN,
    REST_PROBLEM_INSUFFICIENT_SCOPE,
    REST_PROBLEM_TOO_MANY_REQUESTS,
    /* orders and drafts */
    REST_PROBLEM_ORDER_NOT_FOUND,
    REST_PROBLEM_INVALID_TRANSITION,
    REST_PROBLEM_CONFLICT,
    REST_PROBLEM_PRECONDITION_FAILED,
    REST_PROBLEM_NOT_IN_DRAFT_STATE,
    REST_PROBLEM_DRAFT_EMPTY,
    /* the create saga */
    REST_PROBLEM_UNKNOWN_PRODUCT,
    REST_PROBLEM_PRODUCT_CANNOT_BE_PRICED,
    REST_PROBLEM_SEVERAL_CURRENCIES,
    REST_PROBLEM_ACCOUNT_RESTRICTED,
    REST_PROBLEM_ACCOUNT_INELIGIBLE,
    REST_PROBLEM_INSUFFICIENT_STOCK,
    REST_PROBLEM_INVENTORY_UNAVAILABLE,  /* the order is stored and waits */
    REST_PROBLEM_CUSTOMER_BUSY,
    REST_PROBLEM_IDEMPOTENCY_KEY_MISMATCH,
    REST_PROBLEM_IDEMPOTENCY_KEY_IN_PROGRESS,
    /* the server */
    REST_PROBLEM_UNAVAILABLE,
    REST_PROBLEM_INTERNAL_ERROR,
    REST_PROBLEM_REQUEST_REFUSED         /* any other refusal of the HTTP library */
} rest_problem_type;

/* The full type URI of @p type (static text). */
const char *ord_rest_problem_type_uri(rest_problem_type type);

#endif
