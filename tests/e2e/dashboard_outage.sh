#!/usr/bin/env bash
# dashboard_outage.sh: the dashboard through a server outage, driven in
# tmux: the header says the server is lost with a reconnect countdown in
# place of the refresh interval, Activity keeps its last rows dimmed
# (its selected row too) under the error, and everything clears by itself
# once the server is back. Then the title's "1 backend" and the Results
# status of a \command ("\pool, N rows", whole ms, no made-up SELECT tag)
# and what ':\dt' says (the \d family is pgdeck shell's).
#
# Stops and restarts the harness cluster's own server (PD_CLUSTER_DIR,
# which other suites share): the EXIT trap starts it again whatever
# happens, and the script waits until it accepts connections. Waits are
# bounded polls, never timing assertions. NO_COLOR makes the dimming a
# plain SGR 2 to look for. Prints TAP lines; tests/run.sh counts them.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh

: "${PGDECK:?PGDECK must name the pgdeck binary}"
: "${PD_CLUSTER_DIR:?PD_CLUSTER_DIR must name the harness cluster}"
case $PGDECK in /*) ;; *) PGDECK=$PWD/${PGDECK#./} ;; esac
BIN=${PD_PG_BINDIR:-$(pg_config --bindir)}
DATA=$PD_CLUSTER_DIR/data
SLEEPER=

as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
server_up() { "$BIN/pg_isready" -q -h "$PGHOST" -p "$PGPORT"; }
server_start() {
    server_up && return 0
    as_owner "$BIN/pg_ctl" -D "$DATA" -l "$PD_CLUSTER_DIR/server.log" -w \
        -t 30 start >/dev/null 2>&1
    local i=0
    while ! server_up && [ "$i" -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
    server_up
}
cleanup() {
    [ -n "$SLEEPER" ] && kill "$SLEEPER" 2>/dev/null
    pd_e2e_cleanup
    server_start || echo "# dashboard_outage: the server did not restart" >&2
}
trap cleanup EXIT

screen() { tmux_capture "$1" 2>/dev/null; }
# The Activity row showing our sleeper, with its escape sequences.
sleeper_row() {
    pd_tmux capture-pane -e -p -t "$1" 2>/dev/null | grep -m1 'pg_sleep(600)'
}
# True when a line of stdin has SGR 2 (dim) among its attributes.
has_dim() { grep -qP '\e\[([0-9]+;)*2(;[0-9]+)*m'; }
# wait_dim NAME WANT SECONDS: polls until the sleeper row is dimmed (WANT
# 1) or shown and not dimmed (WANT 0).
wait_dim() {
    local name=$1 want=$2 i=0 row
    while [ "$i" -lt $(($3 * 10)) ]; do
        row=$(sleeper_row "$name")
        if [ -n "$row" ]; then
            if printf '%s\n' "$row" | has_dim; then
                [ "$want" = 1 ] && return 0
            else
                [ "$want" = 0 ] && return 0
            fi
        fi
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}
# waitfor TEST NAME REGEX SECONDS [GREP]: ok when REGEX shows; else the
# lines matching GREP go in the detail.
waitfor() {
    if tmux_wait "$2" "$3" "$4"; then
        ok "$1"
    else
        not_ok "$1" "$(screen "$2" | grep -E -m3 -- "${5:-.}" | tr '\n' '|')"
    fi
}

server_up || { not_ok "the harness server is up" "pg_isready fails"; exit 0; }

# One client backend that is active through the whole outage (the server
# ends it when it stops).
"$PSQL" -X -q -c "SELECT pg_sleep(600)" >/dev/null 2>&1 &
SLEEPER=$!

tmux_start out 140 45 NO_COLOR=1 "$PGDECK"
waitfor "Activity shows the active sleeper" out 'active .*pg_sleep\(600\)' 10 \
    Activity
# Singular and plural: "1 backend," never "1 backends,".
if screen out | grep -qE 'Activity 1 backends'; then
    not_ok "the Activity title counts backends in singular and plural" \
        "$(screen out | grep -m1 'Activity')"
elif screen out | grep -qE 'Activity ([02-9]|[1-9][0-9]+) backends,|Activity 1 backend,'; then
    ok "the Activity title counts backends in singular and plural"
else
    not_ok "the Activity title counts backends in singular and plural" \
        "$(screen out | grep -m1 'Activity')"
fi
wait_dim out 0 5 && ok "before the outage the sleeper's row is not dimmed" ||
    not_ok "before the outage the sleeper's row is not dimmed" \
        "$(sleeper_row out | cat -v)"

# ---- the outage --------------------------------------------------------
as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w -t 30 stop >/dev/null 2>&1
server_up && not_ok "the server stopped" "pg_isready still answers"

waitfor "the header says the server is lost, with a countdown" out \
    '^ pgdeck .*server lost — reconnecting (in [0-9]+s|now) ' 20 'pgdeck'
if screen out | head -1 | grep -q 'refresh 1s'; then
    not_ok "the outage replaces 'refresh 1s' in the header" \
        "$(screen out | head -1)"
else
    ok "the outage replaces 'refresh 1s' in the header"
fi
# The countdown moves: some other value shows within a bounded wait.
first=$(screen out | head -1 | grep -oE 'reconnecting (in [0-9]+s|now)')
i=0
while [ "$i" -lt 150 ]; do
    now=$(screen out | head -1 | grep -oE 'reconnecting (in [0-9]+s|now)')
    [ -n "$now" ] && [ "$now" != "$first" ] && break
    sleep 0.1
    i=$((i + 1))
done
[ -n "$now" ] && [ "$now" != "$first" ] &&
    ok "the reconnect countdown moves ($first, then $now)" ||
    not_ok "the reconnect countdown moves" "stuck at '$first'"
# Activity: the error in place above the last good rows, dimmed.
i=0
while [ "$i" -lt 150 ]; do
    err=$(screen out | grep -A1 '┌ Activity' | tail -1)
    printf '%s\n' "$err" | grep -qE '│ *PID ' || break
    sleep 0.1
    i=$((i + 1))
done
printf '%s\n' "$err" | grep -qE '│[a-z]' &&
    ok "Activity shows the error in place ($(printf '%s' "$err" | cut -c4-60))" ||
    not_ok "Activity shows the error in place" "$err"
wait_dim out 1 15 && ok "Activity keeps its last rows, the selected one dimmed" ||
    not_ok "Activity keeps its last rows, the selected one dimmed" \
        "$(sleeper_row out | cat -v)"

# ---- recovery ----------------------------------------------------------
server_start && ok "the server is back and accepts connections" ||
    not_ok "the server is back and accepts connections" "pg_isready fails"
waitfor "the header shows 'refresh 1s' again by itself" out \
    '^ pgdeck .*refresh 1s' 40 'pgdeck'
screen out | head -1 | grep -q 'server lost' &&
    not_ok "the outage message is gone" "$(screen out | head -1)" ||
    ok "the outage message is gone"
# The sleeper died with the server: fresh data has no row of it.
i=0
while [ "$i" -lt 300 ]; do
    s=$(screen out)
    ! printf '%s\n' "$s" | grep -q 'pg_sleep(600)' &&
        printf '%s\n' "$s" | grep -A1 '┌ Activity' | tail -1 |
        grep -qE '│ *PID ' && break
    sleep 0.1
    i=$((i + 1))
done
[ "$i" -lt 300 ] && ok "Activity recovers: fresh rows, no error" ||
    not_ok "Activity recovers: fresh rows, no error" \
        "$(screen out | grep -A2 '┌ Activity' | tr '\n' '|')"
i=0
while [ "$i" -lt 100 ]; do
    screen out | grep -A1 '┌ Pool' | tail -1 | grep -q '│conns ' && break
    sleep 0.1
    i=$((i + 1))
done
[ "$i" -lt 100 ] && ok "the Pool panel's error clears" ||
    not_ok "the Pool panel's error clears" \
        "$(screen out | grep -A1 '┌ Pool' | tail -1)"

# ---- a \command's status in Results ------------------------------------
tmux_keys out ':'
sleep 0.2
tmux_keys out -l '\pool'
tmux_keys out Enter
waitfor "\\pool reports itself by name with its rows, in whole ms" out \
    '\\pool, [0-9]+ rows +done in [0-9]+ ms' 10 'done in'
screen out | grep -qE 'SELECT [0-9]+ +done in' &&
    not_ok "\\pool has no made-up SELECT tag" \
        "$(screen out | grep -m1 'done in')" ||
    ok "\\pool has no made-up SELECT tag"

# psql's \d family is the shell's: the ':' line says so, and what it takes.
tmux_keys out ':'
sleep 0.2
tmux_keys out -l '\dt'
tmux_keys out Enter
waitfor ":\\dt says it is unknown here" out '\\dt is unknown here' 10 unknown
waitfor ":\\dt points to pgdeck shell and lists what ':' takes" out \
    'pgdeck shell' 3 'unknown|shell'
screen out | grep -qE "takes SQL and .pool" &&
    ok ":\\dt lists the ':' line's commands" ||
    not_ok ":\\dt lists the ':' line's commands" \
        "$(screen out | grep -m2 -E 'unknown|takes' | tr '\n' '|')"

tmux_keys out q
tmux_wait out '\[pane-exit\] 0' 10 && ok "q quits with 0" ||
    not_ok "q quits with 0" "$(screen out | tail -3 | tr '\n' '|')"
