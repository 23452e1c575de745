/* Private to the application library: the service's state and the steps
 * several use cases share (writing a change, the saga's tail, idempotency). */
#ifndef ORDERS_APPLICATION_INTERNAL_H
#define ORDERS_APPLICATION_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <orders/application/place_order.h>
#include <orders/application/service.h>
#include <orders/domain/order.h>
#include <orders/ports/ports.h>

/* How often a use case re-reads and re-decides after losing a version race
 * before it gives up with ORD_ECONFLICT. */
#define APP_MAX_RETRIES 5

/* Longest worker_id: it is the lease owner name. */
#define APP_WORKER_ID_MAX (ORD_OWNER_SIZE - 1)

struct ord_service {
    ord_ports ports;
    ord_service_config config;
    char worker_id[ORD_OWNER_SIZE];
    bool lock_customers; /* creates take the repository's per-customer lock */
    bool bind_numbers;   /* the key store binds keys to order numbers (version 2) */
    bool begin_binds;    /* ...and binds a new key to a number in begin() (version 3) */
};

/* One run of a use case or background step: who pays for the calls. */
typedef struct app_run {
    ord_service *svc;
    const ord_call_context *ctx; /* may be NULL */
    bool background;             /* updates release the work lease */
} app_run;

/* service.c */
int64_t ord_app_now(const ord_service *svc);
ord_error ord_app_new_uuid(const ord_service *svc, char out[ORD_UUID_SIZE]);
void ord_app_notify_created(const ord_service *svc, const ord_order *order);
void ord_app_notify_background(const ord_service *svc, const char *what, int64_t order_id,
                               ord_error result);

/* order_store.c */
/* Store a new order (first history entry set) under a fresh random number,
 * and another one when that number is taken. ORD_ECONFLICT: the store
 * refused it for another reason (a concurrent create); ORD_EINTERNAL: the
 * numbers kept clashing. */
ord_error ord_app_create(const ord_service *svc, ord_order *order);
ord_error ord_app_load(const ord_service *svc, int64_t id, ord_order *out);
ord_error ord_app_load_ref(const ord_service *svc, const char *ref, ord_order *out);
ord_error ord_app_write(const app_run *run, ord_order *next, unsigned fields,
                        const ord_status_change *change);
ord_error ord_app_transition(const app_run *run, ord_order *order, ord_status to,
                             const char *reason, unsigned extra_fields,
                             ord_inventory_action pending);
/* ord_app_transition() that also stores @p tracking (NULL or "": none) in
 * the same write. */
ord_error ord_app_transition_tracked(const app_run *run, ord_order *order, ord_status to,
                                     const char *reason, const char *tracking);
ord_error ord_app_settle_inventory(const app_run *run, ord_order *order);
ord_error ord_app_owe_inventory(const app_run *run, ord_order *order, ord_inventory_action debt);
void ord_app_swap_orders(ord_order *a, ord_order *b);

/* saga.c */
ord_error ord_app_saga_continue(const app_run *run, ord_order *order, ord_place_result *out);
ord_error ord_app_precheck(const app_run *run, int64_t customer_id, const ord_order_item *lines,
                           size_t count, ord_order_item **priced, ord_place_result *out);
ord_error ord_app_request_shipment(const app_run *run, ord_order *order);
void ord_app_set_products(ord_place_result *out, const int64_t *ids, size_t count);

/* customer_lock.c: serialise the placing of one customer's orders
 * (ord_service_config::serialize_customer_creates). */
typedef struct app_customer_lock {
    int64_t customer_id; /* 0: nothing held */
} app_customer_lock;

/* Take the customer's lock when the service serialises creates (else do
 * nothing and return true). Returns false when out->outcome is set
 * (CUSTOMER_BUSY, STORE_UNAVAILABLE); *err is ORD_ENOMEM when the store ran
 * out of memory. */
