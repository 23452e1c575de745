/* Finding the socket civetweb serves a connection on. civetweb 1.15 gives a
 * handler no way to bound a blocking read or to close an idle kept-alive
 * connection from outside; with the socket, the transport's watchdog can end
 * either (shutdown() makes the blocked read return). The socket is the one
 * whose peer is the request's remote address and port and whose local port
 * is the server's: looked up once per connection, only for connections that
 * may block (a body to read, or kept alive). */
#include "transport.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

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
