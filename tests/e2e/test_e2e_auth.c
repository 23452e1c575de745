/* End to end with authentication on (keys from files: an RSA and an EC key
 * chosen by kid, an HS256 secret; issuer and audience required; /metrics
 * behind the admin scope). The token matrix over real HTTP, then every
 * endpoint with a customer's token, another customer's, an admin's and
 * none (OWASP API1 and API5), and one Idempotency-Key from two customers. */
#include "e2e.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "token.h"

#define CUSTOMER 12345
#define OTHER 4242
#define ISS "https://issuer.test"
#define AUD "orders-api"

static char *rsa_jwk, *ec_jwk, *secret;
static char *customer_token, *other_token, *admin_token;

/* Claims with the right issuer and audience, valid for ten minutes, plus
 * @p extra members. */
static char *claims(const char *extra)
{
    char *out = malloc(strlen(extra) + 200);
    assert_non_null(out);
    long long now = (long long)time(NULL);
    sprintf(out, "{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"iat\":%lld,\"exp\":%lld%s%s}", now,
            now + 600, extra[0] != '\0' ? "," : "", extra);
    return out;
}

static char *mint(const char *jwk, const char *alg, const char *kid, const char *extra)
{
    char *c = claims(extra);
    char *t = jwk != NULL ? tok_mint(jwk, NULL, 0, alg, kid, c)
                          : tok_mint(NULL, (const unsigned char *)secret, strlen(secret), "HS256",
                                     kid, c);
    free(c);
    assert_non_null(t);
    return t;
}

static int group_setup(void **state)
{
    rsa_jwk = e2e_read_stack_file("rsa.jwk");
    ec_jwk = e2e_read_stack_file("ec.jwk");
    secret = e2e_read_stack_file("secret");
    customer_token = mint(ec_jwk, NULL, "e2e-ec", "\"sub\":\"12345\"");
    other_token = mint(rsa_jwk, NULL, "e2e-rsa", "\"sub\":4242");
    admin_token = mint(NULL, NULL, NULL, "\"sub\":\"ops\",\"scope\":\"openid orders:admin\"");
    return e2e_group_setup(state);
}

static int group_teardown(void **state)
{
    free(rsa_jwk);
    free(ec_jwk);
    free(secret);
    free(customer_token);
    free(other_token);
    free(admin_token);
    return e2e_group_teardown(state);
}

static int reset(void **state)
{
    (void)state;
    e2e_sim_reset();
    return 0;
}

/* A request with "Authorization: Bearer <token>" (none for NULL). */
static e2e_reply as(const char *token, const char *method, const char *path, const char *body)
{
    if (token == NULL)
        return e2e_call(method, path, body, NULL);
    char *header = malloc(strlen(token) + 32);
    assert_non_null(header);
    sprintf(header, "Authorization: Bearer %s", token);
    e2e_reply r = e2e_call(method, path, body, header, NULL);
    free(header);
    return r;
}

static void assert_401(const e2e_reply *r, const char *challenge)
{
    e2e_assert_problem(r, 401, "Unauthorized");
    char buf[200];
    const char *got = e2e_header(r, "WWW-Authenticate", buf, sizeof buf);
    assert_non_null(got);
    assert_string_equal(got, challenge);
}

#define INVALID_TOKEN "Bearer error=\"invalid_token\""
#define LIST_PATH "/api/v1/orders/customer/12345"

static void expect_token(const char *token, long status)
{
    e2e_reply r = as(token, "GET", LIST_PATH, NULL);
    if (r.status != status)
        fail_msg("token %.60s...: status %ld, expected %ld: %s", token, r.status, status, r.body);
    if (status == 401)
        assert_401(&r, INVALID_TOKEN);
    e2e_reply_free(&r);
}

static char *b64(const char *text)
{
    return tok_b64url(text, strlen(text));
}

