#!/usr/bin/env bash
# dashboard_syncs.sh: the dashboard's Syncs panel, R (refresh-all), a
# custom panel and the ':' command line, driven in tmux as a person would;
# then `pgdeck --demo` (what `make run` shows), where every panel must
# have data within 10 s.
#
# Part one runs on the throwaway cluster (PG* from tests/run.sh) with a
# config of two sql syncs (one sleeps 2 s, one fails) and a custom panel
# of one number. Part two makes a private demo in a temp $XDG_STATE_HOME
# (`pgdeck demo start`, not timed: it may initdb), opens `pgdeck --demo`
# and gives it 10 s; the demo is always destroyed at the end.
#
# Prints TAP lines; tests/run.sh counts them.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh

: "${PGDECK:?PGDECK must name the pgdeck binary}"
case $PGDECK in /*) ;; *) PGDECK=$PWD/${PGDECK#./} ;; esac
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pgdeck-e2e-dsyncs.XXXXXX")
DEMO_STATE=$WORK/demo-state
DEMO=$DEMO_STATE/pgdeck/demo

cleanup() {
    local base pid
    pd_tmux kill-server 2>/dev/null
    if [ -d "$DEMO" ]; then
        base=$(sed -n 's/^base=//p' "$DEMO/state" 2>/dev/null)
        XDG_STATE_HOME=$DEMO_STATE "$PGDECK" demo destroy >/dev/null 2>&1
        # Belt and braces when destroy itself is broken.
        if [ -n "$base" ] && [ -d "$base" ]; then
            pid=$(head -1 "$base/data/postmaster.pid" 2>/dev/null)
            [ -n "$pid" ] && kill -QUIT "$pid" 2>/dev/null
            case "$base" in */pgdeck-demo-*|*/pgdeck/demo/cluster)
                rm -rf "$base" ;;
            esac
        fi
    fi
    rm -rf "$WORK"
    pd_e2e_cleanup
}
trap cleanup EXIT

# A session that lives as long as the script, so the tmux server does not
# exit (and race the next new-session) each time a test's session ends.
pd_tmux new-session -d -s keep -x 80 -y 24 "exec sleep 3600"

screen() { tmux_capture "$1" 2>/dev/null; }
# waitfor NAME TEST REGEX [SECONDS] [DETAIL-REGEX]: ok when REGEX shows.
waitfor() {
    local name=$1 test=$2 re=$3 secs=${4:-10} detail=${5:-}
    if tmux_wait "$name" "$re" "$secs"; then
        ok "$test"
    elif [ -n "$detail" ]; then
        not_ok "$test" "$(screen "$name" | grep -E -m3 -- "$detail" |
            tr '\n' '|')"
    else
        not_ok "$test" "$(screen "$name" | tail -8 | tr '\n' '|')"
    fi
}
# command NAME TEXT: types ':' TEXT Enter.
command() {
    tmux_keys "$1" ':'
    sleep 0.2
    tmux_keys "$1" -l "$2"
    tmux_keys "$1" Enter
}
q() { "$PSQL" -X -At -c "$1" 2>&1; }

# ---- part one: syncs, R, a custom panel, the command line --------------
cat >"$WORK/config.json" <<'EOF'
// Two sql syncs, one slow and one failing, and a custom panel.
{
  "slow_log": { "threshold_ms": 10000 },
  "panels": [
    { "title": "The answer", "sql": "SELECT 40 + 2 AS answer",
      "refresh_ms": 500 }
  ],
  "syncs": [
    { "name": "sleepy", "sql": ["SELECT pg_sleep(2)", "SELECT 1"] },
    { "name": "broken", "sql": "SELECT * FROM pgdeck_e2e_no_such_table" }
  ]
}
EOF
chmod 600 "$WORK/config.json"

tmux_start dash 120 50 XDG_STATE_HOME="$WORK/state" \
    "$PGDECK" --config "$WORK/config.json"
waitfor dash "the Syncs panel is there" '┌ Syncs' 10
if tmux_wait dash 'sleepy +idle' 10 && tmux_wait dash 'broken +idle' 2; then
    ok "the Syncs panel lists both jobs, idle"
else
    not_ok "the Syncs panel lists both jobs, idle" \
        "$(screen dash | grep -A5 'Syncs' | tr '\n' '|')"
fi
waitfor dash "the custom panel is there, titled" '┌ The answer' 5
waitfor dash "the custom panel shows its one value" 'answer 42' 10 answer
tmux_wait dash '│[▁▂▃▄▅▆▇█]{2,}' 5 &&
    ok "the single value's sparkline draws" ||
    not_ok "the single value's sparkline draws" \
        "$(screen dash | grep -A2 'The answer' | tr '\n' '|')"

tmux_keys dash R
waitfor dash "R starts refresh-all" 'refresh-all started: 2 jobs' 3
waitfor dash "a running job shows running with its elapsed time" \
    'sleepy +running +[0-9.]+ (ms|s)' 3 sleepy
