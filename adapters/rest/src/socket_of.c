/* Finding the socket civetweb serves a connection on. civetweb 1.15 gives a
 * handler no way to bound a blocking read or to close an idle kept-alive
 * connection from outside; with the socket, the transport's watchdog can end
 * either (shutdown() makes the blocked read return). The socket is the one
 * whose peer is the request's remote address and port and whose local port
 * is the server's: looked up once per connection, only for connections that
 * may block (a body to read, or kept alive). Nor can it stop listening
 * without stopping everything: closing the listening socket found the same
 * way lets a drain refuse new connections while it answers the ones it has. */
#include "transport.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static bool same_endpoint(const struct sockaddr_storage *a, const struct mg_request_info *ri,
                          bool remote)
{
    int want_port = remote ? ri->remote_port : ri->server_port;
    if (a->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)a;
        if (ntohs(in->sin_port) != want_port)
            return false;
        if (!remote)
            return true;
        struct in_addr addr;
        return inet_pton(AF_INET, ri->remote_addr, &addr) == 1 &&
               addr.s_addr == in->sin_addr.s_addr;
    }
    if (a->ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)a;
        if (ntohs(in6->sin6_port) != want_port)
            return false;
        if (!remote)
            return true;
        struct in6_addr addr;
        return inet_pton(AF_INET6, ri->remote_addr, &addr) == 1 &&
               memcmp(&addr, &in6->sin6_addr, sizeof addr) == 0;
    }
    return false;
}

static bool is_the_socket(int fd, const struct mg_request_info *ri)
{
    struct sockaddr_storage peer, local;
    socklen_t len = sizeof peer;
    if (getpeername(fd, (struct sockaddr *)&peer, &len) != 0 || !same_endpoint(&peer, ri, true))
        return false;
    len = sizeof local;
    return getsockname(fd, (struct sockaddr *)&local, &len) == 0 &&
           same_endpoint(&local, ri, false);
}

int ord_rest_socket_of(const struct mg_request_info *ri)
{
    if (ri == NULL || ri->remote_port <= 0 || ri->server_port <= 0)
        return -1;
    DIR *dir = opendir("/proc/self/fd");
    if (dir == NULL)
        return -1;
    int found = -1;
    int skip = dirfd(dir);
    for (struct dirent *e = readdir(dir); e != NULL && found < 0; e = readdir(dir)) {
        char *end = NULL;
        long fd = strtol(e->d_name, &end, 10);
        if (end == e->d_name || *end != '\0' || fd < 3 || fd == skip)
            continue;
        if (is_the_socket((int)fd, ri))
            found = (int)fd;
    }
    closedir(dir);
    return found;
}

static bool is_listener_on(int fd, int port)
{
    int listening = 0;
    socklen_t len = sizeof listening;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || !listening)
        return false;
    struct sockaddr_storage local;
    len = sizeof local;
    if (getsockname(fd, (struct sockaddr *)&local, &len) != 0)
        return false;
    if (local.ss_family == AF_INET)
        return ntohs(((const struct sockaddr_in *)&local)->sin_port) == port;
    if (local.ss_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *)&local)->sin6_port) == port;
    return false;
}

/* shutdown() refuses new connections at once; the descriptor is then made
 * a datagram socket that never becomes readable, so that civetweb's accept
 * loop (which polls it until mg_stop() closes it) sleeps instead of
 * spinning on a dead listener. */
static void close_listener_fd(int fd)
{
    shutdown(fd, SHUT_RDWR);
    int quiet = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (quiet < 0)
        return; /* refused all the same; the accept loop may spin until mg_stop() */
    dup2(quiet, fd);
    close(quiet);
}

bool ord_rest_close_listener(int port)
{
    if (port <= 0)
        return false;
    DIR *dir = opendir("/proc/self/fd");
    if (dir == NULL)
        return false;
    int skip = dirfd(dir);
    bool closed = false;
    for (struct dirent *e = readdir(dir); e != NULL; e = readdir(dir)) {
        char *end = NULL;
        long fd = strtol(e->d_name, &end, 10);
        if (end == e->d_name || *end != '\0' || fd < 3 || fd == skip)
            continue;
        if (is_listener_on((int)fd, port)) {
            close_listener_fd((int)fd);
            closed = true;
        }
    }
    closedir(dir);
    return closed;
}
