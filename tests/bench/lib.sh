# lib.sh: helpers sourced by shell_speed.sh and dash_speed.sh: the same
# div/min/max/row as run.sh's own (which keeps its copies), so their
# lines line up with run.sh's; PTY runs the pty harness.
div() { if [ "$(echo "${2:-0} == 0" | bc -l)" = 1 ]; then echo 0; else echo "$1 / $2" | bc -l; fi; }
min() { if [ "$(echo "${1:-0} < ${2:-0}" | bc -l)" = 1 ]; then echo "$1"; else echo "$2"; fi; }
max() { if [ "$(echo "${1:-0} > ${2:-0}" | bc -l)" = 1 ]; then echo "$1"; else echo "$2"; fi; }
row() { # LABEL OURS UNIT ANCHOR-NAME ANCHOR RATIO NOTE
    printf '%-46s %9s %-4s %8s %9s %-4s ratio %.2fx  %s\n' "$1" "$2" "$3" \
        "$4" "$5" "$3" "$6" "$7"
}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
PTY="$PY tests/bench/ptybench.py"
