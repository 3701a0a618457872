#!/usr/bin/env bash
# symbols.sh: every symbol the binary defines globally carries its folder's
# prefix (pd_, tui_, sh_) or is main: readline, ncurses and libpanel export
# plain names, and a same-named function of ours would silently interpose.
# The one exception interposes on purpose: shell/gnutls_skip.c answers
# GnuTLS's _gnutls_global_init_skip (see there).
cd "$(dirname "$0")/../.." || exit 1
bad=""
for o in build/core/*.o build/shell/*.o build/tui/*.o; do
    [ -e "$o" ] || continue
    case "$o" in
    build/core/*) pre='pd_' ;;
    build/shell/*) pre='sh_' ;;
    build/tui/*) pre='tui_' ;;
    esac
    syms=$(nm -g --defined-only "$o" | awk '$2 ~ /[TDBR]/ {print $3}' |
        grep -vE "^(${pre}|main\$|_gnutls_global_init_skip\$)")
    [ -n "$syms" ] && bad="$bad $o:$(echo $syms | tr ' ' ',')"
done
if [ -z "$bad" ]; then
    echo "ok - exported symbols carry their folder's prefix"
else
    echo "not ok - exported symbols carry their folder's prefix"
    printf '%s\n' $bad | sed 's/^/# /'
fi
