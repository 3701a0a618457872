#!/usr/bin/env bash
# config_keys.sh: every key of the settings table (core/config.c: the rows
# of settings[] and list_keys[]) appears, in backquotes, in README.md's
# "## Configuration" section. A missing key fails with its config.c line.
cd "$(dirname "$0")/../.." || exit 1

keys=$(awk '
    /^static const (setting settings|list_key list_keys)\[\] = \{/ {
        on = 1; next }
    on && /^\};/ { on = 0 }
    on && match($0, /^[[:space:]]*\{"[^"]+",/) {
        k = substr($0, RSTART, RLENGTH); sub(/^[[:space:]]*\{"/, "", k);
        sub(/",$/, "", k); print FILENAME ":" NR ":" k }
' core/config.c)
section=$(awk '/^## Configuration/ { on = 1; next } on && /^## / { on = 0 }
    on' README.md)

n=$(printf '%s\n' "$keys" | grep -c .)
if [ "$n" -lt 30 ]; then
    echo "not ok - settings table read from core/config.c"
    echo "# only $n keys found: has the table's layout changed?"
    exit 0
fi
echo "ok - settings table read from core/config.c ($n keys)"

missing=""
while IFS= read -r row; do
    k=${row##*:}
    printf '%s\n' "$section" | grep -qF -- "\`$k\`" ||
        missing="$missing${row%:*}: $k is not in README.md's \
Configuration section
"
done <<<"$keys"
if [ -z "$missing" ]; then
    echo "ok - every config key is documented in README.md"
else
    echo "not ok - every config key is documented in README.md"
    printf '%s' "$missing" | sed 's/^/# /'
fi
