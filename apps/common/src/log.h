/* The order server's JSON log lines (start-up, shutdown, background work),
 * in the same shape as the REST adapter's access log, and the redaction
 * that keeps passwords out of them. */
#ifndef ORDER_SERVER_LOG_H
#define ORDER_SERVER_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <orders/adapters/postgres/migrate.h>

#include "config.h"

/* One extra member of a log line: a string or an integer. */
typedef struct srv_field {
    const char *key;
    const char *str; /* NULL: the member is the number */
    int64_t num;
} srv_field;

#define SRV_STR(k, v) ((srv_field){(k), (v) != NULL ? (v) : "", 0})
#define SRV_NUM(k, v) ((srv_field){(k), NULL, (int64_t)(v)})

/* Where lines go and from which level on. Lines are written with one stdio
 * call each, so lines of different threads never interleave. */
typedef struct srv_log {
    FILE *out;
    srv_level min;
} srv_log;

/* Whether a line of @p level would be written. */
bool srv_log_enabled(const srv_log *log, srv_level level);

/* Write {"time","level","message",fields...}. */
void srv_log_write(const srv_log *log, srv_level level, const char *message,
                   const srv_field *fields, size_t count);

/* The info line of a migration run that succeeded. */
void srv_log_migrated(const srv_log *log, const ord_pg_migration_report *report);

/* Warn about the first ORDER_ variable the program does not read (a typo,
 * or another program's setting), naming the variable, never its value. */
void srv_log_unknown_env(const srv_log *log, const srv_config *cfg);

/* A copy of a URL (any scheme: postgresql://, http://, amqp://...) or of a
 * libpq key=value string fit for logs: the password of the user info
 * ("scheme://user:secret@host"), and the value of a "password" or
 * "sslpassword" query parameter or keyword, in any case and percent-encoding
 * ("pass%77ord="), become "***". Returns @p out; truncated text ends with
 * "...". */
char *srv_redact_url(const char *url, char *out, size_t cap);

#endif
