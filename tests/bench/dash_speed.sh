#!/usr/bin/env bash
# dash_speed.sh: the dashboard's speed lines of `make bench`, on a 120x40
# xterm-256color pty against the cluster run.sh started (PG* variables).
# Called by run.sh; PGDECK may name the binary.
#   3. idle cost: CPU and RSS, and the bytes written per idle redraw
#      against one full draw, beside pg_activity (Debian's pg-activity,
#      installed here when we are root and it is missing);
#   4. key press to screen, idle and with `pgdeck bench` saturating the
#      server from another process.
# Prints ratios, never pass/fail: ratios > 1 favour pgdeck.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/bench/lib.sh
PGDECK=${PGDECK:-./pgdeck}
SETTLE=${PD_BENCH_IDLE_SETTLE:-5}   # s before measuring the idle cost
SECS=${PD_BENCH_IDLE_SECS:-30}      # s measured
PRESSES=${PD_BENCH_KEY_PRESSES:-200}
bench_pid=
stop_bench() {
    [ -n "$bench_pid" ] || return 0
    kill "$bench_pid" 2>/dev/null
    wait "$bench_pid" 2>/dev/null
    bench_pid=
}
trap stop_bench EXIT
trap 'exit 130' INT TERM

f1() { printf '%.1f' "$1"; }
f2() { printf '%.2f' "$1"; }

# 3. Idle: SETTLE s to start and draw, then SECS s measured.
if ! command -v pg_activity >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pg-activity ||
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq pg-activity; }; } >/dev/null 2>&1
fi
# CPU: utime + stime (/proc/PID/stat) counts in clock ticks, too coarse
# for an idle program over 30 s, so the figure is sum_exec_runtime (to
# the ns, /proc/PID/task/*/sched) where the kernel has it.
idle() { # CMD: "cpu_pct how rss_kb anon_kb first_bytes idle_bytes redraws"
    local cpu tick run rest
    read -r cpu tick run rest < <($PTY idle "$SETTLE" "$SECS" "$1")
    if [ "$(echo "${run:--1} >= 0" | bc -l)" = 1 ]; then
        echo "$run utime+stime:$(f2 "$cpu")% $rest"
    else
        echo "$cpu ticks:$(f2 "$tick")%/tick $rest"
    fi
}
read -r cpu how rss anon first bytes redraws < <(idle "$PGDECK")
if command -v pg_activity >/dev/null 2>&1; then
    read -r acpu ahow arss aanon afirst abytes aredraws < <(idle pg_activity)
    ref="(pg_activity ${ahow/:/ }; issue: 0.9 %)"
else
    acpu=0.9 arss=$((33 * 1024)) aanon=0 afirst=0 abytes=0 aredraws=0
    ref="(pg_activity not installed: the issue's figure)"
fi
row "dashboard idle CPU, ${SECS} s after ${SETTLE} s, % of a core" \
    "$(f2 "$cpu")" % pg_activity "$(f2 "$acpu")" "$(div "$acpu" "$cpu")" \
    "(target <= 0.3 %; pgdeck ${how/:/ }) $ref"
row "... RSS at the end" "$(f1 "$(div "$rss" 1024)")" MB pg_activity \
    "$(f1 "$(div "$arss" 1024)")" "$(div "$arss" "$rss")" \
    "(target < 10 MB; anon $(f1 "$(div "$anon" 1024)") MB, the rest mapped files; pg_activity anon $(f1 "$(div "$aanon" 1024)") MB)"
per=$(div "${bytes:-0}" "${redraws:-0}")
aper=$(div "${abytes:-0}" "${aredraws:-0}")
row "... bytes written per idle redraw" "$(printf '%.0f' "$per")" B pg_activity \
    "$(printf '%.0f' "$aper")" "$(div "$aper" "$per")" \
    "($redraws redraws, $bytes B in ${SECS} s; pg_activity $aredraws, $abytes B)"
[ "$aredraws" = 0 ] && echo "    (pg_activity not installed: no figures of its output)"
row "... one idle redraw against the first full draw" "$(printf '%.0f' "$per")" B \
    "full" "${first:-0}" "$(div "${first:-0}" "$per")" \
    "(pg_activity: full draw $afirst B; only changed cells are redrawn)"

# 4. Key press to screen: Tab moves the focus, which redraws two panels'
#    borders (so its answer always holds a "┌"); PRESSES presses, 20-50 ms
#    of quiet before each. Without load, then while `pgdeck bench` keeps
#    10 connections flat out.
keys_line() { # LABEL: one keys run
    local n f50 f99 fmax d50 d99 dmax miss
    read -r n f50 f99 fmax d50 d99 dmax miss \
        < <($PTY keys "$PRESSES" '\t' '┌' "$PGDECK")
    printf '%-46s p50 %6s  p99 %6s  max %6s ms  (target p99 < 50 ms; to the border: p99 %s ms; %s of %s answered)\n' \
        "$1" "$f50" "$f99" "$fmax" "$d99" "$n" "$PRESSES"
}
keys_line "dashboard Tab to screen, idle server"
"$PGDECK" bench --clients 10 --duration 40 >/dev/null 2>&1 &
bench_pid=$!
sleep 2
keys_line "... with pgdeck bench --clients 10 running"
stop_bench
echo "(dashboard: $PRESSES presses each; first output byte after the key)"
