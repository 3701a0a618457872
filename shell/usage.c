/* usage.c: --help and --version text. */
#include "shell/usage.h"

#include <libpq-fe.h>
#include <uv.h>

#include "core/version.h"

void sh_usage_print(FILE *out)
{
    fputs(
"pgdeck is a PostgreSQL dashboard and SQL shell.\n"
"\n"
"Usage:\n"
"  pgdeck [OPTION]... [DBNAME [USERNAME] | CONNINFO | URI]   dashboard\n"
"  pgdeck shell [OPTION]... [DBNAME | CONNINFO | URI]        SQL shell\n"
"  pgdeck -c COMMAND | -f FILE ...                           run and exit\n"
"  pgdeck health [--json]                                    health check\n"
"  pgdeck refresh [--json]                                   run the syncs once\n"
"  pgdeck bench [--clients N] [--jobs N] [--duration S | --queries N]\n"
"               [--sql SQL] [--param random:LO:HI] [--pipeline N] [--json]\n"
"                                                            load test\n"
"  pgdeck demo start|stop|status|destroy                     demo database\n"
"  pgdeck --demo                                             dashboard on it\n"
"\n"
"General options:\n"
"  -c, --command=COMMAND    run one command (SQL or backslash) and exit;\n"
"                           may be repeated, and mixed with -f\n"
"  -f, --file=FILE          run the commands in FILE and exit\n"
"  -1, --single-transaction run the -c and -f commands in one transaction\n"
"                           (rolled back when ON_ERROR_STOP stops them)\n"
"  -l, --list               list the databases and exit\n"
"  -X, --no-psqlrc          accepted for psql compatibility (no rc file)\n"
"  -v, --set=NAME=VALUE     set the shell variable NAME (e.g. ON_ERROR_STOP=1)\n"
"      --on-error-stop      stop at the first failed command (exit 3)\n"
"  -V, --version            print the version and exit\n"
"  -?, --help               print this help and exit\n"
"\n"
"Output options:\n"
"  -o, --output=FILE        query results to FILE (made 0600), or |COMMAND\n"
"  -A, --no-align           unaligned output\n"
"      --csv                CSV output\n"
"      --json               JSON output (an array of objects)\n"
"  -F, --field-separator=S  field separator for unaligned output (|)\n"
"  -R, --record-separator=S record separator for unaligned output (\\n)\n"
"  -t, --tuples-only        print rows only\n"
"  -x, --expanded           expanded output\n"
"  -q, --quiet              no command tags\n"
"\n"
"Connection options:\n"
"  -d, --dbname=DBNAME      database name or connection string\n"
"  -h, --host=HOSTNAME      server host or socket directory\n"
"  -p, --port=PORT          server port\n"
"  -U, --username=USERNAME  user name\n"
"  -w, --no-password        accepted for psql compatibility\n"
"      --min-pool=N         connections kept open (DB_MIN_POOL_SIZE, 2)\n"
"      --max-pool=N         connections at most (DB_MAX_POOL_SIZE, 10)\n"
"\n"
"Settings options:\n"
"      --config=FILE        settings file, JSON with comments (default:\n"
"                           $XDG_CONFIG_HOME/pgdeck/config.json)\n"
"      --print-config       print the effective settings and where each\n"
"                           came from, then exit\n"
"      --slow-ms=N          slow-query threshold in ms (DB_SLOW_QUERY_MS,\n"
"                           100)\n"
"      --slow-log=FILE      slow-query log file (JSON lines)\n"
"      --metrics-listen=HOST:PORT\n"
"                           serve Prometheus metrics on GET /metrics\n"
"\n"
"Dashboard options:\n"
"      --theme=NAME         colour theme (dark, light, ...)\n"
"      --no-color           no colours (also NO_COLOR=1)\n"
"\n"
"Precedence: built-in defaults < config file < environment < options.\n"
"Without a connection option pgdeck uses libpq's PG* variables, or\n"
"DATABASE_URL. Documentation: README.md.\n",
          out);
}

void sh_usage_version(FILE *out)
{
    fprintf(out, "pgdeck %s (libpq %d, libuv %s)\n", PD_VERSION,
            PQlibVersion(), uv_version_string());
}
