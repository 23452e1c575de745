/* The stack's database for end-to-end checks. */
#include "e2e_db.h"

#include <stdlib.h>
#include <string.h>

#include "e2e.h"

PGconn *e2e_database(void)
{
    char *url = e2e_read_stack_file("db_url");
    assert_non_null(url);
    url[strcspn(url, "\r\n")] = '\0';
    PGconn *db = PQconnectdb(url);
    free(url);
    assert_int_equal(PQstatus(db), CONNECTION_OK);
    return db;
}

int64_t e2e_scalar(PGconn *db, const char *sql)
{
    PGresult *r = PQexec(db, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
        fail_msg("%s: %s", sql, PQerrorMessage(db));
    int64_t v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return v;
}
