/* bootstrap: the order service as an AWS Lambda custom runtime. Reads the
 * ORDER_* settings once per cold start, applies the database migrations,
 * then answers invocations from the Runtime API (AWS_LAMBDA_RUNTIME_API)
 * one at a time until SIGTERM or SIGINT. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <orders/adapters/http/services.h>

#include "config.h"
#include "lambda.h"
#include "log.h"
#include "runtime.h"

extern char **environ;

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* No SA_RESTART: a signal ends the wait of poll() at once, and the Runtime
 * client then sees the flag. */
static void handle_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
}

static void usage(FILE *out)
{
    fputs("Usage: bootstrap [OPTIONS]\n"
          "The order service as an AWS Lambda custom runtime: applies the database\n"
          "migrations, then answers API Gateway requests (REST API payload 1.0 and HTTP\n"
          "API payload 2.0) with the same API as order-server, and runs one pass of\n"
          "the background steps for each EventBridge scheduled event. The Lambda\n"
          "service starts it with AWS_LAMBDA_RUNTIME_API set; SIGTERM stops it.\n"
          "\n"
          "Settings are the order server's ORDER_* environment variables (the options\n"
          "below set them too; the server's listener and worker settings do not apply).\n"
          "\n",
          out);
    srv_config_usage_settings(out, SRV_PROGRAM_LAMBDA);
    fputs("\n"
          "The caller is taken from the claims API Gateway's authorizer verified; a\n"
          "request without them is judged as by the server: a bearer JWT checked with\n"
          "the keys above (ORDER_AUTH=jwt, the default, needs keys), or with\n"
          "ORDER_AUTH=off an admin. Exit status: 0 after SIGTERM or SIGINT, 1 when\n"
          "start-up or the Runtime API fails, 2 for an invalid setting (also posted to\n"
          "the Runtime API's init error).\n",
          out);
}

static void log_failure(const srv_log *log, const lam_invocation *inv, const lam_failure *why)
{
    srv_field f[] = {SRV_STR("awsRequestId", inv->request_id), SRV_STR("errorType", why->type),
                     SRV_STR("detail", why->message), SRV_STR("traceId", inv->trace_id)};
    srv_log_write(log, SRV_WARN, "invocation failed", f, inv->trace_id[0] != '\0' ? 4 : 3);
}

/* Answer invocations until a stop (0) or a broken Runtime API (1). */
static int serve(lam_app *app, lam_runtime *rt)
{
    for (;;) {
        lam_invocation inv;
        char why[256] = "";
        lam_next_result next = lam_runtime_next(rt, &inv, why, sizeof why);
        if (next == LAM_NEXT_STOP)
            return 0;
        if (next == LAM_NEXT_FAILED) {
            srv_field f[] = {SRV_STR("error", why)};
            srv_log_write(&app->log, SRV_ERROR, "the Runtime API failed", f, 1);
            return 1;
        }
        char *answer = NULL;
        size_t len = 0;
        lam_failure failure = {"Orders.EventTooLarge", ""};
        bool answered = false;
        if (next == LAM_NEXT_REFUSED)
            snprintf(failure.message, sizeof failure.message, "%s", why);
        else
            answered = lam_app_invoke(app, &inv, &answer, &len, &failure);
        ord_error posted;
        if (answered) {
            posted = lam_runtime_respond(rt, inv.request_id, answer, len);
        } else {
            log_failure(&app->log, &inv, &failure);
            posted = lam_runtime_fail(rt, inv.request_id, failure.type, failure.message);
        }
        if (posted != ORD_OK) {
            srv_field f[] = {SRV_STR("awsRequestId", inv.request_id)};
            srv_log_write(&app->log, SRV_ERROR, "the Runtime API did not take the answer", f, 1);
        }
        cJSON_free(answer);
        lam_invocation_clear(&inv);
    }
}

int main(int argc, char **argv)
{
    static lam_app app;
    char err[512] = "";
    srv_config_result loaded = srv_config_load_for(&app.cfg, SRV_PROGRAM_LAMBDA, argc, argv,
                                                   environ, err, sizeof err);
    if (loaded == SRV_CONFIG_HELP) {
        usage(stdout);
        return 0;
    }
    handle_signals();
    if (ord_http_global_init() != ORD_OK) {
        fputs("bootstrap: cannot initialise libcurl\n", stderr);
        return 1;
    }
    lam_runtime *rt = NULL;
    bool have_runtime =
        lam_runtime_new(&rt, getenv("AWS_LAMBDA_RUNTIME_API"), &stop_requested) == ORD_OK;
    if (loaded == SRV_CONFIG_ERROR) {
        fprintf(stderr, "bootstrap: %s\n", err);
        if (have_runtime)
            lam_runtime_init_error(rt, "Orders.InvalidSetting", err);
        lam_runtime_free(rt);
        ord_http_global_cleanup();
        return 2;
    }
    if (!have_runtime) {
        fputs("bootstrap: AWS_LAMBDA_RUNTIME_API must be host:port (the Lambda service sets "
              "it)\n",
              stderr);
        ord_http_global_cleanup();
        return 2;
    }
    app.log = (srv_log){stdout, app.cfg.log_level};
    lam_failure why = {NULL, ""};
    int rc;
    if (!lam_app_open(&app, &why)) {
        lam_runtime_init_error(rt, why.type, why.message);
        rc = 1;
    } else {
        rc = serve(&app, rt);
        srv_log_write(&app.log, rc == 0 ? SRV_INFO : SRV_ERROR,
                      rc == 0 ? "order lambda stopped" : "order lambda failed", NULL, 0);
    }
    lam_app_close(&app);
    lam_runtime_free(rt);
    ord_http_global_cleanup();
    return rc;
}
