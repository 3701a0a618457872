#!/usr/bin/env bash
# shell.sh: `pgdeck shell` in a real terminal (tmux): prompts, results,
# continuation prompts, Ctrl-C at the prompt and during a query, Ctrl-D.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh

S=shell
db=${PGDATABASE:-postgres}

# The number of lines in the pane matching REGEX.
count() { tmux_capture "$S" | grep -Ec -- "$1"; }

tmux_start "$S" 100 40 "$PGDECK" shell
shows "prompt appears" "^$db=$PC ?\$"
shows "psql's banner: version and server" \
    '^pgdeck [0-9.]+ \(server [0-9]+(\.[0-9]+)?\)$'
shows "... then how to get help" '^Type "help" for help\.$'
# psql's bare words at a prompt: help answers; exit with a statement
# pending only hints (and goes into the statement).
typeln "help"
shows "help alone answers" '^Type:  \\\? for help with'
typeln "SELECT 5 AS"
typeln "exit"
shows "exit with a statement pending hints" '^Use \\q to quit\.$'
typeln ";"
shows "... and the line went into the statement, as psql's" '^ +5$'

typeln "SELECT 1 AS x;"
shows "select shows psql's table" "^\(1 row\)\$"
shows "header and rule" "^ x *\$"
shows "prompt back after the result" "^\(1 row\)\$" 1

typeln "SELECT 2"
shows "continuation prompt" "^$db-$PC ?\$"
typeln "  AS two;"
shows "multi-line statement runs" "^ two *\$"

typeln "SELECT 'open"
shows "open string prompt" "^$db'$PC ?\$"
typeln "still';"
shows "string closed and run" "^ still *\$"

typeln "SELECT (1"
shows "open parenthesis prompt" "^$db\($PC ?\$"
typeln ") AS p;"
shows "parenthesis closed and run" "^ p *\$"

# Ctrl-C at the prompt clears the line and the pending statement.
typeln "SELECT 'never shown'"
shows "pending statement" "^$db-$PC ?\$"
tmux_keys "$S" -l garbage
tmux_keys "$S" C-c
sleep 0.3
typeln "SELECT 42 AS answer;"
shows "Ctrl-C at the prompt keeps the shell" "^ +42\$"
if [ "$(count 'never shown')" -eq 1 ] && [ "$(count garbage)" -le 1 ] &&
   ! tmux_capture "$S" | grep -q 'syntax error'; then
    ok "Ctrl-C dropped the line and the pending statement"
else
    not_ok "Ctrl-C dropped the line and the pending statement" \
        "$(tmux_capture "$S" | tail -n 8 | tr '\n' '|')"
fi

# Transaction marks in the prompt.
typeln "BEGIN;"
shows "in-transaction prompt" "^$db=\*$PC ?\$"
typeln "SELECT nosuchcolumn;"
shows "failed-transaction prompt" "^$db=!$PC ?\$"
typeln "ROLLBACK;"
shows "idle prompt after rollback" "^ROLLBACK\$"

# A long query is canceled by Ctrl-C and the shell stays.
typeln "SELECT pg_sleep(30);"
sleep 1
tmux_keys "$S" C-c
shows "Ctrl-C cancels a running query" \
    "canceling statement due to user request" 10
typeln "SELECT 7 AS after_cancel;"
shows "shell alive after cancel" "^ after_cancel *\$"

# \q-less exit: Ctrl-D on an empty line.
tmux_keys "$S" C-d
shows "Ctrl-D exits" "^\[pane-exit\] 0\$"
tmux_kill "$S"

# exit alone quits with status 0, as psql 11 and later.
tmux_start "$S" 100 20 "$PGDECK" shell
shows "prompt for exit" "^$db=$PC ?\$"
typeln "exit"
shows "exit quits" "^\[pane-exit\] 0\$"
tmux_kill "$S"

# \q quits with status 0.
tmux_start "$S" 100 20 "$PGDECK" shell
shows "prompt again" "^$db=$PC ?\$"
# psql's %#: '#' for a superuser, '>' for anyone else, following SET
# SESSION AUTHORIZATION (the server reports is_superuser again).
if [ "$PC" = '#' ]; then
    "$PSQL" -X -q -c "DROP ROLE IF EXISTS pd_prompt_plain" \
        -c "CREATE ROLE pd_prompt_plain" >/dev/null 2>&1
    typeln "SET SESSION AUTHORIZATION pd_prompt_plain;"
    shows "a plain role's prompt ends in >" "^$db=> ?\$"
    typeln "RESET SESSION AUTHORIZATION;"
    shows "a superuser's prompt ends in #, as psql's" "^$db=# ?\$"
else
    not_ok "a superuser's prompt ends in #" "the test user is no superuser"
fi
typeln '\q'
shows "\\q exits" "^\[pane-exit\] 0\$"
tmux_kill "$S"

# Non-tty stdin works like psql reading a pipe.
out=$(printf 'SELECT 1 AS x;\nSELECT\n 2 AS y;\nSELECT 3 AS z' |
      timeout 20 "$PGDECK" shell 2>&1)
want=$(printf ' %s \n---\n %s\n(1 row)\n\n' x 1 y 2 z 3)
if [ "$out" = "$want" ]; then
    ok "piped stdin"
else
    not_ok "piped stdin" "$(printf '%s' "$out" | tr '\n' '|')"
fi
