#!/usr/bin/env bash
# dashboard_results.sh: the Results panel of the ':' command line, driven
# in tmux: wide results scroll left and right (arrows on the side where
# more columns are), long ones up and down, x or Esc closes the panel and
# gives its rows back; a command canceled while it waits for a pool
# connection never runs; at 80x24 rows fold to title lines so the focused
# panel has room.
#
# Needs PGDECK and the throwaway cluster's PG* variables (tests/run.sh).
# Prints TAP lines; tests/run.sh counts them.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh

: "${PGDECK:?PGDECK must name the pgdeck binary}"
: "${PSQL:=psql}"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pgdeck-e2e-results.XXXXXX")
TABLE=e2e_cancel_$$
cleanup() {
    "$PSQL" -X -q -c "DROP TABLE IF EXISTS $TABLE" >/dev/null 2>&1
    pd_e2e_cleanup
    rm -rf "$WORK"
}
trap cleanup EXIT

# A session that lives as long as the script, so the tmux server does not
# exit (and race the next new-session) each time a test's session ends.
pd_tmux new-session -d -s keep -x 80 -y 24 "exec sleep 3600"

screen() { tmux_capture "$1" 2>/dev/null; }
# check_wait NAME TEST REGEX [SECONDS]: ok when REGEX shows in time.
check_wait() {
    if tmux_wait "$1" "$3" "${4:-5}"; then ok "$2"; else
        not_ok "$2" "$(screen "$1" | tail -12 | tr '\n' '|')"; fi
}
# gone NAME REGEX: 0 once REGEX has left the screen (bounded).
gone() {
    local i=0
    while [ $i -lt 30 ]; do
        screen "$1" | grep -Eq -- "$2" || return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}
# command NAME LINE: types LINE on the ':' command line and runs it.
command() {
    tmux_keys "$1" ':'
    sleep 0.2
    tmux_keys "$1" -l "$2"
    tmux_keys "$1" Enter
}
# focus_is NAME PANEL: the help names PANEL's own keys (the focused one).
focus_is() {
    local r=1
    tmux_keys "$1" '?'
    tmux_wait "$1" "$2 panel" 3 && r=0
    tmux_keys "$1" q # any key closes the help
    sleep 0.3
    return $r
}
# frame_h NAME TITLE: the rows of the open panel TITLE (frame included),
# 0 when it is not open.
frame_h() {
    screen "$1" | awk -v t="┌ $2" '
        index($0, t) == 1 { top = NR }
        top && NR > top && index($0, "└") == 1 { print NR - top + 1; exit }
        END { if (!top) print 0 }'
}
start() { # NAME COLS ROWS [VAR=VALUE...]
    local name=$1 cols=$2 rows=$3
    shift 3
    tmux_start "$name" "$cols" "$rows" "$@" "$PGDECK"
    tmux_wait "$name" 'Activity' 10
}

# ---- wide results scroll sideways ------------------------------------
start res 100 30
wide="SELECT"
for i in 01 02 03 04 05 06 07 08 09 10 11 12; do
    wide="$wide 'value_${i}_xxxxxxxx' AS col_$i,"
done
command res "${wide%,}"
check_wait res ":SELECT of a wide row opens the Results panel" \
    '┌ Results 1 row' 5
# The headings' line: "│col_01 ... ▶│", or "│◀ col_02 ..." once scrolled.
heads() { screen res | grep -E '^│(◀ )?col_'; }
if heads | grep -q '^│col_01 ' && ! heads | grep -q 'col_06' &&
    heads | grep -q '▶│$'; then
    ok "the first columns show, an arrow says more are to the right"
else
    not_ok "the first columns show, an arrow says more are to the right" \
        "$(screen res | grep -m1 col_01)"
fi
# scroll KEY TEST SHOWN ABSENT: after KEY the headings' line matches
# SHOWN (grep -E) and not ABSENT.
scroll() {
    tmux_keys res "$1"
    if tmux_wait res "$3" 3 && ! heads | grep -Eq -- "$4"; then ok "$2"
    else not_ok "$2" "$(heads)"; fi
}
scroll Right "Right scrolls: a later column appears, an arrow to the left" \
    '^│◀ col_02 .*col_06' 'col_01'
focus_is res Results && ok "Right scrolled without moving the focus" ||
    not_ok "Right scrolled without moving the focus" ""
scroll End "End shows the last columns" '^│◀ .*col_12' '▶'
scroll Home "Home goes back to the first columns" '^│col_01 ' '◀'
tmux_keys res Left
sleep 0.3
focus_is res Results && ok "Left at the first column keeps the focus" ||
    not_ok "Left at the first column keeps the focus" ""

# ---- long results scroll down ------------------------------------------
command res "SELECT g AS n, 'row ' || g AS label FROM generate_series(1, 100) g"
check_wait res "a 100-row result shows its first rows" '┌ Results 100 rows' 5
tmux_keys res Enter # zoomed: pages of 20-odd rows
tmux_wait res '^ pgdeck .* zoom ' 3
for i in 1 2 3 4 5 6; do tmux_keys res NPage; done
if tmux_wait res '│ *100 row 100 ' 3 && ! screen res | grep -q ' row 1 '; then
    ok "PgDn scrolls down to the last row"
else
    not_ok "PgDn scrolls down to the last row" \
        "$(screen res | grep -A6 '┌ Results' | tr '\n' '|')"
