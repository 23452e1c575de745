/* orders-token: development signing keys and tokens for the order server
 * (scripts/run.sh, the tests, curl by hand). Never for production: real
 * tokens come from an identity provider. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "token.h"

static void usage(FILE *out)
{
    fputs("Usage:\n"
          "  orders-token keygen --alg RS256|ES256|HS256 --kid KID --key-out FILE --jwks-out FILE\n"
          "      a new signing key: the private JWK, and the JWKS the server reads\n"
          "      (ORDER_AUTH_JWKS_FILE); both files are created mode 0600\n"
          "  orders-token mint (--key FILE | --secret-file FILE) [--sub SUB] [--scope SCOPE]\n"
          "      [--iss ISS] [--aud AUD] [--ttl-s SECONDS] [--kid KID | --no-kid] [--alg ALG]\n"
          "      [--claims JSON]\n"
          "      a signed token on standard output: iat now, exp now + ttl (default 3600),\n"
          "      the key's kid unless told otherwise; --claims adds members (a JSON object)\n"
          "Development only: the order server never mints tokens.\n",
          out);
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *buf = malloc(1 << 20);
    size_t n = buf != NULL ? fread(buf, 1, (1 << 20) - 1, f) : 0;
    fclose(f);
    if (buf != NULL)
        buf[n] = '\0';
    return buf;
}

static int write_private(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        fprintf(stderr, "orders-token: cannot write %s: %s\n", path, strerror(errno));
        return 1;
    }
    /* Private keys are for the owner only. */
    int ok = fputs(text, f) >= 0 && fputc('\n', f) != EOF;
    ok = fclose(f) == 0 && ok;
    return ok ? 0 : 1;
}

static const char *arg(int argc, char **argv, const char *name)
{
    for (int i = 2; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return NULL;
}

static int has_flag(int argc, char **argv, const char *name)
{
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return 1;
    return 0;
}

static int keygen(int argc, char **argv)
{
    const char *alg = arg(argc, argv, "--alg");
    const char *kid = arg(argc, argv, "--kid");
    const char *key_out = arg(argc, argv, "--key-out");
    const char *jwks_out = arg(argc, argv, "--jwks-out");
    if (alg == NULL || kid == NULL || key_out == NULL || jwks_out == NULL) {
        usage(stderr);
        return 2;
    }
    umask(077);
    char *priv = NULL, *jwks = NULL;
    if (!tok_keygen(alg, kid, &priv, &jwks)) {
        fprintf(stderr, "orders-token: cannot make a %s key\n", alg);
        return 1;
    }
    int rc = write_private(key_out, priv) || write_private(jwks_out, jwks);
    free(priv);
    free(jwks);
    return rc;
}

static char *kid_of(const char *jwk)
{
    cJSON *json = cJSON_Parse(jwk);
    const cJSON *kid = json != NULL ? cJSON_GetObjectItem(json, "kid") : NULL;
    char *out = NULL;
    if (cJSON_IsString(kid)) {
        out = malloc(strlen(kid->valuestring) + 1);
        if (out != NULL)
            strcpy(out, kid->valuestring);
    }
    cJSON_Delete(json);
    return out;
}

static int mint(int argc, char **argv)
{
    const char *key_file = arg(argc, argv, "--key");
    const char *secret_file = arg(argc, argv, "--secret-file");
    if ((key_file == NULL) == (secret_file == NULL)) {
        usage(stderr);
        return 2;
    }
    char *key = read_all(key_file != NULL ? key_file : secret_file);
    if (key == NULL) {
        fprintf(stderr, "orders-token: cannot read the key\n");
        return 1;
    }
    cJSON *claims = cJSON_CreateObject();
    const char *extra = arg(argc, argv, "--claims");
    if (extra != NULL) {
        cJSON *more = cJSON_Parse(extra);
        if (!cJSON_IsObject(more)) {
            fprintf(stderr, "orders-token: --claims must be a JSON object\n");
            cJSON_Delete(more);
            cJSON_Delete(claims);
            free(key);
            return 2;
        }
        cJSON_Delete(claims);
        claims = more;
    }
    long ttl = arg(argc, argv, "--ttl-s") != NULL ? strtol(arg(argc, argv, "--ttl-s"), NULL, 10) : 3600;
    double now = (double)time(NULL);
    if (!cJSON_HasObjectItem(claims, "iat"))
        cJSON_AddNumberToObject(claims, "iat", now);
    if (!cJSON_HasObjectItem(claims, "exp"))
        cJSON_AddNumberToObject(claims, "exp", now + (double)ttl);
    static const char *const names[][2] = {{"--sub", "sub"}, {"--scope", "scope"},
                                           {"--iss", "iss"}, {"--aud", "aud"}};
    for (size_t i = 0; i < 4; i++)
        if (arg(argc, argv, names[i][0]) != NULL)
            cJSON_AddStringToObject(claims, names[i][1], arg(argc, argv, names[i][0]));
    char *text = cJSON_PrintUnformatted(claims);
    cJSON_Delete(claims);
    char *own_kid = key_file != NULL ? kid_of(key) : NULL;
    const char *kid = has_flag(argc, argv, "--no-kid") ? NULL
                      : arg(argc, argv, "--kid") != NULL ? arg(argc, argv, "--kid")
                                                         : own_kid;
    size_t secret_len = strlen(key);
    while (secret_file != NULL && secret_len > 0 &&
           (key[secret_len - 1] == '\n' || key[secret_len - 1] == '\r'))
        secret_len--;
    char *token = tok_mint(key_file != NULL ? key : NULL,
                           secret_file != NULL ? (const unsigned char *)key : NULL, secret_len,
                           arg(argc, argv, "--alg"), kid, text);
    cJSON_free(text);
    free(own_kid);
    free(key);
    if (token == NULL) {
        fprintf(stderr, "orders-token: cannot sign the token\n");
        return 1;
    }
    puts(token);
    free(token);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "keygen") == 0)
        return keygen(argc, argv);
    if (strcmp(argv[1], "mint") == 0)
        return mint(argc, argv);
    usage(stderr);
    return 2;
}
