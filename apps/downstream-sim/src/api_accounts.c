/* The account-policy services: restrictions and eligibility per customer. */
#include "sim.h"

#include <civetweb.h>

int sim_handle_restrictions(struct mg_connection *conn, sim_state *st, int64_t customer_id)
{
    cJSON *answer = cJSON_CreateObject();
    sim_state_lock(st);
    const sim_restricted *r = sim_catalog_restricted(&st->current, customer_id);
    cJSON *list = r != NULL ? cJSON_CreateRaw(r->restrictions) : cJSON_CreateArray();
    sim_state_unlock(st);
    if (answer == NULL || list == NULL || !cJSON_AddItemToObject(answer, "restrictions", list)) {
        cJSON_Delete(list);
        cJSON_Delete(answer);
        answer = NULL;
    }
    sim_reply_json(conn, 200, answer);
    return 200;
}

int sim_handle_eligibility(struct mg_connection *conn, sim_state *st, int64_t customer_id)
{
    sim_state_lock(st);
    bool eligible = !sim_catalog_ineligible(&st->current, customer_id);
    sim_state_unlock(st);
    cJSON *answer = cJSON_CreateObject();
    if (answer != NULL)
        cJSON_AddBoolToObject(answer, "eligible", eligible);
    sim_reply_json(conn, 200, answer);
    return 200;
}
