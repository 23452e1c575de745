/* Bearer tokens and their keys, as the JWT adapter reads them: a whole
 * token through ord_jwt_verify() (the JOSE header read before any
 * cryptography, the key chosen by kid, the signature, the claims) and its
 * header through ord_jwt_header_read(); a payload's claims through
 * ord_jwt_claims_check(); a JWKS document (what the JWKS URL answers)
 * through ord_jwt_keyset_parse(); and strict base64url.
 *
 * Input, as text: the part on the first line (token, claims, jwks or b64;
 * another word picks one by its first byte), then the bytes (not
 * NUL-terminated). Tokens are checked against the verifier of
 * jwt_world.h; the seed tokens are signed with its keys.
 *
 * Properties: a token whose header is refused is refused for that reason;
 * a token or claims accepted name an admin or a customer > 0 and a
 * NUL-terminated subject, anything refused leaves the identity zeroed; a
 * header accepted names one of the known algorithms and a kid that fits; a
 * key set parsed holds 0 to ORD_JWT_MAX_KEYS keys with distinct kids, each
 * with one algorithm; base64url decodes only its one spelling (encoding
 * the bytes again gives the input back).
 */
#include <stdlib.h>
#include <string.h>

#include <orders/support/base64.h>

#include "fuzz.h"
#include "internal.h"
#include "jwt_world.h"

static const char *const PARTS[] = {"token", "claims", "jwks", "b64"};

static bool zeroed(const ord_jwt_identity *id)
{
    static const ord_jwt_identity zero;
    return memcmp(id, &zero, sizeof zero) == 0;
}

static void check_identity(const ord_jwt_identity *id)
{
    FUZZ_CHECK(id->admin || id->customer_id > 0);
    FUZZ_CHECK(id->customer_id >= 0);
    FUZZ_CHECK(strnlen(id->subject, sizeof id->subject) < sizeof id->subject);
}

static void fuzz_token(const char *token, size_t len)
{
    jwt_header h;
    ord_jwt_result header = ord_jwt_header_read(token, len, &h);
    FUZZ_CHECK(header == ORD_JWT_OK || header == ORD_JWT_MALFORMED ||
               header == ORD_JWT_ALGORITHM || header == ORD_JWT_UNSUPPORTED);
    if (header == ORD_JWT_OK) {
        FUZZ_CHECK(strnlen(h.alg, sizeof h.alg) < sizeof h.alg && h.alg[0] != '\0');
        FUZZ_CHECK(strcmp(h.alg, "none") != 0);
        FUZZ_CHECK(strnlen(h.kid, sizeof h.kid) < sizeof h.kid);
        FUZZ_CHECK(h.has_kid == (h.kid[0] != '\0'));
    }
    ord_jwt_identity id;
    memset(&id, 0x5a, sizeof id);
    ord_jwt_result r = ord_jwt_verify(fuzz_verifier(), token, len, &id);
    FUZZ_CHECK((unsigned)r <= (unsigned)ORD_JWT_UNSUPPORTED);
    FUZZ_CHECK(ord_jwt_result_text(r) != NULL);
    if (len <= ORD_JWT_MAX_TOKEN_BYTES && header != ORD_JWT_OK)
        FUZZ_CHECK(r == header);
    if (r == ORD_JWT_OK)
        check_identity(&id);
    else
        FUZZ_CHECK(zeroed(&id));
}

static void fuzz_claims(const unsigned char *payload, size_t len)
{
    const jwt_rules rules = {FUZZ_JWT_ISSUER, FUZZ_JWT_AUDIENCE, 60, "sub", "orders:admin"};
    ord_jwt_identity id;
    memset(&id, 0x5a, sizeof id);
    ord_jwt_result r = ord_jwt_claims_check(&rules, payload, len, FUZZ_JWT_NOW, &id);
    FUZZ_CHECK((unsigned)r <= (unsigned)ORD_JWT_UNSUPPORTED);
    FUZZ_CHECK(r != ORD_JWT_ALGORITHM && r != ORD_JWT_UNKNOWN_KEY && r != ORD_JWT_SIGNATURE);
    if (r == ORD_JWT_OK)
        check_identity(&id);
    else
        FUZZ_CHECK(zeroed(&id));
}

static void fuzz_jwks(const char *doc, size_t len)
{
    jwt_keyset *set = (jwt_keyset *)1;
    char err[256] = "";
    ord_error rc = ord_jwt_keyset_parse(doc, len, NULL, NULL, &set, err, sizeof err);
    FUZZ_CHECK(rc == ORD_OK || rc == ORD_EINVALID);
    if (rc != ORD_OK) {
        FUZZ_CHECK(set == NULL && err[0] != '\0');
        return;
    }
    FUZZ_CHECK(set != NULL && set->count <= ORD_JWT_MAX_KEYS);
    for (size_t i = 0; i < set->count; i++) {
        const jwt_key *k = &set->keys[i];
        FUZZ_CHECK(k->jwk != NULL && k->alg[0] != '\0');
        FUZZ_CHECK(strnlen(k->kid, sizeof k->kid) < sizeof k->kid);
        FUZZ_CHECK(ord_jwt_keyset_find(set, k->kid) == k);
    }
    ord_jwt_keyset_release(set);
}

static const char B64URL[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void fuzz_b64(const char *in, size_t len)
{
    unsigned char *out = (unsigned char *)1;
    size_t n = 99;
    if (ord_base64_decode(in, len, ORD_BASE64_URL, 8192, &out, &n) != ORD_BASE64_OK) {
        FUZZ_CHECK(out == NULL && n == 0);
        return;
    }
    FUZZ_CHECK(out != NULL && out[n] == '\0');
    /* Encode again, without padding: the one spelling is the input. */
    char *again = malloc(n / 3 * 4 + 4);
    if (again == NULL)
        abort();
    size_t w = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)out[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)out[i + 1] << 8;
        if (i + 2 < n)
            v |= out[i + 2];
        size_t chars = i + 2 < n ? 4 : i + 1 < n ? 3 : 2;
        for (size_t k = 0; k < chars; k++)
            again[w++] = B64URL[(v >> (18 - 6 * k)) & 63];
    }
    FUZZ_CHECK(w == len && (len == 0 || memcmp(again, in, len) == 0));
    free(again);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = {data, size};
    char *word = fuzz_line(&in, NULL);
    size_t part = (unsigned char)word[0] % 4;
    for (size_t i = 0; i < 4; i++)
        if (strcmp(word, PARTS[i]) == 0)
            part = i;
    free(word);
    size_t len = 0;
    char *bytes = fuzz_rest(&in, &len);
    switch (part) {
    case 0:
        fuzz_token(bytes, len);
        break;
    case 1:
        fuzz_claims((const unsigned char *)bytes, len);
        break;
    case 2:
        fuzz_jwks(bytes, len);
        break;
    default:
        fuzz_b64(bytes, len);
        break;
    }
    free(bytes);
    return 0;
}
