/* Idempotency keys over the in-memory store: begin() is insert-or-get under
 * the store's lock, keys live per scope ("scope NUL key" in one map). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <orders/domain/validation.h>

#include "store_internal.h"

typedef enum idem_phase {
    IDEM_HELD = 0,    /* a request works on it until lock_until_ms */
    IDEM_RELEASED,    /* given up without an answer: the next begin resumes */
    IDEM_COMPLETED    /* final answer stored */
} idem_phase;

typedef struct idem_entry {
    char *fingerprint;
    idem_phase phase;
    int64_t order_id;
    char order_number[ORD_ORDER_NUMBER_SIZE]; /* "" until bind_number() */
    int64_t lock_until_ms;
    int64_t expires_at_ms;
    int response_status;
    char *body;
} idem_entry;

/* The map key: scope, a NUL, key. */
typedef struct idem_name {
    char *bytes;
    size_t len;
} idem_name;

static ord_error name_make(idem_name *n, const char *scope, const char *key)
{
    size_t s = strlen(scope);
    size_t k = strlen(key);
    n->len = s + 1 + k;
    n->bytes = malloc(n->len);
    if (n->bytes == NULL)
        return ORD_ENOMEM;
    memcpy(n->bytes, scope, s + 1);
    memcpy(n->bytes + s + 1, key, k);
    return ORD_OK;
}

static void entry_free(idem_entry *e)
{
    if (e == NULL)
        return;
    free(e->fingerprint);
    free(e->body);
    free(e);
}

static bool drop_any(void *value, void *ctx)
{
    (void)ctx;
    entry_free(value);
    return true;
}

void ord_mem_store_free_idempotency(ord_memory_store *store)
{
    ord_mem_map_remove_if(&store->idempotency, drop_any, NULL);
    ord_mem_map_clear(&store->idempotency);
}

static bool begin_ok(const ord_idem_begin *a)
{
    return a != NULL && a->scope != NULL && a->key != NULL && a->fingerprint != NULL &&
           ord_idempotency_key_is_valid(a->key, strlen(a->key)) &&
           (a->order_number == NULL ||
            (a->order_number[0] != '\0' && strlen(a->order_number) < ORD_ORDER_NUMBER_SIZE));
}

static idem_entry *entry_new(const ord_idem_begin *a)
{
    idem_entry *e = calloc(1, sizeof *e);
    if (e == NULL)
        return NULL;
    e->fingerprint = strdup(a->fingerprint);
    if (e->fingerprint == NULL) {
        free(e);
        return NULL;
    }
    e->phase = IDEM_HELD;
    e->lock_until_ms = a->lock_until_ms;
    e->expires_at_ms = a->expires_at_ms;
    if (a->order_number != NULL)
        snprintf(e->order_number, sizeof e->order_number, "%s", a->order_number);
    return e;
}

static bool expired(const idem_entry *e, int64_t now_ms)
{
    return e->expires_at_ms < now_ms;
}

/* The decision of begin() for a key that exists and has not expired. */
static ord_error begin_existing(idem_entry *e, const ord_idem_begin *a, ord_idem_record *out)
{
    if (strcmp(e->fingerprint, a->fingerprint) != 0) {
        out->state = ORD_IDEM_MISMATCH;
        return ORD_OK;
    }
    out->order_id = e->order_id;
    memcpy(out->order_number, e->order_number, sizeof out->order_number);
    if (e->phase == IDEM_COMPLETED) {
        out->response_body = strdup(e->body);
        if (out->response_body == NULL)
            return ORD_ENOMEM;
        out->state = ORD_IDEM_COMPLETED;
        out->response_status = e->response_status;
        return ORD_OK;
    }
    if (e->phase == IDEM_HELD && ord_mem_held(e->lock_until_ms, a->now_ms)) {
        out->state = ORD_IDEM_IN_PROGRESS;
        return ORD_OK;
    }
    e->phase = IDEM_HELD;
    e->lock_until_ms = a->lock_until_ms;
    e->expires_at_ms = a->expires_at_ms;
    out->state = ORD_IDEM_RESUMABLE;
    return ORD_OK;
}

