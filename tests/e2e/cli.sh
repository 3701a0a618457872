#!/usr/bin/env bash
# cli.sh: the -c / -f contract: exit statuses, errors, \gather concurrency,
# bad input. Runs against the harness cluster (PG* from tests/run.sh).
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; pd_e2e_cleanup' EXIT

# Exit status 0 on success, 1 when a command failed (psql's for one -c).
$PGDECK -c 'SELECT 1' >/dev/null 2>&1
[ $? -eq 0 ] && ok "-c success exits 0" || not_ok "-c success exits 0"
$PGDECK -c 'SELECT 1 FRO x' >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] && ok "-c failure exits 1" || not_ok "-c failure exits 1" "rc=$rc"
$PSQL -X -c 'SELECT 1 FRO x' 2>"$tmp/psql_err" >/dev/null
if cmp -s "$tmp/err" "$tmp/psql_err"; then ok "error text as psql's"; else
    not_ok "error text as psql's" "$(diff "$tmp/err" "$tmp/psql_err" | head -5 | tr '\n' ' ')"; fi
grep -q '^LINE 1: SELECT 1 FRO x$' "$tmp/err" && grep -q '^ *\^$' "$tmp/err" &&
    ok "error has LINE 1 and a caret" || not_ok "error has LINE 1 and a caret"

# Repeated -c run in order; a failure in the middle does not stop the rest
# (as psql), but the exit status says something failed.
out=$($PGDECK -At -c 'SELECT 1' -c 'SELECT nope' -c 'SELECT 3' 2>/dev/null)
rc=$?
[ "$out" = "$(printf '1\n3')" ] && ok "repeated -c in order" ||
    not_ok "repeated -c in order" "got: $out"
[ $rc -eq 1 ] && ok "a failed -c among several exits 1" ||
    not_ok "a failed -c among several exits 1" "rc=$rc"

# -f: statements split as psql does, errors prefixed with file and line.
printf 'SELECT 1 AS a;\nSELECT\n  nosuch;\nSELECT $$x;y$$ AS b;\n' >"$tmp/t.sql"
$PGDECK -f "$tmp/t.sql" >"$tmp/out" 2>"$tmp/err"
$PSQL -X -f "$tmp/t.sql" >"$tmp/psql_out" 2>/dev/null
cmp -s "$tmp/out" "$tmp/psql_out" && ok "-f output as psql's" ||
    not_ok "-f output as psql's" "$(diff "$tmp/out" "$tmp/psql_out" | head -5 | tr '\n' ' ')"
grep -q "^pgdeck:$tmp/t.sql:3: ERROR:  column \"nosuch\" does not exist" "$tmp/err" &&
    ok "-f error names file and line" || not_ok "-f error names file and line" "$(head -1 "$tmp/err")"
$PGDECK -f "$tmp/missing.sql" >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -ne 0 ] && grep -q "missing.sql: No such file" "$tmp/err" &&
    [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
    ok "missing -f file: one line, non-zero" || not_ok "missing -f file: one line, non-zero" "rc=$rc"

# \gather: the statements run at the same time on separate connections.
# Proof without timings: their [start, end] intervals overlap, which a
# sequential run can never produce; and they ran on distinct backends.
q="SELECT pg_backend_pid(), extract(epoch FROM clock_timestamp()) FROM pg_sleep(0) UNION ALL SELECT pg_backend_pid(), extract(epoch FROM clock_timestamp()) FROM pg_sleep(1)"
$PGDECK -At -F ' ' -c "\\gather $q; $q; $q" >"$tmp/g" 2>&1
rc=$?
[ $rc -eq 0 ] && [ "$(wc -l <"$tmp/g")" -eq 6 ] && ok "\\gather prints every result" ||
    not_ok "\\gather prints every result" "rc=$rc $(head -3 "$tmp/g" | tr '\n' ' ')"
pids=$(awk '{print $1}' "$tmp/g" | sort -u | wc -l)
[ "$pids" -eq 3 ] && ok "\\gather uses separate connections" ||
    not_ok "\\gather uses separate connections" "distinct backends: $pids"
# line 2k+1 = start of statement k, line 2k+2 = its end.
if awk 'NR%2==1{s[NR]=$2} NR%2==0{e[NR-1]=$2} END{
        for (a=1;a<=5;a+=2) for (b=a+2;b<=5;b+=2)
            if (!(s[a] < e[b] && s[b] < e[a])) exit 1 }' "$tmp/g"; then
    ok "\\gather statements overlap in time"
