/* Benchmark: JWT verifications per second per algorithm (RS256, ES256,
 * HS256) on one thread, through the same verifier the server uses (header
 * checks, key lookup by kid, signature, claims). Prints numbers; asserts
 * nothing. Usage: jwt_bench [--seconds N] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <orders/adapters/jwt/verifier.h>

#include "token.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
        fprintf(stderr, "jwt_bench: cannot write %s\n", path);
        exit(1);
    }
}

int main(int argc, char **argv)
{
    double seconds = 3.0;
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "--seconds") == 0)
            seconds = atof(argv[i + 1]);
    char dir[] = "/tmp/orders-jwt-bench-XXXXXX";
    if (mkdtemp(dir) == NULL)
        return 1;
    static const char *const algs[] = {"RS256", "ES256"};
    char *priv[2], *pub[2];
    for (int i = 0; i < 2; i++) {
        char *jwks = NULL;
        if (!tok_keygen(algs[i], algs[i], &priv[i], &jwks))
            return 1;
        free(jwks);
        pub[i] = tok_public_jwk(priv[i]);
    }
    char jwks_path[128], secret_path[128], doc[8192];
    snprintf(jwks_path, sizeof jwks_path, "%s/jwks.json", dir);
    snprintf(secret_path, sizeof secret_path, "%s/secret", dir);
    snprintf(doc, sizeof doc, "{\"keys\":[%s,%s]}", pub[0], pub[1]);
    write_file(jwks_path, doc);
    static const char secret[] = "a-benchmark-secret-of-at-least-32-bytes!";
    write_file(secret_path, secret);

    ord_jwt_config c = ORD_JWT_CONFIG_INIT;
    c.jwks_file = jwks_path;
    c.hs256_secret_file = secret_path;
    c.issuer = "https://issuer.bench";
    c.audience = "orders-api";
    ord_jwt_verifier *v = NULL;
    char err[256];
    if (ord_jwt_verifier_new(&v, &c, err, sizeof err) != ORD_OK) {
        fprintf(stderr, "jwt_bench: %s\n", err);
        return 1;
    }
    char claims[256];
    snprintf(claims, sizeof claims,
             "{\"iss\":\"https://issuer.bench\",\"aud\":\"orders-api\",\"sub\":\"12345\","
             "\"scope\":\"openid profile\",\"exp\":%lld}",
             (long long)time(NULL) + 3600);
    const char *names[3] = {"RS256", "ES256", "HS256"};
    char *tokens[3] = {tok_mint(priv[0], NULL, 0, NULL, "RS256", claims),
                       tok_mint(priv[1], NULL, 0, NULL, "ES256", claims),
                       tok_mint(NULL, (const unsigned char *)secret, strlen(secret), "HS256",
                                NULL, claims)};
    printf("jwt_bench: one thread, %.1f s per algorithm\n", seconds);
    for (int i = 0; i < 3; i++) {
        size_t len = strlen(tokens[i]);
        long n = 0;
        double start = now_s(), elapsed = 0;
        do {
            for (int k = 0; k < 50; k++) {
                ord_jwt_identity id;
                if (ord_jwt_verify(v, tokens[i], len, &id) != ORD_JWT_OK) {
                    fprintf(stderr, "jwt_bench: %s token refused\n", names[i]);
                    return 1;
                }
                n++;
            }
            elapsed = now_s() - start;
        } while (elapsed < seconds);
        printf("RESULT jwt-verify alg=%s verifications=%ld per_second=%.0f us_each=%.1f token_bytes=%zu\n",
               names[i], n, (double)n / elapsed, elapsed * 1e6 / (double)n, len);
        free(tokens[i]);
    }
    ord_jwt_verifier_free(v);
    for (int i = 0; i < 2; i++) {
        free(priv[i]);
        free(pub[i]);
    }
    unlink(jwks_path);
    unlink(secret_path);
    rmdir(dir);
    return 0;
}