typedef struct begin_args {
    const idem_name *name;
    const ord_idem_begin *a;
    idem_entry *fresh; /* taken by the store when the key is new */
    ord_idem_record *out;
} begin_args;

static ord_error begin_locked(ord_memory_store *store, void *ctx)
{
    begin_args *b = ctx;
    const idem_name *name = b->name;
    const ord_idem_begin *a = b->a;
    ord_idem_record *out = b->out;
    idem_entry *e = ord_mem_map_find(&store->idempotency, name->bytes, name->len);
    if (e != NULL && expired(e, a->now_ms)) {
        ord_mem_map_remove(&store->idempotency, name->bytes, name->len);
        entry_free(e);
        e = NULL;
    }
    if (e != NULL)
        return begin_existing(e, a, out);
    ord_error rc = ord_mem_map_put(&store->idempotency, name->bytes, name->len, b->fresh);
    if (rc == ORD_OK) {
        memcpy(out->order_number, b->fresh->order_number, sizeof out->order_number);
        b->fresh = NULL;
        out->state = ORD_IDEM_STARTED;
    }
    return rc;
}

static ord_error idem_begin(void *self, const ord_idem_begin *args, ord_idem_record *out)
{
    ord_memory_store *store = self;
    if (out == NULL)
        return ORD_EINVALID;
    memset(out, 0, sizeof *out);
    if (!begin_ok(args))
        return ORD_EINVALID;
    idem_name name;
    if (name_make(&name, args->scope, args->key) != ORD_OK)
        return ORD_ENOMEM;
    idem_entry *fresh = entry_new(args);
    if (fresh == NULL) {
        free(name.bytes);
        return ORD_ENOMEM;
    }

    begin_args b = {.name = &name, .a = args, .fresh = fresh, .out = out};
    ord_error rc = ord_mem_store_call(store, ORD_MEM_IDEM_BEGIN, begin_locked, &b);
    entry_free(b.fresh);
    free(name.bytes);
    if (rc != ORD_OK)
        ord_idem_record_free(out);
    return rc;
}

typedef enum idem_write {
    WRITE_BIND,
    WRITE_COMPLETE,
    WRITE_RELEASE,
    WRITE_FORGET
} idem_write;

typedef struct change_args {
    idem_write what;
    const idem_name *name;
    int64_t order_id;
    int status;
    char *body; /* COMPLETE: the copy, taken by the store */
} change_args;

static ord_error change_locked(ord_memory_store *store, void *ctx)
{
    change_args *a = ctx;
    if (a->what == WRITE_FORGET) {
        entry_free(ord_mem_map_remove(&store->idempotency, a->name->bytes, a->name->len));
        return ORD_OK;
    }
    idem_entry *e = ord_mem_map_find(&store->idempotency, a->name->bytes, a->name->len);
    if (e == NULL)
        return ORD_ENOTFOUND;
    if (a->what == WRITE_BIND) {
        e->order_id = a->order_id;
    } else if (a->what == WRITE_COMPLETE) {
        free(e->body);
        e->body = a->body;
        a->body = NULL;
        e->phase = IDEM_COMPLETED;
        e->order_id = a->order_id;
        e->response_status = a->status;
    } else if (a->what == WRITE_RELEASE && e->phase != IDEM_COMPLETED) {
        /* A stored final answer outlives a late release. */
        e->phase = IDEM_RELEASED;
        e->order_id = a->order_id;
    }
    return ORD_OK;
}

/* bind, complete, release and forget: find the key, then change it. */
static ord_error idem_change(ord_memory_store *store, idem_write what, const char *scope,
                             const char *key, int64_t order_id, int status, const char *body)
{
    if (scope == NULL || key == NULL || (what == WRITE_COMPLETE && body == NULL))
        return ORD_EINVALID;
    idem_name name;
    if (name_make(&name, scope, key) != ORD_OK)
        return ORD_ENOMEM;
    change_args a = {.what = what, .name = &name, .order_id = order_id, .status = status};
    if (what == WRITE_COMPLETE && (a.body = strdup(body)) == NULL) {
        free(name.bytes);
        return ORD_ENOMEM;
    }
    ord_error rc = ord_mem_store_call(store, ORD_MEM_IDEM_WRITE, change_locked, &a);
    free(a.body);
    free(name.bytes);
    return rc;
}

