#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# lab_soak.sh: issue 10's randomized differential soak, short form for CI (docs/soak.md).
# `tools/lab/lab soak 3 --seed 326` brings up a real MariaDB master and replicas in network
# namespaces three times, each time with random knobs drawn from the seed (sessions, transaction
# sizes, stalls, link delays, IO-thread stops, the master's timeout, semisync toggled on the
# master and on a replica, wait point, master restarts), captures the master's side, runs
# semiscope -r capture.pcap --json --status variables.tsv, and requires its counters (yes_tx,
# no_tx, no_times, get_ack, request_ack) to equal the server's, every server ON/OFF transition to
# be matched by one of semiscope's within 1 s (and none extra), and the same end state.
# Seeds 326..328: 0, 2 and 4 server transitions (SET GLOBAL rpl_semi_sync_master_enabled=OFF/ON,
# then two IO-thread outages longer than a 300 ms timeout), a stall, a replica semisync toggle and
# a master restart.
# Before that, without any server: the comparison must fail on tampered copies of a committed
# capture (`lab soak-check`), so that a broken comparison cannot pass.
# Usage: lab_soak.sh SEMISCOPE   (env SEMISCOPE_SRC = repository root)
# Prints "SKIPPED: reason" for the live part and exits 0 where the machine cannot run the lab
# (not root, no network namespaces, no mariadbd after an attempted install). About 70 s; the
# lab's lock may add the length of a parallel lab run. Failing run folders are kept in
# /tmp/lab_soak-failures-PID/ (rerun the comparison: tools/lab/lab soak-check DIR).
set -u

BIN=${1:?usage: lab_soak.sh SEMISCOPE}
SRC=${SEMISCOPE_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
LAB=$SRC/tools/lab/lab
SEED=326
N=3

if ! command -v python3 >/dev/null 2>&1; then
    echo "SKIPPED: python3 is not installed"
    exit 0
fi
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# 1. The comparison can fail: tampered copies of the committed timeout_recovery capture.
base=$SRC/tests/pcaps/lab/timeout_recovery
tamper() {   # tamper LABEL PATTERN PYTHON: soak-check on a copy changed by PYTHON must say PATTERN
    rm -rf "$tmp/t" && cp -r "$base" "$tmp/t"
    python3 - "$tmp/t" <<<"$3" || { fail "tamper $1: python"; return; }
    SEMISCOPE=$BIN timeout 300 python3 "$LAB" soak-check "$tmp/t" >"$tmp/tlog" 2>&1
    local rc=$?
    if [ "$rc" -ne 1 ] || ! grep -q "MISMATCH.*$2" "$tmp/tlog" ||
        ! grep -q '^soak: 1 scenarios, 0 exact, 1 mismatches$' "$tmp/tlog"; then
        fail "tampered copy ($1): soak-check exit $rc, no 'MISMATCH ...$2'"
        tail -n 3 "$tmp/tlog"
    else
        echo "ok: tampered copy ($1) is a mismatch: $(grep -o "$2[^;|]*" "$tmp/tlog" | head -n1)"
    fi
}
if [ -d "$base" ]; then
    tamper "server no_tx + 1" "no_tx wire" '
import json, sys
p = sys.argv[1] + "/expected.json"; e = json.load(open(p)); e["counters"]["no_tx"] += 1
json.dump(e, open(p, "w"))'
    tamper "one more OFF in the error log" "missing server OFF" '
import sys
p = sys.argv[1] + "/error.log"; lines = open(p).read().splitlines(True)
# after the first switch ON (02:33:35), one more switch OFF at 02:33:36 and ON at 02:33:37
extra = ["2026-11-22  2:33:36 99 [Note] Semi-sync replication switched OFF.\n",
         "2026-11-22  2:33:37 99 [Note] Semi-sync replication switched ON with slave (server_id: 2) at (master-bin.000001, 9999)\n"]
i = next(i for i, l in enumerate(lines) if "switched ON" in l)
open(p, "w").write("".join(lines[:i + 1] + extra + lines[i + 1:]))'
    tamper "server ends disabled" "end state" '
import json, sys
p = sys.argv[1] + "/expected.json"; e = json.load(open(p))
e["master_variables_end"] = {"rpl_semi_sync_master_enabled": "OFF"}
json.dump(e, open(p, "w"))'
else
    fail "no committed capture $base"
fi

# 2. The live soak.
SEMISCOPE=$BIN timeout 1200 python3 "$LAB" soak $N --seed $SEED \
    --keep-failures "/tmp/lab_soak-failures-$$" >"$tmp/log" 2>"$tmp/err"
rc=$?
cat "$tmp/log"
if grep -q '^SKIPPED: ' "$tmp/log" && [ "$rc" -eq 0 ]; then
    [ "$failures" -eq 0 ] || exit 1
    exit 0
fi
if ! grep -q "^soak: $N scenarios, " "$tmp/log"; then
    tail -n 30 "$tmp/err"
    fail "lab soak exited $rc without its summary line"
elif [ "$rc" -ne 0 ]; then
    fail "lab soak: semiscope disagrees with the servers (exit $rc); failing run folders kept in /tmp/lab_soak-failures-$$/"
fi
[ "$failures" -eq 0 ] || { echo "lab_soak: $failures failure(s)"; exit 1; }
echo "lab_soak: OK"
