/* The order status machine. One table decides every change; the rest reads it. */
#include <orders/domain/order_status.h>

#include <stddef.h>
#include <string.h>

static const char *const status_names[ORD_STATUS_COUNT] = {
    [ORD_STATUS_DRAFT] = "DRAFT",
    [ORD_STATUS_PENDING_CHECK] = "PENDING_CHECK",
    [ORD_STATUS_CONFIRMED] = "CONFIRMED",
    [ORD_STATUS_SHIPPED] = "SHIPPED",
    [ORD_STATUS_DELIVERED] = "DELIVERED",
    [ORD_STATUS_CANCELLED] = "CANCELLED",
};

/* allowed[from][to]: the whole machine. Every cell not listed is refused. */
static const bool allowed[ORD_STATUS_COUNT][ORD_STATUS_COUNT] = {
    [ORD_STATUS_DRAFT] = {
        [ORD_STATUS_PENDING_CHECK] = true, /* checkout */
        [ORD_STATUS_CANCELLED] = true,
    },
    [ORD_STATUS_PENDING_CHECK] = {
        [ORD_STATUS_CONFIRMED] = true,     /* stock reserved */
        [ORD_STATUS_CANCELLED] = true,     /* cancel, insufficient stock, deadline */
    },
    [ORD_STATUS_CONFIRMED] = {
        [ORD_STATUS_SHIPPED] = true,
        [ORD_STATUS_CANCELLED] = true,
    },
    [ORD_STATUS_SHIPPED] = {
        [ORD_STATUS_DELIVERED] = true,
    },
    /* DELIVERED and CANCELLED are final: their rows stay all false. */
};

static bool status_in_range(ord_status status)
{
    return (int)status >= 0 && (int)status < ORD_STATUS_COUNT;
}

const char *ord_status_name(ord_status status)
{
    return status_in_range(status) ? status_names[status] : "UNKNOWN";
}

bool ord_status_parse(ord_status *out, const char *name)
{
    if (!name)
        return false;
    for (int i = 0; i < ORD_STATUS_COUNT; i++) {
        if (strcmp(name, status_names[i]) == 0) {
            if (out)
                *out = (ord_status)i;
            return true;
        }
    }
    return false;
}

bool ord_status_is_final(ord_status status)
{
    if (!status_in_range(status))
        return false;
    for (int to = 0; to < ORD_STATUS_COUNT; to++) {
        if (allowed[status][to])
            return false;
    }
    return true;
}

ord_error ord_status_check_transition(ord_status from, ord_status to, const char **why)
{
    const char *reason;
    if (!status_in_range(from) || !status_in_range(to)) {
        reason = "unknown status";
        if (why)
            *why = reason;
        return ORD_EINVALID;
    }
    if (allowed[from][to])
        return ORD_OK;
    /* The reason only explains the refusal; the table above alone decides it. */
    if (from == to)
        reason = "order is already in that status";
    else if (ord_status_is_final(from))
        reason = from == ORD_STATUS_CANCELLED ? "order is cancelled" : "order is delivered";
    else if (to == ORD_STATUS_DRAFT)
        reason = "an order never returns to draft";
    else if (to == ORD_STATUS_CANCELLED)
        reason = "order has shipped and can no longer be cancelled";
    else if ((int)to < (int)from)
        reason = "an order never moves backwards";
    else
        reason = "an order cannot skip a step";
    if (why)
        *why = reason;
    return ORD_ETRANSITION;
}
