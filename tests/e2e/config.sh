#!/usr/bin/env bash
# config.sh: the settings contract from the outside: a broken config file
# is one line naming file:line:col and the key, exit 2, before any
# connection; precedence default < file < env < argv as --print-config
# shows it, with the password masked.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; pd_e2e_cleanup' EXIT
# A port where nothing listens: any connection attempt would say so.
dead=(-h 127.0.0.1 -p 1)
export XDG_CONFIG_HOME="$tmp/xdg-empty"

# expect_error NAME WANT_REGEX CMD...: exit 2, exactly one line on stderr
# matching WANT_REGEX, nothing about a connection.
expect_error() {
    local name=$1 want=$2 rc
    shift 2
    "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    rc=$?
    if [ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
        grep -Eq -- "$want" "$tmp/err" &&
        ! grep -qi 'connection\|server' "$tmp/err"; then
        ok "$name"
    else
        not_ok "$name" "rc=$rc $(head -c 300 "$tmp/err" | tr '\n' ' ')"
    fi
}

# Out of range, on line 4.
cat >"$tmp/range.json" <<'EOF'
{
  // the pool
  "pool": { "min": 2,
            "max": 0 }
}
EOF
expect_error "out-of-range value: file:line:col and key path, exit 2" \
    "^pgdeck: error: $tmp/range\.json:4:20: pool\.max: must be an integer >= 1" \
    "$PGDECK" --config "$tmp/range.json" "${dead[@]}" -c 'SELECT 1'

# Syntax error: a missing comma.
printf '{\n  "pool": { "max": 3 }\n  "theme": "dark"\n}\n' >"$tmp/syntax.json"
expect_error "syntax error: file:line:col" \
    "^pgdeck: error: $tmp/syntax\.json:3:3: unexpected '\"', expected ',' or '}'$" \
    "$PGDECK" --config "$tmp/syntax.json" "${dead[@]}" -c 'SELECT 1'

# Unknown key, wrong type, bad lock string, dangling depends_on, cycle.
printf '{ "slow_log": { "threshold": 5 } }\n' >"$tmp/unknown.json"
expect_error "unknown key: named with its path" \
    "$tmp/unknown\.json:1:17: slow_log\.threshold: unknown key \(did you mean \"threshold_ms\"\?\)$" \
    "$PGDECK" --config "$tmp/unknown.json" "${dead[@]}" -c 'SELECT 1'
printf '{ "pool": { "prepare": "yes" } }\n' >"$tmp/type.json"
expect_error "wrong type" \
    "$tmp/type\.json:1:24: pool\.prepare: must be true or false \(got a string\)$" \
    "$PGDECK" --config "$tmp/type.json" "${dead[@]}" -c 'SELECT 1'
cat >"$tmp/syncs.json" <<'EOF'
{ "syncs": [
    { "name": "a", "sql": "SELECT 1", "locks": ["a:grab"] } ] }
EOF
expect_error "bad lock string" \
    "$tmp/syncs\.json:2:49: syncs\[0\]\.locks\[0\]: must be \"resource:read\"" \
    "$PGDECK" --config "$tmp/syncs.json" "${dead[@]}" -c 'SELECT 1'
cat >"$tmp/cycle.json" <<'EOF'
{ "syncs": [
    { "name": "a", "sql": "SELECT 1", "depends_on": ["b"] },
    { "name": "b", "sql": "SELECT 2", "depends_on": ["a"] },
    { "name": "c", "sql": "SELECT 3", "depends_on": ["nope"] } ] }
EOF
expect_error "dangling depends_on" \
    "$tmp/cycle\.json:4:54: syncs\[2\]\.depends_on\[0\]: no sync is named \"nope\"$" \
    "$PGDECK" --config "$tmp/cycle.json" "${dead[@]}" -c 'SELECT 1'
sed -i 's/"nope"/"a"/' "$tmp/cycle.json"
expect_error "dependency cycle" \
    "$tmp/cycle\.json:3:54: syncs\[1\]\.depends_on\[0\]: dependency cycle: a -> b -> a$" \
    "$PGDECK" --config "$tmp/cycle.json" "${dead[@]}" -c 'SELECT 1'

# The default path, $XDG_CONFIG_HOME/pgdeck/config.json, is read too.
mkdir -p "$tmp/xdg/pgdeck"
cp "$tmp/range.json" "$tmp/xdg/pgdeck/config.json"
expect_error "default path under XDG_CONFIG_HOME is read" \
    "^pgdeck: error: $tmp/xdg/pgdeck/config\.json:4:20: pool\.max" \
    env XDG_CONFIG_HOME="$tmp/xdg" "$PGDECK" "${dead[@]}" -c 'SELECT 1'
expect_error "missing --config file: exit 2" \
    "^pgdeck: error: $tmp/none\.json: No such file or directory$" \
    "$PGDECK" --config "$tmp/none.json" "${dead[@]}" -c 'SELECT 1'
expect_error "bad environment value names the variable" \
    "^pgdeck: error: DB_MAX_POOL_SIZE: must be an integer >= 1" \
    env DB_MAX_POOL_SIZE=0 "$PGDECK" "${dead[@]}" -c 'SELECT 1'
expect_error "bad option value names the option" \
    "^pgdeck: error: --slow-ms: must be an integer >= 0 and <= 86400000 \(got \"soon\"\)$" \
    "$PGDECK" --slow-ms soon "${dead[@]}" -c 'SELECT 1'

# Control: a good config with the dead port does try to connect, so the
# "no connection" checks above would have seen one.
printf '{ "pool": { "max": 3 } }\n' >"$tmp/good.json"
"$PGDECK" --config "$tmp/good.json" "${dead[@]}" -c 'SELECT 1' \
    >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && grep -qi 'connection' "$tmp/err" &&
    ok "control: a good config connects (and fails on the dead port)" ||
    not_ok "control: a good config connects (and fails on the dead port)" \
        "rc=$rc $(head -c 200 "$tmp/err")"

# A full config (DESIGN.md's keys) loads and the shell works with it.
cat >"$tmp/full.json" <<'EOF'
// every section of DESIGN.md's example
{ "pool":     { "min": 1, "max": 4, "acquire_timeout_ms": 30000,
                "command_timeout_ms": 60000, "max_lifetime_s": 1800,
                "idle_timeout_s": 300, "prepare": true },
  "retry":    { "attempts": 3, "base_ms": 50, "cap_ms": 2000 },
  "breaker":  { "failures": 5, "open_ms": 10000 },
  "slow_log": { "threshold_ms": 100, "file": "slow.jsonl",
                "log_literals": false },
  "panels":   [ { "title": "Now", "sql": "SELECT now()", "refresh_ms": 2000 } ],
  "syncs":    [ { "name": "markets", "sql": ["SELECT 1", "SELECT 2"],
                  "locks": ["markets:write"] },
                { "name": "prices", "load": { "file": "prices.json",
                  "table": "prices", "key": ["symbol", "day"] } },
                { "name": "feed", "command": ["./fetch-feed"],
                  "table": "feed", "key": ["id"],
                  "depends_on": ["markets"] } ],
  "theme": "dark", "metrics_listen": "127.0.0.1:9187",
  "max_concurrency": 2 }
EOF
out=$("$PGDECK" --config "$tmp/full.json" -At -c 'SELECT 41 + 1' 2>&1)
[ "$out" = 42 ] && ok "a full config loads; queries run" ||
    not_ok "a full config loads; queries run" "$out"

# --print-config: origins of each layer, password masked, exit 0, and no
# connection (the dead port).
printf '{ "pool": { "max": 7, "min": 1 },\n  "database": { "url": "postgresql://app:filesecret@db/app" } }\n' \
    >"$tmp/prec.json"
DATABASE_URL='postgresql://app:envsecret@db/app' DB_MAX_POOL_SIZE=8 \
    DB_POOL_RECYCLE=60 "$PGDECK" --config "$tmp/prec.json" --max-pool 9 \
    --slow-ms 250 "${dead[@]}" --print-config >"$tmp/pc" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && [ ! -s "$tmp/err" ] && ok "--print-config exits 0" ||
    not_ok "--print-config exits 0" "rc=$rc $(head -c 200 "$tmp/err")"
check "--print-config: argv over env over file" \
    grep -Eq '^pool\.max +=  *9 +# argv --max-pool$' "$tmp/pc"
check "--print-config: file value with file:line:col" \
    grep -Eq "^pool\.min +=  *1 +# file $tmp/prec\.json:1:30$" "$tmp/pc"
check "--print-config: env value names the variable" \
    grep -Eq '^pool\.max_lifetime_s += 60 +# env DB_POOL_RECYCLE$' "$tmp/pc"
check "--print-config: defaults say so" \
    grep -Eq '^pool\.idle_timeout_s += 300 +# default$' "$tmp/pc"
check "--print-config: option value" \
    grep -Eq '^slow_log\.threshold_ms += 250 +# argv --slow-ms$' "$tmp/pc"
if grep -Eq '^database\.url += "postgresql://app:\*+@db/app" +# env DATABASE_URL$' "$tmp/pc" &&
    ! grep -q 'secret' "$tmp/pc"; then
    ok "--print-config: password masked"
else
    not_ok "--print-config: password masked" "$(grep database "$tmp/pc")"
fi
check "--print-config: names the config file" \
    grep -qx "# config file: $tmp/prec.json" "$tmp/pc"
check "--print-config: host from -h" \
    grep -Eq '^host += "127\.0\.0\.1" +# argv -h$' "$tmp/pc"
"$PGDECK" --config "$tmp/full.json" --print-config >"$tmp/pc" 2>&1
check "--print-config: syncs listed, load.file resolved" \
    grep -q "^syncs\[1\] .*\"file\":\"$tmp/prices.json\"" "$tmp/pc"
check "--print-config: panels listed" \
    grep -q '^panels\[0\] .*"title":"Now"' "$tmp/pc"
check "--help lists --print-config and --config" \
    sh -c "'$PGDECK' --help | grep -q -- --print-config && '$PGDECK' --help | grep -q -- --config="
