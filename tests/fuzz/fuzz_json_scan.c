/* The support library's scan that every reader of untrusted JSON runs
 * before cJSON: ord_json_scan() and ord_json_depth_within().
 *
 * Input: one byte for the deepest level allowed (1 + byte % 40), one whose
 * low bit asks for the string checks, then the text (not NUL-terminated).
 *
 * Properties, against cJSON as the reference: for text cJSON parses, the
 * scan finds it too deep exactly when its tree nests deeper than allowed;
 * the string checks only ever add flaws; ord_json_depth_within() is the
 * scan without them.
 */
#include <stdlib.h>

#include <cjson/cJSON.h>

#include <orders/support/json_scan.h>

#include "fuzz.h"

static int depth_of(const cJSON *item)
{
    if (!cJSON_IsArray(item) && !cJSON_IsObject(item))
        return 0;
    int deepest = 0;
    for (const cJSON *child = item->child; child != NULL; child = child->next) {
        int d = depth_of(child);
        if (d > deepest)
            deepest = d;
    }
    return deepest + 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = {data, size};
    int max_depth = 1 + fuzz_u8(&in) % 40;
    bool strings = (fuzz_u8(&in) & 1) != 0;
    size_t len = 0;
    char *text = fuzz_rest(&in, &len);

    ord_json_flaw flaw = ord_json_scan(text, len, max_depth, strings);
    FUZZ_CHECK(flaw == ORD_JSON_SOUND || flaw == ORD_JSON_TOO_DEEP ||
               flaw == ORD_JSON_NUL_ESCAPE || flaw == ORD_JSON_RAW_CONTROL);
    ord_json_flaw plain = ord_json_scan(text, len, max_depth, false);
    FUZZ_CHECK(plain == ORD_JSON_SOUND || plain == ORD_JSON_TOO_DEEP);
    FUZZ_CHECK(ord_json_depth_within(text, len, max_depth) == (plain == ORD_JSON_SOUND));
    if (strings && flaw == ORD_JSON_SOUND)
        FUZZ_CHECK(plain == ORD_JSON_SOUND);
    if (!strings)
        FUZZ_CHECK(flaw == plain);

    /* cJSON stops at its own limit of 1000 levels: no deep recursion here. */
    const char *end = NULL;
    cJSON *json = len > 0 ? cJSON_ParseWithLengthOpts(text, len, &end, false) : NULL;
    if (json != NULL && end == text + len)
        FUZZ_CHECK((plain == ORD_JSON_TOO_DEEP) == (depth_of(json) > max_depth));
    cJSON_Delete(json);
    free(text);
    return 0;
}
