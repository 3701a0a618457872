#!/usr/bin/env bash
# dashboard_redraw.sh: only changed cells are redrawn. The dashboard sits
# idle on the quiet throwaway cluster (1 s refresh: every panel refreshes,
# the clock ticks) while tmux's pipe-pane records every byte it writes to
# the terminal; Ctrl-L then forces one full repaint, recorded the same
# way. The bytes written per idle refresh must be well below one full
# repaint: a draw path that repainted the whole screen each tick (clear,
# clearok, redrawwin) would write as much as Ctrl-L does, every second.
# Byte counts, not timings: the waits are bounded, nothing is timed.
#
# Needs PGDECK and the throwaway cluster's PG* variables (tests/run.sh).
# Prints TAP lines; tests/run.sh counts them.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh

: "${PGDECK:?PGDECK must name the pgdeck binary}"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pgdeck-e2e-redraw.XXXXXX")
trap 'pd_e2e_cleanup; rm -rf "$WORK"' EXIT
COLS=120
ROWS=40
TICKS=3

pd_tmux new-session -d -s keep -x 80 -y 24 "exec sleep 3600"

clock() { tmux_capture redraw | head -1 | grep -o '[0-9:]\{8\}' | tail -1; }
size() { stat -c %s "$1" 2>/dev/null || echo 0; }
# ticks N: waits (bounded) until the header clock has changed N times.
ticks() {
    local n=0 last now i=0
    last=$(clock)
    while [ "$n" -lt "$1" ] && [ $i -lt $(($1 * 30 + 30)) ]; do
        sleep 0.1
        now=$(clock)
        if [ -n "$now" ] && [ "$now" != "$last" ]; then
            n=$((n + 1))
            last=$now
        fi
        i=$((i + 1))
    done
    [ "$n" -ge "$1" ]
}
# settled FILE: waits (bounded) until FILE stops growing.
settled() {
    local before after i=0
    after=$(size "$1")
    while [ $i -lt 20 ]; do
        sleep 0.25
        before=$after
        after=$(size "$1")
        [ "$after" -gt 0 ] && [ "$after" = "$before" ] && return 0
        i=$((i + 1))
    done
    return 1
}

tmux_start redraw "$COLS" "$ROWS" "$PGDECK"
if ! tmux_wait redraw 'Activity [0-9]+ backends?' 10 ||
    ! tmux_wait redraw 'size [0-9]+ ' 10; then
    not_ok "the dashboard starts" "$(tmux_capture redraw | head -5)"
    exit 0
fi
ticks 2 # past the first data and the layout it brings

# Idle: every byte the dashboard writes over TICKS refreshes.
pd_tmux pipe-pane -o -t redraw "cat >> '$WORK/idle.out'"
if ticks "$TICKS"; then ok "idle: the clock ticks $TICKS times"; else
    not_ok "idle: the clock ticks $TICKS times" "$(clock)"; fi
pd_tmux pipe-pane -t redraw
settled "$WORK/idle.out"
idle=$(size "$WORK/idle.out")

# Ctrl-L: one full repaint.
pd_tmux pipe-pane -o -t redraw "cat >> '$WORK/full.out'"
tmux_keys redraw C-l
settled "$WORK/full.out"
pd_tmux pipe-pane -t redraw
full=$(size "$WORK/full.out")

per=$((idle / TICKS))
echo "# bytes per idle refresh: $per ($idle over $TICKS); one full repaint:" \
    "$full (${COLS}x$ROWS)"
[ "$full" -ge $((COLS * ROWS / 2)) ] &&
    ok "Ctrl-L repaints the whole screen ($full bytes)" ||
    not_ok "Ctrl-L repaints the whole screen" "$full bytes"
[ "$per" -gt 0 ] && ok "idle refreshes write something (the clock)" ||
    not_ok "idle refreshes write something (the clock)" "$idle bytes"
[ $((per * 5)) -lt "$full" ] &&
    ok "an idle refresh writes under a fifth of a full repaint" ||
    not_ok "an idle refresh writes under a fifth of a full repaint" \
        "$per per refresh, $full for a full repaint"
tmux_keys redraw q
tmux_wait redraw '^\[pane-exit\] 0$' 10 && ok "q quits" || not_ok "q quits" ""
tmux_kill redraw
