/* The verifier against good tokens of each algorithm and against every
 * token the issue's matrix lists: wrong times, issuer, audience, alg
 * "none", HS256 signed with an RSA public key, unknown and mismatched keys,
 * tampered and stripped signatures, malformed parts; then the claims that
 * name the customer and the admin scope. */
#include "jwt_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ord_jwt_verifier *verifier;

static int setup(void **state)
{
    jx_setup(state);
    jx *x = *state;
    ord_jwt_config c = jx_config(x);
    c.issuer = "https://issuer.test";
    c.audience = "orders-api";
    verifier = jx_verifier(&c);
    return 0;
}

static int teardown(void **state)
{
    ord_jwt_verifier_free(verifier);
    verifier = NULL;
    return jx_teardown(state);
}

#define GOOD "\"iss\":\"https://issuer.test\",\"aud\":\"orders-api\""

/* A token signed by @p key under @p kid over claims GOOD + @p extra. */
static char *with_kid(const jx_key *key, const char *kid, const char *extra)
{
    char members[512];
    snprintf(members, sizeof members, GOOD "%s%s", extra[0] != '\0' ? "," : "", extra);
    char *claims = jx_claims(members);
    char *token = tok_mint(key->private_jwk, NULL, 0, NULL, kid, claims);
    free(claims);
    return token;
}

static char *hs256(const char *extra)
{
    char members[512];
    snprintf(members, sizeof members, GOOD "%s%s", extra[0] != '\0' ? "," : "", extra);
    char *claims = jx_claims(members);
    char *token = tok_mint(NULL, (const unsigned char *)JX_SECRET, strlen(JX_SECRET), "HS256",
                           NULL, claims);
    free(claims);
    return token;
}

static void expect(const char *token, ord_jwt_result want)
{
    ord_jwt_identity id;
    ord_jwt_result got = jx_verify(verifier, token, &id);
    if (got != want)
        fail_msg("%s: got \"%s\", want \"%s\"", token, ord_jwt_result_text(got),
                 ord_jwt_result_text(want));
}

static void test_valid_tokens_of_each_algorithm(void **state)
{
    jx *x = *state;
    const char *tokens[3];
    char *rs = with_kid(&x->rsa, "rsa-1", "\"sub\":\"12345\"");
    char *es = with_kid(&x->ec, "ec-1", "\"sub\":12345");
    char *hs = hs256("\"sub\":\"12345\"");
    tokens[0] = rs;
    tokens[1] = es;
    tokens[2] = hs;
    for (int i = 0; i < 3; i++) {
        ord_jwt_identity id;
        assert_int_equal(jx_verify(verifier, tokens[i], &id), ORD_JWT_OK);
        assert_int_equal(id.customer_id, 12345);
        assert_false(id.admin);
        assert_string_equal(id.subject, "12345");
    }
    free(rs);
    free(es);
    free(hs);
}

static void test_lifetime_is_checked_with_leeway(void **state)
{
    (void)state;
    char extra[128];
    /* exp: required, and past it (beyond 60 s of leeway) is expired. */
    char *t = tok_mint(NULL, (const unsigned char *)JX_SECRET, strlen(JX_SECRET), "HS256", NULL,
                       "{\"sub\":\"1\"," GOOD "}");
    expect(t, ORD_JWT_EXPIRED);
    free(t);
    snprintf(extra, sizeof extra, "\"sub\":\"1\",\"exp\":%lld", (long long)(JX_NOW - 61));
    char claims[256];
    snprintf(claims, sizeof claims, "{%s," GOOD "}", extra);
    t = tok_mint(NULL, (const unsigned char *)JX_SECRET, strlen(JX_SECRET), "HS256", NULL, claims);
    expect(t, ORD_JWT_EXPIRED);
    free(t);
    snprintf(claims, sizeof claims, "{\"sub\":\"1\",\"exp\":%lld," GOOD "}", (long long)(JX_NOW - 30));
    t = tok_mint(NULL, (const unsigned char *)JX_SECRET, strlen(JX_SECRET), "HS256", NULL, claims);
    expect(t, ORD_JWT_OK); /* within the leeway */
    free(t);
    /* nbf and iat in the future. */
    snprintf(extra, sizeof extra, "\"sub\":\"1\",\"nbf\":%lld", (long long)(JX_NOW + 120));
    t = hs256(extra);
    expect(t, ORD_JWT_NOT_YET_VALID);
    free(t);
    snprintf(extra, sizeof extra, "\"sub\":\"1\",\"nbf\":%lld", (long long)(JX_NOW + 50));
    t = hs256(extra);
    expect(t, ORD_JWT_OK);
    free(t);
    snprintf(extra, sizeof extra, "\"sub\":\"1\",\"iat\":%lld", (long long)(JX_NOW + 3600));
    t = hs256(extra);
    expect(t, ORD_JWT_NOT_YET_VALID);
    free(t);
    /* Not a number: malformed. */
    t = hs256("\"sub\":\"1\",\"nbf\":\"soon\"");
    expect(t, ORD_JWT_MALFORMED);
    free(t);
}

