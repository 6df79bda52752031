#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# status_params.sh: issue 10 item 2 at the CLI, offline (no root needed). The semisync parameters
# come from the --status sample nearest the capture window — not the file's first line — and a
# `SET GLOBAL rpl_semi_sync_master_timeout=…` recorded in the middle of the capture takes effect
# from its sample on. On the lab's timeout_recovery capture (commits waited 1.5 s twice while
# both replicas were stopped): a variables file saying 10000 ms before the capture and 1500 ms
# from 0.12 s into it must give the two OFF switches as timeouts ("waited 1.50 s with no ack"),
# with timeout_ms {1500, "file"} and no note; with 10000 ms throughout no commit waits the full
# timeout (the state machine finds the OFFs from other evidence, and notes that the master was
# seen OFF before the timeout). A change after the capture's end is never applied; an option
# always wins.
# Usage: status_params.sh SEMISCOPE   (env SEMISCOPE_SRC = repository root)
# shellcheck disable=SC2015
set -u

BIN=${1:?usage: status_params.sh SEMISCOPE}
SRC=${SEMISCOPE_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
LAB=$SRC/tests/pcaps/lab/timeout_recovery
CAP=$LAB/capture.pcap

if ! command -v python3 >/dev/null 2>&1; then
    echo "SKIPPED: python3 is not installed"
    exit 0
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

# The lab's variables without the timeout; each case adds its own timeout rows. The capture runs
# from 1795314811.980 to 1795314819.574.
grep -v 'rpl_semi_sync_master_timeout' "$LAB/variables.tsv" >"$tmp/base.tsv"
vars() { # NAME ROW... (ROW = "UNIX_TS VALUE")
    local name=$1
    shift
    cp "$tmp/base.tsv" "$tmp/$name.tsv"
    for row in "$@"; do
        printf '%s\trpl_semi_sync_master_timeout\t%s\n' "${row% *}" "${row#* }" >>"$tmp/$name.tsv"
    done
}

# summary NAME [OPTION...]: "TIMEOUT SOURCE OFF_TIMEOUTS NOTE" of the run's JSON report:
# OFF_TIMEOUTS the distinct waits of the OFF switches that were timeouts ("waited 1.50 s with no
# ack"), "-" none; NOTE "note" when timeout_ms has a note (seen OFF before the timeout), else "-"
summary() {
    local name=$1
    shift
    if ! "$BIN" -r "$CAP" --status "$LAB/status.tsv" --status "$tmp/$name.tsv" "$@" --json \
        -O "$tmp/$name.json" 2>"$tmp/$name.err"; then
        echo "exit-$?"
        return
    fi
    python3 - "$tmp/$name.json" <<'PY'
import json, re, sys
m = json.load(open(sys.argv[1]))["masters"][0]
t = m["parameters"]["timeout_ms"]
offs = [x for x in m["semisync"]["transitions"] if x["to"] == "off"]
waited = sorted({re.search(r"waited ([0-9.]+ s)", x["reason"]).group(1).replace(" ", "")
                 for x in offs if "waited" in x["reason"]})
print(t["value"], t["source"], ",".join(waited) or "-", "note" if t.get("note") else "-")
PY
}

expect() { # LABEL WANT GOT
    [ "$3" = "$2" ] && pass "$1: $3" || fail "$1: want '$2', got '$3'"
}

# 1. SET GLOBAL in the middle of the capture (before the first commit that timed out began to
#    wait); a later change after the capture's end is never applied
vars change "1795314811.947356 10000" "1795314812.100000 1500" "1795314830.000000 777"
expect "timeout 10000 -> 1500 mid-capture: the new timeout is used from then on" \
    "1500 file 1.50s -" "$(summary change)"

# 2. the old behaviour's input (the file's first line for the whole capture): 10000 throughout;
#    no commit waits 10 s in this capture
vars const "1795314811.947356 10000"
expect "timeout 10000 throughout: no commit waits it" "10000 file - note" "$(summary const)"

# 3. nearest the window, not the first line: 1500 long before, 10000 just before the start
vars nearest "1795314000.000000 1500" "1795314811.900000 10000"
expect "the last sample at or before the capture start wins over the file's first line" \
    "10000 file - note" "$(summary nearest)"

# 4. every sample after the capture start: the first one applies from the start
vars after "1795314812.500000 1500" "1795314819.000000 1500"
expect "every sample after the start: the first applies from the start" \
    "1500 file 1.50s -" "$(summary after)"

# 5. an option is never replaced by the file
expect "--timeout 10000 wins over the file's 1500" "10000 option - note" \
    "$(summary change --timeout 10000)"

# 6. the text report says where the value came from
if "$BIN" -r "$CAP" --status "$tmp/change.tsv" >"$tmp/change.txt" 2>&1 &&
    grep -Eq 'timeout +1500 ms +\(file\)' "$tmp/change.txt"; then
    pass "text report: timeout 1500 ms (file)"
else
    fail "text report: no 'timeout 1500 ms (file)' line: $(grep -i timeout "$tmp/change.txt" | head -3)"
fi

[ "$failures" -eq 0 ] && echo "status_params: OK"
[ "$failures" -eq 0 ]
