#!/usr/bin/env bash
# demo.sh: `pgdeck demo start|stop|status|destroy` end to end, on a private
# $XDG_STATE_HOME: first start makes and loads the cluster, a second start
# is a no-op, stop/status, recovery from a postmaster killed with -9, a busy
# port, missing server binaries. The cluster is always removed at the end.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
type ok >/dev/null 2>&1 || ok() { printf 'ok - %s\n' "$1"; }
type not_ok >/dev/null 2>&1 ||
    not_ok() { printf 'not ok - %s # %s\n' "$1" "${2:-}"; }
: "${PGDECK:=./pgdeck}"
: "${PSQL:=psql}"

XDG_STATE_HOME=$(mktemp -d "${TMPDIR:-/tmp}/pgdeck-demo-test.XXXXXX")
export XDG_STATE_HOME
unset PGDECK_PG_BINDIR PGDECK_DEMO_PORT
STATE="$XDG_STATE_HOME/pgdeck/demo/state"
LISTENER=
OUT=$(mktemp)
ERR=$(mktemp)

# The base dir the state file points at (the cluster may live outside the
# state dir when running as root).
state_get() { sed -n "s/^$1=//p" "$STATE" 2>/dev/null; }

cleanup() {
    local base
    [ -n "$LISTENER" ] && kill "$LISTENER" 2>/dev/null
    base=$(state_get base)
    "$PGDECK" demo destroy >/dev/null 2>&1
    # Belt and braces when destroy itself is broken.
    if [ -n "$base" ] && [ -d "$base" ]; then
        pid=$(head -1 "$base/data/postmaster.pid" 2>/dev/null)
        [ -n "$pid" ] && kill -QUIT "$pid" 2>/dev/null
        case "$base" in */pgdeck-demo-*|*/pgdeck/demo/cluster)
            rm -rf "$base" ;;
        esac
    fi
    rm -rf "$XDG_STATE_HOME" "$OUT" "$ERR" "${X2:-}"
    type pd_e2e_cleanup >/dev/null 2>&1 && pd_e2e_cleanup
}
trap cleanup EXIT

