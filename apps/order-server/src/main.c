/* order-server: the order service over HTTP (civetweb), on PostgreSQL, with
 * the downstream services over HTTP and the background workers running.
 * Stops cleanly on SIGTERM or SIGINT. */
#include <stdio.h>
#include <stdlib.h>

#include <orders/adapters/http/services.h>

#include "app.h"
#include "budget.h"
#include "config.h"
#include "signals.h"

extern char **environ;

int main(int argc, char **argv)
{
    srv_app app = {0};
    char err[512];
    switch (srv_config_load(&app.cfg, argc, argv, environ, err, sizeof err)) {
    case SRV_CONFIG_HELP:
        srv_config_usage(stdout);
        return 0;
    case SRV_CONFIG_ERROR:
        fprintf(stderr, "order-server: %s\n", err);
        return 2;
    case SRV_CONFIG_OK:
        break;
    }
    app.log = (srv_log){stdout, app.cfg.log_level};

    /* Before any thread: the mask is inherited, and libcurl's global init
     * is not thread-safe. */
    srv_signals_block();
    if (ord_http_global_init() != ORD_OK) {
        srv_log_write(&app.log, SRV_ERROR, "cannot initialise libcurl", NULL, 0);
        return 1;
    }
    /* Serving: the shared parts (authentication keys included) first, so a
     * bad key file stops the start before the database is waited for. */
    bool serve = app.cfg.command == SRV_SERVE;
    if (serve && !srv_app_open(&app)) {
        srv_app_close(&app);
        ord_http_global_cleanup();
        srv_log_write(&app.log, SRV_INFO, "order server failed to start", NULL, 0);
        return 1;
    }
    int rc = srv_app_migrate(&app);
    if (rc == 0 && serve)
        rc = srv_budget_check(&app, stderr);
    if (rc == 0 && app.cfg.command == SRV_REDRIVE_EVENTS)
        rc = srv_app_redrive_events(&app);
    if (rc != 0 || !serve) {
        srv_app_close(&app);
        ord_http_global_cleanup();
        return rc < 0 ? 0 : rc;
    }
    if (srv_app_start(&app)) {
        int sig = srv_signals_wait(-1);
        srv_field f[] = {SRV_STR("signal", srv_signal_name(sig))};
        srv_log_write(&app.log, SRV_INFO, "stop requested", f, 1);
        srv_app_drain(&app, sig);
        rc = 0;
    } else {
        rc = 1;
    }
    srv_app_close(&app);
    ord_http_global_cleanup();
    srv_log_write(&app.log, SRV_INFO, rc == 0 ? "order server stopped" : "order server failed to start",
                  NULL, 0);
    return rc;
}
