#!/usr/bin/env bash
# shell_more.sh: psql 15 behaviours a new user's review found missing or
# wrong, compared with psql where output can be: \watch with \timing (each
# run's own time, psql's centred title, the newline after it ends), \!,
# \setenv, \encoding, \batch's header option, \dt's completion.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh

export PGCLIENTENCODING=UTF8
unset PSQLRC PGOPTIONS PAGER PSQL_PAGER COLUMNS
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pd-shell-more.XXXXXX") || exit 1
db="pd_more_$$"
cleanup() {
    pd_e2e_cleanup
    "$PSQL" -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" \
        >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT
"$PSQL" -X -q -d postgres -c "CREATE DATABASE $db" || exit 1
export PGDATABASE=$db

# Times and dates differ from run to run: both become placeholders.
normalize() {
    sed -E -e 's/^Time: [0-9.]+ ms/Time: N ms/' \
        -e 's/[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} [0-9]{4}/DATE/'
}

# same NAME [ARGS]: the script on stdin, piped into psql -X and pgdeck
# shell -X, prints the same (stdout and stderr together) once normalized.
same() {
    local name=$1; shift
    cat >"$tmp/in.sql"
    timeout 30 "$PSQL" -X "$@" <"$tmp/in.sql" 2>&1 | normalize >"$tmp/ps.out"
    timeout 30 "$PGDECK" shell -X "$@" <"$tmp/in.sql" 2>&1 |
        normalize >"$tmp/pd.out"
    if cmp -s "$tmp/ps.out" "$tmp/pd.out"; then
        ok "$name"
    else
        not_ok "$name" "output differs from psql"
        show_diff "$name" "$tmp/ps.out" "$tmp/pd.out"
    fi
}

# ---- \watch ----

# The sequence makes the third run fail, so the watch ends by itself:
# psql's title centred over each run's rows with a blank line under it,
# no title over the error, and a newline once the watch has ended.
same "\\watch: title, error, and the newline after it, as psql" <<'SQL'
\timing on
create temp sequence wseq;
select 1/(3 - nextval('wseq'))::int as v \watch 1
select 'after' as a;
SQL

# Each run's "Time:" is its own query's, not the time since the first
# run: the second run of a 1 s watch used to say more than 1000 ms.
printf '%s\n' '\timing on' 'create temp sequence wseq2;' \
    "select 1/(3 - nextval('wseq2'))::int as v \\watch 1" |
    timeout 30 "$PGDECK" shell -X >"$tmp/watch.out" 2>&1
second=$(grep '^Time:' "$tmp/watch.out" | sed -n 3p | sed -E 's/Time: ([0-9]+).*/\1/')
if [ -n "$second" ] && [ "$second" -lt 1000 ]; then
    ok "\\watch with \\timing: each run's own time"
else
    not_ok "\\watch with \\timing: each run's own time" "second run: ${second:-none} ms"
    sed 's/^/#   /' "$tmp/watch.out" >&2
fi

# Ctrl-C ends the watch and the prompt starts a line of its own, after
# the "^C" the terminal echoed (tmux drops the prompt's trailing blank).
S=watch
tmux_start "$S" 100 30 "$PGDECK" shell -X
if tmux_wait "$S" "^$db=$PC" 15; then
    tmux_keys "$S" 'select 42 as answer \watch 5' Enter
    tmux_wait "$S" '\(1 row\)' 10
    tmux_keys "$S" C-c
    tmux_wait "$S" "^\\^C" 10
    tmux_wait "$S" "^$db=$PC\$" 10
    last=$(tmux_capture "$S" | grep -v '^$' | tail -n 2 | tr '\n' '|')
    if [ "$last" = "^C|$db=$PC|" ]; then
        ok "\\watch: after Ctrl-C the prompt is on a line of its own"
    else
        not_ok "\\watch: after Ctrl-C the prompt is on a line of its own" "$last"
    fi
else
    not_ok "\\watch: after Ctrl-C the prompt is on a line of its own" "no prompt"
fi
tmux_kill "$S"

# ---- \!, \setenv, \encoding ----

# An "editor" that writes a query into the file it is given: \setenv
# EDITOR must reach \e's child. (\e comes last: in a script, pgdeck runs
# what it read back after the rest of the input.)
printf '#!/bin/sh\necho "select %s as edited;" > "$1"\n' "'by the editor'" \
    >"$tmp/ed.sh"
chmod +x "$tmp/ed.sh"
same "\\! \\setenv \\encoding as psql" <<SQL
\\setenv EDITOR $tmp/ed.sh
\\encoding
\\encoding latin1
\\encoding
\\echo :ENCODING
select 'é' as latin;
\\encoding foo
\\encoding UTF8
\\setenv
\\setenv A=b
\\setenv FOO bar x
\\! echo "FOO is \$FOO"
\\!echo no space
\\setenv FOO
\\! echo "FOO is now \${FOO-unset}"; exit 3
\\echo still here
\\e
SQL

# \setenv edits a private environment (pgdeck's own is read by libuv's
# threads and never written), which every child must get: \!, \o |cmd,
# \g |cmd and backquotes see a set value, and an unset one is gone.
same "\\setenv reaches \\!, \\o |cmd, \\g |cmd and backquotes" <<'SQL'
\setenv PD_X 42
\! echo $PD_X
\setenv PD_X
\! echo "[$PD_X]"
\setenv PD_Y 7
\echo `echo $PD_Y`
\setenv PD_Z 9
\o | sed "s/^/o$PD_Z /"
select 1 as one;
\o
select 2 as two \g | sed "s/^/g$PD_Z /"
\setenv PD_Y
\echo [`echo $PD_Y`]
SQL

# \! without a command starts \$SHELL with the terminal; pgdeck waits for
# it (without blocking its loop) and prompts again once it exits.
S=bang
tmux_start "$S" 100 30 SHELL=/bin/sh "$PGDECK" shell -X
if tmux_wait "$S" "^$db=$PC" 15; then
    tmux_keys "$S" '\!' Enter
    tmux_wait "$S" "^[#$]\$" 10
    tmux_keys "$S" 'echo inner-$((6 * 7)); exit' Enter
    tmux_wait "$S" "^inner-42" 10
    tmux_keys "$S" "select 'back' as w \\g" Enter
    if tmux_wait "$S" "^ back" 10; then
        ok "\\! starts \$SHELL and the prompt comes back after it"
    else
        not_ok "\\! starts \$SHELL and the prompt comes back after it" \
            "$(tmux_capture "$S" | grep -v '^$' | tail -n 5 | tr '\n' '|')"
    fi
else
    not_ok "\\! starts \$SHELL and the prompt comes back after it" "no prompt"
fi
tmux_kill "$S"

# ---- \batch FILE header SQL ----

# A CSV file whose first line names the columns: with "header" that line
# is skipped (as \copy's csv header), without it it is data and fails.
printf 'a,b\n1,x\n2,"y, z"\n' >"$tmp/h.csv"
printf 'a,b\n1,x,extra\n' >"$tmp/h3.csv"
out=$(timeout 30 "$PGDECK" shell -X -c 'create table bt (a int, b text)' \
    -c "\\batch $tmp/h.csv insert into bt values (\$1, \$2)" \
    -c "\\batch $tmp/h.csv header insert into bt values (\$1, \$2)" \
    -c "\\batch $tmp/h3.csv HEADER insert into bt values (\$1, \$2)" \
    -c "\\batch $tmp/h.csv header" \
    -c '\pset format unaligned' -c 'table bt' 2>&1)
want="CREATE TABLE
row 1: ERROR:  invalid input syntax for type integer: \"a\"
CONTEXT:  unnamed portal parameter \$1 = '...'
BATCH 2
\\batch: $tmp/h3.csv: line 2 has 3 values, the first line (the header) has 2
\\batch: usage: \\batch FILE [header] SQL (one row of FILE, CSV or JSON, per execution of SQL; without header every CSV line is data)
Output format is unaligned.
a|b
1|x
2|y, z
(2 rows)"
if [ "$out" = "$want" ]; then
    ok "\\batch FILE header SQL skips a CSV header line"
else
    not_ok "\\batch FILE header SQL skips a CSV header line"
    diff <(printf '%s\n' "$want") <(printf '%s\n' "$out") | sed 's/^/#   /' >&2
fi

# ---- completion after \dt, \dv, \di, \ds, \dm ----

# As psql's tab-complete.c: each lists its own kind of relation only.
"$PSQL" -X -q -c 'create table cta (a int primary key)' \
    -c 'create view cva as select 1' -c 'create sequence csa' \
    -c 'create materialized view cma as select 1' || exit 1
S=complete
tmux_start "$S" 120 30 "$PGDECK" shell -X
if tmux_wait "$S" "^$db=$PC" 15; then
    for pair in 'dt:cta' 'dv:cva' 'di:cta_pkey' 'ds:csa' 'dm:cma'; do
        cmd=${pair%%:*} want=${pair#*:}
        tmux_keys "$S" "\\$cmd c" Tab Tab
        # "\dt c" alone completes to "\dt cta": one candidate.
        if tmux_wait "$S" "^$db=$PC \\\\$cmd $want\$" 10; then
            ok "\\$cmd completes to its own kind ($want) only"
        else
            not_ok "\\$cmd completes to its own kind ($want) only" \
                "$(tmux_capture "$S" | grep -v '^$' | tail -n 3 | tr '\n' '|')"
        fi
        tmux_keys "$S" C-u
        tmux_keys "$S" C-l
    done
else
    not_ok "\\dt completion" "no prompt"
fi
tmux_kill "$S"