fi

tmux_keys res PPage
tmux_wait res '│ +7[0-9] row 7[0-9] ' 3 && ok "PgUp scrolls back up" ||
    not_ok "PgUp scrolls back up" "$(screen res | sed -n 5,7p | tr '\n' '|')"
tmux_keys res Enter
tmux_wait res 'Activity' 3

# ---- closing -------------------------------------------------------------
before=$(frame_h res Activity)
tmux_keys res x
if gone res '[┌─] Results' && tmux_wait res 'Results closed' 3; then
    ok "x closes the Results panel"
else
    not_ok "x closes the Results panel" "$(screen res | tail -3 | tr '\n' '|')"
fi
after=$(frame_h res Activity)
[ "$after" -gt "$before" ] &&
    ok "its rows go back to the other panels (Activity $before -> $after)" ||
    not_ok "its rows go back to the other panels" "$before -> $after"
focus_is res Activity && ok "the focus goes back to where it was" ||
    not_ok "the focus goes back to where it was" ""
command res 'SELECT 1'
check_wait res "the next command opens it again" '┌ Results 1 row' 5
tmux_keys res Escape
gone res '[┌─] Results' && ok "Esc with nothing running closes it too" ||
    not_ok "Esc with nothing running closes it too" \
        "$(screen res | tail -3 | tr '\n' '|')"
tmux_keys res q
check_wait res "q quits" '^\[pane-exit\] 0$' 10
tmux_kill res

# ---- a command canceled before it has a connection never runs ----------
# Pool max 2, and both connections stuck in the panels' queries while
# pg_database is locked: the INSERT queues in the pool; Esc cancels it.
"$PSQL" -X -q -c "DROP TABLE IF EXISTS $TABLE; CREATE TABLE $TABLE (i int)" \
    >/dev/null 2>&1
start held 100 40 DB_MIN_POOL_SIZE=2 DB_MAX_POOL_SIZE=2
tmux_wait held 'Activity [0-9]+ backends?' 10
"$PSQL" -X -q -At -c "BEGIN; LOCK TABLE pg_catalog.pg_database IN ACCESS
    EXCLUSIVE MODE; SELECT pg_sleep(8); COMMIT" >"$WORK/lock.out" 2>&1 &
locker=$!
tmux_wait held 'Activity .* query running [0-9.]+s ┐' 5
tmux_wait held 'Locks .* query running [0-9.]+s ┐' 5
command held "INSERT INTO $TABLE VALUES (1)"
if tmux_wait held 'running [0-9.]+ (ms|s) +\(Esc cancels\)' 2 &&
    tmux_wait held 'waiting 1 ' 2; then
    ok "the INSERT waits for a pool connection"
else
    not_ok "the INSERT waits for a pool connection" \
        "$(screen held | grep -m1 waiting)"
fi
tmux_keys held Escape
check_wait held "Esc cancels it before it reaches the server" \
    'canceled before it reached the server' 3
tmux_wait held 'waiting 0 ' 3 && ok "it leaves the pool's queue at once" ||
    not_ok "it leaves the pool's queue at once" \
        "$(screen held | grep -m1 waiting)"
wait "$locker"
tmux_wait held 'Activity [0-9]+ backends?.* [0-9:]{8} ┐' 10
sleep 1.5 # a few more refreshes through the freed pool
n=$("$PSQL" -X -At -c "SELECT count(*) FROM $TABLE" 2>&1)
[ "$n" = 0 ] && ok "the canceled INSERT never ran" ||
    not_ok "the canceled INSERT never ran" "$n rows"
command held "INSERT INTO $TABLE VALUES (2)"
check_wait held "the same INSERT not canceled runs" 'INSERT 0 1 +done in' 5
n=$("$PSQL" -X -At -c "SELECT count(*) FROM $TABLE" 2>&1)
[ "$n" = 1 ] && ok "only the one not canceled is in the table" ||
    not_ok "only the one not canceled is in the table" "$n rows"
tmux_keys held q
check_wait held "held: q quits" '^\[pane-exit\] 0$' 10
tmux_kill held

# ---- 80x24: rows fold so the focused panel has room -------------------
start small 80 24
tmux_wait small '─ Locks' 5
h=$(frame_h small Activity)
[ "$h" -ge 10 ] && ok "80x24: the focused Activity panel has $h rows" ||
    not_ok "80x24: the focused Activity panel has room" "$h rows"
if tmux_wait small '│conns \[' 3 && screen small | grep -q '^─ Locks ' &&
    screen small | grep -q '^─ Syncs '; then
    ok "80x24: Pool stays open, Locks and Syncs fold to a title line"
else
    not_ok "80x24: Pool stays open, Locks and Syncs fold to a title line" \
        "$(screen small | tr '\n' '|')"
fi
tmux_keys small Tab
sleep 0.5
h=$(frame_h small Locks)
if [ "$h" -ge 10 ] && [ "$(frame_h small Activity)" -ge 5 ] &&
    screen small | grep -q '^─ Syncs '; then
    ok "80x24: Tab opens the folded Locks panel ($h rows)"
else
    not_ok "80x24: Tab opens the folded Locks panel" \
        "$(screen small | tr '\n' '|')"
fi
tmux_keys small q
check_wait small "80x24: q quits" '^\[pane-exit\] 0$' 10
tmux_kill small
