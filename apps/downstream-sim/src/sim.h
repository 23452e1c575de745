/* The downstream simulator's internals: its in-memory state (catalog, stock,
 * reservations, shipments, events, faults) and the handlers that serve it. */
#ifndef SIM_SIM_H
#define SIM_SIM_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

struct mg_connection;

/* The services a fault can be set on, in the order and spelling of
 * docs/api.md, The simulator. */
typedef enum sim_service {
    SIM_CATALOG = 0,
    SIM_INVENTORY,
    SIM_TRACKING,
    SIM_RESTRICTIONS,
    SIM_ELIGIBILITY,
    SIM_EVENTS,
    SIM_JWKS, /* an identity provider's key set (GET /.well-known/jwks.json) */
    SIM_SERVICE_COUNT
} sim_service;

/* Fault modes: the five of docs/api.md, The simulator, then test-only
 * extensions. */
typedef enum sim_fault_mode {
    SIM_FAULT_OK = 0,
    SIM_FAULT_ERROR,    /* 503 */
    SIM_FAULT_SLOW,     /* wait latencyMs, then answer normally */
    SIM_FAULT_HANG,     /* answer nothing until the client leaves, the fault changes or the cap */
    SIM_FAULT_GARBAGE,  /* 200 (or "status") with a body outside the contract */
    SIM_FAULT_HUGE,     /* 200 with a body of several MiB */
    SIM_FAULT_TRICKLE,  /* 200, then one byte every latencyMs */
    SIM_FAULT_REDIRECT, /* 302 back to the same URL, forever */
    SIM_FAULT_MODE_COUNT
} sim_fault_mode;

/* One service's fault. */
typedef struct sim_fault {
    sim_fault_mode mode;
    int latency_ms;
    double error_rate; /* fraction of calls the mode applies to */
    double credit;     /* error-rate accumulator: spreads failures evenly */
    int status;        /* garbage: status to answer (default 200) */
    char *body;        /* garbage: body to answer (owned), or NULL */
    int skip;          /* let this many calls pass before striking */
    int times;         /* strike this many calls, then heal; -1: for good */
    uint64_t generation; /* the service's fault generation when copied */
} sim_fault;

/* One product and its stock accounting. */
typedef struct sim_product {
    int64_t id;
    char *name;
    int64_t price_minor;
    char currency[4];
    int64_t available;
    int64_t reserved;
    int64_t committed;
} sim_product;

/* A restricted account and its restriction names (a JSON array, printed). */
typedef struct sim_restricted {
    int64_t customer_id;
    char *restrictions;
} sim_restricted;

/* Products and account lists: the part a catalog file replaces. */
typedef struct sim_catalog {
    sim_product *products; /* sorted by id */
    size_t product_count;
    sim_restricted *restricted;
    size_t restricted_count;
    int64_t *ineligible;
    size_t ineligible_count;
} sim_catalog;

/* Outcome of a reserve, kept per orderId and replayed on repeats. */
typedef enum sim_reservation_status {
    SIM_RES_RESERVED = 0,
    SIM_RES_REJECTED,
    SIM_RES_RELEASED,
    SIM_RES_COMMITTED
} sim_reservation_status;

typedef struct sim_line {
    int64_t product_id;
    int64_t quantity;
} sim_line;

typedef struct sim_reservation {
    int64_t order_id;
    sim_reservation_status status;
    uint64_t catalog_generation; /* the catalog whose stock it holds */
    sim_line *lines;
    size_t line_count;
    int64_t *unavailable;
    size_t unavailable_count;
} sim_reservation;

typedef struct sim_shipment {
    int64_t order_id;
    char number[48];
} sim_shipment;

typedef struct sim_event {
    char *event_id;
    char *body; /* as received */
} sim_event;

/* Open-addressing index from a 64-bit hash to a position in an array. */
typedef struct sim_index {
    size_t *slots; /* position + 1; 0 is empty */
    uint64_t *hashes;
    size_t cap;    /* power of two, or 0 */
    size_t used;
} sim_index;

/* The whole simulated world, behind one mutex. */
typedef struct sim_state {
    pthread_mutex_t lock;
    pthread_cond_t changed; /* broadcast when faults change or on stop */
    uint64_t fault_generation[SIM_SERVICE_COUNT];
    bool stopping;
    int hang_max_ms;

    sim_catalog start; /* what /sim/reset restores */
    sim_catalog current;
    uint64_t catalog_generation; /* grows when the current catalog is replaced */

    sim_reservation *reservations;
    size_t reservation_count, reservation_cap;
    sim_index reservation_index;
    sim_shipment *shipments;
    size_t shipment_count, shipment_cap;
    sim_index shipment_index;
    sim_event *events;
    size_t event_count, event_cap;
    sim_index event_index;
    int64_t duplicate_events;

    sim_fault faults[SIM_SERVICE_COUNT];
    int in_flight[SIM_SERVICE_COUNT];
    int in_flight_max[SIM_SERVICE_COUNT];
    int in_flight_all, in_flight_all_max; /* across every service */
    int64_t requests[SIM_SERVICE_COUNT];
    char *jwks; /* the JWKS document served (PUT /sim/jwks); survives a reset */
    /* Tracing headers of each service's latest request. */
    char last_request_id[SIM_SERVICE_COUNT][256];
    char last_traceparent[SIM_SERVICE_COUNT][128];
} sim_state;