static void test_token_matrix(void **state)
{
    (void)state;
    /* Valid RS256, ES256 and HS256 (the customer is 12345 in each). */
    char *rs = mint(rsa_jwk, NULL, "e2e-rsa", "\"sub\":\"12345\"");
    char *hs = mint(NULL, NULL, NULL, "\"sub\":\"12345\"");
    expect_token(rs, 200);
    expect_token(customer_token, 200);
    expect_token(hs, 200);

    long long now = (long long)time(NULL);
    char extra[200];
    /* Expired; nbf in the future; wrong iss; wrong aud. */
    snprintf(extra, sizeof extra, "\"sub\":\"12345\",\"exp\":%lld", now - 3600);
    char *c = malloc(400);
    snprintf(c, 400, "{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",%s}", extra);
    char *t = tok_mint(ec_jwk, NULL, 0, NULL, "e2e-ec", c);
    expect_token(t, 401);
    free(t);
    snprintf(extra, sizeof extra, "\"sub\":\"12345\",\"nbf\":%lld", now + 3600);
    t = mint(ec_jwk, NULL, "e2e-ec", extra);
    expect_token(t, 401);
    free(t);
    snprintf(c, 400, "{\"iss\":\"https://evil.test\",\"aud\":\"" AUD "\",\"exp\":%lld,\"sub\":\"12345\"}",
             now + 600);
    t = tok_mint(ec_jwk, NULL, 0, NULL, "e2e-ec", c);
    expect_token(t, 401);
    free(t);
    snprintf(c, 400, "{\"iss\":\"" ISS "\",\"aud\":[\"other-api\"],\"exp\":%lld,\"sub\":\"12345\"}",
             now + 600);
    t = tok_mint(ec_jwk, NULL, 0, NULL, "e2e-ec", c);
    expect_token(t, 401);
    free(t);

    /* alg none, with the payload of a good token and no signature or any. */
    const char *dot = strchr(customer_token, '.');
    const char *dot2 = strchr(dot + 1, '.');
    char payload[2048];
    snprintf(payload, sizeof payload, "%.*s", (int)(dot2 - dot - 1), dot + 1);
    char *none = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}");
    char forged[4096];
    snprintf(forged, sizeof forged, "%s.%s.", none, payload);
    expect_token(forged, 401);
    snprintf(forged, sizeof forged, "%s.%s.%s", none, payload, dot2 + 1);
    expect_token(forged, 401);
    free(none);

    /* HS256 signed with the RSA public key as the secret, naming the RSA key. */
    char *pub = tok_public_jwk(rsa_jwk);
    char *cl = claims("\"sub\":\"12345\"");
    t = tok_mint(NULL, (const unsigned char *)pub, strlen(pub), "HS256", "e2e-rsa", cl);
    expect_token(t, 401);
    free(t);
    free(pub);
    /* Unknown kid; a key of one type named with another's alg. */
    t = mint(ec_jwk, NULL, "no-such-key", "\"sub\":\"12345\"");
    expect_token(t, 401);
    free(t);
    t = tok_mint(rsa_jwk, NULL, 0, "RS256", "e2e-ec", cl);
    expect_token(t, 401);
    free(t);
    free(cl);

    /* Tampered payload (another customer), stripped signature. */
    char *other_payload = b64("{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"exp\":9999999999,\"sub\":\"4242\"}");
    snprintf(forged, sizeof forged, "%.*s.%s.%s", (int)(dot - customer_token), customer_token,
             other_payload, dot2 + 1);
    expect_token(forged, 401);
    free(other_payload);
    snprintf(forged, sizeof forged, "%.*s.", (int)(dot2 - customer_token), customer_token);
    expect_token(forged, 401);
    /* Malformed base64url (padding; a character outside the alphabet is
     * refused by the header syntax first), non-JSON header. */
    snprintf(forged, sizeof forged, "%.*s=.%s", (int)(dot - customer_token), customer_token, dot + 1);
    expect_token(forged, 401);
    char *junk = b64("this is not json");
    snprintf(forged, sizeof forged, "%s.%s", junk, dot + 1);
    expect_token(forged, 401);
    free(junk);
    snprintf(forged, sizeof forged, "Authorization: Bearer %.*s!%s", (int)(dot - customer_token),
             customer_token, dot);
    e2e_reply r = e2e_call("GET", LIST_PATH, NULL, forged, NULL);
    assert_401(&r, INVALID_TOKEN);
    e2e_reply_free(&r);

    /* Two Authorization headers, even both good: refused. */
    char h1[2048], h2[2048];
    snprintf(h1, sizeof h1, "Authorization: Bearer %s", customer_token);
    snprintf(h2, sizeof h2, "Authorization: Bearer %s", rs);
    r = e2e_call("GET", LIST_PATH, NULL, h1, h2, NULL);
    assert_401(&r, "Bearer error=\"invalid_request\"");
    e2e_reply_free(&r);
    /* A token in the query string is never read. */
    char path[2048];
    snprintf(path, sizeof path, LIST_PATH "?access_token=%s", customer_token);
    r = e2e_call("GET", path, NULL, NULL);
    assert_401(&r, "Bearer");
    e2e_reply_free(&r);
    /* No token at all. */
    r = e2e_call("GET", LIST_PATH, NULL, NULL);
    assert_401(&r, "Bearer");
    e2e_reply_free(&r);
    /* The scheme in lower case is accepted. */
    snprintf(h1, sizeof h1, "Authorization: bearer %s", customer_token);
    r = e2e_call("GET", LIST_PATH, NULL, h1, NULL);
    assert_int_equal(r.status, 200);
    e2e_reply_free(&r);
    free(rs);
    free(hs);
    free(c);
}