else
    not_ok "\\gather statements overlap in time" "$(tr '\n' ' ' <"$tmp/g")"
fi
$PGDECK -c '\gather SELECT 1; SELECT nosuch; SELECT 3' >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] && [ "$(grep -c '^(1 row)' "$tmp/out")" -eq 2 ] &&
    grep -q 'column "nosuch" does not exist' "$tmp/err" &&
    ok "\\gather: one failure, others still printed, exit 1" ||
    not_ok "\\gather: one failure, others still printed, exit 1" "rc=$rc"

# A dead server: psql's message and exit status 2, promptly and no hang.
PGPORT=1 timeout 20 $PGDECK -c 'SELECT 1' >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && grep -q '^pgdeck: error: connection to server .* failed' "$tmp/err" &&
    ok "dead server: clear error, exit 2" || not_ok "dead server: clear error, exit 2" "rc=$rc $(head -1 "$tmp/err")"

# Bad input on the command line.
$PGDECK --no-such-flag >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && grep -q 'unrecognized option "--no-such-flag"' "$tmp/err" &&
    ok "unknown flag: named, exit 2" || not_ok "unknown flag: named, exit 2" "rc=$rc"
DB_MAX_POOL_SIZE=zero $PGDECK -c 'SELECT 1' >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && grep -q 'DB_MAX_POOL_SIZE' "$tmp/err" &&
    ok "bad DB_MAX_POOL_SIZE: named, exit 2" || not_ok "bad DB_MAX_POOL_SIZE: named, exit 2" "rc=$rc"
$PGDECK 'postgresql://x:secret@[broken' -c 'SELECT 1' >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && ! grep -q secret "$tmp/err" &&
    ok "malformed URI: error without the password, exit 2" ||
    not_ok "malformed URI: error without the password, exit 2" "rc=$rc $(cat "$tmp/err")"
$PGDECK -c '\nosuchcommand' >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] && grep -q 'invalid command \\nosuchcommand' "$tmp/err" &&
    ok "unknown backslash command: exit 1" || not_ok "unknown backslash command: exit 1" "rc=$rc"

# Connection by URI and by host name (TCP through uv_getaddrinfo).
out=$($PGDECK -At "postgresql://$PGUSER@localhost:$PGPORT/$PGDATABASE" -c 'SELECT inet_client_addr() IS NOT NULL' 2>&1)
[ "$out" = t ] && ok "URI with a host name connects over TCP" ||
    not_ok "URI with a host name connects over TCP" "$out"

# Piped or empty stdin against a dead server: psql's exit status 2, and the
# error says so (it used to exit 0 silently on empty input).
echo 'SELECT 1;' | PGPORT=1 timeout 20 $PGDECK >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && grep -q 'connection to server' "$tmp/err" &&
    ok "piped SQL, dead server: exit 2" || not_ok "piped SQL, dead server: exit 2" "rc=$rc"
PGPORT=1 timeout 20 $PGDECK shell </dev/null >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && grep -q 'connection to server' "$tmp/err" &&
    ok "shell with empty stdin, dead server: exit 2" ||
    not_ok "shell with empty stdin, dead server: exit 2" "rc=$rc"
out=$(printf 'SELECT 1 AS x;\nSELECT 2 AS y;\n' | $PGDECK -At 2>&1)
rc=$?
[ $rc -eq 0 ] && [ "$out" = "$(printf '1\n2')" ] && ok "piped SQL runs like psql -f -" ||
    not_ok "piped SQL runs like psql -f -" "rc=$rc out=$out"

# --on-error-stop (and -v ON_ERROR_STOP=1): the first failure stops the
# script with psql's exit status 3.
printf 'SELECT 1 AS a;\nSELECT nope;\nSELECT 3 AS c;\n' >"$tmp/oes.sql"
for flag in --on-error-stop "-v ON_ERROR_STOP=1"; do
    # shellcheck disable=SC2086
    $PGDECK $flag -f "$tmp/oes.sql" >"$tmp/out" 2>/dev/null
    rc=$?
    [ $rc -eq 3 ] && ! grep -q '^ c$' "$tmp/out" &&
        ok "$flag: stops at the failure, exit 3" ||
        not_ok "$flag: stops at the failure, exit 3" "rc=$rc"
done
