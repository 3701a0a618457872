/* health_cmd.c: `pgdeck health [--json]` (see health_cmd.h). */
#include "shell/health_cmd.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/health.h"
#include "core/strbuf.h"

#define EXIT_USAGE 3 /* 1 and 2 are verdicts */

typedef struct run {
    pd_core *core; /* borrowed */
    int json;
    int status;    /* exit status, -1 until the probe answers */
} run;

static void print_text(const pd_health *h)
{
    const pd_pool_stats *p = &h->pool;
    int i;

    printf("status: %s\n", pd_health_status_name(h->status));
    printf("response_time_ms: %.3f\n", h->response_time_ms);
    if (h->database_version != NULL)
        printf("database_version: %s\n", h->database_version);
    if (h->uptime_s >= 0)
        printf("server_uptime_s: %" PRId64 "\n", h->uptime_s);
    if (h->in_recovery >= 0)
        printf("in_recovery: %s\n", h->in_recovery ? "true" : "false");
    if (h->max_connections > 0)
        printf("connections: %d of %d\n", h->connections_used,
               h->max_connections);
    printf("pool: size %d, idle %d, in use %d, waiting %d (min %d, max %d)\n",
           p->size, p->idle, p->in_use, p->waiting, p->min, p->max);
    printf("breaker: %s\n", pd_breaker_state_name(h->breaker));
    for (i = 0; i < h->nreasons; i++)
        printf("reason: %s\n", h->reasons[i]);
}

static void on_health(const pd_health *h, void *ctx)
{
    run *r = ctx;

    if (r->json) {
        pd_strbuf sb = PD_STRBUF_INIT;
        pd_health_json(h, &sb);
        fputs(pd_strbuf_cstr(&sb), stdout);
        pd_strbuf_free(&sb);
    } else {
        print_text(h);
    }
    fflush(stdout);
    r->status = (int)h->status;
    /* The pool's connections keep the loop alive: stop it ourselves. */
    pd_core_stop(r->core);
}

/* See health_cmd.h. */
int sh_health_main(int argc, char **argv, pd_core *core)
{
    run r = {core, 0, -1};
    int i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            r.json = 1;
        } else if (strcmp(argv[i], "--help") == 0 ||
                   strcmp(argv[i], "-?") == 0) {
            puts("Usage: pgdeck health [--json] [CONNECTION OPTIONS]\n"
                 "Checks the database; exit status 0 healthy, 1 unhealthy, "
                 "2 degraded.");
            return 0;
        } else {
            fprintf(stderr, "pgdeck: error: health: unrecognized argument "
                            "\"%s\"\n", argv[i]);
            return EXIT_USAGE;
        }
    }
    if (pd_health_check(core, NULL, on_health, &r) != 0) {
        fputs("pgdeck: error: health: the pool is closing\n", stderr);
        return 1;
    }
    /* pd_core_stop may end a run early with the answer not in yet (another
     * stopper); run again until it is. */
    while (r.status < 0)
        pd_core_run(core);
    return r.status;
}
