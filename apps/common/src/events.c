/* The event sink of the settings: the broker, counting every delivery by
 * outcome, and its metrics (see events.h). */
#include "events.h"

#include <string.h>

static const char *const outcome_names[SRV_PUBLISH_OUTCOMES] = {
    "ok", "unavailable", "timeout", "refused", "invalid", "error",
};

bool srv_events_open(srv_events *ev, const srv_config *cfg, const srv_log *log,
                     const char *program, const char *worker_id)
{
    memset(ev, 0, sizeof *ev);
    ev->cfg = cfg;
    if (cfg->event_sink != SRV_SINK_AMQP)
        return true;
    ord_amqp_options o = ORD_AMQP_OPTIONS_INIT;
    o.url = cfg->event_amqp_url;
    o.exchange = cfg->event_amqp_exchange;
    o.queue = cfg->event_amqp_queue;
    o.confirm_timeout_ms = cfg->event_amqp_confirm_timeout_ms;
    o.connect_timeout_ms = cfg->connect_timeout_ms;
    snprintf(ev->broker_name, sizeof ev->broker_name, "%s %s", program, worker_id);
    o.connection_name = ev->broker_name;
    char err[256] = "";
    ord_error rc = ord_amqp_broker_new(&ev->broker, &o, err, sizeof err);
    if (rc != ORD_OK) {
        /* The adapter's reasons never quote the URL. */
        srv_field f[] = {SRV_STR("error", err[0] != '\0' ? err : ord_strerror(rc))};
        srv_log_write(log, SRV_ERROR, "invalid event broker settings", f, 1);
    }
    return rc == ORD_OK;
}

void srv_events_close(srv_events *ev)
{
    ord_amqp_broker_free(ev->broker);
    ev->broker = NULL;
}

static srv_publish_outcome outcome_of(ord_error err)
{
    switch (err) {
    case ORD_OK: return SRV_PUBLISH_OK;
    case ORD_EUNAVAILABLE: return SRV_PUBLISH_UNAVAILABLE;
    case ORD_ETIMEOUT: return SRV_PUBLISH_TIMEOUT;
    case ORD_ECONTRACT: return SRV_PUBLISH_REFUSED;
    case ORD_EINVALID: return SRV_PUBLISH_INVALID;
    default: return SRV_PUBLISH_ERROR;
    }
}

static ord_error counted_deliver(void *self, const ord_call_context *ctx,
                                 const ord_outbox_event *event)
{
    srv_counted_sink *s = self;
    ord_error err = s->inner.ops->deliver(s->inner.self, ctx, event);
    atomic_fetch_add(&s->counts->n[outcome_of(err)], 1);
    return err;
}

static const ord_event_sink_ops counted_ops = {
    .version = ORD_EVENT_SINK_VERSION,
    .deliver = counted_deliver,
};

ord_event_sink srv_counted_sink_port(srv_counted_sink *sink)
{
    return (ord_event_sink){.ops = &counted_ops, .self = sink};
}

const char *srv_events_for_log(const srv_events *ev, const char *webhook_url, char *out,
                               size_t cap, const char **exchange)
{
    const srv_config *c = ev->cfg;
    *exchange = NULL;
    if (!srv_config_events_on(c))
        return "off";
    if (c->event_sink == SRV_SINK_WEBHOOK)
        return webhook_url != NULL ? srv_redact_url(webhook_url, out, cap) : "off";
    *exchange = c->event_amqp_exchange;
    return srv_redact_url(c->event_amqp_url, out, cap);
}

bool srv_events_broker_up(srv_events *ev, bool *up)
{
    if (ev->broker == NULL)
        return false;
    *up = ord_amqp_broker_check(ev->broker);
    return true;
}

void srv_events_metrics(srv_events *ev, FILE *out)
{
    if (!srv_config_events_on(ev->cfg))
        return;
    fputs("# HELP event_publish_total Outbox events handed to the event sink, by outcome.\n"
          "# TYPE event_publish_total counter\n",
          out);
    const char *sink = srv_event_sink_name(ev->cfg->event_sink);
    for (int o = 0; o < SRV_PUBLISH_OUTCOMES; o++)
        fprintf(out, "event_publish_total{sink=\"%s\",outcome=\"%s\"} %llu\n", sink,
                outcome_names[o], (unsigned long long)atomic_load(&ev->counts.n[o]));
    if (ev->broker == NULL)
        return;
    ord_amqp_stats st;
    ord_amqp_broker_stats(ev->broker, &st);
    fprintf(out,
            "# HELP event_publish_unroutable_total Events the broker confirmed but routed to no "
            "queue.\n"
            "# TYPE event_publish_unroutable_total counter\n"
            "event_publish_unroutable_total{sink=\"amqp\"} %llu\n"
            "# HELP event_broker_connections_total Connections opened to the event broker.\n"
            "# TYPE event_broker_connections_total counter\n"
            "event_broker_connections_total{sink=\"amqp\"} %llu\n",
            (unsigned long long)st.unroutable, (unsigned long long)st.connections);
}

int64_t srv_events_call_limit_ms(const srv_config *cfg)
{
    if (cfg->event_sink != SRV_SINK_AMQP)
        return 0;
    /* Log-in and declarations answer at once from a healthy broker; the
     * confirm may take its whole limit. */
    return cfg->connect_timeout_ms + 2 * cfg->event_amqp_confirm_timeout_ms;
}
