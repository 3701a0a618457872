#!/usr/bin/env bash
# dashboard_theme.sh: \theme in the dashboard's ':' line: alone it lists
# the themes (the current one in brackets), with a name it switches the
# live theme as 't' does, and a missing file is an error naming it.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh

D=dtheme
sgr() { pd_tmux capture-pane -e -p -t "$D"; }

# colon LINE: opens the ':' line, types LINE and Enter.
colon() {
    tmux_keys "$D" :
    tmux_keys "$D" -l "$1"
    tmux_keys "$D" Enter
}

tmux_start "$D" 100 30 "$PGDECK"
tmux_wait "$D" 'Pool' 10 || not_ok "the dashboard opens" ""

colon '\theme'
tmux_wait "$D" 'themes: \[dark\] light solarized-dark high-contrast monochrome' 5 &&
    ok ":\\theme lists the themes, the current one in brackets" ||
    not_ok ":\\theme lists the themes, the current one in brackets" \
        "$(tmux_capture "$D" | tail -n 2)"

colon '\theme light'
tmux_wait "$D" 'theme: light' 5 && sleep 0.3 &&
    sgr | head -1 | grep -q $'\e\\[48;5;25m' &&
    ok ":\\theme light switches the live theme" ||
    not_ok ":\\theme light switches the live theme" \
        "$(sgr | head -1 | cat -v | cut -c1-80)"

colon '\theme'
tmux_wait "$D" 'themes: dark \[light\]' 5 &&
    ok ":\\theme marks the new current theme" ||
    not_ok ":\\theme marks the new current theme" \
        "$(tmux_capture "$D" | tail -n 2)"

colon '\theme /nonexistent.json'
tmux_wait "$D" '/nonexistent\.json: No such file or directory' 5 &&
    ok ":\\theme of a missing file names it" ||
    not_ok ":\\theme of a missing file names it" \
        "$(tmux_capture "$D" | tail -n 2)"

tmux_keys "$D" q
tmux_wait "$D" '^\[pane-exit\] 0$' 10 && ok "q quits" || not_ok "q quits" ""
tmux_kill "$D"
