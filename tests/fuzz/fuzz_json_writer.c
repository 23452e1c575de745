/* The one JSON writer (support library), which writes every response body,
 * every problem detail naming a client's field and every event payload:
 * ord_json_string() with any bytes, beside keys, integers and raw text.
 *
 * Input: eight bytes for a signed integer written beside the string, then
 * the string's bytes up to the first NUL.
 *
 * Properties: the output is always one valid JSON document (cJSON reads
 * it whole); the string reads back as the input exactly when the input is
 * valid UTF-8 (else each bad byte became U+FFFD, so it is still valid
 * UTF-8); no raw control character or DEL ever reaches the output.
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <orders/support/json_writer.h>

#include "fuzz.h"

/* Strict UTF-8 (RFC 3629): no overlongs, no surrogates, nothing past
 * U+10FFFF. */
static bool valid_utf8(const unsigned char *s)
{
    while (*s != 0) {
        unsigned c = *s;
        size_t n;
        unsigned min;
        if (c < 0x80) {
            s++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            n = 1, min = 0x80, c &= 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            n = 2, min = 0x800, c &= 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            n = 3, min = 0x10000, c &= 0x07;
        } else {
            return false;
        }
        for (size_t i = 1; i <= n; i++) {
            if ((s[i] & 0xc0) != 0x80)
                return false;
            c = (c << 6) | (s[i] & 0x3f);
        }
        if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
            return false;
        s += n + 1;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = {data, size};
    int64_t number = (int64_t)fuzz_u64(&in);
    char *text = fuzz_rest_string(&in);

    ord_json_writer w = {0};
    ord_json_raw(&w, "{");
    ord_json_key(&w, "s", true);
    ord_json_string(&w, text);
    ord_json_key(&w, "n", false);
    ord_json_int(&w, number);
    ord_json_key(&w, "null", false);
    ord_json_string(&w, NULL);
    ord_json_raw(&w, "}");
    size_t len = 0;
    char *out = ord_json_take(&w, &len);
    FUZZ_CHECK(out != NULL && strlen(out) == len);
    for (size_t i = 0; i < len; i++)
        FUZZ_CHECK((unsigned char)out[i] >= 0x20 && out[i] != 0x7f);
    FUZZ_CHECK(valid_utf8((const unsigned char *)out));

    const char *end = NULL;
    cJSON *json = cJSON_ParseWithLengthOpts(out, len, &end, false);
    FUZZ_CHECK(json != NULL && end == out + len);
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(json, "s");
    FUZZ_CHECK(cJSON_IsString(s));
    if (valid_utf8((const unsigned char *)text))
        FUZZ_CHECK(strcmp(s->valuestring, text) == 0);
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(json, "n");
    FUZZ_CHECK(cJSON_IsNumber(n));
    /* cJSON reads numbers as doubles: compare as one. */
    FUZZ_CHECK(n->valuedouble == (double)number);
    FUZZ_CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(json, "null")));
    cJSON_Delete(json);
    free(out);
    free(text);
    return 0;
}