static ord_error idem_bind(void *self, const char *scope, const char *key, int64_t order_id)
{
    return idem_change(self, WRITE_BIND, scope, key, order_id, 0, NULL);
}

static ord_error idem_complete(void *self, const char *scope, const char *key, int64_t order_id,
                               int status, const char *body)
{
    return idem_change(self, WRITE_COMPLETE, scope, key, order_id, status, body);
}

static ord_error idem_release(void *self, const char *scope, const char *key, int64_t order_id)
{
    return idem_change(self, WRITE_RELEASE, scope, key, order_id, 0, NULL);
}

static ord_error idem_forget(void *self, const char *scope, const char *key)
{
    return idem_change(self, WRITE_FORGET, scope, key, 0, 0, NULL);
}

static bool number_ok(const char *number)
{
    return number != NULL && number[0] != '\0' && strlen(number) < ORD_ORDER_NUMBER_SIZE;
}

typedef struct bind_number_args {
    const idem_name *name;
    const char *expected; /* the number the key must hold to take the new one */
    const char *number;
    char *bound;
} bind_number_args;

static ord_error bind_number_locked(ord_memory_store *store, void *ctx)
{
    bind_number_args *a = ctx;
    idem_entry *e = ord_mem_map_find(&store->idempotency, a->name->bytes, a->name->len);
    if (e == NULL)
        return ORD_ENOTFOUND;
    if (strcmp(e->order_number, a->expected) == 0)
        snprintf(e->order_number, sizeof e->order_number, "%s", a->number);
    memcpy(a->bound, e->order_number, ORD_ORDER_NUMBER_SIZE);
    return ORD_OK;
}

/* First number wins, unless the caller names the one it replaces. */
static ord_error idem_bind_number(void *self, const char *scope, const char *key,
                                  const char *replaces, const char *number,
                                  char bound[ORD_ORDER_NUMBER_SIZE])
{
    if (bound == NULL)
        return ORD_EINVALID;
    bound[0] = '\0';
    if (scope == NULL || key == NULL || !number_ok(number) ||
        (replaces != NULL && strlen(replaces) >= ORD_ORDER_NUMBER_SIZE))
        return ORD_EINVALID;
    idem_name name;
    if (name_make(&name, scope, key) != ORD_OK)
        return ORD_ENOMEM;
    bind_number_args a = {.name = &name,
                          .expected = replaces != NULL ? replaces : "",
                          .number = number,
                          .bound = bound};
    ord_error rc = ord_mem_store_call(self, ORD_MEM_IDEM_WRITE, bind_number_locked, &a);
    if (rc != ORD_OK)
        bound[0] = '\0';
    free(name.bytes);
    return rc;
}

static bool drop_expired(void *value, void *ctx)
{
    idem_entry *e = value;
    if (!expired(e, *(const int64_t *)ctx))
        return false;
    entry_free(e);
    return true;
}

typedef struct purge_args {
    int64_t now_ms;
    size_t removed;
} purge_args;

static ord_error purge_locked(ord_memory_store *store, void *ctx)
{
    purge_args *a = ctx;
    a->removed = ord_mem_map_remove_if(&store->idempotency, drop_expired, &a->now_ms);
    return ORD_OK;
}

static ord_error idem_purge(void *self, int64_t now_ms, int64_t *count)
{
    if (count != NULL)
        *count = 0;
    purge_args a = {.now_ms = now_ms, .removed = 0};
    ord_error rc = ord_mem_store_call(self, ORD_MEM_IDEM_WRITE, purge_locked, &a);
    if (rc == ORD_OK && count != NULL)
        *count = (int64_t)a.removed;
    return rc;
}

static const ord_idempotency_store_ops memory_idempotency_ops = {
    .version = ORD_IDEMPOTENCY_STORE_VERSION,
    .begin = idem_begin,
    .bind = idem_bind,
    .complete = idem_complete,
    .release = idem_release,
    .forget = idem_forget,
    .purge = idem_purge,
    .bind_number = idem_bind_number,
};

ord_idempotency_store ord_memory_store_idempotency(ord_memory_store *store)
{
    return (ord_idempotency_store){.ops = &memory_idempotency_ops, .self = store};
}
