#!/usr/bin/env bash
# describe.sh: the \d family must print exactly what psql -X prints.
#
# Builds the catalog of tests/e2e/corpus/describe.sql (tables with every
# kind of constraint, identity and generated columns, partial and other
# indexes, views, a materialized view, sequences, functions, partitions,
# policies, a second schema, two roles, an extension, types of each kind,
# table and column privileges) in a database of its own, then
# runs every command below through `pgdeck -c` and `psql -X -c` and
# compares stdout and stderr byte for byte, and the exit status. One TAP
# line per command and output mode; a mismatch prints a short diff on
# stderr. Everything created is dropped at the end.
#
# Environment (set by tests/run.sh): PGHOST, PGPORT, PGUSER, PGDATABASE
# for the throwaway cluster, PGDECK and PSQL for the two programs.

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"

export LC_ALL=C.UTF-8 PGCLIENTENCODING=UTF8
unset PSQLRC PGOPTIONS PAGER PSQL_PAGER COLUMNS
db="pd_describe_$$"
admin_db=${PGDATABASE:-postgres}
roles="pd_desc_nologin pd_desc_role"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pd-describe.XXXXXX") || exit 1

admin() { "$PSQL" -X -q -d "$admin_db" "$@" >/dev/null 2>&1; }

drop_roles() {
    local r
    for r in $roles; do admin -c "DROP ROLE IF EXISTS $r"; done
}

cleanup() {
    admin -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"
    drop_roles
    rm -rf "$tmp"
    pd_e2e_cleanup
}
trap cleanup EXIT

drop_roles
if ! admin -c "CREATE DATABASE $db" ||
    ! "$PSQL" -X -q -v ON_ERROR_STOP=1 -d "$db" \
        -f "$here/corpus/describe.sql" >"$tmp/setup.log" 2>&1; then
    not_ok "describe: setup" "$(head -c 300 "$tmp/setup.log")"
    exit 1
fi
export PGDATABASE="$db"

# compare FLAGS COMMAND [SETTING]: one TAP line; SETTING (a \pset or
# \x) runs first, as an -c of its own.
compare() {
    local flags=$1 cmd=$2 what="" name
    local pre=()

    [ -n "${3:-}" ] && pre=(-c "$3")
    name="describe: ${flags:+$flags }${3:+$3, }$cmd"
    # shellcheck disable=SC2086
    run "$PSQL" "$tmp/p" -X $flags "${pre[@]}" -c "$cmd"
    # shellcheck disable=SC2086
    run "$PGDECK" "$tmp/d" $flags "${pre[@]}" -c "$cmd"
    what=$(differs "$tmp/p" "$tmp/d")
    if [ -z "$what" ]; then
        ok "$name"
        return
    fi
    not_ok "$name" "differs:$what"
    case $what in *stdout*) show_diff stdout "$tmp/p.out" "$tmp/d.out" ;; esac
    case $what in *stderr*) show_diff stderr "$tmp/p.err" "$tmp/d.err" ;; esac
}

# Every command plain, with "+", and with patterns; \d NAME for every
# kind of relation.
commands=(
    '\d' '\d+' '\dS' '\dS+'
    '\dt' '\dt+' '\dt m*' '\dt+ pd_other.*' '\dtS pg_class'
    '\di' '\di+' '\di book*' '\diS+ pg_class_oid_index'
    '\dv' '\dv+' '\dv open*'
    '\dm' '\dm+' '\dm market_totals'
    '\ds' '\ds+' '\ds *.cyc*'
    '\dE' '\dt nosuch' '\dv pd_other.nosuch'
    '\df' '\df+' '\df add*' '\df+ pd_other.*' '\dfS int4pl' '\dfS+ int4pl'
    '\df nosuch' '\dfn' '\dfa' '\dfp+' '\dft' '\dfw' '\df add_one int'
    '\df add_one text' '\dfS int4pl integer int4' '\dfS array_cat int[]'
    '\df pd_other.* integer -' '\df *.* -' '\df add_one x.y.z.w'
    '\dn' '\dn+' '\dn pd*' '\dn+ pd_other' '\dnS' '\dn nosuch'
    '\du' '\du+' '\du pd_desc*' '\dg' '\duS' '\du nosuch'
    "\\l $db" "\\l+ $db" '\l nosuch' '\list nosuch'
    '\d markets' '\d+ markets' '\d trades' '\d+ trades'
    '\d open_markets' '\d+ open_markets' '\d ruled_view' '\d+ ruled_view'
    '\d market_totals' '\d+ market_totals'
    '\d markets_pkey' '\d+ markets_created_idx' '\d markets_code_key'
    '\d bookings' '\d+ bookings' '\d bookings_expr' '\d+ bookings_nnd'
    '\d bookings_during_excl' '\d bookings_room_key'
    '\d ticket_seq' '\d+ trades_id_seq' '\d markets_qty_seq'
    '\d pd_other.cyc_seq' '\d unlogged_seq'
    '\d measurements' '\d+ measurements' '\d measurements_2023'
    '\d+ measurements_2023' '\d measurements_rest' '\d empty_parted'
    '\d+ empty_parted' '\d measurements_at_idx' '\d+ measurements_at_idx'
    '\d base' '\d+ base' '\d child1' '\d+ child1'
    '\d secure' '\d+ secure' '\d forced' '\d scratch' '\d+ scratch'
    '\d+ scratch_pkey' '\d pairs' '\d pair' '\d+ pair'
    '\d pg_class' '\dS+ pg_class' '\d pg_toast.pg_toast_2619'
    '\d pd_other.*' '\d+ pd_other.things' '\d *.things'
    '\d "Weird Name"' '\d "weird name"' '\d UPPER' '\d "UPPER"'
    '\dt "MixedCase"' '\dt *.MIXED*' '\d pd_other.things' '\d PD_OTHER.THINGS'
    '\d trade?' '\d mark*s' '\d ma"rk"ets' "\\d 'markets'"
    "\\d $db.public.markets" '\d nodb.public.markets' '\d a.b.c.d'
    '\dn a.b' '\du a.b' '\l a.b' '\df x.y.z.w'
    '\d nosuch' '\d+ nosuch' '\d a b' '\dt markets extra' '\d+ markets x y'
    '\dx' '\dx+' '\dx lo' '\dx+ plpgsql' '\dxS+ l*' '\dx nosuch'
    '\dx+ nosuch' '\dx a.b' '\dx+ a.b' '\dx lo extra'
    '\dT' '\dT+' '\dT mood' '\dT+ pd_other.*' '\dTS int' '\dTS+ int4'
    '\dTS float' '\dT *.pair' '\dT nosuch' '\dT a.b.c.d' "\\dT $db.public.*"
    '\dp' '\dp mark*' '\z secure' '\dp pd_other.*' '\dpS+ ticket_seq'
    '\dp pg_class' '\dp pg_catalog.pg_class' '\dp nosuch' '\z a.b.c.d'
    '\zS' '\dp open_markets x'
    '\sf add_one' '\sf+ add_one' '\sf pd_other.clamp' '\sf+ pd_other.clamp'
    '\sf+ proc1' '\sf add_one(integer)' '\sf+ add_one ( int )'
    '\sf pd_other.ptest' '\sf' '\sf nosuch' '\sf add_one(text)'
    '\sf pd_other.mysum' '\sf int4pl extra' '\sf a.b.c' "\\sf it's"
    '\sf trg' '\sfS add_one' '\sf+ int4pl'
)
for c in "${commands[@]}"; do
    compare "" "$c"