static void test_issuer_and_audience(void **state)
{
    (void)state;
    char claims[256];
    snprintf(claims, sizeof claims,
             "{\"sub\":\"1\",\"exp\":%lld,\"iss\":\"https://evil.test\",\"aud\":\"orders-api\"}",
             (long long)(JX_NOW + 600));
    char *t = tok_mint(NULL, (const unsigned char *)JX_SECRET, strlen(JX_SECRET), "HS256", NULL, claims);
    expect(t, ORD_JWT_ISSUER);
    free(t);
    static const char *const auds[] = {"\"other-api\"", "[\"a\",\"b\"]", "[]", "7", "null"};
    for (size_t i = 0; i < sizeof auds / sizeof auds[0]; i++) {
        snprintf(claims, sizeof claims,
                 "{\"sub\":\"1\",\"exp\":%lld,\"iss\":\"https://issuer.test\",\"aud\":%s}",
                 (long long)(JX_NOW + 600), auds[i]);
        t = tok_mint(NULL, (const unsigned char *)JX_SECRET, strlen(JX_SECRET), "HS256", NULL, claims);
        expect(t, ORD_JWT_AUDIENCE);
        free(t);
    }
    snprintf(claims, sizeof claims,
             "{\"sub\":\"1\",\"exp\":%lld,\"iss\":\"https://issuer.test\",\"aud\":[\"x\",\"orders-api\"]}",
             (long long)(JX_NOW + 600));
    t = tok_mint(NULL, (const unsigned char *)JX_SECRET, strlen(JX_SECRET), "HS256", NULL, claims);
    expect(t, ORD_JWT_OK);
    free(t);
}

/* header.payload.signature of a token, each part separately. */
static void split(const char *token, char *h, char *p, char *s)
{
    const char *d1 = strchr(token, '.');
    const char *d2 = strchr(d1 + 1, '.');
    sprintf(h, "%.*s", (int)(d1 - token), token);
    sprintf(p, "%.*s", (int)(d2 - d1 - 1), d1 + 1);
    sprintf(s, "%s", d2 + 1);
}

static char *join(const char *h, const char *p, const char *s)
{
    char *out = malloc(strlen(h) + strlen(p) + strlen(s) + 3);
    sprintf(out, "%s.%s.%s", h, p, s);
    return out;
}

static void test_alg_none_and_algorithm_confusion_are_refused(void **state)
{
    jx *x = *state;
    char *good = with_kid(&x->rsa, "rsa-1", "\"sub\":\"1\"");
    static char h[2048], p[4096], s[2048];
    split(good, h, p, s);
    /* alg none, with and without a signature, with and without kid. */
    static const char *const none_headers[] = {"{\"alg\":\"none\"}", "{\"alg\":\"none\",\"kid\":\"rsa-1\"}",
                                               "{\"alg\":\"NONE\",\"kid\":\"rsa-1\"}",
                                               "{\"alg\":\"\",\"kid\":\"rsa-1\"}",
                                               "{\"kid\":\"rsa-1\"}"};
    for (size_t i = 0; i < sizeof none_headers / sizeof none_headers[0]; i++) {
        char *nh = tok_b64url(none_headers[i], strlen(none_headers[i]));
        char *t = join(nh, p, s);
        expect(t, ORD_JWT_ALGORITHM);
        free(t);
        t = join(nh, p, "");
        expect(t, ORD_JWT_MALFORMED); /* no signature at all */
        free(t);
        free(nh);
    }
    /* HS256 signed with the RSA public key's text as the HMAC secret. */
    char claims[128];
    snprintf(claims, sizeof claims, "{\"sub\":\"1\",\"exp\":%lld," GOOD "}", (long long)(JX_NOW + 600));
    char *t = tok_mint(NULL, (const unsigned char *)x->rsa.public_jwk, strlen(x->rsa.public_jwk),
                       "HS256", "rsa-1", claims);
    expect(t, ORD_JWT_ALGORITHM);
    free(t);
    /* The same without kid would pick the HS256 secret: still not its key. */
    t = tok_mint(NULL, (const unsigned char *)x->rsa.public_jwk, strlen(x->rsa.public_jwk),
                 "HS256", NULL, claims);
    expect(t, ORD_JWT_SIGNATURE);
    free(t);
    /* An EC key's kid with RS256 signed by the RSA key: the key decides. */
    t = tok_mint(x->rsa.private_jwk, NULL, 0, "RS256", "ec-1", claims);
    expect(t, ORD_JWT_ALGORITHM);
    free(t);
    t = tok_mint(x->ec.private_jwk, NULL, 0, "ES256", "rsa-1", claims);
    expect(t, ORD_JWT_ALGORITHM);
    free(t);
    /* RS512 over the RSA key that allows only RS256. */
    t = tok_mint(x->rsa.private_jwk, NULL, 0, "RS512", "rsa-1", claims);
    expect(t, ORD_JWT_ALGORITHM);
    free(t);
    free(good);
}

