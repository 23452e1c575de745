/* An identity provider's key set, as Cognito, Auth0 and Keycloak publish
 * it: GET /.well-known/jwks.json serves the document a test put with
 * PUT /sim/jwks (faults apply, service "jwks"); empty ({"keys":[]}) until
 * then. The order server's JWKS URL tests rotate keys and take it down. */
#include "sim.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

int sim_handle_jwks_get(struct mg_connection *conn, sim_state *st)
{
    sim_state_lock(st);
    const char *doc = st->jwks != NULL ? st->jwks : "{\"keys\":[]}";
    size_t len = strlen(doc);
    char *copy = malloc(len + 1);
    if (copy != NULL)
        memcpy(copy, doc, len + 1);
    sim_state_unlock(st);
    if (copy == NULL) {
        sim_reply_error(conn, 500, "out of memory");
        return 500;
    }
    sim_reply(conn, 200, "application/json", copy, len);
    free(copy);
    return 200;
}

int sim_handle_jwks_put(struct mg_connection *conn, sim_state *st, const char *body, size_t len)
{
    cJSON *json = sim_json_parse(body, len);
    bool object = cJSON_IsObject(json);
    cJSON_Delete(json);
    if (!object) {
        sim_reply_error(conn, 400, "the body must be a JSON object (a JWKS document)");
        return 400;
    }
    char *copy = malloc(len + 1);
    if (copy == NULL) {
        sim_reply_error(conn, 500, "out of memory");
        return 500;
    }
    memcpy(copy, body, len);
    copy[len] = '\0';
    sim_state_lock(st);
    free(st->jwks);
    st->jwks = copy;
    sim_state_unlock(st);
    sim_reply_empty(conn, 204);
    return 204;
}
