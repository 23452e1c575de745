/* What identifies a keyed request: ord_idempotency_key_is_valid() (the one
 * check of an Idempotency-Key) and ord_idempotency_request_text() (the
 * text its fingerprint is made from), with every output size.
 *
 * Input, as text: the key, the method and the path on one line each, then
 * the body; the first byte of the key line doubles as the output size for
 * the cut text (byte % (full length + 2)).
 *
 * Properties: a key is valid exactly when it is 1 to 255 printable ASCII
 * characters, not all spaces (NULs included: the length counts, not the C
 * string); the request text is "METHOD PATH\nBODY" whatever the body
 * holds, its length is returned whatever the output size, and a cut
 * output is that text's prefix, NUL-terminated, never written past its
 * size.
 */
#include <stdlib.h>
#include <string.h>

#include <orders/application/idempotency.h>
#include <orders/domain/validation.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = {data, size};
    size_t key_len = 0;
    char *key = fuzz_line(&in, &key_len);
    char *method = fuzz_line(&in, NULL);
    char *path = fuzz_line(&in, NULL);
    size_t body_len = 0;
    char *body = fuzz_rest(&in, &body_len);

    bool valid = key_len >= 1 && key_len <= 255;
    bool blank = true;
    for (size_t i = 0; i < key_len; i++) {
        unsigned char c = (unsigned char)key[i];
        valid = valid && c >= 0x20 && c <= 0x7e;
        blank = blank && c == ' ';
    }
    FUZZ_CHECK(ord_idempotency_key_is_valid(key, key_len) == (valid && !blank));

    size_t full_len = strlen(method) + 1 + strlen(path) + 1 + body_len;
    char *full = malloc(full_len + 1);
    if (full == NULL)
        abort();
    size_t n = ord_idempotency_request_text(full, full_len + 1, method, path, body, body_len);
    FUZZ_CHECK(n == full_len && full[full_len] == '\0');
    FUZZ_CHECK(strncmp(full, method, strlen(method)) == 0 && full[strlen(method)] == ' ');
    FUZZ_CHECK(body_len == 0 || memcmp(full + full_len - body_len, body, body_len) == 0);
    FUZZ_CHECK(ord_idempotency_request_text(NULL, 0, method, path, body, body_len) == full_len);

    size_t cap = key_len > 0 ? (unsigned char)key[0] % (full_len + 2) : 1;
    char *cut = malloc(cap > 0 ? cap : 1);
    if (cut == NULL)
        abort();
    n = ord_idempotency_request_text(cap > 0 ? cut : NULL, cap, method, path, body, body_len);
    FUZZ_CHECK(n == full_len);
    if (cap > 0) {
        size_t kept = full_len < cap ? full_len : cap - 1;
        FUZZ_CHECK(memcmp(cut, full, kept) == 0 && cut[kept] == '\0');
    }
    free(cut);
    free(full);
    free(body);
    free(path);
    free(method);
    free(key);
    return 0;
}
