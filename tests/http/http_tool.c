/* A tiny HTTP client for the shell tests (so they need no curl program):
 *   http_tool METHOD URL [BODY]   prints the answer's body; exit 0 on 2xx. */
#include <stdio.h>

#include <curl/curl.h>

static size_t print_body(char *data, size_t size, size_t count, void *userdata)
{
    (void)userdata;
    return fwrite(data, size, count, stdout) * size;
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: http_tool METHOD URL [BODY]\n");
        return 2;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return 1;
    CURL *easy = curl_easy_init();
    if (easy == NULL)
        return 1;
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, argv[1]);
    curl_easy_setopt(easy, CURLOPT_URL, argv[2]);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, print_body);
    if (argc == 4)
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, argv[3]);
    long status = 0;
    if (curl_easy_perform(easy) == CURLE_OK)
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(easy);
    curl_global_cleanup();
    return status >= 200 && status <= 299 ? 0 : 1;
}
