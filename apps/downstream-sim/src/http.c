/* Reading request bodies and writing responses with civetweb. */
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <civetweb.h>

char *sim_read_body(struct mg_connection *conn, size_t *len)
{
    const struct mg_request_info *info = mg_get_request_info(conn);
    long long declared = info->content_length;
    if (declared > SIM_MAX_BODY)
        return NULL;
    size_t cap = declared > 0 ? (size_t)declared + 1 : 4096;
    size_t used = 0;
    char *buf = malloc(cap);
    if (buf == NULL)
        return NULL;
    /* content_length is -1 for a chunked body: read until mg_read says 0. */
    for (;;) {
        if (used + 1 >= cap) {
            if (cap > SIM_MAX_BODY) {
                free(buf);
                return NULL;
            }
            char *bigger = realloc(buf, cap * 2);
            if (bigger == NULL) {
                free(buf);
                return NULL;
            }
            buf = bigger;
            cap *= 2;
        }
        int n = mg_read(conn, buf + used, cap - used - 1);
        if (n < 0) {
            free(buf);
            return NULL;
        }
        if (n == 0)
            break;
        used += (size_t)n;
    }
    buf[used] = '\0';
    *len = used;
    return buf;
}

void sim_reply(struct mg_connection *conn, int status, const char *content_type,
               const char *body, size_t len)
{
    char length[32];
    snprintf(length, sizeof length, "%zu", len);
    mg_response_header_start(conn, status);
    if (content_type != NULL)
        mg_response_header_add(conn, "Content-Type", content_type, -1);
    mg_response_header_add(conn, "Content-Length", length, -1);
    mg_response_header_send(conn);
    if (len > 0)
        mg_write(conn, body, len);
}

void sim_reply_json(struct mg_connection *conn, int status, cJSON *json)
{
    char *text = json != NULL ? cJSON_PrintUnformatted(json) : NULL;
    cJSON_Delete(json);
    if (text == NULL) {
        static const char oom[] = "{\"error\":\"out of memory\"}";
        sim_reply(conn, 500, "application/json", oom, sizeof oom - 1);
        return;
    }
    sim_reply(conn, status, "application/json", text, strlen(text));
    cJSON_free(text);
}

void sim_reply_error(struct mg_connection *conn, int status, const char *message)
{
    cJSON *json = cJSON_CreateObject();
    if (json != NULL) {
        cJSON_AddStringToObject(json, "error", message);
        cJSON_AddStringToObject(json, "message", message);
    }
    sim_reply_json(conn, status, json);
}

void sim_reply_empty(struct mg_connection *conn, int status)
{
    sim_reply(conn, status, NULL, NULL, 0);
}
