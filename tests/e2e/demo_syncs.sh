#!/usr/bin/env bash
# demo_syncs.sh: what `make run` shows, end to end, on a private demo in a
# temp $XDG_STATE_HOME: the demo config written by `pgdeck demo start`
# (mode 0600), refresh-all over it (the two transfers deadlock and the
# loser is retried; the markets file, the prices script and the
# materialized view refresh all succeed), the schema additions brought to
# an older cluster, and the background workload of `pgdeck --demo`
# (positions and prices change, slow statements with source "bench",
# a lock holder with waiters), which stops at once on quit. The demo is
# always destroyed at the end.
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/../.." || exit 1
case $PGDECK in /*) ;; *) PGDECK=$PWD/${PGDECK#./} ;; esac

XDG_STATE_HOME=$(mktemp -d "${TMPDIR:-/tmp}/pgdeck-demo-syncs.XXXXXX")
export XDG_STATE_HOME
unset PGDECK_PG_BINDIR PGDECK_DEMO_PORT PGDECK_DEMO_DIR DATABASE_URL
unset DB_SLOW_QUERY_MS
DEMO=$XDG_STATE_HOME/pgdeck/demo
SLOW=$XDG_STATE_HOME/pgdeck/slow.jsonl
OUT=$(mktemp)
ERR=$(mktemp)

cleanup() {
    local base
    base=$(sed -n 's/^base=//p' "$DEMO/state" 2>/dev/null)
    pd_tmux kill-server 2>/dev/null
    "$PGDECK" demo destroy >/dev/null 2>&1
    if [ -n "$base" ] && [ -d "$base" ]; then
        pid=$(head -1 "$base/data/postmaster.pid" 2>/dev/null)
        [ -n "$pid" ] && kill -QUIT "$pid" 2>/dev/null
        case "$base" in */pgdeck-demo-*|*/pgdeck/demo/cluster)
            rm -rf "$base" ;;
        esac
    fi
    rm -rf "$XDG_STATE_HOME" "$OUT" "$ERR"
    pd_e2e_cleanup
}
trap cleanup EXIT

q() { "$PSQL" -X -At -d "$CI" -c "$1" 2>&1; }
additions="SELECT to_regclass('prices') IS NOT NULL
    AND to_regclass('open_positions') IS NOT NULL
    AND (SELECT count(*) FROM markets WHERE change_pct IS NOT NULL) > 0"

# --- start: the config is written and named
"$PGDECK" demo start >"$OUT" 2>"$ERR"
rc=$?
CI=$(head -1 "$OUT" | sed 's/^[^:]*: //')
CFG=$(sed -n 's/^demo config: //p' "$OUT")
if [ $rc -ne 0 ] || [ -z "$CFG" ]; then
    not_ok "demo start writes the demo config" "rc=$rc $(cat "$OUT" "$ERR")"
    exit 0
fi
[ "$CFG" = "$DEMO/config.json" ] && [ -f "$CFG" ] &&
    ok "demo start writes the demo config" ||
    not_ok "demo start writes the demo config" "$CFG"
mode=$(stat -c %a "$CFG")
[ "$mode" = 600 ] && ok "demo config is mode 0600" ||
    not_ok "demo config is mode 0600" "$mode"
"$PGDECK" demo status >"$OUT" 2>&1
grep -qx "demo config: $CFG" "$OUT" && ok "demo status names the config" ||
    not_ok "demo status names the config" "$(cat "$OUT")"
grep -qF "\"url\": \"$CI\"" "$CFG" &&
    grep -q "\"file\": \"$PWD/demo/markets.json\"" "$CFG" &&
    grep -q "\"$PWD/demo/fetch-prices\"" "$CFG" &&
    ok "the config names the database and the shipped demo files" ||
    not_ok "the config names the database and the shipped demo files" \
        "$(grep -n 'demo/\|url' "$CFG")"
[ "$(q "$additions")" = t ] &&
    ok "schema: prices, open_positions, movers seeded" ||
    not_ok "schema: prices, open_positions, movers seeded"

