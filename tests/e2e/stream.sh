#!/usr/bin/env bash
# stream.sh: large results stream in chunks of 1000 rows, printed as psql
# prints them with FETCH_COUNT=1000, in bounded memory; small results stay
# byte-identical to plain psql. Runs against the harness cluster (PG* and
# PGDECK, PSQL from tests/run.sh).
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; pd_e2e_cleanup' EXIT
export LC_ALL=C.UTF-8 PGCLIENTENCODING=UTF8
unset PSQLRC PAGER PSQL_PAGER COLUMNS

chunk=1000
big='SELECT g, repeat($$ab$$, g % 17) AS r FROM generate_series(1,1000000) g'

# same NAME ARGS...: pgdeck ARGS and psql -X -v FETCH_COUNT=1000 ARGS print
# the same stdout and stderr.
same() {
    local name=$1; shift
    "$PGDECK" "$@" >"$tmp/pd.out" 2>"$tmp/pd.err" </dev/null
    "$PSQL" -X -v FETCH_COUNT=$chunk "$@" >"$tmp/ps.out" 2>"$tmp/ps.err" \
        </dev/null
    if cmp -s "$tmp/pd.out" "$tmp/ps.out" && cmp -s "$tmp/pd.err" "$tmp/ps.err"
    then ok "$name"; else
        not_ok "$name" "$(diff "$tmp/pd.out" "$tmp/ps.out" | head -4 | tr '\n' ' ')"
    fi
}

# 1M rows: checksums equal, and the peak RSS stays under 60 MB.
peak_kb=""
if [ -x /usr/bin/time ]; then
    /usr/bin/time -v -o "$tmp/time" "$PGDECK" -c "$big" >"$tmp/big.pd" 2>/dev/null
    peak_kb=$(awk -F': *' '/Maximum resident set size/ {print $2}' "$tmp/time")
else
    "$PGDECK" -c "$big" >"$tmp/big.pd" 2>/dev/null &
    pid=$!
    peak_kb=0
    while kill -0 "$pid" 2>/dev/null; do
        v=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null)
        [ -n "$v" ] && [ "$v" -gt "$peak_kb" ] && peak_kb=$v
        sleep 0.05
    done
    wait "$pid"
fi
"$PSQL" -X -v FETCH_COUNT=$chunk -c "$big" >"$tmp/big.ps" 2>/dev/null
a=$(cksum <"$tmp/big.pd"); b=$(cksum <"$tmp/big.ps")
[ "$a" = "$b" ] && ok "1M rows as psql -v FETCH_COUNT=$chunk" ||
    not_ok "1M rows as psql -v FETCH_COUNT=$chunk" "pgdeck $a, psql $b"
if [ -n "$peak_kb" ] && [ "$peak_kb" -gt 0 ] && [ "$peak_kb" -lt 61440 ]; then
    ok "1M rows in bounded memory (${peak_kb} kB peak)"
else
    not_ok "1M rows in bounded memory" "peak ${peak_kb:-unknown} kB"
fi

# A result that fits in one chunk is exactly plain psql's.
"$PGDECK" -c 'SELECT g, g * 2 AS d FROM generate_series(1,10) g' >"$tmp/s.pd"
"$PSQL" -X -c 'SELECT g, g * 2 AS d FROM generate_series(1,10) g' >"$tmp/s.ps"
cmp -s "$tmp/s.pd" "$tmp/s.ps" && ok "10 rows as plain psql" ||
    not_ok "10 rows as plain psql"

# Formats, chunk boundaries, errors after some rows.
mid='SELECT g, repeat($$x$$, g % 7) AS r FROM generate_series(1,2500) g'
for m in "" -A -t --csv -x "-A -x" "-t -x"; do
    # shellcheck disable=SC2086
    same "2500 rows ${m:-aligned}" $m -c "$mid"
    # shellcheck disable=SC2086
    same "exactly 2000 rows ${m:-aligned}" $m \
        -c 'SELECT g FROM generate_series(1,2000) g'
done
same "border 2" -c '\pset border 2' -c "$mid"
same "border 0 expanded" -x -c '\pset border 0' -c "$mid"
same "error after a chunk" \
    -c 'SELECT 1/(g-1500) AS q FROM generate_series(1,2000) g' -c 'SELECT 1'
same "error in the first chunk" \
    -c 'SELECT 1/(g-500) AS q FROM generate_series(1,2000) g'
same "COPY TO STDOUT" -c 'COPY (SELECT generate_series(1,3000)) TO STDOUT'

# ROW_COUNT counts every row of a streamed result.
out2=$(printf 'SELECT g FROM generate_series(1,2500) g;\n\\echo :ROW_COUNT\n' |
    "$PGDECK" -At 2>&1 | tail -n 1)
[ "$out2" = 2500 ] && ok "ROW_COUNT after a streamed result" ||
    not_ok "ROW_COUNT after a streamed result" "got: $out2"

# \set FETCH_COUNT changes the chunk.
printf '\\set FETCH_COUNT 7\nSELECT g FROM generate_series(1,20) g;\n' |
    "$PGDECK" >"$tmp/f.pd" 2>&1
"$PSQL" -X -v FETCH_COUNT=7 -c 'SELECT g FROM generate_series(1,20) g' \
    >"$tmp/f.ps" 2>&1
cmp -s "$tmp/f.pd" "$tmp/f.ps" && ok "\\set FETCH_COUNT 7" ||
    not_ok "\\set FETCH_COUNT 7" "$(diff "$tmp/f.pd" "$tmp/f.ps" | head -3 | tr '\n' ' ')"

# \c DBNAME moves the session to another database; a bad name outside
# the prompt leaves it without one, as psql (tests/e2e/shell_io.sh has the
# rest of \c).
"$PSQL" -X -qc 'CREATE DATABASE pd_stream_other' >/dev/null 2>&1
out=$("$PGDECK" -At -c '\c pd_stream_other' -c 'SELECT current_database()' \
    -c '\c pd_no_such_db' -c 'SELECT current_database()' 2>"$tmp/c.err")
want=$(printf 'You are now connected to database "pd_stream_other" as user "%s".\npd_stream_other' \
    "$("$PSQL" -XAtc 'SELECT current_user')")
[ "$out" = "$want" ] &&
    grep -qx 'You are currently not connected to a database.' "$tmp/c.err" &&
    ok "\\c switches database; a failed one leaves none (-c)" ||
    not_ok "\\c switches database; a failed one leaves none (-c)" "got: $out"
grep -q '^\\connect: .*"pd_no_such_db" does not exist' "$tmp/c.err" &&
    ok "\\c failure worded as psql's" || not_ok "\\c failure worded as psql's"
