#!/usr/bin/env bash
# psql_compare.sh: pgdeck -c must print exactly what psql -X -c prints.
#
# For every block of tests/e2e/corpus/compare.sql and every output mode
# (aligned, -A, -t, --csv, -x, and -P line styles, borders and the wrapped
# format) it runs both programs with the same
# arguments and compares stdout byte for byte, stderr byte for byte (the
# "ERROR:  ..." text, "LINE n:" and caret, NOTICEs) and the exit status.
# One TAP line per block and mode; a mismatch also prints a short diff to
# stderr. A mode pgdeck does not accept yet is reported as skipped.
#
# Environment (set by tests/run.sh): PGHOST, PGPORT, PGUSER, PGDATABASE
# for the throwaway cluster, PGDECK and PSQL for the two programs.

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"

: "${PGDECK:=./pgdeck}"
: "${PSQL:=psql}"
# Both programs must see the same encoding and no user settings.
export LC_ALL=C.UTF-8 PGCLIENTENCODING=UTF8
unset PSQLRC PGOPTIONS PAGER PSQL_PAGER COLUMNS
corpus=${PD_COMPARE_CORPUS:-$here/corpus/compare.sql}
modes=("aligned:" "unaligned:-A" "tuples:-t" "csv:--csv" "expanded:-x"
    "unicode:-P linestyle=unicode"
    "unicode-border2:-P linestyle=unicode -P border=2"
    "unicode-double:-P linestyle=unicode -P unicode_border_linestyle=double"
    "unicode-double2-x:-P linestyle=unicode -P border=2 -x -P unicode_border_linestyle=double -P unicode_header_linestyle=double -P unicode_column_linestyle=double"
    "old-ascii:-P linestyle=old-ascii"
    "old-ascii-x:-P linestyle=old-ascii -x"
    "wrapped40:-P format=wrapped -P columns=40"
    "wrapped40-border2:-P format=wrapped -P columns=40 -P border=2"
    "wrapped40-border0-old:-P format=wrapped -P columns=40 -P border=0 -P linestyle=old-ascii"
    "wrapped40-x:-P format=wrapped -P columns=40 -x"
    "wrapped40-unicode-x2:-P format=wrapped -P columns=40 -x -P linestyle=unicode -P border=2")
# Flags are split on blanks: a mode's -P values hold none.

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pd-compare.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# supported FLAGS: does pgdeck accept this mode at all?
supported() {
    # shellcheck disable=SC2086
    run "$PGDECK" "$tmp/probe" $1 -c 'SELECT 1'
    [ "$(cat "$tmp/probe.rc")" = 0 ] && [ -s "$tmp/probe.out" ]
}

# compare NAME SQL FLAGS
compare() {
    local name=$1 sql=$2 flags=$3 what=""

    # shellcheck disable=SC2086
    run "$PSQL" "$tmp/p" -X $flags -c "$sql"
    # shellcheck disable=SC2086
    run "$PGDECK" "$tmp/d" $flags -c "$sql"
    what=$(differs "$tmp/p" "$tmp/d")
    if [ -z "$what" ]; then
        ok "$name"
        return
    fi
    not_ok "$name" "differs:$what"
    printf '# query: %s\n' "$sql" | head -n 3 >&2
    case $what in *stdout*) show_diff stdout "$tmp/p.out" "$tmp/d.out" ;; esac
    case $what in *stderr*) show_diff stderr "$tmp/p.err" "$tmp/d.err" ;; esac
}

# Reads the corpus into parallel arrays: names[i], sqls[i].
names=()
sqls=()
load_corpus() {
    local line name="" sql="" n=0

    flush() {
        if [ -n "$sql" ]; then
            n=$((n + 1))
            names+=("${name:-q$n}")
            sqls+=("$sql")
        fi
        name=""
        sql=""
    }
    while IFS= read -r line || [ -n "$line" ]; do
        if [ -z "${line//[[:space:]]/}" ]; then
            flush
        elif [[ $line == "-- name: "* ]]; then
            name=${line#-- name: }
        elif [[ $line == --* && -z $sql ]]; then
            : # a comment before the query
        elif [ -z "$sql" ]; then
            sql=$line
        else
            sql="$sql"$'\n'"$line"
        fi
    done <"$corpus"
    flush
}

load_corpus
if [ "${#sqls[@]}" -eq 0 ]; then
    not_ok "compare/corpus" "no queries in $corpus"
    exit 0
fi
if ! command -v "$PSQL" >/dev/null 2>&1; then
    not_ok "compare/psql" "psql not found: $PSQL"
    exit 0
fi

# conn_error NAME ARGS...: a connection that fails must be reported as
# psql reports it ("psql: error: connection to server ... failed: ...",
# exit status 2), with only the program name changed.
conn_error() {
    local name=$1; shift

    run "$PSQL" "$tmp/p" -X "$@" -c 'SELECT 1'
    run "$PGDECK" "$tmp/d" "$@" -c 'SELECT 1'
    sed 's/^psql: /pgdeck: /' "$tmp/p.err" >"$tmp/p.err2"
    if cmp -s "$tmp/p.err2" "$tmp/d.err" && cmp -s "$tmp/p.rc" "$tmp/d.rc" &&
        cmp -s "$tmp/p.out" "$tmp/d.out"; then
        ok "$name"
    else
        not_ok "$name" \
            "differs (status $(cat "$tmp/p.rc") vs $(cat "$tmp/d.rc"))"
        show_diff stderr "$tmp/p.err2" "$tmp/d.err"
    fi
}

conn_error "compare/connect/bad-socket-dir" -h "$tmp/no-such-dir"
conn_error "compare/connect/no-such-database" -d pd_compare_no_such_db

for mode in "${modes[@]}"; do
    label=${mode%%:*}
    flags=${mode#*:}
    if ! supported "$flags"; then
        not_ok "compare/$label: pgdeck refuses '$flags'" \
            "$(head -c 300 "$tmp/probe.out")"
        continue
    fi
    for i in "${!sqls[@]}"; do
        compare "compare/$label/${names[$i]}" "${sqls[$i]}" "$flags"
    done
done
exit 0
