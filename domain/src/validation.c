/* The rules of the create request and checkout, each broken rule reported
 * with its JSON field path so a client can fix everything in one go. */
#include <orders/domain/validation.h>

#include <orders/domain/order.h>
#include <orders/domain/text.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Copy text into a fixed buffer, cut to fit. */
static void copy_cut(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= cap)
        n = cap - 1;
    if (n > 0)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

ord_error ord_field_errors_add(ord_field_errors *errors, const char *field, const char *message)
{
    if (!errors)
        return ORD_EINVALID;
    if (errors->count == errors->capacity) {
        size_t capacity = errors->capacity ? errors->capacity * 2 : 8;
        ord_field_error *grown = NULL;
        if (capacity <= SIZE_MAX / sizeof *grown)
            grown = realloc(errors->items, capacity * sizeof *grown);
        if (!grown) {
            errors->out_of_memory = true;
            return ORD_ENOMEM;
        }
        errors->items = grown;
        errors->capacity = capacity;
    }
    ord_field_error *entry = &errors->items[errors->count++];
    copy_cut(entry->field, sizeof entry->field, field);
    copy_cut(entry->message, sizeof entry->message, message);
    return ORD_OK;
}

bool ord_field_errors_has(const ord_field_errors *errors, const char *field)
{
    if (!errors || !field)
        return false;
    for (size_t i = 0; i < errors->count; i++) {
        if (strcmp(errors->items[i].field, field) == 0)
            return true;
    }
    return false;
}

void ord_field_errors_free(ord_field_errors *errors)
{
    if (!errors)
        return;
    free(errors->items);
    memset(errors, 0, sizeof *errors);
}

/* What one validator run found: whether any rule broke, whether any could
 * not be recorded. Lets the validators accept a NULL list and still answer. */
typedef struct check {
    ord_field_errors *errors;
    bool invalid;
    bool out_of_memory;
} check;

static void report(check *c, const char *field, const char *message)
{
    c->invalid = true;
    if (c->errors && ord_field_errors_add(c->errors, field, message) != ORD_OK)
        c->out_of_memory = true;
}

static ord_error verdict(const check *c)
{
    if (c->out_of_memory)
        return ORD_ENOMEM;
    return c->invalid ? ORD_EINVALID : ORD_OK;
}

static bool is_blank(const char *text)
{
    for (; *text; text++) {
        if (!strchr(" \t\n\r\v\f", *text))
            return false;
    }
    return true;
}

/* C0 controls, DEL and C1 controls (U+0080..U+009F, UTF-8 C2 80..C2 9F):
 * invisible on a shipping label and a way to smuggle terminal escapes into
 * logs and back offices. Addresses are single-line fields here. */
static bool has_control(const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    for (; *s; s++) {
        if (*s < 0x20 || *s == 0x7F || (s[0] == 0xC2 && s[1] >= 0x80 && s[1] <= 0x9F))
            return true;
    }
    return false;
}

/* A text field: present unless optional, not blank, UTF-8, no control
 * characters, at most max_chars code points. One error per field, the most
 * basic one. */
static void check_text(check *c, const char *field, const char *value, bool required,
                       size_t max_chars)
{
    if (!value) {
        if (required)
            report(c, field, "must not be blank");
        return;
    }
    size_t chars;
    if (!ord_utf8_count(value, strlen(value), &chars)) {
        report(c, field, "must be valid UTF-8");
    } else if (is_blank(value)) {
        report(c, field, "must not be blank");
    } else if (has_control(value)) {
        report(c, field, "must not contain control characters");
    } else if (chars > max_chars) {
        char message[ORD_FIELD_MESSAGE_SIZE];
        snprintf(message, sizeof message, "must be at most %zu characters", max_chars);
        report(c, field, message);
    }
}

static void check_delivery(check *c, const char *customer_name, const char *delivery_address,
                           const char *carrier)
{
    check_text(c, "deliveryAddress", delivery_address, true, ORD_MAX_ADDRESS_CHARS);
    check_text(c, "carrier", carrier, false, ORD_MAX_CARRIER_CHARS);
    check_text(c, "customerName", customer_name, false, ORD_MAX_NAME_CHARS);
}

static void item_path(char path[ORD_FIELD_PATH_SIZE], size_t index, const char *member)
{
    snprintf(path, ORD_FIELD_PATH_SIZE, "items[%zu].%s", index, member);
}

static void check_items(check *c, const ord_item_request *items, size_t count, bool allow_empty)
{
    if ((count == 0 && !allow_empty) || count > ORD_MAX_ITEMS || (!items && count > 0)) {
        report(c, "items", allow_empty ? "must contain at most 100 items"
                                       : "must contain between 1 and 100 items");
        if (!items)
            return;
    }
    char path[ORD_FIELD_PATH_SIZE];
    for (size_t i = 0; i < count; i++) {
        const ord_item_request *item = &items[i];
        if (item->product_id <= 0) {
            item_path(path, i, "productId");
            report(c, path, "must be > 0");
        } else {
            for (size_t j = 0; j < i; j++) {
                if (items[j].product_id == item->product_id) {
                    item_path(path, i, "productId");
                    report(c, path, "duplicate product");
                    break;
                }
            }
        }
        if (item->quantity < 1 || item->quantity > ORD_MAX_QUANTITY) {
            item_path(path, i, "quantity");
            report(c, path, "must be between 1 and 10000");
        }
    }
}

ord_error ord_validate_create_request(const ord_create_request *req, ord_field_errors *errors)
{
    check c = {.errors = errors};
    if (!req)
        return ORD_EINVALID;
    if (req->customer_id <= 0)
        report(&c, "customerId", "must be > 0");
    check_items(&c, req->items, req->item_count, false);
    check_delivery(&c, req->customer_name, req->delivery_address, req->carrier);
    return verdict(&c);
}

ord_error ord_validate_items(const ord_item_request *items, size_t count, bool allow_empty,
                             ord_field_errors *errors)
{
    check c = {.errors = errors};
    check_items(&c, items, count, allow_empty);
    return verdict(&c);
}

ord_error ord_validate_delivery(const char *customer_name, const char *delivery_address,
                                const char *carrier, ord_field_errors *errors)
{
    check c = {.errors = errors};
    check_delivery(&c, customer_name, delivery_address, carrier);
    return verdict(&c);
}

ord_error ord_validate_draft_line(int64_t product_id, int64_t quantity, ord_field_errors *errors)
{
    check c = {.errors = errors};
    if (product_id <= 0)
        report(&c, "productId", "must be > 0");
    if (quantity < 0 || quantity > ORD_MAX_QUANTITY)
        report(&c, "quantity", "must be between 0 and 10000");
    return verdict(&c);
}

bool ord_idempotency_key_is_valid(const char *key, size_t len)
{
    if (!key || len == 0 || len > ORD_MAX_IDEMPOTENCY_KEY)
        return false;
    bool only_spaces = true;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)key[i];
        if (c < 0x20 || c > 0x7E)
            return false;
        if (c != ' ')
            only_spaces = false;
    }
    return !only_spaces;
}
