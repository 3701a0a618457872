#!/usr/bin/env bash
# dashboard.sh: the ncurses dashboard driven in tmux, as a person would.
#
# Needs PGDECK and the throwaway cluster's PG* variables (tests/run.sh).
# Prints TAP lines; tests/run.sh counts them.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh

: "${PGDECK:?PGDECK must name the pgdeck binary}"
WORK=$(mktemp -d /tmp/pgdeck-e2e-dash.XXXXXX)
trap 'pd_e2e_cleanup; rm -rf "$WORK"' EXIT

# A session that lives as long as the script, so the tmux server does not
# exit (and race the next new-session) each time a test's session ends.
pd_tmux new-session -d -s keep -x 80 -y 24 "exec sleep 3600"

CLOCK_RE='[0-9][0-9]:[0-9][0-9]:[0-9][0-9]'

# alt NAME: 1 while the pane shows the alternate screen, else 0.
alt() { pd_tmux display-message -p -t "$1" '#{alternate_on}' 2>/dev/null; }

# line NAME N: line N (1-based) of the pane.
line() { tmux_capture "$1" | sed -n "${2}p"; }

# exited NAME RC [SECONDS]: waits for the pane's "[pane-exit] RC".
exited() { tmux_wait "$1" "^\[pane-exit\] $2\$" "${3:-10}"; }