static int64_t place_as(const char *token, int64_t customer)
{
    char *body = e2e_order_body(customer, "[{\"productId\":2,\"quantity\":1}]");
    e2e_reply r = as(token, "POST", "/api/v1/orders", body);
    free(body);
    if (r.status != 201)
        fail_msg("place: %ld %s", r.status, r.body);
    int64_t id = e2e_int(r.json, "orderId");
    e2e_reply_free(&r);
    return id;
}

/* One cell of the matrix: who calls what, and the status it must get. */
typedef struct cell {
    const char *method;
    const char *path;
    const char *body;
    const char *who; /* "customer", "other", "admin" or "none" */
    long status;
} cell;

static const char *token_of(const char *who)
{
    if (strcmp(who, "customer") == 0)
        return customer_token;
    if (strcmp(who, "other") == 0)
        return other_token;
    if (strcmp(who, "admin") == 0)
        return admin_token;
    return NULL;
}

static void run(const cell *c)
{
    e2e_reply r = as(token_of(c->who), c->method, c->path, c->body);
    if (r.status != c->status)
        fail_msg("%s %s as %s: %ld, expected %ld: %s", c->method, c->path, c->who, r.status,
                 c->status, r.body);
    char buf[200];
    if (r.status == 401)
        assert_non_null(e2e_header(&r, "WWW-Authenticate", buf, sizeof buf));
    if (r.status == 403 && (strstr(c->path, "/ship") != NULL || strstr(c->path, "/deliver") != NULL ||
                            strcmp(c->path, "/metrics") == 0)) {
        assert_non_null(e2e_header(&r, "WWW-Authenticate", buf, sizeof buf));
        assert_string_equal(buf, "Bearer error=\"insufficient_scope\", scope=\"orders:admin\"");
    }
    e2e_reply_free(&r);
}

/* An order's status, read with the admin's token. */
static const char *status_of(int64_t id, char *buf, size_t cap)
{
    char path[64];
    e2e_reply r = as(admin_token, "GET", e2e_path(path, sizeof path, id, ""), NULL);
    assert_int_equal(r.status, 200);
    snprintf(buf, cap, "%s", e2e_str(r.json, "status"));
    e2e_reply_free(&r);
    return buf;
}

