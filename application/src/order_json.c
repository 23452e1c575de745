/* The order's JSON body (API.md, GET /api/v1/orders/{id}) and the event body
 * built around it, so that responses and events always agree. */
#include <orders/application/order_json.h>

#include "internal.h"

#include <orders/domain/event.h>
#include <orders/domain/order_status.h>

static void render_items(app_json *j, const ord_order *order)
{
    app_json_raw(j, "[");
    for (size_t i = 0; i < order->item_count; i++) {
        const ord_order_item *it = &order->items[i];
        app_json_raw(j, i > 0 ? ",{" : "{");
        app_json_key(j, "productId", true);
        app_json_int(j, it->product_id);
        app_json_key(j, "quantity", false);
        app_json_int(j, it->quantity);
        app_json_key(j, "priceAtPurchase", false);
        if (it->has_price)
            app_json_money(j, it->unit_price);
        else
            app_json_raw(j, "null");
        app_json_raw(j, "}");
    }
    app_json_raw(j, "]");
}

static void render_history(app_json *j, const ord_order *order)
{
    app_json_raw(j, "[");
    for (size_t i = 0; i < order->history_count; i++) {
        const ord_status_change *h = &order->history[i];
        app_json_raw(j, i > 0 ? ",{" : "{");
        app_json_key(j, "from", true);
        app_json_string_or_null(j, h->has_from ? ord_status_name(h->from) : NULL);
        app_json_key(j, "to", false);
        app_json_string(j, ord_status_name(h->to));
        app_json_key(j, "at", false);
        app_json_time(j, h->at_ms);
        app_json_key(j, "reason", false);
        app_json_string(j, h->reason);
        app_json_raw(j, "}");
    }
    app_json_raw(j, "]");
}

/* Customer 0 is a guest: the API shows no customer rather than a fake id. */
static void render_customer(app_json *j, int64_t customer_id)
{
    if (customer_id > 0)
        app_json_int(j, customer_id);
    else
        app_json_raw(j, "null");
}

static void render_order(app_json *j, const ord_order *order, ord_order_json_form form)
{
    bool full = form == ORD_ORDER_JSON_FULL;
    app_json_raw(j, "{");
    app_json_key(j, "orderId", true);
    app_json_int(j, order->id);
    app_json_key(j, "orderNumber", false);
    app_json_string(j, order->number);
    if (full) {
        app_json_key(j, "customerId", false);
        render_customer(j, order->customer_id);
        app_json_key(j, "customerName", false);
        app_json_string_or_null(j, order->customer_name);
    }
    app_json_key(j, "status", false);
    app_json_string(j, ord_status_name(order->status));
    app_json_key(j, "totalPrice", false);
    app_json_money(j, order->total);
    app_json_key(j, "currency", false);
    app_json_string(j, order->total.currency);
    app_json_key(j, "orderDate", false);
    app_json_time(j, order->created_at_ms);
    app_json_key(j, "trackingNumber", false);
    app_json_string_or_null(j, order->tracking_number);
    if (full) {
        app_json_key(j, "deliveryAddress", false);
        app_json_string_or_null(j, order->delivery_address);
        app_json_key(j, "carrier", false);
        app_json_string_or_null(j, order->carrier);
        app_json_key(j, "items", false);
        render_items(j, order);
        app_json_key(j, "statusHistory", false);
        render_history(j, order);
        app_json_key(j, "version", false);
        app_json_int(j, order->version);
    }
    app_json_raw(j, "}");
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
    return app_json_finish(&j, out);
}

ord_error ord_event_to_json(char **out, const ord_outbox_event *event, const ord_order *order)
{
    if (out == NULL)
        return ORD_EINVALID;
    *out = NULL;
    if (event == NULL || order == NULL)
        return ORD_EINVALID;
    app_json j = {0};
    app_json_raw(&j, "{");
    app_json_key(&j, "eventId", true);
    app_json_string(&j, event->event_id);
    app_json_key(&j, "eventType", false);
    app_json_string(&j, ord_event_type_name(event->type));
    app_json_key(&j, "occurredAt", false);
    app_json_time(&j, event->occurred_at_ms);
    app_json_key(&j, "orderId", false);
    app_json_int(&j, event->order_id);
    app_json_key(&j, "orderNumber", false);
    app_json_string(&j, order->number);
    app_json_key(&j, "customerId", false);
    render_customer(&j, event->customer_id);
    app_json_key(&j, "status", false);
    app_json_string(&j, ord_status_name(order->status));
    app_json_key(&j, "sequence", false);
    app_json_int(&j, event->sequence);
    app_json_key(&j, "order", false);
    render_order(&j, order, ORD_ORDER_JSON_FULL);
    app_json_raw(&j, "}");
    return app_json_finish(&j, out);
}
