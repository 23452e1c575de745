/* Text and classification of the shared status code. */
#include <orders/domain/error.h>

const char *ord_strerror(ord_error err)
{
    switch (err) {
    case ORD_OK: return "success";
    case ORD_ENOTFOUND: return "not found";
    case ORD_ECONFLICT: return "conflict";
    case ORD_EINVALID: return "invalid input";
    case ORD_EUNAVAILABLE: return "service unavailable";
    case ORD_ETIMEOUT: return "timed out";
    case ORD_ECONTRACT: return "dependency answered outside its contract";
    case ORD_EOVERFLOW: return "amount out of range";
    case ORD_ETRANSITION: return "invalid status transition";
    case ORD_EFORBIDDEN: return "forbidden";
    case ORD_ENOMEM: return "out of memory";
    case ORD_EINTERNAL: return "internal error";
    case ORD_EUNAUTHORIZED: return "unauthorized";
    }
    return "unknown error";
}

bool ord_error_is_transient(ord_error err)
{
    return err == ORD_EUNAVAILABLE || err == ORD_ETIMEOUT || err == ORD_ECONTRACT;
}
