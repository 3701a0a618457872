#!/usr/bin/env bash
# bench.sh: `pgdeck bench --jobs N`: the threads' results merge into one
# (exact counts, no errors), and bad --jobs values are usage errors. No
# timing is asserted. Runs against the harness cluster (PG* from
# tests/run.sh).
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; pd_e2e_cleanup' EXIT

# jnum KEY: a top-level number of the --json object on stdin.
jnum() { sed -n "s/.*\"$1\": \([-0-9.]*\).*/\1/p" | head -n 1; }

# --queries is shared out among the jobs in proportion to their clients,
# the parts adding up to exactly N; every operation is one statement.
$PGDECK bench --jobs 2 --clients 4 --queries 2000 --json >"$tmp/out" \
    2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && ok "--jobs 2 --clients 4 exits 0" ||
    not_ok "--jobs 2 --clients 4 exits 0" "rc=$rc: $(head -c 300 "$tmp/err")"
q=$(jnum queries <"$tmp/out")
[ "$q" = 2000 ] && ok "--jobs 2 --queries 2000 runs 2000 queries" ||
    not_ok "--jobs 2 --queries 2000 runs 2000 queries" "queries=$q"
o=$(jnum ops <"$tmp/out")
[ "$o" = 2000 ] && ok "... in 2000 operations" ||
    not_ok "... in 2000 operations" "ops=$o"
e=$(jnum errors <"$tmp/out")
[ "$e" = 0 ] && [ ! -s "$tmp/err" ] && ok "--jobs 2: no errors" ||
    not_ok "--jobs 2: no errors" "errors=$e: $(head -c 300 "$tmp/err")"
j=$(jnum jobs <"$tmp/out"); c=$(jnum clients <"$tmp/out")
n=$(jnum connections <"$tmp/out")
[ "$j" = 2 ] && [ "$c" = 4 ] && [ "$n" = 4 ] &&
    ok "--json says jobs 2, clients 4, 4 connections" ||
    not_ok "--json says jobs 2, clients 4, 4 connections" \
        "jobs=$j clients=$c connections=$n"

# An uneven split: 3 clients on 2 jobs, 7 queries.
q=$($PGDECK bench -j 2 --clients 3 --queries 7 --json 2>/dev/null |
    jnum queries)
[ "$q" = 7 ] && ok "-j 2 --clients 3 --queries 7 runs 7" ||
    not_ok "-j 2 --clients 3 --queries 7 runs 7" "queries=$q"

# The default (one job) says nothing of jobs, as before.
if $PGDECK bench --clients 2 --queries 10 --json 2>/dev/null |
    grep -q '"jobs"'; then
    not_ok "no \"jobs\" key without --jobs"
else
    ok "no \"jobs\" key without --jobs"
fi

# usage_error NAME ARGS...: exit 2 and one "pgdeck: error: --jobs" line.
usage_error() {
    local name=$1 rc n; shift
    $PGDECK bench "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    n=$(grep -c '^pgdeck: error: ' "$tmp/err")
    if [ $rc -eq 2 ] && [ "$n" = 1 ] &&
       head -n 1 "$tmp/err" | grep -q '^pgdeck: error: --jobs' &&
       [ ! -s "$tmp/out" ]; then
        ok "$name"
    else
        not_ok "$name" "rc=$rc: $(head -n 2 "$tmp/err" | tr '\n' ' ')"
    fi
}
usage_error "--jobs 0 is a usage error (exit 2)" --jobs 0 --clients 4 \
    --queries 10
usage_error "--jobs > --clients is a usage error (exit 2)" --jobs 5 \
    --clients 4 --queries 10
usage_error "-j 3 > default 1 client is a usage error (exit 2)" -j 3 \
    --queries 10
grep -q 'more jobs than clients' "$tmp/err" &&
    ok "... which says more jobs than clients" ||
    not_ok "... which says more jobs than clients" "$(head -n 1 "$tmp/err")"