static void test_every_endpoint_with_each_caller(void **state)
{
    (void)state;
    int64_t order = place_as(customer_token, CUSTOMER);
    e2e_reply d = as(customer_token, "POST", "/api/v1/orders/drafts", "{\"items\":[{\"productId\":3,\"quantity\":1}]}");
    assert_int_equal(d.status, 201);
    assert_int_equal(e2e_int(d.json, "customerId"), CUSTOMER);
    int64_t draft = e2e_int(d.json, "orderId");
    e2e_reply_free(&d);
    char get[64], cancel[64], ship[64], deliver[64], items[64], checkout[64];
    e2e_path(get, sizeof get, order, "");
    e2e_path(cancel, sizeof cancel, order, "/cancel");
    e2e_path(ship, sizeof ship, order, "/ship");
    e2e_path(deliver, sizeof deliver, order, "/deliver");
    e2e_path(items, sizeof items, draft, "/items");
    e2e_path(checkout, sizeof checkout, draft, "/checkout");
    static char order_body[300], other_body[300];
    char *b = e2e_order_body(CUSTOMER, "[{\"productId\":2,\"quantity\":1}]");
    snprintf(order_body, sizeof order_body, "%s", b);
    free(b);
    const char *line = "{\"productId\":1,\"quantity\":1}";
    const char *admin_line = "{\"productId\":1,\"quantity\":2,\"customerId\":12345}";
    const char *checkout_body = "{\"deliveryAddress\":\"1 Road\"}";
    snprintf(other_body, sizeof other_body, "%s", "{\"customerId\":12345}");

    const cell cells[] = {
        /* Operations: open, except /metrics (admin scope by setting). */
        {"GET", "/health/live", NULL, "none", 200},
        {"GET", "/health/ready", NULL, "none", 200},
        {"GET", "/openapi.json", NULL, "none", 200},
        {"GET", "/metrics", NULL, "none", 401},
        {"GET", "/metrics", NULL, "customer", 403},
        {"GET", "/metrics", NULL, "admin", 200},
        /* Reading: the owner and an admin; another customer finds nothing. */
        {"GET", get, NULL, "none", 401},
        {"GET", get, NULL, "other", 404},
        {"GET", get, NULL, "customer", 200},
        {"GET", get, NULL, "admin", 200},
        {"GET", "/api/v1/orders/customer/12345", NULL, "none", 401},
        {"GET", "/api/v1/orders/customer/12345", NULL, "other", 403},
        {"GET", "/api/v1/orders/customer/12345", NULL, "customer", 200},
        {"GET", "/api/v1/orders/customer/12345", NULL, "admin", 200},
        /* Placing for customer 12345. */
        {"POST", "/api/v1/orders", order_body, "none", 401},
        {"POST", "/api/v1/orders", order_body, "other", 403},
        {"POST", "/api/v1/orders", order_body, "customer", 201},
        {"POST", "/api/v1/orders", order_body, "admin", 201},
        {"POST", "/api/v1/orders/drafts", other_body, "none", 401},
        {"POST", "/api/v1/orders/drafts", other_body, "other", 403},
        {"POST", "/api/v1/orders/drafts", other_body, "customer", 201},
        {"POST", "/api/v1/orders/drafts", other_body, "admin", 201},
        /* The customer's draft. */
        {"PUT", items, line, "none", 401},
        {"PUT", items, line, "other", 404},
        {"PUT", items, line, "customer", 200},
        {"PUT", items, admin_line, "admin", 200},
        {"POST", checkout, checkout_body, "none", 401},
        {"POST", checkout, checkout_body, "other", 404},
        /* Operator actions: the admin scope only. */
        {"PUT", ship, NULL, "none", 401},
        {"PUT", ship, NULL, "other", 403},
        {"PUT", ship, NULL, "customer", 403},
        {"PUT", deliver, NULL, "customer", 403},
        {"PUT", cancel, NULL, "none", 401},
        {"PUT", cancel, NULL, "other", 404},
    };
    for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++)
        run(&cells[i]);
    char status[32];
    assert_string_equal(status_of(order, status, sizeof status), "CONFIRMED");
    assert_string_equal(status_of(draft, status, sizeof status), "DRAFT");

    /* What is left changes state: checkout, ship, deliver; and cancel. */
    const cell last[] = {
        {"POST", checkout, checkout_body, "customer", 201},
        {"PUT", ship, NULL, "admin", 204},
        {"PUT", deliver, NULL, "other", 403},
        {"PUT", deliver, NULL, "admin", 204},
    };
    for (size_t i = 0; i < sizeof last / sizeof last[0]; i++)
        run(&last[i]);
    assert_string_equal(status_of(order, status, sizeof status), "DELIVERED");
    int64_t mine = place_as(customer_token, CUSTOMER);
    e2e_path(cancel, sizeof cancel, mine, "/cancel");
    const cell cancel_cells[] = {{"PUT", cancel, NULL, "other", 404},
                                 {"PUT", cancel, NULL, "customer", 204}};
    for (size_t i = 0; i < 2; i++)
        run(&cancel_cells[i]);
}

