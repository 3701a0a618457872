#!/usr/bin/env bash
# run.sh: every suite of `make test`, in order: static checks, unit tests,
# then a throwaway cluster for the integration and end-to-end tests, then
# the unit and integration tests again under ASan+UBSan. Every suite speaks
# TAP ("ok ..." / "not ok ..."; an "ok ... # SKIP" counts as failed);
# the last line is "N passed, N failed".
set -u
cd "$(dirname "$0")/.." || exit 1
export LC_ALL=C.UTF-8
pass=0
fail=0
failures=()

# count SUITE: echoes the suite's lines, counting its TAP results.
count() {
    local suite=$1 line
    while IFS= read -r line; do
        case "$line" in
        "ok "*"# SKIP"* | "ok "*"# skip"*)
            # A check that did not run is not a pass (and a TODO hides
            # nothing either): it counts as a failure, named.
            fail=$((fail + 1))
            failures+=("$suite: skipped: ${line#ok }")
            printf 'not ok - %s: skipped, not run: %s\n' "$suite" "${line#ok }" ;;
        "ok "*)
            pass=$((pass + 1))
            printf 'ok - %s: %s\n' "$suite" "${line#ok }" ;;
        "not ok "*)
            fail=$((fail + 1))
            failures+=("$suite: ${line#not ok }")
            printf 'not ok - %s: %s\n' "$suite" "${line#not ok }" ;;
        *) printf '    %s\n' "$line" ;;
        esac
    done
}

# run_tap SUITE TIMEOUT CMD...: a suite that dies without reporting a
# failure (crash, timeout, sanitizer abort) still counts as one.
run_tap() {
    local suite=$1 secs=$2 out rc
    shift 2
    out=$(mktemp)
    timeout -k 5 "$secs" "$@" >"$out" 2>&1
    rc=$?
    count "$suite" <"$out"
    if [ "$rc" -ne 0 ] && ! grep -q '^not ok' "$out"; then
        fail=$((fail + 1))
        failures+=("$suite: exited with status $rc")
        printf 'not ok - %s: exited with status %d\n' "$suite" "$rc"
    fi
    rm -f "$out"
}

cleanup() {
    [ -n "${PD_CLUSTER_DIR:-}" ] && tests/harness/cluster.sh stop "$PD_CLUSTER_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== static checks"
for c in tests/check/*.sh; do
    run_tap "check/$(basename "$c" .sh)" 120 bash "$c"
done

echo "== unit tests"
export CMOCKA_MESSAGE_OUTPUT=TAP
for src in tests/unit/test_*.c; do
    [ -e "$src" ] || continue
    t=$(basename "$src" .c)
    run_tap "unit/$t" 120 "build/tests/$t"
done

echo "== fuzzing (libFuzzer, bounded)"
run_tap "fuzz/sqlsplit" 180 bash tests/fuzz/run.sh

echo "== throwaway cluster"
if ! env_out=$(tests/harness/cluster.sh start); then
    echo "not ok - harness: could not start a cluster"
    echo "0 passed, $((fail + 1)) failed"
    exit 1
fi
eval "$env_out"
export PGDECK="$PWD/pgdeck" PSQL="$PD_PG_BINDIR/psql"
# Keep the tests' own state (history, slow log, demo) out of $HOME.
export XDG_STATE_HOME="$PD_CLUSTER_DIR/state" XDG_CONFIG_HOME="$PD_CLUSTER_DIR/config"
mkdir -p "$XDG_STATE_HOME" "$XDG_CONFIG_HOME"
echo "    $PGHOST port $PGPORT"

echo "== integration tests"
for src in tests/integ/test_*.c; do
    [ -e "$src" ] || continue
    t=$(basename "$src" .c)
    run_tap "integ/$t" 300 "build/tests/$t"
done

echo "== end-to-end tests"
for s in tests/e2e/*.sh; do
    [ "$(basename "$s")" = lib.sh ] && continue
    run_tap "e2e/$(basename "$s" .sh)" 300 bash "$s"
done

echo "== sanitizers (ASan + UBSan)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for src in tests/unit/test_*.c tests/integ/test_*.c; do
    [ -e "$src" ] || continue
    t=$(basename "$src" .c)
    run_tap "san/$t" 300 "build/san/tests/$t"
done

if [ "${#failures[@]}" -gt 0 ]; then
    echo "== failures"
    printf '    %s\n' "${failures[@]}"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
