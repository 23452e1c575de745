/* The scheduled pass: recovery first, so that the relay delivers the
 * events recovery wrote in the same pass, then the purges. A batch cut off
 * by the function's timeout leaves its work leased; the next pass takes it
 * up again, as every step is repeatable. */
#include "schedule.h"

#include <time.h>

#include <cjson/cJSON.h>

#include "steps.h"

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool add_step(cJSON *list, srv_step step, const srv_step_outcome *total, size_t batches,
                     ord_error err)
{
    cJSON *s = cJSON_CreateObject();
    if (s == NULL || !cJSON_AddItemToArray(list, s)) {
        cJSON_Delete(s);
        return false;
    }
    return cJSON_AddStringToObject(s, "step", srv_step_name(step)) != NULL &&
           cJSON_AddNumberToObject(s, "batches", (double)batches) != NULL &&
           cJSON_AddNumberToObject(s, "claimed", (double)total->report.claimed) != NULL &&
           cJSON_AddNumberToObject(s, "completed", (double)total->report.completed) != NULL &&
           cJSON_AddNumberToObject(s, "failed", (double)total->report.failed) != NULL &&
           cJSON_AddNumberToObject(s, "deleted", (double)total->deleted) != NULL &&
           (err == ORD_OK ? cJSON_AddNullToObject(s, "error")
                          : cJSON_AddStringToObject(s, "error", ord_strerror(err))) != NULL;
}

char *lam_schedule_run(srv_unit *unit, size_t batch, bool relay, int64_t deadline_ms,
                       int64_t reserve_ms, const char **failed)
{
    static const srv_step order[] = {
        SRV_STEP_PENDING_ORDERS,         SRV_STEP_INVENTORY_ACTIONS,
        SRV_STEP_TRACKING_NUMBERS,       SRV_STEP_RELAY_EVENTS,
        SRV_STEP_PURGE_IDEMPOTENCY_KEYS, SRV_STEP_PURGE_DELIVERED_EVENTS,
    };
    *failed = NULL;
    cJSON *summary = cJSON_CreateObject();
    cJSON *list = cJSON_AddArrayToObject(summary, "steps");
    bool ok = summary != NULL && list != NULL;
    bool complete = true;
    for (size_t i = 0; ok && i < sizeof order / sizeof order[0]; i++) {
        srv_step step = order[i];
        if (step == SRV_STEP_RELAY_EVENTS && !relay)
            continue;
        srv_step_outcome total = {0};
        srv_step_outcome o = {0};
        size_t batches = 0;
        do {
            if (deadline_ms > 0 && now_ms() + reserve_ms >= deadline_ms) {
                complete = false;
                break;
            }
            srv_step_run(unit, step, batch, &o);
            batches++;
            total.report.claimed += o.report.claimed;
            total.report.completed += o.report.completed;
            total.report.failed += o.report.failed;
            total.deleted += o.deleted;
        } while (o.err == ORD_OK && o.more && deadline_ms > 0);
        if (o.err != ORD_OK && *failed == NULL)
            *failed = srv_step_name(step);
        ok = add_step(list, step, &total, batches, o.err);
        if (!complete)
            break;
    }
    ok = ok && cJSON_AddBoolToObject(summary, "complete", complete) != NULL;
    char *text = ok ? cJSON_PrintUnformatted(summary) : NULL;
    cJSON_Delete(summary);
    return text;
}