# --- refresh-all over the demo config
before=$(q "SELECT string_agg(version || ':' || balance, ' ' ORDER BY id)
            FROM accounts WHERE id IN (1, 2)")
v0=$(q "SELECT sum(version) FROM accounts WHERE id IN (1, 2)")
json=$("$PGDECK" refresh --demo --json 2>"$ERR")
rc=$?
[ $rc -eq 0 ] && [[ $json == '{"ok":true,'* ]] &&
    ok "refresh --demo: ok, exit 0" ||
    not_ok "refresh --demo: ok, exit 0" "rc=$rc $json $(head -3 "$ERR")"
nok=$(grep -o '"status":"ok"' <<<"$json" | wc -l)
[ "$nok" -eq 5 ] && ok "refresh --demo: every job ok" ||
    not_ok "refresh --demo: every job ok" "$json"
att() {
    grep -o "\"name\":\"$1\",\"status\":\"[a-z]*\",\"attempts\":[0-9]*" \
        <<<"$json" | sed 's/.*://'
}
pair="$(att transfer-ab) $(att transfer-ba)"
case "$pair" in
"1 2"|"2 1") ok "the transfers deadlock: one retried once ($pair)" ;;
*) not_ok "the transfers deadlock: one retried once" "attempts $pair" ;;
esac
v1=$(q "SELECT sum(version) FROM accounts WHERE id IN (1, 2)")
after=$(q "SELECT string_agg(balance::text, ' ' ORDER BY id)
           FROM accounts WHERE id IN (1, 2)")
[ $((v1 - v0)) -eq 4 ] &&
    [ "$after" = "$(sed 's/[0-9]*://g' <<<"$before")" ] &&
    ok "each transfer applied exactly once" ||
    not_ok "each transfer applied exactly once" \
        "versions $v0 -> $v1, balances $before -> $after"
featured="SELECT count(*) FROM markets WHERE meta ->> 'featured' = 'true'"
[ "$(q "$featured")" = 300 ] &&
    ok "markets sync loaded demo/markets.json" ||
    not_ok "markets sync loaded demo/markets.json"
n=$(q "SELECT count(*) FROM prices WHERE source = 'feed'")
[ "${n:-0}" -gt 0 ] 2>/dev/null &&
    ok "prices sync ran demo/fetch-prices" ||
    not_ok "prices sync ran demo/fetch-prices" "$n"
json2=$("$PGDECK" refresh --json --config "$CFG" 2>&1)
[[ $json2 == '{"ok":true,'* ]] && ok "refresh --config DEMO_CONFIG: ok" ||
    not_ok "refresh --config DEMO_CONFIG: ok" "$json2"

# --- an older cluster gets the additions at its next start
q "DROP MATERIALIZED VIEW open_positions; DROP TABLE prices;
   DROP FUNCTION prices_apply(); ALTER TABLE markets DROP COLUMN change_pct,
   DROP COLUMN open_price" >/dev/null
"$PGDECK" demo start >"$OUT" 2>&1
[ "$(q "$additions")" = t ] &&
    ok "start adds the schema additions to an older cluster" ||
    not_ok "start adds the schema additions to an older cluster" "$(cat "$OUT")"

# --- the workload: the shell on the demo, left alone for a while
rm -f "$SLOW"
t0=$(q "SELECT now()")
tmux_start wl 120 30 "$PGDECK" shell --demo
# psql's prompt for the demo's user: '#' for a superuser.
dpc='>'; [ "$(q "SELECT current_setting('is_superuser')")" = on ] && dpc='#'
tmux_wait wl "pgdeck_demo=$dpc" 20 ||
    not_ok "shell --demo starts" "$(tmux_capture wl)"
# The first lock holder comes 2 s in and keeps its row 3 s: poll for its
# waiters over 6 s.
waits=0
for _ in $(seq 30); do
    waits=$(q "SELECT count(*) FROM pg_stat_activity
               WHERE datname = 'pgdeck_demo' AND wait_event_type = 'Lock'
                 AND query LIKE 'UPDATE accounts%'")
    [ "${waits:-0}" -ge 1 ] 2>/dev/null && break
    sleep 0.2
done
# Wait (bounded, not a timing assertion) until the waiters have finished
# and reached the slow log, and a position update has happened: those are a
# small share of the mix, so a fixed pause is not enough under load.
for _ in $(seq 100); do
    n=$(q "SELECT count(*) FROM positions WHERE updated_at >= '$t0'")
    if [ "${n:-0}" -gt 0 ] 2>/dev/null &&
        grep '"source":"bench"' "$SLOW" 2>/dev/null | grep -q 'UPDATE accounts'; then
        break
    fi
    sleep 0.2
done
tmux_keys wl '\q' Enter
if tmux_wait wl '\[pane-exit\] 0' 5; then
    ok "quit with the workload running: exit 0 at once"
else
    not_ok "quit with the workload running: exit 0 at once" \
        "$(tmux_capture wl | tail -5)"
fi
n=$(q "SELECT count(*) FROM positions WHERE updated_at >= '$t0'")
[ "${n:-0}" -gt 0 ] 2>/dev/null &&
    ok "workload: positions change ($n rows)" ||
    not_ok "workload: positions change" "$n"
n=$(q "SELECT count(*) FROM prices WHERE source = 'tick' AND ts >= '$t0'")
[ "${n:-0}" -gt 0 ] 2>/dev/null && ok "workload: prices tick ($n)" ||
    not_ok "workload: prices tick" "$n"
n=$(grep -c '"source":"bench"' "$SLOW" 2>/dev/null)
[ "${n:-0}" -gt 0 ] &&
    ok "workload: slow log has bench entries ($n)" ||
    not_ok "workload: slow log has bench entries" "$(head -3 "$SLOW" 2>&1)"
grep '"source":"bench"' "$SLOW" 2>/dev/null | grep -q 'UPDATE accounts' &&
    ok "workload: lock waiters in the slow log" ||
    not_ok "workload: lock waiters in the slow log" "waiting seen: $waits"
[ "${waits:-0}" -ge 1 ] 2>/dev/null &&
    ok "workload: updates wait on the lock holder ($waits)" ||
    not_ok "workload: updates wait on the lock holder" "$waits"
sleep 0.3
n=$(q "SELECT count(*) FROM pg_stat_activity WHERE datname = 'pgdeck_demo'
       AND application_name = 'pgdeck'")
[ "$n" = 0 ] && ok "workload: no connection left after quit" ||
    not_ok "workload: no connection left after quit" "$n"

# --- destroy takes the config with it
"$PGDECK" demo destroy >/dev/null 2>&1
[ ! -e "$CFG" ] && ok "destroy removes the demo config" ||
    not_ok "destroy removes the demo config"
exit 0
