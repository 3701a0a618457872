#!/usr/bin/env bash
# layering.sh: the include rules of STYLE.md rule 4, each failure naming
# file:line. core/ never includes tui/ or shell/; tui/ never includes shell/;
# shell/ never includes tui/ except shell/main.c (the entry point); nothing
# outside core/ includes a core *_int.h.
cd "$(dirname "$0")/../.." || exit 1

report() { # NAME HITS
    if [ -z "$2" ]; then echo "ok - $1"; else
        echo "not ok - $1"; printf '%s\n' "$2" | sed 's/^/# /'; fi
}

report "core/ includes neither tui/ nor shell/" \
    "$(grep -nE '#[[:space:]]*include[[:space:]]*"(tui|shell)/' core/*.[ch] 2>/dev/null)"
report "tui/ does not include shell/" \
    "$(grep -nE '#[[:space:]]*include[[:space:]]*"shell/' tui/*.[ch] 2>/dev/null)"
report "shell/ includes tui/ only from main.c" \
    "$(grep -nE '#[[:space:]]*include[[:space:]]*"tui/' shell/*.[ch] 2>/dev/null | grep -v '^shell/main\.c:')"
report "no core *_int.h outside core/" \
    "$(grep -nE '#[[:space:]]*include[[:space:]]*"core/[^"]*_int\.h"' shell/*.[ch] tui/*.[ch] tests/*/*.c 2>/dev/null)"
