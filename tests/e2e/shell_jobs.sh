#!/usr/bin/env bash
# shell_jobs.sh: \bg, \jobs and \theme in the shell: in a real terminal
# (tmux) the prompt comes back at once, the job's end is announced above
# the line being typed, \jobs cancel stops the statement on the server;
# with -c and piped input, announcements come between units and the exit
# status counts failed jobs; themes colour the prompt, never query output.
#
# No timings: a job that must still be running is held on an advisory lock
# that a psql of ours holds until the test lets it go.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
SHOWS_TAIL=8 # shows: more of the pane, the announcements are long

S=jobs
db=${PGDATABASE:-postgres}
WORK=$(mktemp -d)
HOLDER=pgdeck_jobs_holder
holder_pid=

cleanup() {
    [ -n "$holder_pid" ] && kill "$holder_pid" 2>/dev/null
    rm -rf "$WORK"
    pd_e2e_cleanup
}
trap cleanup EXIT

sql() { "$PSQL" -X -q -A -t -c "$1" 2>&1; }
# re TEXT: TEXT as a grep -E pattern matching itself.
re() { printf '%s' "$1" | sed 's/[][().*+?^$|\\{}]/\\&/g'; }

# wait_sql SQL WANT [SECONDS]: polls until SQL's one value is WANT; 1 on
# timeout. A bounded wait, not a timing assertion.
wait_sql() {
    local i=0
    while [ "$i" -lt $((${3:-10} * 10)) ]; do
        [ "$(sql "$1")" = "$2" ] && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

active() { # active QUERY: how many backends run exactly QUERY
    printf "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' \
AND query = '%s'" "$1"
}

# line_of REGEX: the number of the first pane line matching REGEX, or 0.
line_of() {
    tmux_capture "$S" | grep -En -- "$1" | head -n 1 | cut -d: -f1 |
        grep . || echo 0
}

# An advisory lock held by a psql of ours until release_lock.
hold_lock() {
    PGAPPNAME=$HOLDER "$PSQL" -X -q -c \
        "SELECT pg_advisory_lock(4242), pg_sleep(600)" >/dev/null 2>&1 &
    holder_pid=$!
    wait_sql "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' \
AND objid = 4242 AND granted" 1
}
release_lock() {
    sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
WHERE application_name = '$HOLDER'" >/dev/null
    wait "$holder_pid" 2>/dev/null
    holder_pid=
}

# ---- in a terminal -------------------------------------------------------
JOB1='SELECT pg_advisory_xact_lock(4242), 42 AS answer'
hold_lock || not_ok "the test's lock is held" ""
tmux_start "$S" 120 60 "$PGDECK" shell
shows "prompt" "^$db=$PC ?\$"

typeln "\\bg $JOB1"
shows "\\bg says [1] started" "^\[1\] started\$"
tmux_capture "$S" | grep -A1 '^\[1\] started$' | tail -n 1 |
    grep -Eq "^$db=$PC ?\$" &&
    ok "\\bg gives the prompt back at once" ||
    not_ok "\\bg gives the prompt back at once" \
        "$(tmux_capture "$S" | grep -A1 '^\[1\] started$' | tr '\n' '|')"
wait_sql "SELECT count(*) FROM pg_stat_activity WHERE query = '$JOB1' \
AND wait_event_type = 'Lock'" 1 &&
    ok "the job waits on the server on a connection of its own" ||
    not_ok "the job waits on the server on a connection of its own" ""

typeln "SELECT 7 AS seven;"
shows "a statement typed after \\bg runs while the job runs" "^ +7\$"
tmux_capture "$S" | grep -q '^\[1\] done' &&
    not_ok "no announcement while the job runs" "" ||
    ok "no announcement while the job runs"

tmux_keys "$S" -l "SELECT 'half typed"
shows "a half-typed line" "^$db=$PC SELECT 'half typed\$"
release_lock
shows "the end is announced above the prompt" \
    "^\[1\] done in [0-9.]+ s: $(re "$JOB1") \(1 row\)\$"
shows "with its result as psql prints it" "^ +\| +42\$"
last=$(tmux_capture "$S" | grep -v '^$' | tail -n 1)
[ "$last" = "$db=$PC SELECT 'half typed" ] &&
    ok "the half-typed line is intact below the announcement" ||
    not_ok "the half-typed line is intact below the announcement" "$last"
seven=$(line_of '^ +7$')
done1=$(line_of '^\[1\] done')
[ "$seven" -gt 0 ] && [ "$done1" -gt "$seven" ] &&
    ok "the statement typed later printed first" ||
    not_ok "the statement typed later printed first" "$seven $done1"
typeln "' AS h;"
shows "the line goes on being edited and runs" "^ half typed\$"

typeln '\jobs'
shows "\\jobs lists the job done" \
    "^ +1 \| done +\| [0-9.]+ s \| +1 \| $(re "$JOB1")"

typeln '\bg SELECT * FROM nosuch_table'
shows "a failed job is announced" \
    "^\[2\] failed in [0-9.]+ s: SELECT \* FROM nosuch_table\$"
shows "with psql's error" '^ERROR:  relation "nosuch_table" does not exist$'

JOB3='SELECT pg_sleep(600)'
typeln "\\bg $JOB3"
wait_sql "$(active "$JOB3")" 1 || not_ok "job 3 runs" ""
tmux_keys "$S" C-c
sleep 0.5
[ "$(sql "$(active "$JOB3")")" = 1 ] &&
    ok "Ctrl-C at the prompt leaves background jobs alone" ||
    not_ok "Ctrl-C at the prompt leaves background jobs alone" ""
typeln '\jobs cancel 3'
shows "\\jobs cancel sends a cancel request" "^\[3\] cancel request sent\$"
wait_sql "$(active "$JOB3")" 0 &&
    ok "\\jobs cancel: the server shows the statement gone" ||
    not_ok "\\jobs cancel: the server shows the statement gone" \
        "$(sql "$(active "$JOB3")")"
shows "the job is announced canceled" "^\[3\] canceled after [0-9.]+ s: "
typeln '\jobs 3'
typeln '\jobs cancel 3'
shows "a job over cannot be canceled" "^.jobs: job 3 is not running"

# \theme: the list, a switch, a bad file; the prompt takes the colour,
# query output never does.
typeln '\theme'
shows "\\theme lists the themes" "^\(5 rows\)\$"
for t in dark light solarized-dark high-contrast monochrome; do
    tmux_capture "$S" | grep -Eq "^ $t +\| " ||
        not_ok "\\theme lists $t" "$(tmux_capture "$S" | tail -n 9)"
done
tmux_capture "$S" | grep -Eq '^ dark +\| \* ' &&
    ok "\\theme marks the current one" ||
    not_ok "\\theme marks the current one" ""
typeln '\theme light'
shows "\\theme light switches" "^Theme is light\.\$"
typeln 'SELECT 1 AS plain;'
shows "a query under the theme" "^ +plain\$"
sgr=$(pd_tmux capture-pane -e -p -t "$S")
printf '%s\n' "$sgr" | grep -F 'SELECT 1 AS plain' |
    grep -q $'\e\\[38;5;130m'"$db=$PC" &&
    ok "the prompt is in the light theme's colour" ||
    not_ok "the prompt is in the light theme's colour" \
        "$(printf '%s\n' "$sgr" | grep -F 'AS plain' | cat -v)"
printf '%s\n' "$sgr" | grep -A4 -F 'SELECT 1 AS plain' | tail -n 4 |
    grep -q $'\e' &&
    not_ok "query output carries no colour" \
        "$(printf '%s\n' "$sgr" | grep -A4 -F 'AS plain' | cat -v)" ||
    ok "query output carries no colour"
typeln '\theme /nonexistent.json'
shows "\\theme of a missing file names it" \
    '^.theme: /nonexistent\.json: No such file or directory$'
sed 's/"title": *{"fg": 130/"title": {"fg": "redd"/' themes/light.json \
    >"$WORK/bad.json"
typeln "\\theme $WORK/bad.json"
shows "\\theme of a bad file names the file and the key" \
    'bad\.json: roles\.title\.fg: unknown colour "redd"$'
typeln 'SELECT 2 AS still;'
tmux_wait "$S" '^ +still$' 10
sgr=$(pd_tmux capture-pane -e -p -t "$S")
printf '%s\n' "$sgr" | grep -F 'SELECT 2 AS still' |
    grep -q $'\e\\[38;5;130m'"$db=$PC" &&
    ok "a bad theme leaves the current one" ||
    not_ok "a bad theme leaves the current one" ""

typeln "\\bg $JOB3"
wait_sql "$(active "$JOB3")" 1 || not_ok "job 4 runs" ""
typeln '\q'
shows "\\q with a job running cancels it" "^Canceling 1 background job\.\$"
shows "and exits 0" "^\[pane-exit\] 0\$"
wait_sql "$(active "$JOB3")" 0 &&
    ok "the job's statement is gone from the server" ||
    not_ok "the job's statement is gone from the server" ""
tmux_kill "$S"

# NO_COLOR: no colour anywhere, the prompt neither.
tmux_start "$S" 100 20 NO_COLOR=1 "$PGDECK" shell
shows "NO_COLOR: prompt" "^$db=$PC ?\$"
pd_tmux capture-pane -e -p -t "$S" | grep -q $'\e\\[[0-9;]*m' &&
    not_ok "NO_COLOR: no colour" \
        "$(pd_tmux capture-pane -e -p -t "$S" | cat -v | head -n 3)" ||
    ok "NO_COLOR: no colour"
typeln '\q'
tmux_kill "$S"

# ---- without a terminal --------------------------------------------------
# lines_in OUT REGEX...: the line number in OUT of the first match of each
# REGEX, space-separated (0 when none).
lines_in() {
    local out=$1 r n
    shift
    for r in "$@"; do
        n=$(printf '%s\n' "$out" | grep -En -- "$r" | head -n 1 | cut -d: -f1)
        printf '%s ' "${n:-0}"
    done
}
# ascending N...: true when the numbers are all > 0 and increasing.
ascending() {
    local prev=0 n
    for n in "$@"; do
        [ "$n" -gt "$prev" ] || return 1
        prev=$n
    done
}

# The session holds the lock the job waits for and lets it go last: the
# job can only end after every unit, whatever the timings.
out=$(timeout 30 "$PGDECK" -c 'SELECT pg_advisory_lock(77)' \
    -c '\bg SELECT pg_advisory_xact_lock(77), 1 AS one' -c 'SELECT 2 AS two' \
    -c 'SELECT pg_advisory_unlock(77)' 2>&1)
rc=$?
# shellcheck disable=SC2046
if [ "$rc" = 0 ] && ascending $(lines_in "$out" '^\[1\] started$' '^ two $' \
    '^ pg_advisory_unlock $' \
    '^\[1\] done in [0-9.]+ s: SELECT pg_advisory_xact_lock\(77\), 1 AS one \(1 row\)$' \
    '^ pg_advisory_xact_lock \| one $' '^ +\| +1$'); then
    ok "-c: the later units print first, the job's end after them, exit 0"
else
    not_ok "-c: the later units print first, the job's end after them, exit 0" \
        "rc $rc: $(printf '%s' "$out" | tr '\n' '|')"
fi

out=$(timeout 30 "$PGDECK" -c '\bg SELECT pg_sleep(0.2), 1' \
    -c 'SELECT 2' 2>&1)
rc=$?
# shellcheck disable=SC2046
[ "$rc" = 0 ] && ascending $(lines_in "$out" '^\[1\] started$' '^ +2$' \
    '^\[1\] done in [0-9.]+ s: SELECT pg_sleep\(0\.2\), 1 \(1 row\)$' \
    '^ +\| +1$') &&
    ok "-c: \\bg SELECT pg_sleep(0.2), 1 then SELECT 2: 2 first" ||
    not_ok "-c: \\bg SELECT pg_sleep(0.2), 1 then SELECT 2: 2 first" \
        "rc $rc: $(printf '%s' "$out" | tr '\n' '|')"

timeout 30 "$PGDECK" -c '\bg SELECT * FROM nosuch_table' -c 'SELECT 1' \
    >"$WORK/f.out" 2>"$WORK/f.err"
rc=$?
[ "$rc" = 1 ] && grep -q '^\[1\] failed in' "$WORK/f.err" &&
    grep -q '^ERROR:  relation "nosuch_table" does not exist' "$WORK/f.err" &&
    ok "-c: a failed job is announced on stderr and the exit status is 1" ||
    not_ok "-c: a failed job is announced on stderr and the exit status is 1" \
        "rc $rc: $(tr '\n' '|' <"$WORK/f.err")"

out=$(printf '\\bg SELECT 5 AS five\n' | timeout 30 "$PGDECK" shell 2>&1)
printf '%s\n' "$out" | grep -q '^\[1\] done in' &&
    printf '%s\n' "$out" | grep -Eq '^ +5$' &&
    ok "piped input waits for the job and announces it" ||
    not_ok "piped input waits for the job and announces it" \
        "$(printf '%s' "$out" | tr '\n' '|')"

out=$(timeout 30 "$PGDECK" -c '\theme' 2>&1)
printf '%s\n' "$out" | grep -Eq '^ dark +\| \* +\| ' &&
    [ "$(printf '%s\n' "$out" | grep -Ec \
        '^ (dark|light|solarized-dark|high-contrast|monochrome) +\|')" = 5 ] &&
    ok "-c: \\theme lists the 5 themes" ||
    not_ok "-c: \\theme lists the 5 themes" "$(printf '%s' "$out" | tr '\n' '|')"
out=$(timeout 30 "$PGDECK" -c '\theme /nonexistent.json' 2>&1)
rc=$?
[ "$rc" = 1 ] && [ "$out" = '\theme: /nonexistent.json: No such file or directory' ] &&
    ok "-c: \\theme of a missing file fails naming it" ||
    not_ok "-c: \\theme of a missing file fails naming it" "rc $rc: $out"

# Under any theme, and told the terminal has colours, output that is not
# a terminal is psql's byte for byte: results, and errors on stderr.
q1="SELECT 1 AS a, NULL AS b, 'x' AS c"
q2='SELECT * FROM nosuch_table'
run "$PSQL" "$WORK/psql" -X -c "$q1" -c "$q2"
for t in light high-contrast; do
    run env "$WORK/pd" COLORTERM=truecolor TERM=xterm-256color "$PGDECK" \
        --theme "$t" -c "$q1" -c "$q2"
    if cmp -s "$WORK/psql.out" "$WORK/pd.out" &&
        cmp -s "$WORK/psql.err" "$WORK/pd.err"; then
        ok "--theme $t: output byte-identical to psql's, no colour off a tty"
    else
        not_ok "--theme $t: output byte-identical to psql's, no colour off a tty"
        show_diff stdout "$WORK/psql.out" "$WORK/pd.out"
        show_diff stderr "$WORK/psql.err" "$WORK/pd.err"
    fi
done
