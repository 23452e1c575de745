/* The order's JSON body (docs/api.md, Reading orders) and the event body
 * built around it, so that responses and events always agree. */
#include <orders/application/order_json.h>

#include "internal.h"

#include <orders/domain/event.h>
#include <orders/domain/money.h>
#include <orders/domain/order_status.h>
#include <orders/domain/text.h>
#include <orders/support/json_writer.h>

/* A body being written; a money or time the API cannot render makes it
 * unrenderable (and stops the writer). */
typedef struct app_json {
    ord_json_writer w;
    bool unrenderable;
} app_json;

static void unrenderable(app_json *j)
{
    if (!j->w.failed)
        j->unrenderable = true;
    j->w.failed = true;
}

/* Exact money as a JSON number with the currency's decimals. */
static void put_money(app_json *j, ord_money value)
{
    char text[ORD_MONEY_TEXT_SIZE];
    if (j->w.failed)
        return;
    if (ord_money_format(text, sizeof text, value) != ORD_OK)
        unrenderable(j);
    else
        ord_json_raw(&j->w, text);
}

static void put_time(app_json *j, int64_t unix_ms)
{
    char text[ORD_TIME_TEXT_SIZE];
    if (j->w.failed)
        return;
    if (ord_time_format(text, unix_ms) != ORD_OK)
        unrenderable(j);
    else
        ord_json_string(&j->w, text);
}

static ord_error finish(app_json *j, char **out)
{
    bool invalid = j->unrenderable;
    *out = ord_json_take(&j->w, NULL);
    if (*out != NULL)
        return ORD_OK;
    return invalid ? ORD_EINVALID : ORD_ENOMEM;
}

static void render_items(app_json *j, const ord_order *order)
{
    ord_json_raw(&j->w, "[");
    for (size_t i = 0; i < order->item_count; i++) {
        const ord_order_item *it = &order->items[i];
        ord_json_raw(&j->w, i > 0 ? ",{" : "{");
        ord_json_key(&j->w, "productId", true);
        ord_json_int(&j->w, it->product_id);
        ord_json_key(&j->w, "quantity", false);
        ord_json_int(&j->w, it->quantity);
        ord_json_key(&j->w, "priceAtPurchase", false);
        if (it->has_price)
            put_money(j, it->unit_price);
        else
            ord_json_raw(&j->w, "null");
        ord_json_raw(&j->w, "}");
    }
    ord_json_raw(&j->w, "]");
}

static void render_history(app_json *j, const ord_order *order)
{
    ord_json_raw(&j->w, "[");
    for (size_t i = 0; i < order->history_count; i++) {
        const ord_status_change *h = &order->history[i];
        ord_json_raw(&j->w, i > 0 ? ",{" : "{");
        ord_json_key(&j->w, "from", true);
        ord_json_string(&j->w, h->has_from ? ord_status_name(h->from) : NULL);
        ord_json_key(&j->w, "to", false);
        ord_json_string(&j->w, ord_status_name(h->to));
        ord_json_key(&j->w, "at", false);
        put_time(j, h->at_ms);
        ord_json_key(&j->w, "reason", false);
        ord_json_string(&j->w, h->reason);
        ord_json_raw(&j->w, "}");
    }
    ord_json_raw(&j->w, "]");
}

/* Customer 0 is a guest: the API shows no customer rather than a fake id. */
static void render_customer(app_json *j, int64_t customer_id)
{
    if (customer_id > 0)
        ord_json_int(&j->w, customer_id);
    else
        ord_json_raw(&j->w, "null");
}

static void render_order(app_json *j, const ord_order *order, ord_order_json_form form)
{
    bool full = form == ORD_ORDER_JSON_FULL;
    ord_json_raw(&j->w, "{");
    ord_json_key(&j->w, "orderId", true);
    ord_json_int(&j->w, order->id);
    ord_json_key(&j->w, "orderNumber", false);
    ord_json_string(&j->w, order->number);
    if (full) {
        ord_json_key(&j->w, "customerId", false);
        render_customer(j, order->customer_id);
        ord_json_key(&j->w, "customerName", false);
        ord_json_string(&j->w, order->customer_name);
    }
    ord_json_key(&j->w, "status", false);
    ord_json_string(&j->w, ord_status_name(order->status));
    ord_json_key(&j->w, "totalPrice", false);
    put_money(j, order->total);
    ord_json_key(&j->w, "currency", false);
    ord_json_string(&j->w, order->total.currency);
    ord_json_key(&j->w, "orderDate", false);
    put_time(j, order->created_at_ms);
    ord_json_key(&j->w, "trackingNumber", false);
    ord_json_string(&j->w, order->tracking_number);
    if (full) {
        ord_json_key(&j->w, "deliveryAddress", false);
        ord_json_string(&j->w, order->delivery_address);
        ord_json_key(&j->w, "carrier", false);
        ord_json_string(&j->w, order->carrier);
        ord_json_key(&j->w, "items", false);
        render_items(j, order);
        ord_json_key(&j->w, "statusHistory", false);
        render_history(j, order);
        ord_json_key(&j->w, "version", false);
        ord_json_int(&j->w, order->version);
    }
    ord_json_raw(&j->w, "}");
}

ord_error ord_order_to_json(char **out, const ord_order *order, ord_order_json_form form)
{
    if (out == NULL)
        return ORD_EINVALID;
    *out = NULL;
    if (order == NULL || (form != ORD_ORDER_JSON_FULL && form != ORD_ORDER_JSON_SUMMARY))
        return ORD_EINVALID;
    app_json j = {{0}, false};
    render_order(&j, order, form);
    return finish(&j, out);
}

ord_error ord_event_to_json(char **out, const ord_outbox_event *event, const ord_order *order)
{
    if (out == NULL)
        return ORD_EINVALID;
    *out = NULL;
    if (event == NULL || order == NULL)
        return ORD_EINVALID;
    app_json j = {{0}, false};
    ord_json_raw(&j.w, "{");
    ord_json_key(&j.w, "eventId", true);
    ord_json_string(&j.w, event->event_id);
    ord_json_key(&j.w, "eventType", false);
    ord_json_string(&j.w, ord_event_type_name(event->type));
    ord_json_key(&j.w, "occurredAt", false);
    put_time(&j, event->occurred_at_ms);
    ord_json_key(&j.w, "orderId", false);
    ord_json_int(&j.w, event->order_id);
    ord_json_key(&j.w, "orderNumber", false);
    ord_json_string(&j.w, order->number);
    ord_json_key(&j.w, "customerId", false);
    render_customer(&j, event->customer_id);
    ord_json_key(&j.w, "status", false);
    ord_json_string(&j.w, ord_status_name(order->status));
    ord_json_key(&j.w, "sequence", false);
    ord_json_int(&j.w, event->sequence);
    ord_json_key(&j.w, "order", false);
    render_order(&j, order, ORD_ORDER_JSON_FULL);
    ord_json_raw(&j.w, "}");
    return finish(&j, out);
}
