#!/usr/bin/env bash
# observe.sh: \metrics, \pool, \slow, \locks, \retries, \health from -c, and
# `pgdeck health` and --metrics-listen once the entry point offers them.
# Runs against the harness cluster (PG* from tests/run.sh).
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; pd_e2e_cleanup' EXIT

# prom_ok FILE: every line is a HELP or TYPE line or a sample of the text
# exposition format, every name prefixed pgdeck_, counters named _total.
prom_ok() {
    local name='pgdeck_[a-zA-Z0-9_]*' lbl='[a-zA-Z_][a-zA-Z0-9_]*="[^"]*"'
    local num='(NaN|[-+]?Inf|[-+]?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?)'
    grep -Ev "^# HELP $name .+\$|^# TYPE $name (counter|gauge|summary)\$|^$name(\{$lbl(,$lbl)*\})? $num\$" "$1" |
        head -3 >"$tmp/bad"
    [ ! -s "$tmp/bad" ] || return 1
    ! grep -E '^# TYPE ' "$1" | grep ' counter$' | grep -vq '_total counter$'
}

# \metrics counts the query that ran before it in the same process.
out=$($PGDECK -c 'SELECT 1' -c '\metrics' 2>&1)
if printf '%s\n' "$out" | grep -Eq '^ shell +\| +1 \| +0 \|'; then
    ok "\\metrics counts a shell query"
else
    not_ok "\\metrics counts a shell query" "$(printf '%s' "$out" | head -12 | tr '\n' '~')"
fi
printf '%s\n' "$out" | grep -Eq '^ loop_lag_max_ms +\|' &&
    ok "\\metrics shows loop lag" || not_ok "\\metrics shows loop lag"

$PGDECK -c 'SELECT 1' -c '\metrics prom' 2>"$tmp/err" | sed -n '/^# HELP/,$p' >"$tmp/prom"
if [ "${PIPESTATUS[0]}" -eq 0 ] && grep -q '^pgdeck_queries_total{source="shell"} 1$' "$tmp/prom" &&
    prom_ok "$tmp/prom"; then
    ok "\\metrics prom is the Prometheus text format"
else
    not_ok "\\metrics prom is the Prometheus text format" "$(cat "$tmp/bad" "$tmp/err" 2>/dev/null | head -3 | tr '\n' '~')"
fi

$PGDECK -c 'SELECT 1' -c '\metrics json' 2>&1 | tail -n 1 >"$tmp/json"
if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["sources"]["shell"]["queries"] == 1; assert "queries" in d["series"]' "$tmp/json" 2>"$tmp/err" &&
        ok "\\metrics json is one JSON object" ||
        not_ok "\\metrics json is one JSON object" "$(tail -1 "$tmp/err")"
else
    grep -q '"shell":{"queries":1,' "$tmp/json" && [ "$(wc -l <"$tmp/json")" -eq 1 ] &&
        ok "\\metrics json is one JSON object" ||
        not_ok "\\metrics json is one JSON object" "$(head -c 200 "$tmp/json")"
fi

$PGDECK -c '\metrics nope' >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] && grep -q '^\\metrics: use' "$tmp/err" &&
    ok "\\metrics with a bad argument fails" ||
    not_ok "\\metrics with a bad argument fails" "rc=$rc $(head -1 "$tmp/err")"

out=$($PGDECK -c 'SELECT 1' -c '\pool' 2>&1)
printf '%s\n' "$out" | grep -Eq '^ acquires +\| 1$' &&
    printf '%s\n' "$out" | grep -Eq '^ max +\| [0-9]+$' &&
    ok "\\pool shows the pool's statistics" ||
    not_ok "\\pool shows the pool's statistics" "$(printf '%s' "$out" | tr '\n' '~' | head -c 300)"

out=$($PGDECK -c '\retries' 2>&1)
printf '%s\n' "$out" | grep -Eq '^ breaker +\| closed$' &&
    printf '%s\n' "$out" | grep -Eq '^ retries_deadlock +\| 0$' &&
    ok "\\retries shows retries and the breaker" ||
    not_ok "\\retries shows retries and the breaker" "$(printf '%s' "$out" | head -3 | tr '\n' '~')"

out=$($PGDECK -c '\locks' 2>&1)
printf '%s\n' "$out" | grep -q '^ resource | mode | owner | state | waited_ms | held_ms' &&
    printf '%s\n' "$out" | grep -q '^(0 rows)$' &&
    ok "\\locks shows an empty lock table" ||
    not_ok "\\locks shows an empty lock table" "$(printf '%s' "$out" | head -3 | tr '\n' '~')"

