/* The order aggregate: ownership of its strings and arrays, cart edits, the
 * total, and status changes with their history. Every function allocates
 * what it needs before it changes anything, so a failure leaves the order
 * as it was. */
#include <orders/domain/order.h>

#include <stdlib.h>
#include <string.h>

void ord_order_init(ord_order *order)
{
    if (order)
        memset(order, 0, sizeof *order);
}

void ord_order_free(ord_order *order)
{
    if (!order)
        return;
    free(order->customer_name);
    free(order->delivery_address);
    free(order->carrier);
    free(order->tracking_number);
    free(order->items);
    free(order->history);
    memset(order, 0, sizeof *order);
}

static char *copy_text(const char *text)
{
    size_t n = strlen(text) + 1;
    char *copy = malloc(n);
    if (copy)
        memcpy(copy, text, n);
    return copy;
}

/* Copy of n elements of size bytes each; NULL for none (and on failure, so
 * callers tell the two apart by n). */
static void *copy_array(const void *src, size_t n, size_t size)
{
    if (n == 0)
        return NULL;
    void *copy = malloc(n * size);
    if (copy)
        memcpy(copy, src, n * size);
    return copy;
}

static bool copy_optional_text(char **dst, const char *src)
{
    *dst = NULL;
    if (!src)
        return true;
    *dst = copy_text(src);
    return *dst != NULL;
}

ord_error ord_order_copy(ord_order *dst, const ord_order *src)
{
    if (!dst || !src)
        return ORD_EINVALID;
    if (dst == src)
        return ORD_OK;
    ord_order_free(dst);

    ord_order tmp = *src;
    tmp.customer_name = tmp.delivery_address = tmp.carrier = tmp.tracking_number = NULL;
    tmp.items = NULL;
    tmp.history = NULL;
    bool ok = copy_optional_text(&tmp.customer_name, src->customer_name) &&
              copy_optional_text(&tmp.delivery_address, src->delivery_address) &&
              copy_optional_text(&tmp.carrier, src->carrier) &&
              copy_optional_text(&tmp.tracking_number, src->tracking_number);
    if (ok && src->item_count > 0) {
        tmp.items = copy_array(src->items, src->item_count, sizeof *src->items);
        ok = tmp.items != NULL;
    }
    if (ok && src->history_count > 0) {
        tmp.history = copy_array(src->history, src->history_count, sizeof *src->history);
        ok = tmp.history != NULL;
    }
    if (!ok) {
        ord_order_free(&tmp);
        return ORD_ENOMEM;
    }
    *dst = tmp;
    return ORD_OK;
}

ord_error ord_order_set_text(char **field, const char *value)
{
    if (!field)
        return ORD_EINVALID;
    char *copy = NULL;
    if (value) {
        copy = copy_text(value);
        if (!copy)
            return ORD_ENOMEM;
    }
    free(*field);
    *field = copy;
    return ORD_OK;
}

ord_error ord_order_set_items(ord_order *order, const ord_order_item *items, size_t count)
{
    if (!order || count > ORD_MAX_ITEMS || (count > 0 && !items))
        return ORD_EINVALID;
    ord_order_item *copy = copy_array(items, count, sizeof *items);
    if (count > 0 && !copy)
        return ORD_ENOMEM;
    free(order->items);
    order->items = copy;
    order->item_count = count;
    return ORD_OK;
}

static ord_order_item *find_item(const ord_order *order, int64_t product_id)
{
    for (size_t i = 0; i < order->item_count; i++) {
        if (order->items[i].product_id == product_id)
            return &order->items[i];
    }
    return NULL;
}

const ord_order_item *ord_order_find_item(const ord_order *order, int64_t product_id)
{
    return order ? find_item(order, product_id) : NULL;
}

