/* Which status change raises which domain event, and the events' wire names. */
#include <orders/domain/event.h>

bool ord_event_type_for_status(ord_event_type *out, ord_status to)
{
    ord_event_type type;
    switch (to) {
    case ORD_STATUS_CONFIRMED: type = ORD_EVENT_ORDER_PLACED; break;
    case ORD_STATUS_CANCELLED: type = ORD_EVENT_ORDER_CANCELLED; break;
    case ORD_STATUS_SHIPPED: type = ORD_EVENT_ORDER_SHIPPED; break;
    case ORD_STATUS_DELIVERED: type = ORD_EVENT_ORDER_DELIVERED; break;
    case ORD_STATUS_DRAFT:
    case ORD_STATUS_PENDING_CHECK:
    default:
        return false;
    }
    if (out)
        *out = type;
    return true;
}

const char *ord_event_type_name(ord_event_type type)
{
    switch (type) {
    case ORD_EVENT_ORDER_PLACED: return "OrderPlaced";
    case ORD_EVENT_ORDER_CANCELLED: return "OrderCancelled";
    case ORD_EVENT_ORDER_SHIPPED: return "OrderShipped";
    case ORD_EVENT_ORDER_DELIVERED: return "OrderDelivered";
    }
    return "Unknown";
}
