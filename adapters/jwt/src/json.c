/* JSON objects from untrusted token parts and key documents: bounded depth
 * (cJSON recurses), no duplicate member at the top level (two "alg" or two
 * "sub" would mean whatever a parser chose), nothing after the object. */
#include "internal.h"

#include <string.h>

#include <orders/support/json_scan.h>

/* Members beyond this make an object suspect (and the pairwise check slow). */
#define MAX_MEMBERS 512

bool ord_jwt_json_has_duplicate(const cJSON *object)
{
    if (cJSON_GetArraySize(object) > MAX_MEMBERS)
        return true;
    for (const cJSON *a = object->child; a != NULL; a = a->next)
        for (const cJSON *b = a->next; b != NULL; b = b->next)
            if (a->string != NULL && b->string != NULL && strcmp(a->string, b->string) == 0)
                return true;
    return false;
}

cJSON *ord_jwt_json_object(const char *text, size_t len, int max_depth)
{
    /* Also no \u0000 or raw control character: a C string would end there. */
    if (text == NULL || len == 0 || ord_json_scan(text, len, max_depth, true) != ORD_JSON_SOUND)
        return NULL;
    if (memchr(text, '\0', len) != NULL)
        return NULL;
    const char *end = NULL;
    cJSON *json = cJSON_ParseWithLengthOpts(text, len, &end, false);
    if (json == NULL)
        return NULL;
    bool trailing = false;
    for (const char *p = end; p != NULL && p < text + len; p++)
        if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
            trailing = true;
    if (trailing || !cJSON_IsObject(json) || ord_jwt_json_has_duplicate(json)) {
        cJSON_Delete(json);
        return NULL;
    }
    return json;
}
