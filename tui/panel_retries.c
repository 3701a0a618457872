/* panel_retries.c: the Retries panel.
 *
 * Copies the core's retry statistics and the circuit breaker's snapshot on
 * every refresh. The breaker comes first, in a role that matches its state
 * (closed: ok; half-open: warn; open: alert, reversed), with the time in
 * that state; for a while after a change the change itself is shown, and
 * the panel's title names the state, so that a change catches the eye
 * even when the panel is small or not focused. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/breaker.h"
#include "core/histogram.h"
#include "core/retry.h"
#include "core/xalloc.h"
#include "tui/panel.h"

#define CHANGE_SHOW_MS 15000 /* a state change stays in sight this long */

typedef struct retries_model {
    pd_retry_stats st;           /* copied */
    pd_breaker_stats br;         /* copied */
    uint64_t now_ms;             /* uv_now() of the copy */
    bool have;
    pd_breaker_state last_state; /* as of the refresh before */
    pd_breaker_state from_state; /* before the last change */
    uint64_t changed_ms;         /* uv_now() when a change was seen; 0 */
    uint64_t b50, b95, bmax;     /* backoff quantiles, us */
} retries_model;

static void retries_init(tui_panel *p)
{
    p->model = pd_xcalloc(1, sizeof(retries_model));
}

static tui_role state_role(pd_breaker_state s)
{
    switch (s) {
    case PD_BREAKER_OPEN:
        return TUI_ROLE_ALERT;
    case PD_BREAKER_HALF_OPEN:
        return TUI_ROLE_WARN;
    default:
        return TUI_ROLE_OK;
    }
}

static void retries_refresh(tui_panel *p)
{
    retries_model *m = p->model;
    char note[48];

    m->st = *pd_core_retry_stats(p->core);
    m->br = pd_breaker_stats_get(pd_core_breaker(p->core));
    m->now_ms = uv_now(pd_core_loop(p->core));
    if (m->have && m->br.state != m->last_state) {
        m->from_state = m->last_state;
        m->changed_ms = m->now_ms;
    }
    m->last_state = m->br.state;
    m->have = true;
    m->b50 = pd_histogram_quantile(&m->st.backoff, 0.50);
    m->b95 = pd_histogram_quantile(&m->st.backoff, 0.95);
    m->bmax = m->st.backoff.max_us;
    snprintf(note, sizeof(note), "breaker %s",
             pd_breaker_state_name(m->br.state));
    tui_panel_set_note(p, note);
    p->note_role = state_role(m->br.state);
    tui_panel_fresh(p);
}

/* A count, in warn_a when not zero (warn_a 0: never). */
static void flow_u64(tui_flow *f, const char *label, uint64_t v,
                     attr_t warn_a)
{
    char buf[24];

    snprintf(buf, sizeof(buf), "%" PRIu64, v);
    tui_flow_item(f, label, v > 0 && warn_a != 0 ? warn_a : 0, buf);
}

static void draw_breaker(const retries_model *m, WINDOW *w, int y,
                         const tui_theme *th, bool stale)
{
    const pd_breaker_stats *b = &m->br;
    attr_t sa = tui_theme_attr(th, stale ? TUI_ROLE_DIM :
                                           state_role(b->state));
    attr_t la = tui_theme_attr(th, TUI_ROLE_LABEL);
    char state[24], age[16], more[96] = "";
    int x = 0, i;

    snprintf(state, sizeof(state), " %s ", pd_breaker_state_name(b->state));
    for (i = 0; state[i] != '\0'; i++)
        if (state[i] >= 'a' && state[i] <= 'z')
            state[i] = (char)(state[i] - 'a' + 'A');
    x += tui_panel_put(w, y, x, la, "breaker ");
    x += tui_panel_put(w, y, x, sa, state);
    if (b->since_ms == 0)
        snprintf(more, sizeof(more), " since start");
    else {
        tui_panel_fmt_age(age, sizeof(age),
                          (double)(m->now_ms - b->since_ms) / 1000.0);
        snprintf(more, sizeof(more), " for %s", age);
    }
    x += tui_panel_put(w, y, x, la, more);
    if (b->state == PD_BREAKER_OPEN && b->retry_at_ms > m->now_ms) {
        tui_panel_fmt_age(age, sizeof(age),
                          (double)(b->retry_at_ms - m->now_ms) / 1000.0);
        x += tui_panel_putf(w, y, x, tui_theme_attr(th, TUI_ROLE_WARN),
                            "  probe in %s", age);
    }
    tui_panel_putf(w, y, x, la, "  failures %d/%d", b->consecutive_failures,
                   b->failures_to_open);
}

