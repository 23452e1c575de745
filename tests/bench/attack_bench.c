/* One row of the attack benchmark: N hostile connections of one kind
 * against the order server while probes run, one after another, from other
 * connections: how many of PROBES health probes (operations listener) and
 * PROBES normal requests (GET of an order on the API port) answered 200
 * within one second, and how many attacking connections the server closed.
 *   attack_bench API_PORT OPS_PORT KIND CONNECTIONS PROBES ORDER_ID
 * KIND: idle, slow-headers, slow-body, oversize. Prints one RESULT line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "raw_http.h"

static int count_prompt(int port, const char *request, int probes)
{
    int prompt = 0;
    for (int i = 0; i < probes; i++) {
        double took = 0;
        if (raw_request(port, request, 1000, &took) == 200 && took <= 1.0)
            prompt++;
        usleep(100 * 1000);
    }
    return prompt;
}

int main(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: attack_bench API_PORT OPS_PORT KIND CONNECTIONS PROBES ORDER_ID\n");
        return 2;
    }
    int port = atoi(argv[1]), ops_port = atoi(argv[2]);
    int connections = atoi(argv[4]), probes = atoi(argv[5]);
    raw_attack_kind kind = RAW_ATTACK_IDLE;
    for (int k = 0; k < 4; k++)
        if (strcmp(argv[3], raw_attack_name((raw_attack_kind)k)) == 0)
            kind = (raw_attack_kind)k;
    char get[160];
    snprintf(get, sizeof get, "GET /api/v1/orders/%s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
             argv[6]);

    raw_attack *attack = raw_attack_start(port, kind, connections, 1000);
    if (attack == NULL) {
        fprintf(stderr, "attack_bench: no connection could be opened\n");
        return 1;
    }
    usleep(300 * 1000); /* let the attack take hold */
    int health = count_prompt(ops_port, "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n", probes);
    int api = count_prompt(port, get, probes);
    int opened = raw_attack_opened(attack);
    int closed_during = raw_attack_closed(attack);
    raw_attack_stop(attack);
    printf("RESULT kind=%s connections=%d opened=%d health-prompt=%d/%d api-prompt=%d/%d "
           "closed-by-server-during-run=%d\n",
           raw_attack_name(kind), connections, opened, health, probes, api, probes, closed_during);
    return 0;
}
