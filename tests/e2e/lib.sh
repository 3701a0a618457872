# lib.sh: shared helpers for the end-to-end tests (sourced, not run).
#
# Each test prints TAP-style lines, "ok - NAME" or "not ok - NAME # DETAIL";
# tests/run.sh counts them. tmux runs on a private socket per script so
# tests never touch the user's tmux or each other.
#
# Environment from tests/run.sh: PGDECK (binary), PSQL, and PGHOST, PGPORT,
# PGUSER, PGDATABASE pointing at the throwaway cluster.

: "${PGDECK:=./pgdeck}"
: "${PSQL:=psql}"
# The last character of psql's prompt for the test user: '#' for a
# superuser, '>' for anyone else (psql's %#), for patterns like "$db=$PC".
PC=$("$PSQL" -X -At -c "SELECT current_setting('is_superuser')" 2>/dev/null)
if [ "$PC" = on ]; then PC='#'; else PC='>'; fi
export LC_ALL=C.UTF-8
PD_TMUX_SOCK="pgdeck-test-$$"

ok() { printf 'ok - %s\n' "$1"; }
not_ok() { printf 'not ok - %s # %s\n' "$1" "${2:-}"; }

# check NAME CMD...: ok when CMD succeeds.
check() {
    local name=$1; shift
    if "$@" >/dev/null 2>&1; then ok "$name"; else not_ok "$name" "$*"; fi
}

# run PROG OUTPREFIX ARGS...: stdout, stderr and exit status into
# OUTPREFIX.out/.err/.rc, for comparing pgdeck with psql. The timeout keeps
# a hung program from hanging the suite.
run() {
    local prog=$1 out=$2; shift 2
    timeout 30 "$prog" "$@" >"$out.out" 2>"$out.err" </dev/null
    echo $? >"$out.rc"
}

# show_diff WHAT A B: a short unified diff (-psql +pgdeck) on stderr.
show_diff() {
    printf '# %s differs (-psql +pgdeck):\n' "$1" >&2
    diff -u --label psql --label pgdeck "$2" "$3" | head -n 30 | cat -A |
        sed 's/^/#   /' >&2
}

pd_tmux() { tmux -L "$PD_TMUX_SOCK" -f /dev/null "$@"; }

# tmux_start NAME COLS ROWS CMD...: a detached session running CMD in a
# shell, so the pane survives CMD's exit and its terminal can be inspected.
tmux_start() {
    local name=$1 cols=$2 rows=$3; shift 3
    pd_tmux new-session -d -s "$name" -x "$cols" -y "$rows" \
        "env TERM=xterm-256color LC_ALL=C.UTF-8 $*; echo '[pane-exit]' \$?; exec sleep 600"
}
tmux_keys() { local name=$1; shift; pd_tmux send-keys -t "$name" "$@"; }
tmux_capture() { pd_tmux capture-pane -p -t "$1"; }
tmux_alive() { pd_tmux has-session -t "$1" 2>/dev/null; }
tmux_resize() {
    pd_tmux resize-window -t "$1" -x "$2" -y "$3" 2>/dev/null ||
        pd_tmux resize-pane -t "$1" -x "$2" -y "$3"
}
tmux_kill() { pd_tmux kill-session -t "$1" 2>/dev/null || true; }

# tmux_wait NAME REGEX [SECONDS]: polls the pane until REGEX (grep -E)
# matches; 1 on timeout. A bounded wait, not a timing assertion.
tmux_wait() {
    local name=$1 re=$2 secs=${3:-10} i=0
    while [ "$i" -lt $((secs * 10)) ]; do
        if tmux_capture "$name" 2>/dev/null | grep -Eq -- "$re"; then
            return 0
        fi
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

# tmux leaves its socket file behind after kill-server: remove it too.
pd_e2e_cleanup() {
    pd_tmux kill-server 2>/dev/null || true
    rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$PD_TMUX_SOCK"
}
trap pd_e2e_cleanup EXIT

# ---- the shell in tmux: the session is $S --------------------------------
# shows NAME REGEX [SECONDS]: ok when the pane matches, else not ok with
# the pane's last SHOWS_TAIL (5) non-empty lines.
shows() {
    if tmux_wait "$S" "$2" "${3:-10}"; then
        ok "$1"
    else
        not_ok "$1" "no /$2/ in: $(tmux_capture "$S" | grep -v '^$' |
            tail -n "${SHOWS_TAIL:-5}" | tr '\n' '|')"
    fi
}

# typeln TEXT: types TEXT literally and presses Enter. tmux takes a trailing
# ';' in an argument as its own command separator unless escaped.
typeln() {
    local t=$1
    case "$t" in *\;) t="${t%;}\\;" ;; esac
    tmux_keys "$S" -l "$t"
    tmux_keys "$S" Enter
}

# differs A B: what of two run outputs (A.out/.err/.rc against B's)
# differs, as words ("stdout stderr status(0 vs 1)"); empty when none.
differs() {
    local what=""
    cmp -s "$1.out" "$2.out" || what="stdout"
    cmp -s "$1.err" "$2.err" || what="$what stderr"
    cmp -s "$1.rc" "$2.rc" ||
        what="$what status($(cat "$1.rc") vs $(cat "$2.rc"))"
    printf '%s' "$what"
}
