#!/usr/bin/env bash
# refresh.sh: `pgdeck refresh [--json]` from a config file, as cron or CI
# would run it: the report, the exit status, bad input refused up front.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; $PSQL -X -qc "DROP TABLE IF EXISTS rf_prices, rf_log" >/dev/null 2>&1; pd_e2e_cleanup' EXIT
$PSQL -X -q -c "DROP TABLE IF EXISTS rf_prices, rf_log" \
    -c "CREATE TABLE rf_prices (symbol text, day date, price numeric, meta jsonb, PRIMARY KEY (symbol, day))" \
    -c "CREATE TABLE rf_log (n int)" 2>/dev/null

cat >"$tmp/prices.json" <<'JSON'
[{"symbol": "A", "day": "2026-01-01", "price": 1.25, "meta": {"src": "x"}},
 {"symbol": "B", "day": "2026-01-01", "price": 2}]
JSON
cat >"$tmp/fetch.sh" <<'SH'
#!/bin/sh
echo '[{"symbol": "C", "day": "2026-01-02", "price": 3}]'
SH
chmod +x "$tmp/fetch.sh"
cat >"$tmp/config.json" <<'JSON'
{ // refresh-all from cron
  "syncs": [
    { "name": "log", "sql": ["INSERT INTO rf_log VALUES (1)", "INSERT INTO rf_log VALUES (2)"],
      "locks": ["rf:write"] },
    { "name": "prices", "load": { "file": "prices.json", "table": "rf_prices", "key": ["symbol", "day"] } },
    { "name": "feed", "command": ["./fetch.sh"], "table": "rf_prices", "key": ["symbol", "day"],
      "depends_on": ["prices"] }
  ]
}
JSON
out=$($PGDECK refresh --json --config "$tmp/config.json" 2>"$tmp/err")
rc=$?
[ $rc -eq 0 ] && ok "refresh: all ok exits 0" || not_ok "refresh: all ok exits 0" "rc=$rc $(cat "$tmp/err")"
echo "$out" | grep -q '^{"ok":true,"jobs":\[{"name":"log","status":"ok","attempts":1,"rows":2,' &&
    ok "refresh --json: the report object" || not_ok "refresh --json: the report object" "$out"
[ "$($PSQL -X -Atc "SELECT count(*) || ' ' || sum(price) || ' ' || (SELECT meta->>'src' FROM rf_prices WHERE symbol = 'A') FROM rf_prices")" = "3 6.25 x" ] &&
    ok "refresh: load and command upserted" || not_ok "refresh: load and command upserted"
$PGDECK refresh --config "$tmp/config.json" >"$tmp/out" 2>&1
grep -q '^ prices | ok' "$tmp/out" && [ "$($PSQL -X -Atc 'SELECT count(*) FROM rf_prices')" = 3 ] &&
    ok "refresh twice: a table, and upserts add no duplicates" ||
    not_ok "refresh twice: a table, and upserts add no duplicates" "$(head -3 "$tmp/out")"

# Bad input: nothing runs, the job, the file and the position are named.
printf '[{"symbol": "D", "day": "2026-01-03"},\n {"symbol": "E"}]\n' >"$tmp/prices.json"
before=$($PSQL -X -Atc 'SELECT count(*) FROM rf_log')
out=$($PGDECK refresh --json --config "$tmp/config.json" 2>&1)
rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q '"ok":false' &&
    echo "$out" | grep -q 'job prices: [^"]*prices.json:2:2: element 2: missing key column \\"day\\"' &&
    ok "bad load file: refused, named with its position, exit 1" ||
    not_ok "bad load file: refused, named with its position, exit 1" "rc=$rc $out"
[ "$($PSQL -X -Atc 'SELECT count(*) FROM rf_log')" = "$before" ] &&
    ok "bad input: no job ran" || not_ok "bad input: no job ran"

# A broken config is an error before any connection.
echo '{ "syncs": [ { "name": "x", "sql": 7 } ] }' >"$tmp/bad.json"
PGPORT=1 $PGDECK refresh --config "$tmp/bad.json" >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && grep -q 'bad.json:1:' "$tmp/err" && ! grep -q 'connection' "$tmp/err" &&
    ok "broken config: file:line:col, exit 2, no connection" ||
    not_ok "broken config: file:line:col, exit 2, no connection" "rc=$rc $(cat "$tmp/err")"
