/* One pass over JSON text before it is parsed: the nesting depth, and what
 * its strings hold. */
#include <orders/support/json_scan.h>

#include <string.h>

/* The escape \u0000 at p (which points at the backslash). */
static bool is_nul_escape(const char *p, const char *end)
{
    if (end - p < 6 || p[1] != 'u')
        return false;
    return memcmp(p + 2, "0000", 4) == 0;
}

ord_json_flaw ord_json_scan(const char *text, size_t len, int max_depth, bool check_strings)
{
    if (text == NULL)
        return ORD_JSON_SOUND;
    const char *end = text + len;
    int depth = 0;
    bool in_string = false;
    for (const char *p = text; p < end; p++) {
        unsigned char ch = (unsigned char)*p;
        if (in_string) {
            if (ch == '"') {
                in_string = false;
            } else if (ch == '\\') {
                if (check_strings && is_nul_escape(p, end))
                    return ORD_JSON_NUL_ESCAPE;
                p++; /* the escaped character cannot end the string */
            } else if (check_strings && ch < 0x20) {
                return ORD_JSON_RAW_CONTROL;
            }
            continue;
        }
        if (ch == '"') {
            in_string = true;
        } else if (ch == '{' || ch == '[') {
            if (++depth > max_depth)
                return ORD_JSON_TOO_DEEP;
        } else if (ch == '}' || ch == ']') {
            depth--;
        }
    }
    return ORD_JSON_SOUND;
}

bool ord_json_depth_within(const char *text, size_t len, int max_depth)
{
    return ord_json_scan(text, len, max_depth, false) == ORD_JSON_SOUND;
}