waitfor dash "refresh-all shows its progress" \
    'refresh-all \[.*\] 1/2 done' 3 'refresh-all'
waitfor dash "the header shows refresh-all progress" \
    '^ pgdeck .*refresh-all 1/2' 2
tmux_keys dash R
waitfor dash "R again while it runs says so, and does nothing" \
    'refresh-all is already running \(1/2 done\)' 3
waitfor dash "the slow job ends ok" 'sleepy +ok +2\.[0-9]+ s +[0-9]+ +1' 8 \
    sleepy
waitfor dash "the failing job shows failed with its error" \
    'broken +failed .*pgdeck_e2e_no_such_table.*does not exist' 2 broken
waitfor dash "the end of refresh-all says how it went" \
    'refresh-all: 1 of 2 jobs not ok' 3
waitfor dash "the Syncs panel sums up the last run" \
    'last refresh-all [0-9:]+: 1 ok, 1 failed, 0 skipped' 2
command dash 'SELECT 41+1'
waitfor dash ":SELECT 41+1 shows 42 in the results" '│ +42 +│' 5 '42'
waitfor dash "the results say the command's tag and time" \
    'SELECT 1 +done in' 2
command dash '\pool'
if tmux_wait dash 'stat +value' 5 && tmux_wait dash '│min +[0-9]+ +│' 2
then ok ":\\pool shows the pool table"
else not_ok ":\\pool shows the pool table" \
    "$(screen dash | grep -A4 Results | tr '\n' '|')"; fi
command dash 'SELECT * FROM pgdeck_e2e_nope'
waitfor dash "an SQL error shows in place in the results" \
    'relation "pgdeck_e2e_nope" does not exist' 5
command dash '\nosuch'
waitfor dash "an unknown backslash command says so" 'unknown here' 3

command dash 'SELECT pg_sleep(30)'
waitfor dash "a long query runs without freezing the screen" \
    'running [0-9.]+ (ms|s) +\(Esc cancels\)' 5
t1=$(screen dash | head -1 | grep -o '[0-9:]\{8\}')
sleep 1.2
t2=$(screen dash | head -1 | grep -o '[0-9:]\{8\}')
[ -n "$t1" ] && [ "$t1" != "$t2" ] &&
    ok "the clock moves while the query runs" ||
    not_ok "the clock moves while the query runs" "$t1 $t2"
tmux_keys dash Escape
waitfor dash "Esc cancels the query" 'canceled by the user' 3
i=0
while [ $i -lt 30 ] && [ "$(q "SELECT count(*) FROM pg_stat_activity
        WHERE query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()")" != 0 ]
do sleep 0.1; i=$((i + 1)); done
[ $i -lt 30 ] && ok "the server stops the canceled query" ||
    not_ok "the server stops the canceled query" \
        "$(q "SELECT pid, state, query FROM pg_stat_activity")"
tmux_keys dash ':'
sleep 0.2
tmux_keys dash Up
waitfor dash "Up in the command line brings back the last line" \
    '^:SELECT pg_sleep\(30\)' 3
tmux_keys dash Up
waitfor dash "Up again goes further back" '^:\\nosuch' 2
tmux_keys dash Escape
sleep 0.3
screen dash | tail -1 | grep -q '^:' &&
    not_ok "Esc leaves the command line" "$(screen dash | tail -1)" ||
    ok "Esc leaves the command line"

tmux_resize dash 20 5
sleep 0.8
if tmux_alive dash && ! screen dash | grep -q 'pane-exit' &&
    [ -n "$(screen dash | tr -d ' \n')" ]; then
    ok "resize to 20x5 survives"
else
    not_ok "resize to 20x5 survives" "$(screen dash | tr '\n' '|')"
fi
tmux_resize dash 120 50
waitfor dash "resize back shows the Syncs panel again" 'sleepy +ok' 5
tmux_keys dash q
waitfor dash "q quits with status 0" '^\[pane-exit\] 0$' 10
tmux_kill dash

# ---- part two: the demo, every panel non-empty within 10 s -------------
# Non-empty means: the panel's own data, not only its title and headings.
# Pool: a size; Queries: some queries counted; Retries: the breaker's
# state; Slow queries: a statement recorded; Activity: a backend row;
# Locks: its counters line; Syncs: the demo's jobs; Open positions and
# Top movers: rows.
unset PGDECK_PG_BINDIR PGDECK_DEMO_PORT PGDECK_DEMO_DIR DATABASE_URL
unset DB_SLOW_QUERY_MS
mkdir -p "$DEMO_STATE"
if ! XDG_STATE_HOME=$DEMO_STATE "$PGDECK" demo start >"$WORK/demo.out" \
    2>&1; then
    not_ok "demo start for the dashboard" "$(tail -3 "$WORK/demo.out")"
    exit 0
fi
ok "demo start for the dashboard"

panels=("Pool" "Queries" "Retries" "Slow queries" "Activity" "Locks"
        "Syncs" "Open positions" "Top movers")
