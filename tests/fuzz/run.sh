#!/usr/bin/env bash
# run.sh: builds the splitter's libFuzzer target and runs it for a bounded
# number of inputs over a copy of the seed corpus in build/fuzz/ (new inputs
# never land in the repository). Prints one TAP line: ok when libFuzzer
# exits 0; not ok with the reproducer's path when it finds a crash, a leak,
# a hang or a broken property (tests/fuzz/fuzz_sqlsplit.c lists them).
#
#   FUZZ_RUNS     inputs to run (default 100000)
#   FUZZ_SECONDS  wall-clock cap on the run (default 25): a bound that
#                 keeps `make test` short on a slow machine, not a check
# e.g. `make fuzz FUZZ_RUNS=5000000 FUZZ_SECONDS=1800` for a long session.
set -u
cd "$(dirname "$0")/../.." || exit 1
runs=${FUZZ_RUNS:-100000}
secs=${FUZZ_SECONDS:-25}
bin=build/fuzz/fuzz_sqlsplit
corpus=build/fuzz/corpus_sqlsplit
log=build/fuzz/fuzz_sqlsplit.log
name="fuzz_sqlsplit"

mkdir -p build/fuzz
if ! out=$(make --no-print-directory "$bin" 2>&1); then
    printf '%s\n' "$out" | tail -n 20 | sed 's/^/# /'
    echo "not ok 1 - $name: could not build $bin" \
        "(needs clang and libclang-rt-14-dev: make deps)"
    exit 1
fi

rm -rf "$corpus"
cp -R tests/fuzz/corpus_sqlsplit "$corpus" || exit 1
rm -f build/fuzz/crash-* build/fuzz/leak-* build/fuzz/timeout-* \
    build/fuzz/oom-*

"$bin" -runs="$runs" -max_total_time="$secs" -max_len=1024 -timeout=10 \
    -dict=tests/fuzz/sqlsplit.dict -artifact_prefix=build/fuzz/ \
    "$corpus" >"$log" 2>&1
rc=$?

if [ "$rc" -eq 0 ]; then
    done_line=$(grep -E '^Done [0-9]+ runs' "$log" | tail -n 1)
    n=$(echo "$done_line" | awk '{print $2}')
    s=$(echo "$done_line" | awk '{print $5}')
    echo "ok 1 - $name: ${n:-?} inputs in ${s:-?} s" \
        "(bound -runs=$runs -max_total_time=$secs), no crash, leak," \
        "hang or property violation"
    exit 0
fi
grep -E 'property violated|ERROR: |runtime error' "$log" | head -n 5 |
    sed 's/^/# /'
artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
if [ -n "$artifact" ]; then
    echo "not ok 1 - $name: libFuzzer exited $rc; reproducer $artifact" \
        "(replay: $bin $artifact; log $log)"
else
    echo "not ok 1 - $name: libFuzzer exited $rc, no reproducer written" \
        "(log $log)"
fi
exit 1
