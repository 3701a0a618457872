#!/usr/bin/env bash
# shell_speed.sh: the shell's speed lines of `make bench`, pgdeck against
# psql (and pgcli when it is on PATH) on the cluster run.sh started (PG*
# variables). Called by run.sh; PGDECK and PSQL may name the binaries.
#   1. start to a usable prompt on a pty, then SELECT 1 to its result;
#   2. a 1M-row aligned result to a file: wall time, peak RSS, same bytes.
# Prints ratios, never pass/fail: time ratios > 1 favour pgdeck.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/bench/lib.sh
PGDECK=${PGDECK:-./pgdeck}
PSQL=${PSQL:-${PD_PG_BINDIR:+$PD_PG_BINDIR/}psql}
RUNS=${PD_BENCH_PROMPT_RUNS:-20}      # per program
BIG_ROUNDS=${PD_BENCH_BIG_ROUNDS:-2}  # of the 1M-row runs
TMP=$(mktemp -d /tmp/pgdeck-bench.XXXXXX) || exit 1
trap 'rm -rf "$TMP"' EXIT

# 1. Spawn on a 120x40 pty to the prompt ("db=> ", "db=# ", "db>") written,
#    then to "(1 row)" of a "SELECT 1;" typed as soon as the prompt
#    appeared: the prompt was usable. Programs alternate, RUNS runs each;
#    median and p90.
progs=(pgdeck "$PGDECK shell" '\(1 row\)' psql "$PSQL -X" '\(1 row\)')
has_pgcli=0
if command -v pgcli >/dev/null 2>&1; then
    has_pgcli=1 # pgcli prints a grid and "Time: ..." instead of "(1 row)"
    progs+=(pgcli "pgcli --less-chatty" 'Time: ')
fi
out=$($PTY prompt "$RUNS" "${PGDATABASE:-postgres}" "${progs[@]}")
set -- $out # pgdeck s50 s90 r50 r90 psql s50 s90 r50 r90 [pgcli ...]
d=("$2" "$3" "$4" "$5") p=("$7" "$8" "$9" "${10}") c=()
[ "$has_pgcli" = 1 ] && c=("${12:-0}" "${13:-0}" "${14:-0}" "${15:-0}")
note() { # INDEX: the pgcli column, or why there is none
    if [ "$has_pgcli" = 1 ] && [ "${c[$1]}" = nan ]; then
        [ "$1" = 0 ] && printf 'pgcli: no prompt within 5 s'
    elif [ "$has_pgcli" = 1 ]; then
        printf 'pgcli %s ms (ratio %.2fx)' "${c[$1]}" "$(div "${c[$1]}" "${d[$1]}")"
    elif [ "$1" = 0 ]; then
        printf 'pgcli: not installed (issue: psql ~70, pgcli ~450 ms)'
    fi
}
row "shell start to usable prompt, p50 of $RUNS" "${d[0]}" ms psql "${p[0]}" \
    "$(div "${p[0]}" "${d[0]}")" "$(note 0)"
row "... p90" "${d[1]}" ms psql "${p[1]}" "$(div "${p[1]}" "${d[1]}")" \
    "$(note 1)"
row "... start to first result (SELECT 1), p50" "${d[2]}" ms psql "${p[2]}" \
    "$(div "${p[2]}" "${d[2]}")" "$(note 2)"
row "... p90" "${d[3]}" ms psql "${p[3]}" "$(div "${p[3]}" "${d[3]}")" \
    "$(note 3)"

# 2. One million rows, aligned, to a file; best wall time and largest peak
#    RSS of BIG_ROUNDS alternating runs. pgdeck streams 1000 rows at a
#    time, like psql's FETCH_COUNT=1000, so its column widths are those of
#    each chunk: when its output is not plain psql's, it is compared with
#    psql -v FETCH_COUNT=1000's too.
Q='SELECT g, md5(g::text), g*1.5 FROM generate_series(1,1000000) g'
declare -A best peak # by NAME: the best wall ms, the largest peak kB
big() { # NAME CMD...: one run, output to $TMP/NAME.out
    local name=$1 t m
    shift
    read -r t m _ < <($PTY rusage "$TMP/$name.out" "$(printf '%q ' "$@")")
    best[$name]=$(min "${best[$name]:-999999}" "${t:-0}")
    peak[$name]=$(max "${peak[$name]:-0}" "${m:-0}")
}
for i in $(seq "$BIG_ROUNDS"); do
    big dk "$PGDECK" -c "$Q"
    big ps "$PSQL" -X -c "$Q"
done
mb() { printf '%.1f' "$(echo "$1 / 1024" | bc -l)"; }
ms0() { printf '%.0f' "$1"; }
row "1M rows x 3 cols aligned to a file, wall" "$(ms0 "${best[dk]}")" \
    ms psql "$(ms0 "${best[ps]}")" "$(div "${best[ps]}" "${best[dk]}")" \
    "(best of $BIG_ROUNDS; target >= 1x)"
row "... peak RSS" "$(mb "${peak[dk]}")" MB psql "$(mb "${peak[ps]}")" \
    "$(div "${peak[ps]}" "${peak[dk]}")" "(target >= 5x: a fifth of psql's)"
size=$(stat -c %s "$TMP/dk.out")
if cmp -s "$TMP/dk.out" "$TMP/ps.out"; then
    printf '%-46s %9s B    byte-identical to psql -X -c (cmp)\n' \
        "... output file" "$size"
else
    for i in $(seq "$BIG_ROUNDS"); do
        big pf "$PSQL" -X -v FETCH_COUNT=1000 -c "$Q"
    done
    if cmp -s "$TMP/dk.out" "$TMP/pf.out"; then same="byte-identical to"
    else same="DIFFERS from"; fi
    printf '%-46s %9s B    %s psql -v FETCH_COUNT=1000 (cmp; plain psql: column widths of the whole result)\n' \
        "... output file" "$size" "$same"
    row "... against psql -v FETCH_COUNT=1000, wall" \
        "$(ms0 "${best[dk]}")" ms psql "$(ms0 "${best[pf]}")" \
        "$(div "${best[pf]}" "${best[dk]}")" ""
    row "... against psql -v FETCH_COUNT=1000, RSS" "$(mb "${peak[dk]}")" MB \
        psql "$(mb "${peak[pf]}")" "$(div "${peak[pf]}" "${peak[dk]}")" ""
fi