static void retries_draw(tui_panel *p, WINDOW *w, int top,
                         const tui_theme *th)
{
    const retries_model *m = p->model;
    const pd_retry_stats *st = &m->st;
    bool stale = tui_panel_stale(p);
    attr_t warn = tui_theme_attr(th, stale ? TUI_ROLE_DIM : TUI_ROLE_WARN);
    tui_flow f = {w, top, 0, tui_theme_attr(th, TUI_ROLE_LABEL),
              tui_theme_attr(th, stale ? TUI_ROLE_DIM : TUI_ROLE_VALUE)};
    char buf[96], a[16], b[16], c[16];
    size_t i;

    if (!m->have)
        return;
    draw_breaker(m, w, f.y++, th, stale);
    if (m->changed_ms != 0 && m->now_ms - m->changed_ms < CHANGE_SHOW_MS) {
        tui_panel_fmt_age(a, sizeof(a),
                          (double)(m->now_ms - m->changed_ms) / 1000.0);
        tui_panel_putf(w, f.y++, 0,
                       tui_theme_attr(th, state_role(m->br.state)),
                       " changed %s ago: %s -> %s ", a,
                       pd_breaker_state_name(m->from_state),
                       pd_breaker_state_name(m->br.state));
    }

    f.x += tui_panel_put(w, f.y, 0, f.label, "retries");
    flow_u64(&f, "deadlock", st->retries[PD_RETRY_CLASS_DEADLOCK], 0);
    flow_u64(&f, "serialization", st->retries[PD_RETRY_CLASS_SERIALIZATION],
             0);
    flow_u64(&f, "connection", st->retries[PD_RETRY_CLASS_CONNECTION], 0);
    tui_flow_break(&f);
    flow_u64(&f, "recovered", st->recovered, 0);
    flow_u64(&f, "gave up", st->gave_up, warn);
    flow_u64(&f, "outcome unknown", st->outcome_unknown,
             tui_theme_attr(th, stale ? TUI_ROLE_DIM : TUI_ROLE_ALERT));
    flow_u64(&f, "not retryable", st->not_retryable, 0);
    tui_flow_break(&f);

    f.x += tui_panel_put(w, f.y, 0, f.label, "backoff");
    if (st->backoff.count == 0) {
        tui_panel_put(w, f.y, f.x, tui_theme_attr(th, TUI_ROLE_DIM),
                      "  none slept yet");
    } else {
        tui_panel_fmt_us(a, sizeof(a), m->b50);
        tui_panel_fmt_us(b, sizeof(b), m->b95);
        tui_panel_fmt_us(c, sizeof(c), m->bmax);
        snprintf(buf, sizeof(buf), "%s / %s / %s", a, b, c);
        tui_flow_item(&f, "p50/p95/max", 0, buf);
        flow_u64(&f, "n", st->backoff.count, 0);
    }
    tui_flow_break(&f);

    /* Failed tries by SQLSTATE class: what keeps going wrong. */
    f.x += tui_panel_put(w, f.y, 0, f.label, "failures");
    flow_u64(&f, "", st->failures, 0);
    for (i = 0; i < st->nclasses; i++) {
        snprintf(buf, sizeof(buf), "%" PRIu64, st->sqlclass[i].count);
        tui_flow_item(&f, st->sqlclass[i].code, 0, buf);
    }
    if (st->no_sqlstate > 0)
        flow_u64(&f, "no sqlstate", st->no_sqlstate, 0);
    tui_flow_break(&f);

    flow_u64(&f, "breaker opens", m->br.opens, warn);
    flow_u64(&f, "rejected", m->br.rejections, 0);
    flow_u64(&f, "probes", m->br.probes, 0);
}

static void retries_free(tui_panel *p)
{
    free(p->model);
}

const tui_panel_ops tui_retries_panel = {
    .name = "Retries",
    .init = retries_init,
    .refresh = retries_refresh,
    .draw = retries_draw,
    .free = retries_free,
    .hint = {.weight = 1, .max_h = 9},
};
