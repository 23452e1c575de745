/* Helpers on the transport-independent request and response messages. */
#include <orders/adapters/rest/message.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void ord_rest_response_free(ord_rest_response *response)
{
    if (response == NULL)
        return;
    for (size_t i = 0; i < response->header_count; i++) {
        free((char *)response->headers[i].name);
        free((char *)response->headers[i].value);
    }
    free(response->headers);
    free(response->body);
    memset(response, 0, sizeof *response);
}

const char *ord_rest_response_header(const ord_rest_response *response, const char *name)
{
    if (response == NULL || name == NULL)
        return NULL;
    for (size_t i = 0; i < response->header_count; i++) {
        if (strcasecmp(response->headers[i].name, name) == 0)
            return response->headers[i].value;
    }
    return NULL;
}

const char *ord_rest_request_header(const ord_rest_request *request, const char *name)
{
    if (request == NULL || name == NULL || request->headers == NULL)
        return NULL;
    for (size_t i = 0; i < request->header_count; i++) {
        const ord_rest_header *h = &request->headers[i];
        if (h->name != NULL && h->value != NULL && strcasecmp(h->name, name) == 0)
            return h->value;
    }
    return NULL;
}
