/* TCP keepalives of the store's connection: on by default with the
 * documented timings, and every one of them left to the conninfo when it
 * sets it. Checked on the socket the store really opened. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "pg_test.h"

static char host_port[16];
static char dbname[128];

/* The store of the current test, closed at teardown even when it fails. */
static ord_pg_store *current;

static int close_store(void **state)
{
    (void)state;
    ord_pg_store_free(current);
    current = NULL;
    return 0;
}

/* The test database's port and name, from its (Unix socket) conninfo. */
static bool read_target(void)
{
    char *err = NULL;
    PQconninfoOption *opts = PQconninfoParse(pgt_conninfo(), &err);
    if (opts == NULL) {
        PQfreemem(err);
        return false;
    }
    for (PQconninfoOption *o = opts; o->keyword != NULL; o++) {
        if (o->val == NULL)
            continue;
        if (strcmp(o->keyword, "port") == 0)
            snprintf(host_port, sizeof host_port, "%s", o->val);
        else if (strcmp(o->keyword, "dbname") == 0)
            snprintf(dbname, sizeof dbname, "%s", o->val);
    }
    PQconninfoFree(opts);
    return host_port[0] != '\0' && dbname[0] != '\0';
}

/* The one TCP socket of this process connected to the test cluster. */
static int cluster_socket(void)
{
    int found = -1;
    int matches = 0;
    for (int fd = 0; fd < 4096; fd++) {
        struct sockaddr_in peer;
        socklen_t len = sizeof peer;
        if (getpeername(fd, (struct sockaddr *)&peer, &len) != 0 || peer.sin_family != AF_INET)
            continue;
        if (ntohs(peer.sin_port) == (uint16_t)atoi(host_port)) {
            found = fd;
            matches++;
        }
    }
    assert_int_equal(matches, 1);
    return found;
}

static int option(int fd, int level, int name)
{
    int value = -1;
    socklen_t len = sizeof value;
    assert_int_equal(getsockopt(fd, level, name, &value, &len), 0);
    return value;
}

/* Connect the current store over TCP, @p extra appended to its conninfo. */
static void tcp_store(const char *extra)
{
    char conninfo[512];
    snprintf(conninfo, sizeof conninfo, "host=127.0.0.1 port=%s user=postgres dbname=%s %s",
             host_port, dbname, extra);
    assert_int_equal(ord_pg_store_new(&current, conninfo, NULL), ORD_OK);
    assert_int_equal(ord_pg_ping(current), ORD_OK);
}

static void test_store_connection_probes_a_silent_peer_by_default(void **state)
{
    (void)state;
    tcp_store("");
    int fd = cluster_socket();
    assert_int_equal(option(fd, SOL_SOCKET, SO_KEEPALIVE), 1);
    assert_int_equal(option(fd, IPPROTO_TCP, TCP_KEEPIDLE), 30);
    assert_int_equal(option(fd, IPPROTO_TCP, TCP_KEEPINTVL), 10);
    assert_int_equal(option(fd, IPPROTO_TCP, TCP_KEEPCNT), 3);
    assert_int_equal(option(fd, IPPROTO_TCP, TCP_USER_TIMEOUT), 60000);
}

static void test_keepalive_settings_of_the_conninfo_win(void **state)
{
    (void)state;
    tcp_store("keepalives_idle=120 keepalives_count=5 tcp_user_timeout=0");
    int fd = cluster_socket();
    assert_int_equal(option(fd, SOL_SOCKET, SO_KEEPALIVE), 1);
    assert_int_equal(option(fd, IPPROTO_TCP, TCP_KEEPIDLE), 120);
    assert_int_equal(option(fd, IPPROTO_TCP, TCP_KEEPINTVL), 10); /* not set: ours */
    assert_int_equal(option(fd, IPPROTO_TCP, TCP_KEEPCNT), 5);
    assert_int_equal(option(fd, IPPROTO_TCP, TCP_USER_TIMEOUT), 0);
}

static void test_keepalive_settings_of_a_url_win(void **state)
{
    (void)state;
    char url[512];
    snprintf(url, sizeof url,
             "postgresql://postgres@127.0.0.1:%s/%s?keepalives_interval=7&tcp_user_timeout=9000",
             host_port, dbname);
    assert_int_equal(ord_pg_store_new(&current, url, NULL), ORD_OK);
    assert_int_equal(ord_pg_ping(current), ORD_OK);
    int fd = cluster_socket();
    assert_int_equal(option(fd, IPPROTO_TCP, TCP_KEEPIDLE), 30);
    assert_int_equal(option(fd, IPPROTO_TCP, TCP_KEEPINTVL), 7);
    assert_int_equal(option(fd, IPPROTO_TCP, TCP_USER_TIMEOUT), 9000);
}

static void test_conninfo_can_turn_keepalives_off(void **state)
{
    (void)state;
    tcp_store("keepalives=0");
    assert_int_equal(option(cluster_socket(), SOL_SOCKET, SO_KEEPALIVE), 0);
}

#define T(fn) cmocka_unit_test_teardown(fn, close_store)

int main(void)
{
    pgt_init("orders_test_keepalive");
    if (!read_target()) {
        fprintf(stderr, "no port or database name in %s\n", pgt_conninfo());
        return 1;
    }
    const struct CMUnitTest tests[] = {
        T(test_store_connection_probes_a_silent_peer_by_default),
        T(test_keepalive_settings_of_the_conninfo_win),
        T(test_keepalive_settings_of_a_url_win),
        T(test_conninfo_can_turn_keepalives_off),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