static void test_unknown_key_tampering_and_malformed_parts(void **state)
{
    jx *x = *state;
    char *t = with_kid(&x->rsa, "nobody", "\"sub\":\"1\"");
    expect(t, ORD_JWT_UNKNOWN_KEY);
    free(t);
    /* A key that is not in the JWKS, under a kid that is. */
    char *priv = NULL, *jwks = NULL;
    assert_true(tok_keygen("ES256", "ec-1", &priv, &jwks));
    t = with_kid(&(jx_key){priv, jwks, NULL}, "ec-1", "\"sub\":\"1\"");
    expect(t, ORD_JWT_SIGNATURE);
    free(t);
    free(priv);
    free(jwks);

    char *good = with_kid(&x->ec, "ec-1", "\"sub\":\"1\"");
    expect(good, ORD_JWT_OK);
    static char h[2048], p[4096], s[2048];
    split(good, h, p, s);
    /* Tampered payload: customer 1 becomes 2. */
    char claims[256];
    snprintf(claims, sizeof claims, "{\"exp\":%lld," GOOD ",\"sub\":\"2\"}", (long long)(JX_NOW + 600));
    char *tp = tok_b64url(claims, strlen(claims));
    t = join(h, tp, s);
    expect(t, ORD_JWT_SIGNATURE);
    free(t);
    free(tp);
    /* Stripped or truncated signature. */
    t = join(h, p, "");
    expect(t, ORD_JWT_MALFORMED);
    free(t);
    s[8] = '\0'; /* 6 bytes, cleanly encoded */
    t = join(h, p, s);
    expect(t, ORD_JWT_SIGNATURE);
    free(t);
    split(good, h, p, s);
    /* Malformed base64url: padding, a foreign character, a second spelling
     * (non-zero trailing bits), too many or too few parts. */
    static char bad[16384];
    snprintf(bad, sizeof bad, "%s=.%s.%s", h, p, s);
    expect(bad, ORD_JWT_MALFORMED);
    snprintf(bad, sizeof bad, "%s.%s*.%s", h, p, s);
    expect(bad, ORD_JWT_MALFORMED);
    snprintf(bad, sizeof bad, "%s.%s.%s+", h, p, s);
    expect(bad, ORD_JWT_MALFORMED);
    snprintf(bad, sizeof bad, "%s.%s.%s.%s", h, p, s, s);
    expect(bad, ORD_JWT_MALFORMED);
    snprintf(bad, sizeof bad, "%s.%s", h, p);
    expect(bad, ORD_JWT_MALFORMED);
    expect("", ORD_JWT_MALFORMED);
    expect("..", ORD_JWT_MALFORMED);
    /* "e30" is "{}"; "e31" decodes to the same bytes with a stray bit. */
    snprintf(bad, sizeof bad, "e31.%s.%s", p, s);
    expect(bad, ORD_JWT_MALFORMED);
    /* Non-JSON, non-object, nested and duplicate-member headers. */
    static const char *const headers[] = {"not json", "[\"ES256\"]", "\"ES256\"",
                                          "{\"alg\":\"ES256\",\"kid\":\"ec-1\"} x",
                                          "{\"alg\":\"ES256\",\"kid\":{\"a\":{\"b\":1}}}",
                                          "{\"alg\":\"ES256\",\"alg\":\"none\",\"kid\":\"ec-1\"}"};
    for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) {
        char *nh = tok_b64url(headers[i], strlen(headers[i]));
        t = join(nh, p, s);
        expect(t, ORD_JWT_MALFORMED);
        free(t);
        free(nh);
    }
    /* Extensions we do not understand, and a typ that is not a JWT. */
    static const char *const unsupported[] = {
        "{\"alg\":\"ES256\",\"kid\":\"ec-1\",\"crit\":[\"b64\"],\"b64\":false}",
        "{\"alg\":\"ES256\",\"kid\":\"ec-1\",\"typ\":\"JOSE+JSON\"}"};
    for (size_t i = 0; i < 2; i++) {
        char *nh = tok_b64url(unsupported[i], strlen(unsupported[i]));
        t = join(nh, p, s);
        expect(t, ORD_JWT_UNSUPPORTED);
        free(t);
        free(nh);
    }
    /* Too long. */
    char *huge = malloc(ORD_JWT_MAX_TOKEN_BYTES + 2);
    memset(huge, 'a', ORD_JWT_MAX_TOKEN_BYTES + 1);
    huge[ORD_JWT_MAX_TOKEN_BYTES + 1] = '\0';
    ord_jwt_identity id;
    assert_int_equal(ord_jwt_verify(verifier, huge, strlen(huge), &id), ORD_JWT_MALFORMED);
    free(huge);
    free(good);
}