static void test_same_key_from_two_customers_makes_two_orders(void **state)
{
    (void)state;
    const char *body = "{\"items\":[{\"productId\":4,\"quantity\":1}],\"deliveryAddress\":\"1 Road\"}";
    char auth_c[2048], auth_o[2048];
    snprintf(auth_c, sizeof auth_c, "Authorization: Bearer %s", customer_token);
    snprintf(auth_o, sizeof auth_o, "Authorization: Bearer %s", other_token);
    e2e_reply a = e2e_call("POST", "/api/v1/orders", body, auth_c, "Idempotency-Key: shared-e2e-key", NULL);
    e2e_reply b = e2e_call("POST", "/api/v1/orders", body, auth_o, "Idempotency-Key: shared-e2e-key", NULL);
    assert_int_equal(a.status, 201);
    assert_int_equal(b.status, 201);
    assert_int_equal(e2e_int(a.json, "customerId"), CUSTOMER);
    assert_int_equal(e2e_int(b.json, "customerId"), OTHER);
    assert_int_not_equal(e2e_int(a.json, "orderId"), e2e_int(b.json, "orderId"));
    char buf[16];
    assert_null(e2e_header(&b, "Idempotent-Replayed", buf, sizeof buf));
    /* Each customer's retry replays its own. */
    e2e_reply again = e2e_call("POST", "/api/v1/orders", body, auth_o, "Idempotency-Key: shared-e2e-key", NULL);
    assert_int_equal(again.status, 201);
    assert_int_equal(e2e_int(again.json, "orderId"), e2e_int(b.json, "orderId"));
    assert_non_null(e2e_header(&again, "Idempotent-Replayed", buf, sizeof buf));
    e2e_reply_free(&a);
    e2e_reply_free(&b);
    e2e_reply_free(&again);
}

static void test_guests_use_drafts_with_an_issued_token(void **state)
{
    (void)state;
    e2e_reply r = e2e_call("POST", "/api/v1/orders/drafts", "{}", NULL);
    assert_int_equal(r.status, 201);
    int64_t id = e2e_int(r.json, "orderId");
    char body[200];
    snprintf(body, sizeof body, "{\"productId\":5,\"quantity\":1,\"guestToken\":\"%s\"}",
             e2e_str(r.json, "guestToken"));
    char checkout_body[200];
    snprintf(checkout_body, sizeof checkout_body,
             "{\"guestToken\":\"%s\",\"deliveryAddress\":\"9 Guest Rd\"}", e2e_str(r.json, "guestToken"));
    e2e_reply_free(&r);
    char path[64];
    r = e2e_call("PUT", e2e_path(path, sizeof path, id, "/items"), body, NULL);
    assert_int_equal(r.status, 200);
    e2e_reply_free(&r);
    /* A customer's token does not reach the guest's draft. */
    r = as(customer_token, "PUT", path, "{\"productId\":5,\"quantity\":2}");
    assert_int_equal(r.status, 404);
    e2e_reply_free(&r);
    /* The guest cannot read orders. */
    r = e2e_call("GET", e2e_path(path, sizeof path, id, ""), NULL, NULL);
    assert_int_equal(r.status, 401);
    e2e_reply_free(&r);
    r = e2e_call("POST", e2e_path(path, sizeof path, id, "/checkout"), checkout_body, NULL);
    assert_int_equal(r.status, 201);
    e2e_reply_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_token_matrix, reset),
        cmocka_unit_test_setup(test_every_endpoint_with_each_caller, reset),
        cmocka_unit_test_setup(test_same_key_from_two_customers_makes_two_orders, reset),
        cmocka_unit_test_setup(test_guests_use_drafts_with_an_issued_token, reset),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
