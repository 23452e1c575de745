/**
 * @file json_scan.h
 * @brief What a JSON parser should know before it parses untrusted text:
 *        how deep it nests, and (optionally) whether its strings hold what a
 *        C string cannot carry.
 *
 * cJSON parses recursively, one stack frame per level, and a server thread
 * has a small stack: a few KiB of "[[[[" would overflow it. Every reader of
 * untrusted JSON in the project scans first. The text need not be valid
 * JSON: the parser judges that afterwards.
 */
#ifndef ORDERS_SUPPORT_JSON_SCAN_H
#define ORDERS_SUPPORT_JSON_SCAN_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Deepest nesting of objects and arrays the project's JSON readers accept. */
#define ORD_JSON_MAX_DEPTH 32

/** @brief The first flaw a scan found, in text order. */
typedef enum ord_json_flaw {
    ORD_JSON_SOUND = 0,       /**< None found. */
    ORD_JSON_TOO_DEEP = 1,    /**< Objects and arrays nest deeper than allowed. */
    ORD_JSON_NUL_ESCAPE = 2,  /**< A string holds the escape \\u0000. */
    ORD_JSON_RAW_CONTROL = 3  /**< A string holds an unescaped control character. */
} ord_json_flaw;

/**
 * @brief Scan JSON text for the first flaw. Brackets inside strings do not
 *        count; an escaped quote does not end a string.
 * @param text the bytes (need not be NUL-terminated); NULL only with @p len 0.
 * @param len bytes to scan.
 * @param max_depth deepest level allowed (1: a flat object or array).
 * @param check_strings also report ORD_JSON_NUL_ESCAPE and
 *        ORD_JSON_RAW_CONTROL; when false, strings are only skipped.
 * @return ORD_JSON_SOUND, or the first flaw in text order.
 */
ord_json_flaw ord_json_scan(const char *text, size_t len, int max_depth, bool check_strings);

/**
 * @brief Whether JSON text nests objects and arrays at most @p max_depth
 *        deep: ord_json_scan() without the string checks.
 * @param text the bytes (need not be NUL-terminated); NULL only with @p len 0.
 * @param len bytes to scan.
 * @param max_depth deepest level allowed (1: a flat object or array).
 * @return true when no level is deeper.
 */
bool ord_json_depth_within(const char *text, size_t len, int max_depth);

#ifdef __cplusplus
}
#endif
#endif
