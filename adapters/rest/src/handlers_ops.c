/* Operations endpoints: liveness, readiness, Prometheus metrics and the
 * OpenAPI document. None needs a principal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"

void ord_rest_handle_live(rest_call *c)
{
    c->status = 200;
    ord_rest_set_header(c, "Content-Type", "application/json");
    ord_rest_set_header(c, "Cache-Control", "no-store");
    ord_json_raw(&c->body, "{\"status\":\"UP\"}");
}

void ord_rest_handle_ready(rest_call *c)
{
    const ord_rest_hooks *hooks = &c->api->config.hooks;
    ord_rest_dependency deps[ORD_REST_MAX_DEPENDENCIES];
    memset(deps, 0, sizeof deps);
    size_t n = 0;
    if (hooks->readiness != NULL) {
        n = hooks->readiness(hooks->ctx, c->req->thread_data, deps, ORD_REST_MAX_DEPENDENCIES);
        if (n > ORD_REST_MAX_DEPENDENCIES)
            n = ORD_REST_MAX_DEPENDENCIES;
    }
    bool ready = true;
    for (size_t i = 0; i < n; i++) {
        deps[i].name[sizeof deps[i].name - 1] = '\0';
        if (deps[i].required && !deps[i].up)
            ready = false;
    }
    ord_json_writer *b = &c->body;
    ord_json_raw(b, ready ? "{\"status\":\"UP\",\"dependencies\":{" : "{\"status\":\"DOWN\",\"dependencies\":{");
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            ord_json_raw(b, ",");
        ord_json_string(b, deps[i].name);
        ord_json_raw(b, deps[i].up ? ":\"UP\"" : ":\"DOWN\"");
    }
    ord_json_raw(b, "}}");
    c->status = ready ? 200 : 503;
    ord_rest_set_header(c, "Content-Type", "application/json");
    ord_rest_set_header(c, "Cache-Control", "no-store");
    if (!ready)
        ord_rest_set_headerf(c, "Retry-After", "%d", c->api->config.retry_after_seconds);
}

void ord_rest_handle_metrics(rest_call *c)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (out == NULL) {
        c->oom = true;
        return;
    }
    const ord_rest_api_config *cfg = &c->api->config;
    bool ok = true;
    if (cfg->metrics != NULL)
        ok = ord_rest_metrics_render(cfg->metrics, out) == ORD_OK;
    if (cfg->hooks.outbox_counts != NULL) {
        int64_t pending = 0;
        int64_t parked = 0;
        if (cfg->hooks.outbox_counts(cfg->hooks.ctx, c->req->thread_data, &pending, &parked) ==
            ORD_OK) {
            fprintf(out,
                    "# HELP outbox_pending_events Outbox events waiting for delivery.\n"
                    "# TYPE outbox_pending_events gauge\n"
                    "outbox_pending_events %lld\n"
                    "# HELP outbox_parked_events Outbox events parked after too many failures.\n"
                    "# TYPE outbox_parked_events gauge\n"
                    "outbox_parked_events %lld\n",
                    (long long)pending, (long long)parked);
        }
    }
    if (cfg->hooks.metrics != NULL)
        cfg->hooks.metrics(cfg->hooks.ctx, c->req->thread_data, out);
    if (fclose(out) != 0 || !ok || text == NULL) {
        free(text);
        ord_rest_problem_internal(c);
        return;
    }
    c->status = 200;
    ord_json_append(&c->body, text, len);
    free(text);
    ord_rest_set_header(c, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    ord_rest_set_header(c, "Cache-Control", "no-store");
}

void ord_rest_handle_openapi(rest_call *c)
{
    size_t len = 0;
    const char *doc = ord_rest_openapi_document(&len);
    c->status = 200;
    ord_json_append(&c->body, doc, len);
    ord_rest_set_header(c, "Content-Type", "application/json");
}
