/* Downstream services from the settings. */
#include "downstream.h"

ord_error srv_downstream_open(ord_http_services **out, const srv_config *cfg, const srv_log *log,
                              char *webhook_buf, size_t cap)
{
    ord_http_options o;
    srv_config_http_options(cfg, &o, webhook_buf, cap);
    char err[256] = "";
    ord_error rc = ord_http_services_new(out, &o, err, sizeof err);
    if (rc != ORD_OK) {
        srv_field f[] = {SRV_STR("error", err[0] != '\0' ? err : ord_strerror(rc))};
        srv_log_write(log, SRV_ERROR, "invalid downstream settings", f, 1);
    }
    return rc;
}