done

# A server that cannot be reached: psql's message (its name aside) and
# its exit status 2.
for c in '\dt' '\d markets' '\du'; do
    run "$PSQL" "$tmp/p" -X -h "$tmp/no-such-dir" -c "$c"
    run "$PGDECK" "$tmp/d" -h "$tmp/no-such-dir" -c "$c"
    sed -i 's/^psql: /pgdeck: /' "$tmp/p.err"
    if cmp -s "$tmp/p.err" "$tmp/d.err" && cmp -s "$tmp/p.rc" "$tmp/d.rc" &&
        cmp -s "$tmp/p.out" "$tmp/d.out"; then
        ok "describe: no server, $c"
    else
        not_ok "describe: no server, $c" \
            "differs (status $(cat "$tmp/p.rc") vs $(cat "$tmp/d.rc"))"
        show_diff stderr "$tmp/p.err" "$tmp/d.err"
    fi
done

# From a file: psql's "FILE:LINE: error:" and "warning:" prefixes (the
# program's name aside) on the messages. The exit status of a file with
# failed commands is the file runner's business, not compared here.
printf '%s\n' '\dt markets extra' '\d nosuch' '\dn a.b' '\dt nosuch' \
    '\d+ markets' '\sf' '\sf nosuch' '\dx+ nosuch' '\zS' '\sf+ add_one' \
    >"$tmp/cmds.sql"
run "$PSQL" "$tmp/fp" -X -f "$tmp/cmds.sql"
run "$PGDECK" "$tmp/fd" -f "$tmp/cmds.sql"
sed -i 's/^psql:/PROG:/' "$tmp/fp.err"
sed -i 's/^pgdeck:/PROG:/' "$tmp/fd.err"
what=""
cmp -s "$tmp/fp.out" "$tmp/fd.out" || what="stdout"
cmp -s "$tmp/fp.err" "$tmp/fd.err" || what="$what stderr"
if [ -z "$what" ]; then
    ok "describe: -f with messages"
else
    not_ok "describe: -f with messages" "differs:$what"
    case $what in *stdout*) show_diff stdout "$tmp/fp.out" "$tmp/fd.out" ;; esac
    case $what in *stderr*) show_diff stderr "$tmp/fp.err" "$tmp/fd.err" ;; esac
fi

# The output modes, on a few commands with titles and footers.
for flags in "-A" "-t" "--csv" "-x" "-A -x" "-t -x" "-q"; do
    for c in '\dt' '\d markets' '\d+ trades_id_seq' '\du pd*' '\dn pd_other' \
        '\dt nosuch' '\d nosuch' '\dS+ pg_class' '\dv' '\df add*' \
        '\dx+' '\dT+' '\dp secure' '\sf+ add_one' '\dx+ nosuch'; do
        compare "$flags" "$c"
    done
done

# Print settings: borders, footer, null display, expanded, tuples only.
for pre in '\pset border 0' '\pset border 2' '\pset footer off' \
    '\pset null (null)' '\x on' '\pset tuples_only on' \
    '\pset format unaligned'; do
    for c in '\dt' '\d+ markets' '\d+ trades_id_seq' '\du+' '\dn pd_other' \
        '\df+ add_one' '\dn nosuch' '\dx+ lo' '\dT+ mood' '\dp mark*'; do
        compare "" "$c" "$pre"
    done
done