static void test_customer_claim_must_be_a_positive_integer(void **state)
{
    (void)state;
    static const struct {
        const char *sub;
        int64_t id;
    } cases[] = {{"\"12345\"", 12345}, {"12345", 12345}, {"\"9007199254740992\"", 9007199254740992LL},
                 {"\"0\"", 0}, {"0", 0}, {"-5", 0}, {"\"-5\"", 0}, {"\"012\"", 0},
                 {"1.5", 0}, {"\"12a\"", 0}, {"\"\"", 0}, {"\" 12\"", 0}, {"true", 0},
                 {"1e300", 0}, {"\"99999999999999999999\"", 0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char extra[128];
        snprintf(extra, sizeof extra, "\"sub\":%s", cases[i].sub);
        char *t = hs256(extra);
        ord_jwt_identity id;
        ord_jwt_result r = jx_verify(verifier, t, &id);
        if (cases[i].id > 0) {
            assert_int_equal(r, ORD_JWT_OK);
            assert_int_equal(id.customer_id, cases[i].id);
        } else if (r != ORD_JWT_NO_CUSTOMER && r != ORD_JWT_MALFORMED) {
            fail_msg("sub %s: %s", cases[i].sub, ord_jwt_result_text(r));
        }
        free(t);
    }
    char *t = hs256("\"scope\":\"orders:read\"");
    expect(t, ORD_JWT_NO_CUSTOMER);
    free(t);
}

static void test_admin_scope_from_scope_or_scp(void **state)
{
    (void)state;
    static const char *const admin[] = {"\"scope\":\"openid orders:admin\"",
                                        "\"scope\":\"orders:admin\"",
                                        "\"scp\":[\"x\",\"orders:admin\"]",
                                        "\"scp\":\"orders:admin profile\""};
    static const char *const not_admin[] = {"\"scope\":\"orders:admin2\"",
                                            "\"scope\":\"xorders:admin\"",
                                            "\"scope\":[\"orders:admin\"]",
                                            "\"scp\":[\"orders:read\"]", "\"roles\":[\"orders:admin\"]"};
    for (size_t i = 0; i < 4; i++) {
        char *t = hs256(admin[i]);
        ord_jwt_identity id;
        assert_int_equal(jx_verify(verifier, t, &id), ORD_JWT_OK);
        assert_true(id.admin);
        assert_int_equal(id.customer_id, 0);
        free(t);
    }
    for (size_t i = 0; i < 5; i++) {
        char extra[160];
        snprintf(extra, sizeof extra, "\"sub\":\"7\",%s", not_admin[i]);
        char *t = hs256(extra);
        ord_jwt_identity id;
        assert_int_equal(jx_verify(verifier, t, &id), ORD_JWT_OK);
        assert_false(id.admin);
        assert_int_equal(id.customer_id, 7);
        free(t);
    }
}

static void test_claim_names_are_settings(void **state)
{
    jx *x = *state;
    ord_jwt_config c = jx_config(x);
    c.customer_claim = "customer_id";
    c.admin_scope = "ops";
    ord_jwt_verifier *v = jx_verifier(&c);
    char *claims = jx_claims("\"sub\":\"auth0|abc\",\"customer_id\":77");
    char *t = tok_mint(NULL, (const unsigned char *)JX_SECRET, strlen(JX_SECRET), "HS256", NULL, claims);
    ord_jwt_identity id;
    assert_int_equal(jx_verify(v, t, &id), ORD_JWT_OK);
    assert_int_equal(id.customer_id, 77);
    assert_string_equal(id.subject, "auth0|abc");
    free(t);
    free(claims);
    claims = jx_claims("\"sub\":\"svc\",\"scope\":\"ops\"");
    t = tok_mint(NULL, (const unsigned char *)JX_SECRET, strlen(JX_SECRET), "HS256", NULL, claims);
    assert_int_equal(jx_verify(v, t, &id), ORD_JWT_OK);
    assert_true(id.admin);
    free(t);
    free(claims);
    ord_jwt_verifier_free(v);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_valid_tokens_of_each_algorithm),
        T(test_lifetime_is_checked_with_leeway),
        T(test_issuer_and_audience),
        T(test_alg_none_and_algorithm_confusion_are_refused),
        T(test_unknown_key_tampering_and_malformed_parts),
        T(test_customer_claim_must_be_a_positive_integer),
        T(test_admin_scope_from_scope_or_scp),
        T(test_claim_names_are_settings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