# The threshold changes live; the slow log then has the query, masked.
out=$($PGDECK -c '\slow threshold 0' -c "SELECT 'secret' AS s" -c '\slow recent' -c '\slow' 2>&1)
if printf '%s\n' "$out" | grep -q '^Slow query threshold is 0 ms\.$' &&
    printf '%s\n' "$out" | grep -Eq '\| shell +\| +1 \| +\| SELECT \$1 AS s$' &&
    printf '%s\n' "$out" | grep -Eq '^ [0-9a-f]{16} \| +1 \|' &&
    ! printf '%s\n' "$out" | grep -Fq "'secret'"; then
    ok "\\slow threshold, \\slow recent and \\slow"
else
    not_ok "\\slow threshold, \\slow recent and \\slow" "$(printf '%s' "$out" | tr '\n' '~' | head -c 400)"
fi
$PGDECK -c '\slow threshold x' >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] && grep -q 'milliseconds' "$tmp/err" &&
    ok "\\slow threshold needs a number" || not_ok "\\slow threshold needs a number"

out=$($PGDECK -c '\health' 2>&1)
printf '%s\n' "$out" | grep -Eq '^ status +\| healthy$' &&
    printf '%s\n' "$out" | grep -Eq '^ database_version +\| PostgreSQL [0-9]' &&
    printf '%s\n' "$out" | grep -Eq '^ connections +\| [0-9]+ of [0-9]+$' &&
    ok "\\health" || not_ok "\\health" "$(printf '%s' "$out" | head -4 | tr '\n' '~')"
out=$($PGDECK -c '\health json' 2>&1)
printf '%s\n' "$out" | grep -q '^{"status":"healthy","response_time_ms":[0-9.]*,"database_version":"PostgreSQL ' &&
    ok "\\health json" || not_ok "\\health json" "$(printf '%s' "$out" | head -c 200)"

# `pgdeck health`: exit 0 healthy, 1 unhealthy (nothing listens).
{
    $PGDECK health --json >"$tmp/h" 2>&1
    rc=$?
    [ $rc -eq 0 ] && grep -q '^{"status":"healthy",' "$tmp/h" &&
        ok "pgdeck health --json exits 0 when healthy" ||
        not_ok "pgdeck health --json exits 0 when healthy" "rc=$rc $(head -c 200 "$tmp/h")"
    $PGDECK health >"$tmp/h" 2>&1
    rc=$?
    [ $rc -eq 0 ] && [ "$(head -1 "$tmp/h")" = "status: healthy" ] &&
        ok "pgdeck health exits 0 when healthy" ||
        not_ok "pgdeck health exits 0 when healthy" "rc=$rc $(head -1 "$tmp/h")"
    dead=$((PGPORT + 1))
    while (exec 3<>"/dev/tcp/127.0.0.1/$dead") 2>/dev/null; do dead=$((dead + 1)); done
    PGHOST=127.0.0.1 PGPORT=$dead $PGDECK health --json >"$tmp/h" 2>&1
    rc=$?
    [ $rc -eq 1 ] && grep -q '^{"status":"unhealthy",' "$tmp/h" &&
        ok "pgdeck health exits 1 on a dead port" ||
        not_ok "pgdeck health exits 1 on a dead port" "rc=$rc $(head -c 200 "$tmp/h")"
}

# --metrics-listen: the shell serves /metrics while it runs.
# http_get PORT PATH OUT: the body into OUT, the status code on stdout
# (bash's /dev/tcp: no curl needed on a fresh machine).
http_get() {
    local resp
    resp=$( (exec 5<>"/dev/tcp/127.0.0.1/$1" &&
        printf 'GET %s HTTP/1.0\r\nHost: x\r\n\r\n' "$2" >&5 &&
        timeout 5 cat <&5) 2>/dev/null) || { echo 000; return; }
    printf '%s' "$resp" | sed '1,/^\r*$/d' >"$3"
    printf '%s' "$resp" | head -n 1 | awk '{print $2}'
}
{
    port=$((PGPORT + 7))
    while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
    mkfifo "$tmp/in"
    $PGDECK shell --metrics-listen "127.0.0.1:$port" <"$tmp/in" >"$tmp/sh.out" 2>&1 &
    pid=$!
    exec 4>"$tmp/in"
    echo 'SELECT 1;' >&4
    code=""
    for i in $(seq 50); do
        code=$(http_get "$port" /metrics "$tmp/scrape")
        [ "$code" = 200 ] && break
        sleep 0.1
    done
    [ "$code" = 200 ] && prom_ok "$tmp/scrape" &&
        ok "--metrics-listen serves GET /metrics" ||
        not_ok "--metrics-listen serves GET /metrics" "code=$code $(cat "$tmp/bad" 2>/dev/null | head -1)"
    code=$(http_get "$port" /other /dev/null)
    [ "$code" = 404 ] && ok "--metrics-listen: other paths 404" ||
        not_ok "--metrics-listen: other paths 404" "code=$code"
    echo '\q' >&4
    exec 4>&-
    for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
}