data=('size [1-9][0-9]* '
      'total [1-9][0-9]* '
      'breaker +(CLOSED|OPEN|HALF)'
      '[0-9]{2}:[0-9]{2}:[0-9]{2} +[0-9.]+ (ms|s) +[a-z]'
      'Activity [1-9][0-9]* backends?'
      'pgdeck locks +held [0-9]+'
      'transfer-ab .*transfer-ba|open-positions +(idle|ok)'
      '┌ Open positions [1-9][0-9]* rows'
      '┌ Top movers [1-9][0-9]* rows')
tmux_start demo 160 60 XDG_STATE_HOME="$DEMO_STATE" "$PGDECK" --demo
start=$(date +%s%N)
missing=("${panels[@]}")
while :; do
    s=$(screen demo)
    missing=()
    for i in "${!panels[@]}"; do
        if ! printf '%s\n' "$s" | grep -q -- "┌ ${panels[$i]}" ||
            ! printf '%s\n' "$s" | grep -Eq -- "${data[$i]}"; then
            missing+=("${panels[$i]}")
        fi
    done
    elapsed=$((($(date +%s%N) - start) / 1000000))
    [ ${#missing[@]} -eq 0 ] && break
    [ "$elapsed" -ge 10000 ] && break
    sleep 0.2
done
if [ ${#missing[@]} -eq 0 ]; then
    ok "demo: every panel has data within 10 s (${elapsed} ms)"
else
    not_ok "demo: every panel has data within 10 s" \
        "still empty: ${missing[*]}"
fi
for i in "${!panels[@]}"; do
    printf '%s\n' "$s" | grep -q -- "┌ ${panels[$i]}" &&
        printf '%s\n' "$s" | grep -Eq -- "${data[$i]}" &&
        ok "demo: ${panels[$i]} has data" ||
        not_ok "demo: ${panels[$i]} has data" \
            "$(printf '%s\n' "$s" | grep -A2 -- "┌ ${panels[$i]}" |
                tr '\n' '|')"
done

# At 160x48 the Syncs panel has room for all five of the demo's jobs, and
# keeps it when a ':' Results panel opens (the layout takes the rows from
# panels that can shrink).
jobs=(transfer-ab transfer-ba markets prices open-positions)
all_jobs() { # NAME TEST: ok when every job has its line on screen.
    local j i=0 miss
    while :; do
        miss=()
        s=$(screen "$1")
        for j in "${jobs[@]}"; do
            printf '%s\n' "$s" | grep -Eq -- \
                "│$j +(idle|queued|running|retrying|ok|failed|skipped)" ||
                miss+=("$j")
        done
        [ ${#miss[@]} -eq 0 ] && break
        [ $i -ge 30 ] && break
        sleep 0.1
        i=$((i + 1))
    done
    if [ ${#miss[@]} -eq 0 ]; then ok "$2"
    else not_ok "$2" "missing ${miss[*]}: $(printf '%s\n' "$s" |
        grep -A8 -- '┌ Syncs' | tr '\n' '|')"; fi
}
tmux_resize demo 160 48
sleep 0.5
all_jobs demo "demo at 160x48: the Syncs panel shows all 5 jobs"
command demo 'SELECT 1'
waitfor demo "demo: ':SELECT 1' opens the Results panel" '┌ Results' 5
all_jobs demo "demo at 160x48 with Results: all 5 jobs still shown"
tmux_resize demo 80 24
# Folded to its title line there, or open.
if tmux_wait demo '[┌─] Syncs 5 jobs' 3 && ! screen demo | grep -q 'pane-exit'
then
    ok "demo: resize to 80x24 keeps the Syncs panel"
else
    not_ok "demo: resize to 80x24 keeps the Syncs panel" \
        "$(screen demo | tr '\n' '|')"
fi
# Still 80x24: x closes Results; the focus goes back to Activity, which
# then has room for several backends while the other rows fold.
tmux_keys demo x
rows=0
# The workload's backends come and go (more during its lock episode every
# ~10 s): a bounded wait for three at once.
for i in $(seq 75); do
    s=$(screen demo)
    rows=$(printf '%s\n' "$s" | awk '
        index($0, "┌ Activity") == 1 { on = 1; next }
        on && index($0, "└") == 1 { exit }
        on && $0 ~ /^│ *[0-9]+ [a-z]/ { n++ }
        END { print n + 0 }')
    [ "$rows" -ge 3 ] && break
    sleep 0.2
done
h=$(printf '%s\n' "$s" | awk 'index($0, "┌ Activity") == 1 { top = NR }
    top && NR > top && index($0, "└") == 1 { print NR - top + 1; exit }')
if [ "${h:-0}" -ge 10 ] && [ "$rows" -ge 3 ]; then
    ok "demo at 80x24: the focused Activity shows $rows backends in $h rows"
else
    not_ok "demo at 80x24: the focused panel shows several data rows" \
        "$(printf '%s\n' "$s" | tr '\n' '|')"
fi
tmux_resize demo 160 48
tmux_keys demo q
waitfor demo "demo: q quits with status 0" '^\[pane-exit\] 0$' 10
