/**
 * @file json_writer.h
 * @brief The project's one JSON writer: a growable text buffer that writes
 *        JSON strings (escaped, always valid UTF-8) and integers, and any
 *        raw text around them.
 *
 * A failed allocation leaves the writer failed: later writes do nothing and
 * ord_json_take() returns NULL, so callers check once, at the end.
 */
#ifndef ORDERS_SUPPORT_JSON_WRITER_H
#define ORDERS_SUPPORT_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
/** Lets the compiler check a printf-style format (GCC and Clang). */
#define ORD_JSON_PRINTF_FORMAT(f, a) __attribute__((format(printf, f, a)))
#else
/** Lets the compiler check a printf-style format (GCC and Clang). */
#define ORD_JSON_PRINTF_FORMAT(f, a)
#endif

/** @brief A growable text buffer. Zero-initialise it; free with ord_json_writer_free(). */
typedef struct ord_json_writer {
    char *data;  /**< The text, NUL-terminated (owned); NULL before the first write. */
    size_t len;  /**< Bytes of text, without the NUL. */
    size_t cap;  /**< Bytes allocated. */
    bool failed; /**< An allocation failed: the text is incomplete. */
} ord_json_writer;

/**
 * @brief Append bytes as they are.
 * @param w the writer.
 * @param bytes @p len bytes (may hold anything; NULL only with @p len 0).
 * @param len their count.
 */
void ord_json_append(ord_json_writer *w, const char *bytes, size_t len);

/**
 * @brief Append NUL-terminated text as it is (punctuation, numbers, names
 *        known to need no escaping).
 * @param w the writer.
 * @param text the text.
 */
void ord_json_raw(ord_json_writer *w, const char *text);

/**
 * @brief Append printf-formatted text as it is.
 * @param w the writer.
 * @param fmt a printf format and its arguments.
 */
void ord_json_printf(ord_json_writer *w, const char *fmt, ...) ORD_JSON_PRINTF_FORMAT(2, 3);

/**
 * @brief Append a JSON string literal, quotes included, or null.
 *
 * Quotes, backslashes and control characters (DEL too) are escaped; valid
 * UTF-8 passes as it is; a byte that starts no valid UTF-8 sequence
 * (overlong, surrogate, beyond U+10FFFF, cut short) becomes U+FFFD, so the
 * output is valid JSON whatever the text held.
 * @param w the writer.
 * @param text NUL-terminated text, or NULL for the literal null.
 */
void ord_json_string(ord_json_writer *w, const char *text);

/**
 * @brief Append an integer in decimal.
 * @param w the writer.
 * @param value the number.
 */
void ord_json_int(ord_json_writer *w, int64_t value);

/**
 * @brief Append an object member's name and colon, after a comma unless
 *        it is the first member.
 * @param w the writer.
 * @param key the member name (escaped as a string).
 * @param first whether no member precedes it.
 */
void ord_json_key(ord_json_writer *w, const char *key, bool first);

/**
 * @brief Hand the text over; the writer is empty (and usable) afterwards.
 * @param w the writer.
 * @param[out] len receives the text's length; may be NULL.
 * @return the text (malloc'd, NUL-terminated, "" when nothing was written;
 *         the caller free()s it), or NULL when the writer failed (its text
 *         is freed then).
 */
char *ord_json_take(ord_json_writer *w, size_t *len);

/**
 * @brief Free the text and zero the writer, failure included. Accepts NULL.
 * @param w the writer.
 */
void ord_json_writer_free(ord_json_writer *w);

#ifdef __cplusplus
}
#endif
#endif