bool ord_app_lock_customer(const ord_service *svc, int64_t customer_id, app_customer_lock *held,
                           ord_place_result *out, ord_error *err);
/* Release what ord_app_lock_customer() took; nothing when nothing was. */
void ord_app_unlock_customer(const ord_service *svc, app_customer_lock *held);

/* idempotency.c */
typedef enum app_idem_verdict {
    APP_IDEM_PROCEED = 0, /* no key, or a new key: do the work */
    APP_IDEM_RESUME,      /* an earlier attempt's order: see app_idem_order */
    APP_IDEM_ANSWERED     /* out->outcome is set (replay, mismatch, in progress, store down) */
} app_idem_verdict;

/* What an earlier attempt of the key left: the id of its stored order, and
 * the number it was (or is about to be) stored under. Either may be unset. */
typedef struct app_idem_order {
    int64_t id;
    char number[ORD_ORDER_NUMBER_SIZE];
    bool number_is_new; /* bound by this request's begin(): no order has it yet */
} app_idem_order;

/* Whom a key belongs to: a customer, or (customer_id 0) a guest, named by
 * the hash of its token; narrowed to the admin when an admin acts for them
 * (@p who; NULL or another principal: no narrowing). */
typedef struct app_idem_owner {
    int64_t customer_id;
    const char *guest_token;
    const ord_principal *who;
} app_idem_owner;

/* The opening of every use case that takes an Idempotency-Key (create,
 * checkout), in this order: a malformed key is a validation error (INVALID,
 * field "Idempotency-Key"); then a caller the use case refused (@p refused:
 * FORBIDDEN, NOT_OWNER; ORD_PLACED for none) is answered, before any key is
 * taken; then the key is scoped to @p owner, the request fingerprinted, and
 * the key begun. Without a key (@p idem NULL) only the refusal counts.
 * @p with_number (a create, on a version 3 key store): a key begun anew is
 * bound to a fresh order number at once (found->number, number_is_new).
 * Returns ORD_OK with *verdict set (ANSWERED: out->outcome is set), or
 * ORD_ENOMEM / ORD_EINTERNAL. */
ord_error ord_app_idem_open(const ord_service *svc, const ord_idempotency *idem,
                            const app_idem_owner *owner, ord_place_outcome refused,
                            bool with_number, ord_place_result *out, app_idem_verdict *verdict,
                            app_idem_order *found);
/* Best effort: a failure leaves the key as it was. */
void ord_app_idem_bind(const ord_service *svc, const ord_idempotency *idem, const char *scope,
                       int64_t order_id);
/* Bind the held key to an order number (version 2 stores; see
 * ord_idempotency_store_ops::bind_number); *bound gets the key's number. */
ord_error ord_app_idem_bind_number(const ord_service *svc, const ord_idempotency *idem,
                                   const char *scope, const char *replaces, const char *number,
                                   char bound[ORD_ORDER_NUMBER_SIZE]);

/* place_keyed.c: the create of a request holding its key, on a store that
 * binds numbers. The key's number is bound before the order is stored; a
 * number some other attempt of the key stored meanwhile is resumed.
 * @p held: the number the key holds ("" for none); @p held_is_foreign: it
 * turned out to be taken by an unrelated order; @p held_is_new: this
 * request bound it when it began the key (no other attempt chose it). Returns ORD_OK with
 * *stored true when @p order is stored (created now, or found: *resumed),
 * or with *stored false when out->outcome is set. */
ord_error ord_app_create_keyed(const app_run *run, const ord_idempotency *idem, const char *held,
                               bool held_is_foreign, bool held_is_new, ord_order *order,
                               ord_place_result *out, bool *stored, bool *resumed);
/* Whether @p order, found under a number the key holds, is the key's order:
 * it belongs to the request's customer. Numbers are random version 4 UUIDs,
 * so another order of the same customer under the same number means a
 * broken id source. */
bool ord_app_keyed_order_is_ours(const ord_order *found, int64_t customer_id);

#endif