ord_error ord_order_set_line(ord_order *order, int64_t product_id, int64_t quantity)
{
    if (!order || product_id <= 0 || quantity < 0 || quantity > ORD_MAX_QUANTITY)
        return ORD_EINVALID;
    ord_order_item *line = find_item(order, product_id);
    if (line) {
        if (quantity > 0) {
            line->quantity = (int32_t)quantity;
            return ORD_OK;
        }
        size_t index = (size_t)(line - order->items);
        memmove(line, line + 1, (order->item_count - index - 1) * sizeof *line);
        order->item_count--;
        if (order->item_count == 0) {
            free(order->items);
            order->items = NULL;
        }
        return ORD_OK;
    }
    if (quantity == 0)
        return ORD_OK; /* removing a line that is not there: nothing to do */
    if (order->item_count >= ORD_MAX_ITEMS)
        return ORD_EINVALID;
    ord_order_item *grown = realloc(order->items, (order->item_count + 1) * sizeof *grown);
    if (!grown)
        return ORD_ENOMEM;
    grown[order->item_count] = (ord_order_item){
        .product_id = product_id,
        .quantity = (int32_t)quantity,
        .has_price = false,
    };
    order->items = grown;
    order->item_count++;
    return ORD_OK;
}

ord_error ord_order_compute_total(const ord_order *order, ord_money *total, const char *currency)
{
    if (!order || !total)
        return ORD_EINVALID;
    ord_money sum;
    if (order->item_count == 0)
        return ord_money_make(total, 0, currency);
    const ord_order_item *first = &order->items[0];
    if (!first->has_price || ord_money_make(&sum, 0, first->unit_price.currency) != ORD_OK)
        return ORD_EINVALID;
    for (size_t i = 0; i < order->item_count; i++) {
        const ord_order_item *item = &order->items[i];
        ord_money line;
        if (!item->has_price)
            return ORD_EINVALID;
        if (memcmp(item->unit_price.currency, sum.currency, ORD_CURRENCY_SIZE) != 0)
            return ORD_EINVALID;
        ord_error err = ord_money_multiply(&line, item->unit_price, item->quantity);
        if (err == ORD_OK)
            err = ord_money_add(&sum, sum, line);
        if (err != ORD_OK)
            return err;
    }
    *total = sum;
    return ORD_OK;
}

/* Copy a reason into its fixed buffer, cutting at a character boundary so the
 * stored text stays valid UTF-8. */
static void copy_reason(char dst[ORD_REASON_SIZE], const char *reason)
{
    size_t n = reason ? strlen(reason) : 0;
    if (n >= ORD_REASON_SIZE) {
        n = ORD_REASON_SIZE - 1;
        while (n > 0 && ((unsigned char)reason[n] & 0xC0u) == 0x80u)
            n--; /* reason[n] would start the cut-off part: back up to a lead byte */
    }
    if (n > 0)
        memcpy(dst, reason, n);
    dst[n] = '\0';
}

/* Append one history entry; the order is untouched when memory runs out. */
static ord_error append_history(ord_order *order, const ord_status_change *entry)
{
    ord_status_change *grown =
        realloc(order->history, (order->history_count + 1) * sizeof *grown);
    if (!grown)
        return ORD_ENOMEM;
    grown[order->history_count] = *entry;
    order->history = grown;
    order->history_count++;
    return ORD_OK;
}

ord_error ord_order_start(ord_order *order, ord_status status, int64_t at_ms, const char *reason)
{
    if (!order || order->history_count > 0)
        return ORD_EINVALID;
    if (status != ORD_STATUS_DRAFT && status != ORD_STATUS_PENDING_CHECK)
        return ORD_EINVALID; /* an order is born as a cart or as a placed order */
    ord_status_change entry;
    memset(&entry, 0, sizeof entry); /* padding too: entries are compared and stored as bytes */
    entry.from = status;
    entry.to = status;
    entry.at_ms = at_ms;
    copy_reason(entry.reason, reason);
    ord_error err = append_history(order, &entry);
    if (err != ORD_OK)
        return err;
    order->status = status;
    order->created_at_ms = at_ms;
    order->updated_at_ms = at_ms;
    return ORD_OK;
}

ord_error ord_order_transition(ord_order *order, ord_status to, int64_t at_ms,
                               const char *reason, ord_status_change *change)
{
    if (!order)
        return ORD_EINVALID;
    ord_error err = ord_status_check_transition(order->status, to, NULL);
    if (err != ORD_OK)
        return err;
    ord_status_change entry;
    memset(&entry, 0, sizeof entry);
    entry.has_from = true;
    entry.from = order->status;
    entry.to = to;
    entry.at_ms = at_ms;
    copy_reason(entry.reason, reason);
    err = append_history(order, &entry);
    if (err != ORD_OK)
        return err;
    order->status = to;
    order->updated_at_ms = at_ms;
    if (change)
        *change = entry;
    return ORD_OK;
}
