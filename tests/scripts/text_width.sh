#!/usr/bin/env bash
# text_width.sh SEMISCOPE: the text report holds to 80 columns on every capture under
# tests/pcaps (issue 15), at the default verbosity and with -v, and with the lab's status and
# error-log files where a scenario has them. Fails on any line longer than 80 characters
# (characters, not bytes: the report prints "…" and "→").
set -uo pipefail
bin=$(realpath "$1")
src=${SEMISCOPE_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$src/tests/pcaps" || exit 1
fail=0
check() { # NAME ARGS...
    local name=$1
    shift
    local out
    out=$(TZ=UTC LC_ALL=C "$bin" "$@" 2>/dev/null)
    local long
    long=$(printf '%s\n' "$out" | python3 -c '
import sys
for n, line in enumerate(sys.stdin.buffer.read().decode("utf-8", "replace").split("\n"), 1):
    if len(line) > 80:
        print("  line %d (%d chars): %s" % (n, len(line), line))')
    if [ -n "$long" ]; then
        echo "FAIL: $name: lines over 80 columns"
        printf '%s\n' "$long" | head -5
        fail=1
    else
        echo "ok: $name"
    fi
}
while IFS= read -r cap; do
    for v in "" -v; do
        check "$cap $v" -r "$cap" -P 13306 $v
    done
    d=$(dirname "$cap")
    if [ -f "$d/status.tsv" ] || [ -f "$d/error.log" ]; then
        args=()
        for f in "$d"/variables.tsv "$d"/status.tsv; do [ -f "$f" ] && args+=(--status "$f"); done
        [ -f "$d/error.log" ] && args+=(--error-log "$d/error.log")
        check "$cap with the server's files" -r "$cap" -P 13306 "${args[@]}"
        check "$cap with the server's files -v" -r "$cap" -P 13306 -v "${args[@]}"
    fi
    if [ -f "${cap%.pcap}.variables.tsv" ]; then
        check "$cap with its variables" -r "$cap" -P 13306 --status "${cap%.pcap}.variables.tsv"
    fi
done < <(find . -name '*.pcap' -o -name '*.pcapng' | sed 's|^\./||' | sort)
exit $fail
