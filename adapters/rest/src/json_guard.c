/* Checks of a request body that cJSON does not make: nesting depth (its
 * recursion would overflow a server thread's small stack), NUL and raw
 * control characters in strings (a C string would silently end early), and
 * an object naming one member twice (which value counts is ambiguous). */
#include <stdlib.h>
#include <string.h>

#include "call.h"

const char *ord_rest_json_scan(const char *body, size_t len)
{
    switch (ord_json_scan(body, len, ORD_JSON_MAX_DEPTH, true)) {
    case ORD_JSON_SOUND:
        return NULL;
    case ORD_JSON_TOO_DEEP:
        return "The request body is nested too deeply";
    case ORD_JSON_NUL_ESCAPE:
        return "Strings must not contain \\u0000";
    case ORD_JSON_RAW_CONTROL:
        return "Control characters in strings must be escaped";
    }
    return "The request body is not valid JSON";
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorting the names keeps a body of thousands of members linear-ish. */
static bool object_has_duplicate(const cJSON *obj, bool *failed)
{
    size_t n = 0;
    for (const cJSON *m = obj->child; m != NULL; m = m->next)
        n++;
    if (n < 2)
        return false;
    const char **names = malloc(n * sizeof *names);
    if (names == NULL) {
        *failed = true;
        return false;
    }
    size_t i = 0;
    for (const cJSON *m = obj->child; m != NULL; m = m->next)
        names[i++] = m->string != NULL ? m->string : "";
    qsort(names, n, sizeof *names, compare_names);
    bool duplicate = false;
    for (i = 1; i < n && !duplicate; i++)
        duplicate = strcmp(names[i - 1], names[i]) == 0;
    free(names);
    return duplicate;
}

/* Recursion is bounded by ORD_JSON_MAX_DEPTH, checked before parsing. */
bool ord_rest_json_has_duplicate_member(const cJSON *item, bool *failed)
{
    if (item == NULL)
        return false;
    if (cJSON_IsObject(item) && object_has_duplicate(item, failed))
        return true;
    for (const cJSON *child = item->child; child != NULL && !*failed; child = child->next) {
        if (ord_rest_json_has_duplicate_member(child, failed))
            return true;
    }
    return false;
}
