/* orders-migrate: bring a PostgreSQL database to the order store's newest
 * schema (or show its version). Safe to run from several places at once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <orders/adapters/postgres/migrate.h>

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: orders-migrate [--url URL] [--status] [--list]\n"
            "Apply the order store's schema migrations to a PostgreSQL database.\n"
            "\n"
            "  --url URL   libpq connection URL or key=value string\n"
            "              (default: $ORDER_DATABASE_URL)\n"
            "  --status    print the database's schema version and exit\n"
            "  --list      print the migrations built into this program and exit\n"
            "  --help      show this help\n"
            "\n"
            "Migrations run in one transaction under an advisory lock: either all\n"
            "missing ones are applied or none is. Exit status: 0 success, 1 failure,\n"
            "2 usage error.\n");
}

static int list_migrations(void)
{
    for (int v = 1; v <= ord_pg_latest_schema_version(); v++)
        printf("%s\n", ord_pg_migration_name(v));
    return 0;
}

static int show_status(const char *url)
{
    int version = 0;
    ord_error rc = ord_pg_schema_version(url, &version);
    if (rc != ORD_OK) {
        fprintf(stderr, "orders-migrate: cannot read the schema version: %s\n", ord_strerror(rc));
        return 1;
    }
    printf("schema version %d (this build knows %d)\n", version, ord_pg_latest_schema_version());
    return 0;
}

static int migrate(const char *url)
{
    ord_pg_migration_report report;
    ord_error rc = ord_pg_migrate(url, &report);
    if (rc != ORD_OK) {
        fprintf(stderr, "orders-migrate: migration failed (%s): %s\n", ord_strerror(rc),
                report.detail);
        return 1;
    }
    if (report.applied == 0)
        printf("schema at version %d, nothing to apply\n", report.to_version);
    else
        printf("schema migrated from version %d to %d (%d applied)\n", report.from_version,
               report.to_version, report.applied);
    return 0;
}

int main(int argc, char **argv)
{
    const char *url = getenv("ORDER_DATABASE_URL");
    enum { MIGRATE, STATUS, LIST } action = MIGRATE;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--url") == 0 && i + 1 < argc) {
            url = argv[++i];
        } else if (strncmp(argv[i], "--url=", 6) == 0) {
            url = argv[i] + 6;
        } else if (strcmp(argv[i], "--status") == 0) {
            action = STATUS;
        } else if (strcmp(argv[i], "--list") == 0) {
            action = LIST;
        } else {
            fprintf(stderr, "orders-migrate: unknown argument '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (action == LIST)
        return list_migrations();
    if (url == NULL || url[0] == '\0') {
        fprintf(stderr, "orders-migrate: no database: give --url or set ORDER_DATABASE_URL\n");
        return 2;
    }
    return action == STATUS ? show_status(url) : migrate(url);
}
