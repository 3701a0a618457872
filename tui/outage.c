/* outage.c: the server-lost state for the header (outage.h). */
#include <stdio.h>

#include "core/breaker.h"
#include "core/pool.h"
#include "tui/outage.h"

tui_outage tui_outage_get(pd_core *core)
{
    pd_pool *pool = pd_core_pool(core);
    pd_breaker *br = pd_core_breaker(core);
    tui_outage o = {false, 0};
    pd_breaker_stats bs;

    o.lost = pd_pool_last_error(pool) != NULL;
    o.next_ms = pd_pool_next_connect_ms(pool);
    if (br == NULL)
        return o;
    bs = pd_breaker_stats_get(br);
    if (bs.state != PD_BREAKER_CLOSED)
        o.lost = true;
    /* An open breaker refuses the pool's attempts until its cool-down
     * ends, whatever the pool's own backoff says. */
    if (bs.state == PD_BREAKER_OPEN && bs.retry_at_ms > o.next_ms)
        o.next_ms = bs.retry_at_ms;
    return o;
}

void tui_outage_text(const tui_outage *o, uint64_t now_ms, bool ascii,
                     char *buf, size_t len)
{
    const char *dash = ascii ? "-" : "\u2014";
    uint64_t secs;

    if (len == 0)
        return;
    buf[0] = '\0';
    if (!o->lost)
        return;
    if (o->next_ms <= now_ms) {
        snprintf(buf, len, "server lost %s reconnecting now", dash);
        return;
    }
    secs = (o->next_ms - now_ms + 999) / 1000;
    snprintf(buf, len, "server lost %s reconnecting in %llus", dash,
             (unsigned long long)secs);
}
