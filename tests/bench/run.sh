#!/usr/bin/env bash
# run.sh: `make bench`. Measures pgdeck side by side with its anchor, psql,
# in one run on one throwaway cluster, and prints ratios. Never pass/fail:
# these machines are shared and noisy, so read the ratios, not the times.
set -u
cd "$(dirname "$0")/../.." || exit 1
export LC_ALL=C.UTF-8
eval "$(tests/harness/cluster.sh start)" || exit 1
trap 'tests/harness/cluster.sh stop "$PD_CLUSTER_DIR"' EXIT
PSQL="$PD_PG_BINDIR/psql"
PGDECK=./pgdeck

now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc -l; }
ms() { printf '%.1f' "$(echo "$1 * 1000" | bc -l)"; }

# 1. \gather: three 0.2 s statements at once, against psql running them
#    one after another (what psql can do with one connection).
best_g=999 best_p=999
for i in 1 2 3; do
    t0=$(now)
    $PGDECK -c '\gather SELECT pg_sleep(0.2); SELECT pg_sleep(0.2); SELECT pg_sleep(0.2)' >/dev/null
    t1=$(now)
    $PSQL -X -c 'SELECT pg_sleep(0.2)' -c 'SELECT pg_sleep(0.2)' -c 'SELECT pg_sleep(0.2)' >/dev/null
    t2=$(now)
    g=$(elapsed "$t0" "$t1"); p=$(elapsed "$t1" "$t2")
    [ "$(echo "$g < $best_g" | bc)" = 1 ] && best_g=$g
    [ "$(echo "$p < $best_p" | bc)" = 1 ] && best_p=$p
done
printf '%-46s %9s ms   psql %9s ms   ratio %.2fx\n' \
    "\\gather 3 x pg_sleep(0.2), wall (best of 3)" "$(ms "$best_g")" \
    "$(ms "$best_p")" "$(echo "$best_p / $best_g" | bc -l)"

# 2. One -c round trip, process start to exit, 50 times each, interleaved.
n=50 tg=0 tp=0
for i in $(seq $n); do
    t0=$(now); $PGDECK -c 'SELECT 1' >/dev/null; t1=$(now)
    $PSQL -X -c 'SELECT 1' >/dev/null; t2=$(now)
    tg=$(echo "$tg + $t1 - $t0" | bc -l); tp=$(echo "$tp + $t2 - $t1" | bc -l)
done
printf '%-46s %9s ms   psql %9s ms   ratio %.2fx\n' \
    "-c 'SELECT 1', process start to exit (mean)" "$(ms "$(echo "$tg / $n" | bc -l)")" \
    "$(ms "$(echo "$tp / $n" | bc -l)")" "$(echo "$tp / $tg" | bc -l)"

# 3. A 100k-row result printed aligned, to /dev/null.
$PSQL -X -qc 'CREATE TABLE bench_rows AS SELECT g AS id, md5(g::text) AS t, g * 1.5 AS n FROM generate_series(1, 100000) g'
t0=$(now); $PGDECK -c 'SELECT * FROM bench_rows' >/dev/null; t1=$(now)
$PSQL -X -c 'SELECT * FROM bench_rows' >/dev/null; t2=$(now)
printf '%-46s %9s ms   psql %9s ms   ratio %.2fx\n' \
    "100k rows x 3 cols, aligned to /dev/null" "$(ms "$(elapsed "$t0" "$t1")")" \
    "$(ms "$(elapsed "$t1" "$t2")")" "$(echo "($t2 - $t1) / ($t1 - $t0)" | bc -l)"
echo "(ratio > 1: pgdeck faster than the anchor)"