# changes NAME N [SECONDS]: waits until the clock on line N differs from
# what it shows now.
changes() {
    local name=$1 n=$2 secs=${3:-5} first now i=0
    first=$(line "$name" "$n" | grep -o "$CLOCK_RE" | tail -n 1)
    [ -n "$first" ] || return 1
    while [ "$i" -lt $((secs * 10)) ]; do
        now=$(line "$name" "$n" | grep -o "$CLOCK_RE" | tail -n 1)
        [ -n "$now" ] && [ "$now" != "$first" ] && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

# hexkeys NAME STRING: STRING's bytes as terminal input (mouse reports).
hexkeys() {
    tmux_keys "$1" -H $(printf '%s' "$2" | od -An -tx1)
}
# click NAME X Y: a left click at column X, row Y (1-based; SGR mouse).
click() {
    hexkeys "$1" $'\e[<0;'"$2;$3"'M'
    hexkeys "$1" $'\e[<0;'"$2;$3"'m'
}
# focus_is NAME PANEL: the help names PANEL's own keys (the focused one).
focus_is() {
    local r=1
    tmux_keys "$1" '?'
    tmux_wait "$1" "$2 panel" 3 && r=0
    tmux_keys "$1" x
    sleep 0.2
    return $r
}
# zoom_pool NAME: focuses the Pool panel (top left) and zooms it.
zoom_pool() {
    click "$1" 3 3
    sleep 0.2
    tmux_keys "$1" Enter
    tmux_wait "$1" '^ pgdeck .* zoom ' 3
}

# start NAME COLS ROWS [VAR=VALUE...] [-- ARG...]: the dashboard in a pane
# (pgdeck ARG...), wrapped so that the terminal settings before and after
# land in $WORK/NAME.*.
start() {
    local name=$1 cols=$2 rows=$3 vars=()
    shift 3
    while [ $# -gt 0 ] && [ "$1" != -- ]; do vars+=("$1"); shift; done
    [ $# -gt 0 ] && shift
    cat >"$WORK/$name.sh" <<EOF
stty -g >"$WORK/$name.before" 2>/dev/null
"\$@"
rc=\$?
stty -g >"$WORK/$name.after" 2>/dev/null
if command -v perl >/dev/null 2>&1; then
    perl -MFcntl -e 'print((fcntl(STDIN, F_GETFL, 0) & O_NONBLOCK) ?
        "nonblock\n" : "block\n")' >"$WORK/$name.fl" 2>/dev/null
fi
exit \$rc
EOF
    # bash, not sh: on Ctrl-C it waits to see whether pgdeck survives the
    # SIGINT (handles it) before deciding to die itself.
    tmux_start "$name" "$cols" "$rows" "${vars[@]}" bash "$WORK/$name.sh" \
        "$PGDECK" "$@"
}

# as_found NAME: the terminal is exactly as before the run.
as_found() {
    [ "$(alt "$1")" = 0 ] || return 1
    cmp -s "$WORK/$1.before" "$WORK/$1.after" || return 1
    [ ! -s "$WORK/$1.fl" ] || [ "$(cat "$WORK/$1.fl")" = block ]
}

# ---- the pool panel, live --------------------------------------------
start main 100 30 DB_MIN_POOL_SIZE=3
tmux_wait main 'Pool' 10 && zoom_pool main
if tmux_wait main 'Pool' 10; then
    ok "dashboard opens with a Pool panel"
else
    not_ok "dashboard opens with a Pool panel" "$(tmux_capture main | head -5)"
fi
[ "$(alt main)" = 1 ] && ok "dashboard uses the alternate screen" ||
    not_ok "dashboard uses the alternate screen" "alternate_on=$(alt main)"
if tmux_wait main 'size 3 .*min 3' 15; then
    ok "pool reaches the configured min (size 3)"
else
    not_ok "pool reaches the configured min (size 3)" \
        "$(tmux_capture main | grep -m1 size)"
fi
tmux_wait main 'opened [1-9]' 5 && tmux_wait main 'conns \[-+ *\] 3/' 5 &&
    ok "pool counters and usage bar shown" ||
    not_ok "pool counters and usage bar shown" \
        "$(tmux_capture main | sed -n 2,8p | tr '\n' '|')"
tmux_wait main 'in use [▁▂▃▄▅▆▇█]+ +waiting [▁▂▃▄▅▆▇█]+' 5 &&
    ok "pool in use and waiting sparklines" ||
    not_ok "pool in use and waiting sparklines" \
        "$(tmux_capture main | grep -m1 'in use')"
tmux_wait main "^ pgdeck .*db $PGDATABASE" 5 &&
    ok "header names pgdeck and the database" ||
    not_ok "header names pgdeck and the database" "$(line main 1)"
tmux_wait main "target .*port=$PGPORT" 5 &&
    ! tmux_capture main | grep -qi 'password' &&
    ok "connection target shown without a password" ||
    not_ok "connection target shown without a password" \
        "$(tmux_capture main | grep -m1 target)"
tmux_wait main 'q Quit' 5 && ok "key bar shows q Quit" ||
    not_ok "key bar shows q Quit" "$(line main 30)"
changes main 1 && ok "header clock advances" ||
    not_ok "header clock advances" "$(line main 1)"
changes main 2 && ok "Pool freshness stamp advances" ||
    not_ok "Pool freshness stamp advances" "$(line main 2)"

tmux_keys main '?'
tmux_wait main 'Help' 5 && tmux_wait main 'quit, leaving' 5 &&
    ok "? shows the key help" || not_ok "? shows the key help" ""
tmux_keys main x
sleep 0.3
tmux_capture main | grep -q 'quit, leaving' &&
    not_ok "any key closes the help" "" || ok "any key closes the help"

# ---- resize ------------------------------------------------------------
tmux_resize main 20 5
sleep 0.5
if tmux_wait main 'Pool' 5 && ! tmux_capture main | grep -q 'pane-exit'; then
    ok "resize to 20x5 draws what fits"
else
    not_ok "resize to 20x5 draws what fits" "$(tmux_capture main | tr '\n' '|')"
fi
tmux_resize main 100 30
if tmux_wait main 'size 3 .*max' 5 && tmux_wait main 'q Quit' 5 &&
    [ "$(tmux_capture main | sed -n 2p | wc -m)" -gt 90 ]; then
    ok "resize back to 100x30 redraws in full"
else
    not_ok "resize back to 100x30 redraws in full" "$(line main 2)"
fi

# ---- a help taller than the screen scrolls -----------------------------
tmux_resize main 80 20
sleep 0.5
tmux_keys main '?'
if tmux_wait main 'Down: more' 5 && ! tmux_capture main | grep -q 'quit, leaving'; then
    tmux_keys main NPage
    tmux_wait main 'quit, leaving' 5 && tmux_wait main 'Up: back' 5 &&
        ok "a help taller than the screen scrolls to its end (PgDn)" ||
        not_ok "a help taller than the screen scrolls to its end (PgDn)" \
            "$(tmux_capture main | tail -3 | tr '\n' '|')"
else
    not_ok "a help taller than the screen says it scrolls" \
        "$(tmux_capture main | tail -3 | tr '\n' '|')"
fi
tmux_keys main x
sleep 0.3
tmux_capture main | grep -q 'quit, leaving' &&
    not_ok "a key other than the scroll keys closes it" "" ||
    ok "a key other than the scroll keys closes it"
tmux_resize main 100 30
sleep 0.3

# ---- q -----------------------------------------------------------------
tmux_keys main q
if exited main 0; then ok "q quits with status 0"; else
    not_ok "q quits with status 0" "$(tmux_capture main | tail -3)"; fi
as_found main && ok "q leaves the terminal as it was" ||
    not_ok "q leaves the terminal as it was" \
        "alternate_on=$(alt main) fl=$(cat "$WORK/main.fl" 2>/dev/null)"
tmux_capture main | grep -q 'Pool' &&
    not_ok "q gives back the normal screen" "dashboard still visible" ||
    ok "q gives back the normal screen"
tmux_kill main

# ---- focus, zoom, mouse --------------------------------------------------
start focus 100 30
tmux_wait focus 'Activity' 10
focus_is focus Activity && ok "the focus starts on Activity" ||
    not_ok "the focus starts on Activity" "$(tmux_capture focus | head -3)"
tmux_keys focus Enter
if tmux_wait focus '^ pgdeck .* zoom ' 3 && ! tmux_capture focus | grep -q 'Pool'
then ok "Enter zooms the focused panel"; else
    not_ok "Enter zooms the focused panel" "$(line focus 1)"; fi
tmux_keys focus Enter
tmux_wait focus 'Pool' 3 && ! line focus 1 | grep -q zoom &&
    ok "Enter again shows every panel" ||
    not_ok "Enter again shows every panel" "$(line focus 1)"
row=$(tmux_capture focus | grep -n 'Activity' | head -1 | cut -d: -f1)
click focus 10 3
sleep 0.3
! focus_is focus Activity && ok "a click focuses the panel clicked" ||
    not_ok "a click focuses the panel clicked" "still on Activity"
click focus 10 "$((row + 2))"
sleep 0.3
focus_is focus Activity && ok "a click on Activity focuses it again" ||
    not_ok "a click on Activity focuses it again" "row $row"
tmux_keys focus Tab
sleep 0.2
! focus_is focus Activity && ok "Tab moves the focus" ||
    not_ok "Tab moves the focus" "still on Activity"
tmux_keys focus BTab
sleep 0.2
focus_is focus Activity && ok "Shift-Tab moves it back" ||
    not_ok "Shift-Tab moves it back" ""
tmux_keys focus Up
sleep 0.2
! focus_is focus Activity && ok "Up at the first row focuses the panel above" ||
    not_ok "Up at the first row focuses the panel above" ""
tmux_keys focus p
tmux_wait focus '^ pgdeck .* paused ' 3 && tmux_wait focus ' paused ┐' 3 &&
    ok "p pauses every panel" || not_ok "p pauses every panel" "$(line focus 1)"
tmux_keys focus p
tmux_wait focus 'refresh 1s' 3 && ok "p again resumes" ||
    not_ok "p again resumes" "$(line focus 1)"
tmux_keys focus +
tmux_wait focus 'refresh 0.5s' 3 && ok "+ refreshes faster" ||
    not_ok "+ refreshes faster" "$(line focus 1)"
tmux_keys focus - -
tmux_wait focus 'refresh 2s' 3 && ok "- refreshes slower" ||
    not_ok "- refreshes slower" "$(line focus 1)"
tmux_keys focus q
exited focus 0 && ok "focus: q quits" || not_ok "focus: q quits" ""
tmux_kill focus

# ---- activity ----------------------------------------------------------
SLEEPER=e2e_sleeper_$$
"$PSQL" -X -c "SELECT pg_sleep(60) AS $SLEEPER" >"$WORK/sleeper.out" 2>&1 &
sleeper=$!
start act 100 30
if tmux_wait act "pg_sleep\\(60\\) AS e2e_sle" 10; then
    ok "Activity shows a pg_sleep backend from another session"
else
    not_ok "Activity shows a pg_sleep backend from another session" \
        "$(tmux_capture act | grep -A3 Activity | tr '\n' '|')"
fi
tmux_wait act 'PID .*STATE .*DURATION.*QUERY' 3 &&
    tmux_wait act "[0-9]+ .* active .*Timeout:PgSleep .*pg_sleep" 3 &&
    ok "Activity: pid, state, wait event, duration, query" ||
    not_ok "Activity: pid, state, wait event, duration, query" \
        "$(tmux_capture act | grep -m1 PID)"
tmux_keys act /
tmux_keys act -l "$SLEEPER"
tmux_keys act Enter
tmux_wait act 'Activity 1 of [0-9]+ backends?' 3 &&
    tmux_wait act "/$SLEEPER 1 of" 3 &&
    ok "/ filters the backends" ||
    not_ok "/ filters the backends" "$(tmux_capture act | grep -m1 Activity)"
tmux_keys act s
tmux_wait act 'QUERY▲|QUERY\^' 3 && ok "s sorts by the next column" ||
    not_ok "s sorts by the next column" "$(tmux_capture act | grep -m1 PID)"
tmux_keys act k
tmux_wait act 'Cancel the query of backend [0-9]+' 3 &&
    ok "k asks before canceling" || not_ok "k asks before canceling" ""
tmux_keys act n
sleep 1
kill -0 "$sleeper" 2>/dev/null && ! tmux_capture act | grep -q 'Cancel the' &&
    ok "n leaves the backend alone" || not_ok "n leaves the backend alone" ""
tmux_keys act k
tmux_wait act 'Cancel the query of backend [0-9]+' 3
tmux_keys act y
tmux_wait act 'cancel sent to backend [0-9]+' 5 &&
    ok "y cancels: the message says so" ||
    not_ok "y cancels: the message says so" "$(line act 30)"
for i in $(seq 50); do kill -0 "$sleeper" 2>/dev/null || break; sleep 0.1; done
wait "$sleeper" 2>/dev/null
grep -q 'canceling statement due to user request' "$WORK/sleeper.out" &&
    ok "k + y cancels the pg_sleep backend" ||
    not_ok "k + y cancels the pg_sleep backend" "$(cat "$WORK/sleeper.out")"
tmux_wait act 'Activity 0 of [0-9]+ backends?' 5 &&
    ok "the canceled backend leaves the list" ||
    not_ok "the canceled backend leaves the list" \
        "$(tmux_capture act | grep -m1 Activity)"
tmux_keys act Escape
tmux_wait act 'Activity [0-9]+ backends?' 3 && ok "Esc clears the filter" ||
    not_ok "Esc clears the filter" "$(tmux_capture act | grep -m1 Activity)"
tmux_keys act q
exited act 0 && ok "activity: q quits" || not_ok "activity: q quits" ""
tmux_kill act

# ---- queries -------------------------------------------------------------
start queries 100 30
tmux_wait queries 'Queries' 10
click queries 60 3
sleep 0.2
tmux_keys queries Enter
if tmux_wait queries '^ pgdeck .* zoom ' 3 &&
    tmux_wait queries 'queries +[0-9]+\.[0-9]/s [▁▂▃▄▅▆▇█]{3,}' 10; then
    ok "Queries shows queries/s with a sparkline"
else
    not_ok "Queries shows queries/s with a sparkline" \
        "$(tmux_capture queries | sed -n 2,4p | tr '\n' '|')"
fi
tmux_wait queries 'errors +0\.0/s [▁]+' 3 &&
    ok "Queries shows errors/s with a sparkline" ||
    not_ok "Queries shows errors/s with a sparkline" ""
tmux_wait queries 'latency +p50 [0-9.]+ m?s +p95 [0-9.]+ m?s +p99 [0-9.]+ m?s +max' 3 &&
    ok "Queries shows latency p50/p95/p99/max" ||
    not_ok "Queries shows latency p50/p95/p99/max" \
        "$(tmux_capture queries | grep -m1 latency)"
tmux_wait queries 'in flight [0-9]+ +total [1-9][0-9]* +failed 0' 3 &&
    ok "Queries shows in flight and totals" ||
    not_ok "Queries shows in flight and totals" ""
tmux_wait queries '^│panel +[1-9][0-9]* +err 0 +p50' 3 &&
    ok "Queries splits by source (the panels' own queries)" ||
    not_ok "Queries splits by source (the panels' own queries)" \
        "$(tmux_capture queries | grep -m1 panel)"
tmux_keys queries q
exited queries 0 && ok "queries: q quits" || not_ok "queries: q quits" ""
tmux_kill queries

# ---- retries -------------------------------------------------------------
start retries 100 30
tmux_wait retries 'Retries breaker closed' 10 &&
    tmux_wait retries 'breaker +CLOSED +since start +failures 0/' 3 &&
    tmux_wait retries 'retries +deadlock 0 +serialization 0' 3 &&
    ok "Retries shows the breaker closed and the retry counters" ||
    not_ok "Retries shows the breaker closed and the retry counters" \
        "$(tmux_capture retries | grep -A3 'Retries' | tr '\n' '|')"
tmux_keys retries q
exited retries 0 && ok "retries: q quits" || not_ok "retries: q quits" ""
tmux_kill retries

# ---- slow queries --------------------------------------------------------
# recorded NAME: the Slow queries panel's count of recorded entries.
recorded() {
    tmux_capture "$1" | grep -o 'threshold [0-9]* ms, [0-9]* recorded' |
        head -1 | sed 's/.* \([0-9]*\) recorded/\1/'
}
start slow 120 40 DB_SLOW_QUERY_MS=0
tmux_wait slow 'Slow queries' 10
tmux_keys slow BTab
sleep 0.2
focus_is slow 'Slow queries' && ok "Shift-Tab from Activity focuses Slow queries" ||
    not_ok "Shift-Tab from Activity focuses Slow queries" ""
tmux_keys slow Enter
if tmux_wait slow 'Slow queries threshold 0 ms, [1-9][0-9]* recorded' 10 &&
    tmux_wait slow '[0-9:]{8} +[0-9.]+ ms panel:(Activity|Locks) ' 3; then
    ok "Slow queries shows the latest entries with their source"
else
    not_ok "Slow queries shows the latest entries with their source" \
        "$(tmux_capture slow | grep -A3 'Slow queries' | tr '\n' '|')"
fi
tmux_wait slow 'worst by total' 3 &&
    tmux_wait slow 'CALLS +TOTAL. +MEAN +P95 +MAX +QUERY' 3 &&
    ok "Slow queries shows the worst fingerprints" ||
    not_ok "Slow queries shows the worst fingerprints" \
        "$(tmux_capture slow | grep -m1 CALLS)"
tmux_keys slow '>'
tmux_wait slow 'slow-query threshold: 1 ms' 3 &&
    tmux_wait slow 'Slow queries threshold 1 ms' 3 &&
    ok "> raises the threshold" || not_ok "> raises the threshold" \
        "$(tmux_capture slow | grep -m1 'Slow queries')"
tmux_keys slow s
tmux_wait slow 'worst by max' 3 && ok "s ranks the worst by max" ||
    not_ok "s ranks the worst by max" ""
for i in $(seq 13); do tmux_keys slow '>'; done
tmux_wait slow 'Slow queries threshold 10000 ms' 3
sleep 1.5 # the count of the refresh after the change
before=$(recorded slow)
sleep 2.5
after=$(recorded slow)
[ -n "$before" ] && [ "$before" = "$after" ] &&
    ok "a raised threshold stops recording fast queries" ||
    not_ok "a raised threshold stops recording fast queries" "$before -> $after"
tmux_keys slow '<'
tmux_wait slow 'Slow queries threshold 5000 ms' 3 && ok "< lowers it" ||
    not_ok "< lowers it" "$(tmux_capture slow | grep -m1 'Slow queries')"
tmux_keys slow q
exited slow 0 && ok "slow: q quits" || not_ok "slow: q quits" ""
tmux_kill slow

# ---- locks -------------------------------------------------------------
# A holder of an exclusive table lock and a reader waiting for it.
LT=e2e_locked_$$
"$PSQL" -X -q -c "CREATE TABLE $LT (i int)" >/dev/null 2>&1
"$PSQL" -X -q -c "BEGIN; LOCK TABLE $LT; SELECT pg_sleep(30); COMMIT" \
    >"$WORK/holder.out" 2>&1 &
holder=$!
sleep 0.5
"$PSQL" -X -q -c "SELECT count(*) AS e2e_waiter FROM $LT" \
    >"$WORK/waiter.out" 2>&1 &
waiter=$!
start locks 100 40
if tmux_wait locks 'Locks 1 waiting, 1 blocking' 10 &&
    tmux_wait locks "[├└|\`]-?─?[0-9]+ +[a-z]+ +relation AccessShareLock +$LT" 3
then
    ok "Locks shows the waiting backend under its blocker"
else
    not_ok "Locks shows the waiting backend under its blocker" \
        "$(tmux_capture locks | grep -A4 'Locks' | tr '\n' '|')"
fi
tmux_wait locks '^│[0-9]+ +[a-z]+ +active +txn ' 3 &&
    ok "Locks shows the blocker with its transaction's age" ||
    not_ok "Locks shows the blocker with its transaction's age" \
        "$(tmux_capture locks | grep -A3 'PID  ')"
tmux_wait locks 'pgdeck locks +held 0' 3 &&
    ok "Locks shows pgdeck's own resource locks" ||
    not_ok "Locks shows pgdeck's own resource locks" ""
tmux_keys locks Tab
sleep 0.3
focus_is locks Locks && ok "Tab from Activity focuses Locks" ||
    not_ok "Tab from Activity focuses Locks" ""
tmux_keys locks Down k
tmux_wait locks 'Cancel the query of backend [0-9]+' 3 &&
    tmux_wait locks 'count\(\*\) AS e2e_waiter' 1 &&
    ok "k on the waiter asks first" ||
    not_ok "k on the waiter asks first" "$(tmux_capture locks | grep -m1 Cancel)"
tmux_keys locks y
for i in $(seq 50); do kill -0 "$waiter" 2>/dev/null || break; sleep 0.1; done
wait "$waiter" 2>/dev/null
grep -q 'canceling statement due to user request' "$WORK/waiter.out" &&
    ok "k + y in Locks cancels the waiting backend" ||
    not_ok "k + y in Locks cancels the waiting backend" "$(cat "$WORK/waiter.out")"
tmux_wait locks 'Locks no waits' 5 && ok "Locks: no waits once it is gone" ||
    not_ok "Locks: no waits once it is gone" \
        "$(tmux_capture locks | grep -m1 Locks)"
kill "$holder" 2>/dev/null
"$PSQL" -X -q -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
    WHERE query LIKE '%LOCK TABLE $LT%' AND pid <> pg_backend_pid()" \
    >/dev/null 2>&1
wait "$holder" 2>/dev/null
"$PSQL" -X -q -c "DROP TABLE IF EXISTS $LT" >/dev/null 2>&1
tmux_keys locks q
exited locks 0 && ok "locks: q quits" || not_ok "locks: q quits" ""
tmux_kill locks

# ---- a slow server: nothing sent twice, errors in place ------------------
# While pg_database is locked, every panel query (both read
# pg_stat_activity, which joins it) waits on the server.
start slowsrv 100 30
tmux_wait slowsrv 'Activity [0-9]+ backends?' 10
"$PSQL" -X -q -At -c "BEGIN; LOCK TABLE pg_catalog.pg_database IN ACCESS
    EXCLUSIVE MODE; SELECT pg_sleep(6); SELECT count(*) FROM
    pg_stat_activity WHERE query LIKE '/* pgdeck panel */%' AND
    state = 'active'; COMMIT" >"$WORK/slowsrv.out" 2>&1 &
slowsrv=$!
tmux_wait slowsrv 'Activity .* query running [0-9.]+s ┐' 5 &&
    ok "a panel query slower than the interval says it is running" ||
    not_ok "a panel query slower than the interval says it is running" \
        "$(tmux_capture slowsrv | grep -m1 Activity)"
sleep 2
tmux_capture slowsrv | grep -q 'waiting 0' &&
    ok "the pool is not asked for more while they run" ||
    not_ok "the pool is not asked for more while they run" \
        "$(tmux_capture slowsrv | grep -m1 waiting)"
wait "$slowsrv"
[ "$(grep -E '^[0-9]+$' "$WORK/slowsrv.out")" = 2 ] &&
    ok "a query still running at its next refresh is not sent twice" ||
    not_ok "a query still running at its next refresh is not sent twice" \
        "$(cat "$WORK/slowsrv.out")"
tmux_wait slowsrv 'Activity [0-9]+ backends?.* [0-9:]{8} ┐' 5 &&
    ok "the panels catch up once the server answers" ||
    not_ok "the panels catch up once the server answers" \
        "$(tmux_capture slowsrv | grep -m1 Activity)"
tmux_keys slowsrv q
exited slowsrv 0 && ok "slow server: q quits" || not_ok "slow server: q quits" ""
tmux_kill slowsrv

# Every panel query fails at once: the error shows in place, no data is
# made up.
start failing 100 30 PGOPTIONS=-cstatement_timeout=1
if tmux_wait failing 'canceling statement due to statement timeout' 10 &&
    ! tmux_capture failing | grep -q 'no backend waits'; then
    ok "a failing panel query shows its error in place"
else
    not_ok "a failing panel query shows its error in place" \
        "$(tmux_capture failing | grep -A2 Locks | tr '\n' '|')"
fi
tmux_keys failing q
exited failing 0 && ok "failing: q quits" || not_ok "failing: q quits" ""
tmux_kill failing

# ---- Ctrl-C and SIGTERM ------------------------------------------------
start intr 80 24
tmux_wait intr 'size [0-9]' 10
tmux_keys intr C-c
exited intr "(0|130)" && ok "Ctrl-C quits" || not_ok "Ctrl-C quits" \
    "$(tmux_capture intr | tail -2)"
as_found intr && ok "Ctrl-C leaves the terminal as it was" ||
    not_ok "Ctrl-C leaves the terminal as it was" "alternate_on=$(alt intr)"
tmux_kill intr

start term 80 24
tmux_wait term 'size [0-9]' 10
pid=$(pd_tmux list-panes -t term -F '#{pane_pid}')
# The pane's shell runs sh, which runs pgdeck: signal the grandchild.
kids=$(pgrep -P "$pid" 2>/dev/null)
for k in $kids; do pkill -TERM -P "$k" 2>/dev/null; done
exited term "(0|143)" && ok "SIGTERM quits" || not_ok "SIGTERM quits" \
    "$(tmux_capture term | tail -2)"
as_found term && ok "SIGTERM leaves the terminal as it was" ||
    not_ok "SIGTERM leaves the terminal as it was" "alternate_on=$(alt term)"
tmux_kill term

# ---- a dead server -----------------------------------------------------
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
dead=1
for p in 1 47001 47002 47003; do
    if port_free "$p"; then dead=$p; break; fi
done
start dead 100 30 PGHOST=127.0.0.1 PGPORT=$dead
tmux_wait dead 'Pool' 5 && zoom_pool dead
if tmux_wait dead 'Pool' 5 &&
    tmux_wait dead 'refused|could not connect|failed' 15; then
    ok "dead server: the error is shown in the Pool panel"
else
    not_ok "dead server: the error is shown in the Pool panel" \
        "$(tmux_capture dead | sed -n 1,6p | tr '\n' '|')"
fi
tmux_wait dead 'errors [1-9]' 5 && ok "dead server: errors counted" ||
    not_ok "dead server: errors counted" \
        "$(tmux_capture dead | grep -m1 errors)"
tmux_keys dead Enter
tmux_wait dead 'Retries breaker open' 15 &&
    ok "dead server: the Retries title says the breaker is open" ||
    not_ok "dead server: the Retries title says the breaker is open" \
        "$(tmux_capture dead | grep -m1 Retries)"
tmux_wait dead 'breaker +OPEN +for [0-9.]+s' 3 &&
    tmux_wait dead 'changed [0-9.]+s ago: closed -> open' 3 &&
    ok "dead server: the breaker's state, time in it and the change" ||
    not_ok "dead server: the breaker's state, time in it and the change" \
        "$(tmux_capture dead | grep -A3 'Retries' | tr '\n' '|')"
tmux_wait dead 'connection [1-9]' 3 &&
    ok "dead server: connection retries counted" ||
    not_ok "dead server: connection retries counted" ""
changes dead 1 && ok "dead server: the screen stays live" ||
    not_ok "dead server: the screen stays live" "$(line dead 1)"
tmux_keys dead q
exited dead 0 5 && ok "dead server: q quits at once" ||
    not_ok "dead server: q quits at once" "$(tmux_capture dead | tail -2)"
tmux_kill dead

# ---- colours -----------------------------------------------------------
# Colour SGR codes (30-37, 40-47, 90-97, 100-107, 38;/48; extended).
COLOR_SGR=$'\033\\[([0-9;]*;)?(3[0-7]|4[0-7]|9[0-7]|10[0-7]|38;|48;)'
start color 100 30
tmux_wait color 'size [0-9]' 10
pd_tmux capture-pane -e -p -t color | grep -Eq "$COLOR_SGR" &&
    ok "colours by default" || not_ok "colours by default" "no colour SGR"
tmux_keys color q
exited color 0
tmux_kill color

start nocolor 100 30 NO_COLOR=1
if tmux_wait nocolor 'size [0-9]' 10 &&
    ! pd_tmux capture-pane -e -p -t nocolor | grep -Eq "$COLOR_SGR"; then
    ok "NO_COLOR: no colours"
else
    not_ok "NO_COLOR: no colours" "$(pd_tmux capture-pane -e -p -t nocolor |
        grep -Eo "$COLOR_SGR" | head -3 | cat -v | tr '\n' ' ')"
fi
pd_tmux capture-pane -e -p -t nocolor | grep -q $'\033\\[[0-9;]*7m' &&
    ok "NO_COLOR: monochrome attributes" ||
    not_ok "NO_COLOR: monochrome attributes" "no reverse video"
tmux_keys nocolor q
exited nocolor 0 && ok "NO_COLOR: q quits" || not_ok "NO_COLOR: q quits" ""
tmux_kill nocolor

start nocolor2 100 30 -- --no-color
if tmux_wait nocolor2 'size [0-9]' 10 &&
    ! pd_tmux capture-pane -e -p -t nocolor2 | grep -Eq "$COLOR_SGR"; then
    ok "--no-color: no colours"
else
    not_ok "--no-color: no colours" "$(tmux_capture nocolor2 | head -3)"
fi
tmux_keys nocolor2 q
exited nocolor2 0
tmux_kill nocolor2

# A terminal without colours at all (has_colors() is false).
start mono 80 24 TERM=vt100
tmux_wait mono 'size [0-9]' 10 && ok "terminal without colours works" ||
    not_ok "terminal without colours works" "$(tmux_capture mono | head -3)"
tmux_keys mono q
exited mono 0 && ok "terminal without colours: q quits" ||
    not_ok "terminal without colours: q quits" ""
tmux_kill mono

# ---- themes --------------------------------------------------------------
# sgr NAME: the pane with its escape sequences.
sgr() { pd_tmux capture-pane -e -p -t "$1"; }
start themes 100 30
tmux_wait themes 'Pool' 10
sgr themes | head -1 | grep -q $'\e\\[48;5;24m' &&
    ok "the dark theme by default (256 colours)" ||
    not_ok "the dark theme by default (256 colours)" \
        "$(sgr themes | head -1 | cat -v | cut -c1-80)"
tmux_keys themes t
tmux_wait themes 'theme: light' 3 && sleep 0.3 &&
    sgr themes | head -1 | grep -q $'\e\\[48;5;25m' &&
    ok "t switches to the light theme" ||
    not_ok "t switches to the light theme" "$(line themes 30)"
tmux_keys themes t
tmux_wait themes 'theme: solarized-dark' 3 && ok "t: solarized-dark next" ||
    not_ok "t: solarized-dark next" "$(line themes 30)"
tmux_keys themes t
tmux_wait themes 'theme: high-contrast' 3 && sleep 0.3 &&
    sgr themes | grep -Eq $'\e\\[(9[0-7]|10[0-7])m' &&
    ok "t: high-contrast next, in bright basic colours" ||
    not_ok "t: high-contrast next, in bright basic colours" "$(line themes 30)"
tmux_keys themes t
if tmux_wait themes 'theme: monochrome' 3 && sleep 0.5 &&
    ! sgr themes | grep -Eq "$COLOR_SGR"; then
    ok "t: monochrome shows no colour"
else
    not_ok "t: monochrome shows no colour" \
        "$(sgr themes | grep -Eo "$COLOR_SGR" | head -3 | cat -v | tr '\n' ' ')"
fi
tmux_keys themes t
tmux_wait themes 'theme: dark' 3 && sleep 0.3 &&
    sgr themes | head -1 | grep -q $'\e\\[48;5;24m' &&
    ok "t comes back round to dark" ||
    not_ok "t comes back round to dark" "$(line themes 30)"
tmux_keys themes Tab Enter t
tmux_wait themes 'theme: light' 3 && tmux_wait themes 'zoom' 1 &&
    ! tmux_capture themes | grep -q pane-exit &&
    ok "themes switch while zoomed without a crash" ||
    not_ok "themes switch while zoomed without a crash" ""
tmux_keys themes q
exited themes 0 && ok "themes: q quits" || not_ok "themes: q quits" ""
tmux_kill themes

start theme2 100 30 -- --theme light
tmux_wait theme2 'Pool' 10 && sleep 0.3 &&
    sgr theme2 | head -1 | grep -q $'\e\\[48;5;25m' &&
    ok "--theme light" || not_ok "--theme light" \
        "$(sgr theme2 | head -1 | cat -v | cut -c1-80)"
tmux_keys theme2 q
exited theme2 0
tmux_kill theme2

printf '{"name": "bad", "roles": {"header": {"fg": "redd"}}}\n' \
    >"$WORK/bad.json"
start theme3 100 30 -- --theme "$WORK/bad.json"
tmux_wait theme3 'Pool' 10
tmux_wait theme3 "bad.json: roles" 3 &&
    sgr theme3 | head -1 | grep -q $'\e\\[48;5;24m' &&
    ok "a bad theme file: the error names the file, the default is used" ||
    not_ok "a bad theme file: the error names the file, the default is used" \
        "$(line theme3 30)"
tmux_keys theme3 q
exited theme3 0
tmux_kill theme3

start theme4 100 30 -- --theme no-such-theme
tmux_wait theme4 'theme "no-such-theme" not found; using the built-in' 10 &&
    ok "an unknown theme name says so" ||
    not_ok "an unknown theme name says so" "$(line theme4 30)"
tmux_keys theme4 q
exited theme4 0
tmux_kill theme4

# 8 colours: the 256-colour themes degrade to the basic colours.
start eight 100 30 TERM=xterm
if tmux_wait eight 'Pool' 10 && sleep 0.3 &&
    ! sgr eight | grep -q $'\e\\[[0-9;]*[34]8;5;' &&
    sgr eight | grep -Eq $'\e\\[([0-9;]*;)?(3[0-7]|4[0-7])m'; then
    ok "8-colour terminal: basic colours only"
else
    not_ok "8-colour terminal: basic colours only" \
        "$(sgr eight | head -1 | cat -v | cut -c1-80)"
fi
tmux_keys eight t
tmux_wait eight 'theme: light' 3 && ! tmux_capture eight | grep -q pane-exit &&
    ok "8-colour terminal: t switches themes" ||
    not_ok "8-colour terminal: t switches themes" ""
tmux_keys eight q
exited eight 0
tmux_kill eight

start nocolor3 100 30 NO_COLOR=1
tmux_wait nocolor3 'Pool' 10
tmux_keys nocolor3 t
if tmux_wait nocolor3 'theme: light \(no colour here\)' 3 && sleep 0.3 &&
    ! sgr nocolor3 | grep -Eq "$COLOR_SGR"; then
    ok "NO_COLOR: themes switch and stay monochrome"
else
    not_ok "NO_COLOR: themes switch and stay monochrome" "$(line nocolor3 30)"
fi
tmux_keys nocolor3 q
exited nocolor3 0
tmux_kill nocolor3

# ---- starting small ----------------------------------------------------
start tiny 20 5
sleep 1.5
if tmux_wait tiny 'Activity' 5 && ! tmux_capture tiny | grep -q pane-exit; then
    ok "starts on a 20x5 terminal"
else
    not_ok "starts on a 20x5 terminal" "$(tmux_capture tiny | tr '\n' '|')"
fi
tmux_resize tiny 1 1
sleep 0.5
tmux_resize tiny 60 20
# 60x20: rows fold to title lines around the focused Activity.
tmux_wait tiny '┌ Activity' 5 && tmux_wait tiny '─ Pool ' 5 &&
    tmux_wait tiny 'Locks' 5 && ! tmux_capture tiny | grep -q pane-exit &&
    ok "survives 1x1 and grows back" ||
    not_ok "survives 1x1 and grows back" "$(tmux_capture tiny | head -3)"
tmux_keys tiny q
exited tiny 0 && ok "20x5: q quits" || not_ok "20x5: q quits" ""
tmux_kill tiny