/* ---- state.c: lifetime and bookkeeping ---- */
int sim_state_init(sim_state *st, sim_catalog *start, int hang_max_ms);
void sim_state_destroy(sim_state *st);
void sim_state_lock(sim_state *st);
void sim_state_unlock(sim_state *st);
/* Forget reservations, shipments, events, faults and counters; restore the
 * start catalog. Caller holds the lock. 0 or -1 (out of memory). */
int sim_state_reset_locked(sim_state *st);
/* Replace the current catalog (takes ownership); stock accounting restarts
 * from the new numbers. Caller holds the lock. */
void sim_state_replace_catalog_locked(sim_state *st, sim_catalog *catalog);
/* Wake every waiting handler and make hangs end (shutdown). */
void sim_state_stop(sim_state *st);
const char *sim_service_name(sim_service svc);
bool sim_service_parse(const char *name, sim_service *out);
const char *sim_fault_mode_name(sim_fault_mode mode);
bool sim_fault_mode_parse(const char *name, sim_fault_mode *out);
void sim_fault_clear(sim_fault *fault);

/* ---- index.c ---- */
uint64_t sim_hash_int(int64_t key);
uint64_t sim_hash_text(const char *text);
/* Find: returns position or SIZE_MAX; same() compares a stored position. */
size_t sim_index_find(const sim_index *ix, uint64_t hash, bool (*same)(const void *ctx, size_t pos),
                      const void *ctx);
int sim_index_add(sim_index *ix, uint64_t hash, size_t pos);
void sim_index_clear(sim_index *ix);

/* ---- catalog.c ---- */
/* Parse the catalog JSON (docs/api.md, The simulator); on failure fills err
 * and returns -1. */
int sim_catalog_parse(sim_catalog *out, const char *text, size_t len, char *err, size_t errcap);
int sim_catalog_seed(sim_catalog *out);
int sim_catalog_copy(sim_catalog *dst, const sim_catalog *src);
void sim_catalog_free(sim_catalog *catalog);
sim_product *sim_catalog_find(sim_catalog *catalog, int64_t product_id);
const sim_restricted *sim_catalog_restricted(const sim_catalog *catalog, int64_t customer_id);
bool sim_catalog_ineligible(const sim_catalog *catalog, int64_t customer_id);

/* ---- json.c: small JSON and money helpers ---- */
/* Decimals of a currency's minor unit; -1 for a malformed code. */
int sim_currency_decimals(const char *currency);
/* A JSON number to minor units, exactly; -1 when it has more decimals. */
int sim_money_from_json(const cJSON *number, const char *currency, int64_t *minor);
/* Minor units as a raw JSON number with the currency's decimals. */
cJSON *sim_money_to_json(int64_t minor, const char *currency);
/* A JSON number that is a whole value in [min, max]. */
bool sim_json_int(const cJSON *item, int64_t min, int64_t max, int64_t *out);
/* Parse the whole text as JSON or return NULL. */
cJSON *sim_json_parse(const char *text, size_t len);

/* ---- http.c: reading and answering requests ---- */
#define SIM_MAX_BODY (4 * 1024 * 1024)
/* Read the request body (NUL-terminated, owned); NULL on a body over the
 * limit or a read failure (the caller answers 413/400). */
char *sim_read_body(struct mg_connection *conn, size_t *len);
void sim_reply(struct mg_connection *conn, int status, const char *content_type,
               const char *body, size_t len);
/* Prints and deletes @p json. */
void sim_reply_json(struct mg_connection *conn, int status, cJSON *json);
void sim_reply_error(struct mg_connection *conn, int status, const char *message);
void sim_reply_empty(struct mg_connection *conn, int status);

/* ---- faults.c ---- */
/* Count the request in and pick the fault it meets (copied, body owned). */
void sim_enter(sim_state *st, sim_service svc, sim_fault *fault);
void sim_leave(sim_state *st, sim_service svc);
/* Remember the request's X-Request-Id and traceparent for GET /sim/state. */
void sim_note_headers(sim_state *st, sim_service svc, const struct mg_connection *conn);
/* Play the fault; true when it answered, false when the caller should
 * answer normally (no fault, or slow after its wait). */
bool sim_fault_play(sim_state *st, sim_service svc, const sim_fault *fault,
                    struct mg_connection *conn);

/* ---- handlers ---- */
int sim_handle_products(struct mg_connection *conn, sim_state *st);
int sim_handle_reserve(struct mg_connection *conn, sim_state *st, const char *body, size_t len);
int sim_handle_release(struct mg_connection *conn, sim_state *st, const char *body, size_t len,
                       bool commit);
int sim_handle_shipment(struct mg_connection *conn, sim_state *st, const char *body, size_t len);
int sim_handle_restrictions(struct mg_connection *conn, sim_state *st, int64_t customer_id);
int sim_handle_eligibility(struct mg_connection *conn, sim_state *st, int64_t customer_id);
int sim_handle_event(struct mg_connection *conn, sim_state *st, const char *body, size_t len);
int sim_handle_faults(struct mg_connection *conn, sim_state *st, const char *body, size_t len);
int sim_handle_state(struct mg_connection *conn, sim_state *st);
int sim_handle_catalog(struct mg_connection *conn, sim_state *st, const char *body, size_t len);
int sim_handle_reset(struct mg_connection *conn, sim_state *st);
int sim_handle_jwks_get(struct mg_connection *conn, sim_state *st);
int sim_handle_jwks_put(struct mg_connection *conn, sim_state *st, const char *body, size_t len);

/* ---- router.c: the one civetweb handler ---- */
int sim_route(struct mg_connection *conn, void *cbdata);

#endif