# demo ACTION...: runs pgdeck demo, stdout to $OUT, stderr to $ERR; sets
# rc and line (stdout's first line) and ci (the conninfo after ": ").
demo() {
    "$PGDECK" demo "$@" >"$OUT" 2>"$ERR"
    rc=$?
    line=$(head -1 "$OUT")
    ci=${line#*: }
}

psql_val() { "$PSQL" -X -At -d "$1" -c "$2" 2>&1; }

# --- wired at all?
demo status
if grep -qi 'unknown\|usage: pgdeck \[' "$ERR" && [ ! -s "$OUT" ]; then
    not_ok "pgdeck demo is wired into main" "$(head -1 "$ERR")"
    exit 0
fi

# --- first start: create, load, run
demo start
if [ "$rc" -eq 0 ] && [[ $line == "demo database created and running: host="* ]]
then
    ok "first start creates the cluster"
else
    not_ok "first start creates the cluster" "rc=$rc $line $(head -1 "$ERR")"
    exit 0
fi
first_ci=$ci
n=$(psql_val "$ci" "SELECT count(*) FROM markets")
[ "$n" = 100000 ] && ok "markets has 100000 rows" ||
    not_ok "markets has 100000 rows" "$n"
n=$(psql_val "$ci" "SELECT (SELECT count(*) FROM users) > 0
    AND (SELECT count(*) FROM accounts) > 0
    AND (SELECT count(*) FROM positions) > 0
    AND (SELECT count(*) FROM logs) > 0
    AND (SELECT count(*) FROM markets WHERE meta ? 'sector') = 100000")
[ "$n" = t ] && ok "users, accounts, positions, logs loaded; meta jsonb" ||
    not_ok "users, accounts, positions, logs loaded; meta jsonb" "$n"
mode=$(stat -c %a "$STATE" 2>/dev/null)
[ "$mode" = 600 ] && ok "state file is mode 0600" ||
    not_ok "state file is mode 0600" "$mode"
case "$ci" in
*host=/*" port="[0-9]*" dbname=pgdeck_demo user="*) ok "conninfo shape" ;;
*) not_ok "conninfo shape" "$ci" ;;
esac

# --- second start is a no-op
demo status
pid1=$(sed -n 's/.*(pid \([0-9]*\)).*/\1/p' "$OUT")
demo start
demo status
pid2=$(sed -n 's/.*(pid \([0-9]*\)).*/\1/p' "$OUT")
if [ "$rc" -eq 0 ] && [ -n "$pid1" ] && [ "$pid1" = "$pid2" ] &&
    [ "$ci" = "$first_ci" ]; then
    ok "second start is a no-op"
else
    not_ok "second start is a no-op" "pid $pid1 -> $pid2, $ci"
fi
demo start
[[ $line == "demo database already running: "* ]] &&
    ok "second start says already running" ||
    not_ok "second start says already running" "$line"

# --- status, stop, status
demo status
[ "$rc" -eq 0 ] && [[ $line == "demo database running (pid "* ]] &&
    ok "status says running" || not_ok "status says running" "rc=$rc $line"
demo stop
[ "$rc" -eq 0 ] && [ "$line" = "demo database stopped" ] &&
    ok "stop stops it" || not_ok "stop stops it" "rc=$rc $line"
demo status
[ "$rc" -eq 1 ] && [[ $line == "demo database stopped"* ]] &&
    ok "status says stopped" || not_ok "status says stopped" "rc=$rc $line"
psql_val "$first_ci" "SELECT 1" >/dev/null 2>&1 &&
    not_ok "server is really down" "psql still connects" ||
    ok "server is really down"
demo stop
[ "$rc" -eq 0 ] && ok "stop when stopped succeeds" ||
    not_ok "stop when stopped succeeds" "rc=$rc $line"

# --- restart keeps the data
demo start
n=$(psql_val "$ci" "SELECT count(*) FROM markets")
[ "$rc" -eq 0 ] && [[ $line == "demo database running: "* ]] &&
    [ "$n" = 100000 ] && ok "start again keeps the data" ||
    not_ok "start again keeps the data" "rc=$rc $line $n"

# --- stale pid file: kill -9 the postmaster, start recovers
demo status
pid=$(sed -n 's/.*(pid \([0-9]*\)).*/\1/p' "$OUT")
if [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; then
    sleep 0.2
    demo status
    [ "$rc" -eq 1 ] && ok "status after kill -9 says stopped" ||
        not_ok "status after kill -9 says stopped" "rc=$rc $line"
    demo start
    n=$(psql_val "$ci" "SELECT count(*) FROM markets")
    [ "$rc" -eq 0 ] && [ "$n" = 100000 ] &&
        ok "start recovers from a stale pid file" ||
        not_ok "start recovers from a stale pid file" \
            "rc=$rc $line $(head -1 "$ERR") $n"
else
    not_ok "start recovers from a stale pid file" "no pid in status: $line"
fi

# --- busy port: another process took ours while the server was down
port=$(state_get port)
demo stop
if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(1)
time.sleep(120)' "$port" &
    LISTENER=$!
elif command -v perl >/dev/null 2>&1; then
    perl -MIO::Socket::INET -e '$s = IO::Socket::INET->new(LocalAddr =>
        "127.0.0.1", LocalPort => $ARGV[0], Listen => 1, ReuseAddr => 1)
        or die; sleep 120' "$port" &
    LISTENER=$!
fi
if [ -n "$LISTENER" ]; then
    sleep 0.5
    demo start
    newport=$(state_get port)
    n=$(psql_val "$ci" "SELECT count(*) FROM markets")
    [ "$rc" -eq 0 ] && [ "$newport" != "$port" ] && [ "$n" = 100000 ] &&
        ok "busy port: start picks another" ||
        not_ok "busy port: start picks another" \
            "rc=$rc port $port -> $newport $(head -1 "$ERR")"
    demo stop
    PGDECK_DEMO_PORT=$port demo start
    nerr=$(wc -l <"$ERR")
    [ "$rc" -eq 1 ] && [ "$nerr" -eq 1 ] &&
        grep -q "port $port is in use" "$ERR" &&
        ok "busy explicit port: one line, exit 1" ||
        not_ok "busy explicit port: one line, exit 1" \
            "rc=$rc $(head -2 "$ERR" | tr '\n' ' ')"
    kill "$LISTENER" 2>/dev/null
    wait "$LISTENER" 2>/dev/null
    LISTENER=
else
    not_ok "busy port: start picks another" "neither python3 nor perl to hold the port"
fi

# --- no server binaries: one line, exit 1, nothing made
X2=$(mktemp -d "${TMPDIR:-/tmp}/pgdeck-demo-test.XXXXXX")
XDG_STATE_HOME=$X2 PGDECK_PG_BINDIR=/nonexistent demo start
nerr=$(wc -l <"$ERR")
if [ "$rc" -eq 1 ] && [ "$nerr" -eq 1 ] && [ ! -s "$OUT" ] &&
    [ ! -e "$X2/pgdeck" ] && grep -q "no PostgreSQL server binaries" "$ERR"
then
    ok "no server binaries: one line, exit 1, nothing left"
else
    not_ok "no server binaries: one line, exit 1, nothing left" \
        "rc=$rc lines=$nerr $(head -1 "$ERR") $(ls -A "$X2")"
fi

# --- destroy removes everything
base=$(state_get base)
demo destroy
if [ "$rc" -eq 0 ] && [ ! -e "$STATE" ] && [ -n "$base" ] && [ ! -e "$base" ]
then
    ok "destroy removes the cluster and the state"
else
    not_ok "destroy removes the cluster and the state" "rc=$rc $line $base"
fi
demo status
[ "$rc" -eq 1 ] && [[ $line == "demo database not created"* ]] &&
    ok "status after destroy says not created" ||
    not_ok "status after destroy says not created" "rc=$rc $line"
exit 0
