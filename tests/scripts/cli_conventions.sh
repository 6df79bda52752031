#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cli_conventions.sh: the command line's manners (issue 15): a closed pipe ends the output quietly
# with exit 0 (`semiscope --events | head`, as tcpdump); every error is one line, prefixed
# "semiscope: ", without argv[0]'s path and without a repeated phrase; conflicting modes are usage
# errors (exit 2); --html - writes the page to stdout; --version names the libraries; the units
# of --poll-interval agree between --help and the docs; tools/run's header names a real capture.
# Usage: cli_conventions.sh SEMISCOPE   (env SEMISCOPE_SRC = repository root)
# shellcheck disable=SC2015
set -u
BIN=${1:?usage: cli_conventions.sh SEMISCOPE}
SRC=${SEMISCOPE_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
CAP=$SRC/tests/pcaps/lab/steady/capture.pcap
PORT=13306
[ -r "$CAP" ] || { echo "SKIPPED: $CAP is missing"; exit 0; }

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# ---- 1. a reader that goes away: quiet, exit 0 ---------------------------------------------------
# A copy of the binary under a long path: an error message must not carry argv[0]'s path.
mkdir -p "$tmp/some/long/path"
cp "$BIN" "$tmp/some/long/path/semiscope"
B="$tmp/some/long/path/semiscope"
for opts in "--events" "--events --json" "--flows" "" "--json" "-v"; do
    # shellcheck disable=SC2086
    "$B" -r "$CAP" -P $PORT $opts 2>"$tmp/pipe.err" | head -1 >/dev/null
    rc=${PIPESTATUS[0]}
    if [ "$rc" -ne 0 ] || [ -s "$tmp/pipe.err" ]; then
        fail "'semiscope ${opts:-(report)} | head -1': exit $rc, stderr '$(head -c 200 "$tmp/pipe.err")'"
    else
        pass "'semiscope ${opts:-(report)} | head -1': exit 0, stderr empty"
    fi
done
# A long --events stream (the capture 30 times over) stops reading soon after the reader left.
big=()
for _ in $(seq 30); do big+=(-r "$CAP"); done
start=$(date +%s%N)
"$B" "${big[@]}" -P $PORT --events --all 2>"$tmp/pipe.err" | head -1 >/dev/null
rc=${PIPESTATUS[0]}
[ "$rc" -eq 0 ] && [ ! -s "$tmp/pipe.err" ] && pass "30 files --events | head -1: exit 0, quiet" ||
    fail "30 files --events | head -1: exit $rc, stderr '$(head -c 200 "$tmp/pipe.err")'"
# A full disk is still an error (exit 5): only a reader gone is not.
if [ -w /dev/full ]; then
    "$B" -r "$CAP" -P $PORT --events >/dev/full 2>"$tmp/full.err"
    rc=$?
    [ "$rc" -eq 5 ] && [ "$(wc -l <"$tmp/full.err")" -eq 1 ] &&
        pass "--events > /dev/full: exit 5, one line ($(cat "$tmp/full.err"))" ||
        fail "--events > /dev/full: exit $rc, stderr '$(cat "$tmp/full.err")'"
fi

# ---- 2. every error: one line, "semiscope: ", no path, no repeated phrase -------------------------
# err_case LABEL WANT_RC ARGS...: stderr's first line is the message; a "Try" hint may follow.
err_case() {
    local label=$1 want=$2
    shift 2
    (cd "$tmp" && timeout 20 "$B" "$@" >"$tmp/e.out" 2>"$tmp/e.err")
    local rc=$?
    grep -v "^Try 'semiscope --help'.$\|^semiscope: warning: running as root" "$tmp/e.err" \
        >"$tmp/e.msg"
    local msg
    msg=$(cat "$tmp/e.msg")
    if [ "$rc" -ne "$want" ]; then
        fail "$label: exit $rc, want $want ($msg)"
    elif [ "$(wc -l <"$tmp/e.msg")" -ne 1 ]; then
        fail "$label: want one line, got: $msg"
    elif [[ $msg != "semiscope: "* ]]; then
        fail "$label: not prefixed 'semiscope: ': $msg"
    elif [[ $msg == *"$tmp/some"* ]]; then
        fail "$label: carries argv[0]'s path: $msg"
    elif python3 - "$msg" <<'PYEOF'; then
import re, sys
# A phrase of 2+ words said twice ("--dsn: --dsn:", "X (X)"), or a path said twice.
words = re.findall(r"[^\s():'\"]+", sys.argv[1])
for n in range(4, 0, -1):
    seen = set()
    for i in range(len(words) - n + 1):
        g = tuple(words[i:i + n])
        if n == 1 and ("/" not in g[0] and not g[0].startswith("--")):
            continue
        if g in seen:
            print(f"repeated: {' '.join(g)}")
            sys.exit(0)
        seen.add(g)
sys.exit(1)
PYEOF
        fail "$label: a repeated phrase: $msg"
    else
        pass "$label: exit $want, one line: $msg"
    fi
}
err_case "unknown long option" 2 -r "$CAP" --no-such-option
err_case "unknown short option" 2 -r "$CAP" -q
err_case "missing argument (long)" 2 -r "$CAP" --html
err_case "missing argument (short)" 2 -r
err_case "argument to a flag" 2 -r "$CAP" --json=yes
err_case "bad number" 2 -r "$CAP" -c abc
err_case "bad DSN" 2 -i lo --dsn http://x
err_case "DSN with a password" 2 -i lo --dsn mysql://u:pw@h:3306
err_case "missing file" 3 -r "$tmp/no_such.pcap"
err_case "not a capture" 3 -r "$SRC/tests/pcaps/not_a_capture.txt"
err_case "bad filter" 2 -r "$CAP" tcp portx 1
err_case "-O unwritable" 5 -r "$CAP" -O "$tmp/no/dir/report.txt"
err_case "--html unwritable" 5 -r "$CAP" --html "$tmp/no/dir/r.html"
err_case "no such interface" 4 -i semiscope_nodev0
if [ "$(id -u)" = 0 ]; then
    # the -w path said once (libpcap's message names it already)
    err_case "-w unwritable" 5 -i lo -c 1 -w "$tmp/no/dir/x.pcap"
    err_case "--record-status unwritable" 5 -i lo --dsn mysql://u@127.0.0.1:1 \
        --record-status "$tmp/no/dir/rec.tsv"
fi

# ---- 3. modes that conflict: exit 2 with a clear message -----------------------------------------
err_case "--events --flows" 2 -r "$CAP" --events --flows
err_case "--flows --events" 2 -r "$CAP" --flows --events
err_case "--json --flows" 2 -r "$CAP" --json --flows
err_case "--all without --events" 2 -r "$CAP" --all
err_case "--html with --events" 2 -r "$CAP" --events --html "$tmp/x.html"
err_case "--csv with --flows" 2 -r "$CAP" --flows --csv "$tmp/x.csv"
err_case "--html - and --csv -" 2 -r "$CAP" --html - --csv -
err_case "--json and --html - on stdout" 2 -r "$CAP" --json --html -
err_case "--since (not implemented yet): refused, not ignored" 2 -r "$CAP" --since 100
# --html -: the page on stdout; the report only with -O.
"$B" -r "$CAP" -P $PORT --html "$tmp/page.html" >/dev/null 2>&1
"$B" -r "$CAP" -P $PORT --html - >"$tmp/stdout.html" 2>"$tmp/h.err"
rc=$?
[ "$rc" -eq 0 ] && cmp -s "$tmp/page.html" "$tmp/stdout.html" &&
    pass "--html -: the same page on stdout, nothing else" ||
    fail "--html -: exit $rc, page differs from --html FILE ($(head -c 200 "$tmp/h.err"))"
"$B" -r "$CAP" -P $PORT --json -O "$tmp/r.json" --html - >"$tmp/stdout2.html" 2>/dev/null
[ $? -eq 0 ] && cmp -s "$tmp/page.html" "$tmp/stdout2.html" && [ -s "$tmp/r.json" ] &&
    pass "--json -O FILE --html -: JSON in FILE, the page on stdout" ||
    fail "--json -O FILE --html -"
# Units: --poll-interval is milliseconds in --help and in the docs.
"$B" --help | grep -q -- '--poll-interval MS' && ! grep -q 'poll-interval SECONDS' \
    "$SRC/docs/postmortem.md" "$SRC/README.md" &&
    grep -q -- '--poll-interval MS' "$SRC/docs/postmortem.md" &&
    pass "--poll-interval: milliseconds in --help, README and docs/postmortem.md" ||
    fail "--poll-interval units differ between --help and the docs"

# ---- 8. --version names the libraries ------------------------------------------------------------
"$B" --version >"$tmp/v.out" 2>&1
for lib in libpcap libmariadb zlib libzstd; do
    grep -qE "^  $lib( version)? [0-9]+\.[0-9]+" "$tmp/v.out" || fail "--version does not name $lib: $(cat "$tmp/v.out")"
done
head -1 "$tmp/v.out" | grep -qE '^semiscope [0-9]+\.[0-9]+' && pass "--version: $(tr '\n' ';' <"$tmp/v.out")" ||
    fail "--version first line: $(head -1 "$tmp/v.out")"

# ---- 9. tools/run's header names a capture that exists -------------------------------------------
named=$(sed -n '2,6p' "$SRC/tools/run" | grep -o 'tests/pcaps/[^ )]*' | head -1)
[ -n "$named" ] && [ -e "$SRC/$named" ] && pass "tools/run's header names $named, which exists" ||
    fail "tools/run's header names '${named:-nothing}', which does not exist"
grep -q 'say "building' "$SRC/tools/run" && pass "tools/run announces its build" ||
    fail "tools/run builds in silence"

if [ "$failures" -ne 0 ]; then
    echo "cli_conventions.sh: $failures failure(s)"
    exit 1
fi
echo "cli_conventions.sh: all checks passed"
