#!/usr/bin/env bash
# blocking.sh: the libpq calls that block the loop appear nowhere in
# core/, shell/ or tui/, except PQcancel in core/cancel.c (which runs it on
# libuv's thread pool). Comments are not code, so comment lines are skipped.
cd "$(dirname "$0")/../.." || exit 1
calls='PQexec|PQconnectdb|PQconnectdbParams|PQsetdbLogin|PQsetdb|PQprepare|PQexecParams|PQexecPrepared|PQcancel|PQping|PQpingParams|PQreset|PQrequestCancel'
hits=$(grep -nE "\\b($calls)[[:space:]]*\\(" core/*.c core/*.h shell/*.c \
        shell/*.h tui/*.c tui/*.h 2>/dev/null |
    grep -vE '^[^:]+:[0-9]+:[[:space:]]*(\*|//|/\*)' |
    grep -vE '^core/cancel\.c:[0-9]+:.*\bPQcancel[[:space:]]*\(')
if [ -z "$hits" ]; then
    echo "ok - no blocking libpq call on the loop thread"
else
    echo "not ok - no blocking libpq call on the loop thread"
    printf '%s\n' "$hits" | sed 's/^/# /'
fi
# A blocking PQgetResult is one not guarded by PQisBusy: every file that
# calls PQgetResult must also call PQisBusy.
bad=""
for f in $(grep -lE '\bPQgetResult[[:space:]]*\(' core/*.c shell/*.c tui/*.c 2>/dev/null); do
    grep -qE '\bPQisBusy[[:space:]]*\(' "$f" || bad="$bad $f"
done
if [ -z "$bad" ]; then
    echo "ok - PQgetResult only after PQisBusy"
else
    echo "not ok - PQgetResult only after PQisBusy # in:$bad"
fi
