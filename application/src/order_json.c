/* The order's JSON body (API.md, GET /api/v1/orders/{id}) and the event body
 * built around it, so that responses and events always agree. */
#include <orders/application/order_json.h>

#include "internal.h"

#include <orders/domain/event.h>
#include <orders/domain/order_status.h>

static void render_items(app_json *j, const ord_order *order)
{
    ord_app_json_raw(j, "[");
    for (size_t i = 0; i < order->item_count; i++) {
        const ord_order_item *it = &order->items[i];
        ord_app_json_raw(j, i > 0 ? ",{" : "{");
        ord_app_json_key(j, "productId", true);
        ord_app_json_int(j, it->product_id);
        ord_app_json_key(j, "quantity", false);
        ord_app_json_int(j, it->quantity);
        ord_app_json_key(j, "priceAtPurchase", false);
        if (it->has_price)
            ord_app_json_money(j, it->unit_price);
        else
            ord_app_json_raw(j, "null");
        ord_app_json_raw(j, "}");
    }
    ord_app_json_raw(j, "]");
}

static void render_history(app_json *j, const ord_order *order)
{
    ord_app_json_raw(j, "[");
    for (size_t i = 0; i < order->history_count; i++) {
        const ord_status_change *h = &order->history[i];
        ord_app_json_raw(j, i > 0 ? ",{" : "{");
        ord_app_json_key(j, "from", true);
        ord_app_json_string_or_null(j, h->has_from ? ord_status_name(h->from) : NULL);
        ord_app_json_key(j, "to", false);
        ord_app_json_string(j, ord_status_name(h->to));
        ord_app_json_key(j, "at", false);
        ord_app_json_time(j, h->at_ms);
        ord_app_json_key(j, "reason", false);
        ord_app_json_string(j, h->reason);
        ord_app_json_raw(j, "}");
    }
    ord_app_json_raw(j, "]");
}

/* Customer 0 is a guest: the API shows no customer rather than a fake id. */
static void render_customer(app_json *j, int64_t customer_id)
{
    if (customer_id > 0)
        ord_app_json_int(j, customer_id);
    else
        ord_app_json_raw(j, "null");
}

static void render_order(app_json *j, const ord_order *order, ord_order_json_form form)
{
    bool full = form == ORD_ORDER_JSON_FULL;
    ord_app_json_raw(j, "{");
    ord_app_json_key(j, "orderId", true);
    ord_app_json_int(j, order->id);
    ord_app_json_key(j, "orderNumber", false);
    ord_app_json_string(j, order->number);
    if (full) {
        ord_app_json_key(j, "customerId", false);
        render_customer(j, order->customer_id);
        ord_app_json_key(j, "customerName", false);
        ord_app_json_string_or_null(j, order->customer_name);
    }
    ord_app_json_key(j, "status", false);
    ord_app_json_string(j, ord_status_name(order->status));
    ord_app_json_key(j, "totalPrice", false);
    ord_app_json_money(j, order->total);
    ord_app_json_key(j, "currency", false);
    ord_app_json_string(j, order->total.currency);
    ord_app_json_key(j, "orderDate", false);
    ord_app_json_time(j, order->created_at_ms);
    ord_app_json_key(j, "trackingNumber", false);
    ord_app_json_string_or_null(j, order->tracking_number);
    if (full) {
        ord_app_json_key(j, "deliveryAddress", false);
        ord_app_json_string_or_null(j, order->delivery_address);
        ord_app_json_key(j, "carrier", false);
        ord_app_json_string_or_null(j, order->carrier);
        ord_app_json_key(j, "items", false);
        render_items(j, order);
        ord_app_json_key(j, "statusHistory", false);
        render_history(j, order);
        ord_app_json_key(j, "version", false);
        ord_app_json_int(j, order->version);
    }
    ord_app_json_raw(j, "}");
}

ord_error ord_order_to_json(char **out, const ord_order *order, ord_order_json_form form)
{
    if (out == NULL)
        return ORD_EINVALID;
    *out = NULL;
    if (order == NULL || (form != ORD_ORDER_JSON_FULL && form != ORD_ORDER_JSON_SUMMARY))
        return ORD_EINVALID;
    app_json j = {0};
    render_order(&j, order, form);
    return ord_app_json_finish(&j, out);
}

ord_error ord_event_to_json(char **out, const ord_outbox_event *event, const ord_order *order)
{
    if (out == NULL)
        return ORD_EINVALID;
    *out = NULL;
    if (event == NULL || order == NULL)
        return ORD_EINVALID;
    app_json j = {0};
    ord_app_json_raw(&j, "{");
    ord_app_json_key(&j, "eventId", true);
    ord_app_json_string(&j, event->event_id);
    ord_app_json_key(&j, "eventType", false);
    ord_app_json_string(&j, ord_event_type_name(event->type));
    ord_app_json_key(&j, "occurredAt", false);
    ord_app_json_time(&j, event->occurred_at_ms);
    ord_app_json_key(&j, "orderId", false);
    ord_app_json_int(&j, event->order_id);
    ord_app_json_key(&j, "orderNumber", false);
    ord_app_json_string(&j, order->number);
    ord_app_json_key(&j, "customerId", false);
    render_customer(&j, event->customer_id);
    ord_app_json_key(&j, "status", false);
    ord_app_json_string(&j, ord_status_name(order->status));
    ord_app_json_key(&j, "sequence", false);
    ord_app_json_int(&j, event->sequence);
    ord_app_json_key(&j, "order", false);
    render_order(&j, order, ORD_ORDER_JSON_FULL);
    ord_app_json_raw(&j, "}");
    return ord_app_json_finish(&j, out);
}
