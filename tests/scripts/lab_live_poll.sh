#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# lab_live_poll.sh: issue 7's "live polling works against a lab master, through a restart of that
# master". tools/lab/lab live-poll brings up a real MariaDB master and two semisync replicas in
# network namespaces, runs semiscope LIVE in the master's namespace
#   semiscope -i eth0 -P 13306 -w semiscope.pcap --json -O report.json
#             --dsn mysql://root@/MASTER_SOCKET --poll-interval 200 --record-status polled.tsv
# restarts the master mid-workload (SIGTERM by PID, same datadir and options), lets the replicas
# and the poller reconnect by themselves, finishes the workload, stops semiscope with SIGINT and
# checks the report, the record and the offline correlation against the servers' own counters
# (check_live_poll in tools/lab/lab; README "live_poll"). Then it checks that those checks can
# fail, on tampered copies of the run folder.
# Usage: lab_live_poll.sh SEMISCOPE   (env SEMISCOPE_SRC = repository root)
# Two runs: semiscope polling as root (unix_socket authentication), then as a monitoring user
# whose password comes only from MYSQL_PWD and must appear in none of the outputs.
# Prints "SKIPPED: reason" and exits 0 where the machine cannot run the lab (not root, no network
# namespaces, no mariadbd after an attempted install). About 25 s; the lab's lock may add the
# length of a parallel lab run (lab_live.sh, about 5 s).
set -u

BIN=${1:?usage: lab_live_poll.sh SEMISCOPE}
SRC=${SEMISCOPE_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
LAB=$SRC/tools/lab/lab

if ! command -v python3 >/dev/null 2>&1; then
    echo "SKIPPED: python3 is not installed"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "SKIPPED: live polling scenario not run: not root (uid $(id -u))"
    exit 0
fi
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# run_lab NAME [--set K=V]...: lab live-poll into $tmp/NAME; fails the test unless all its
# checks pass. Exits 0 at once when the lab says SKIPPED.
run_lab() {
    local name=$1
    shift
    local o=$tmp/$name
    SEMISCOPE=$BIN timeout 300 python3 "$LAB" live-poll --out "$o" "$@" >"$tmp/$name.log" 2>"$tmp/$name.err"
    local rc=$?
    echo "=== lab live-poll $* ($name)"
    grep -v '^  conn ' "$tmp/$name.log"
    if grep -q '^SKIPPED: ' "$tmp/$name.log" && [ "$rc" -eq 0 ]; then
        exit 0
    fi
    if [ "$rc" -ne 0 ]; then
        tail -n 30 "$tmp/$name.err"
        fail "lab live-poll $* exited $rc"
        # the run folder is in $tmp, removed on exit: keep a copy for a look
        [ -d "$o" ] && cp -r "$o" "/tmp/lab_live_poll-failed-$name-$$" &&
            echo "run folder copied to /tmp/lab_live_poll-failed-$name-$$"
        return 1
    fi
    grep -q '^live-poll check .*: OK$' "$tmp/$name.log" || fail "$name: no 'live-poll check: OK' line"
    grep -q '^verify .*: OK$' "$tmp/$name.log" || fail "$name: no raw-count 'verify: OK' line"
    local nok
    nok=$(grep -c '^ok ' "$tmp/$name.log")
    [ "$nok" -ge 60 ] || fail "$name: only $nok ok lines (verify + live-poll checks), want >= 60"
    ! grep -q '^FAIL' "$tmp/$name.log" || fail "$name: FAIL lines in the lab's output"
}

# 1. root through the unix socket (unix_socket authentication: no password anywhere)
run_lab run || exit 1
out=$tmp/run
# Issue 10: the record fed back as --status (the lab's offline.json: -r semiscope.pcap --status
# polled.tsv) gives the live run's parameters, with the same sources, and the same state timeline:
# the polled variables reached the state machine in packet time, as the replay feeds them.
if python3 - "$out/report.json" "$out/offline.json" >"$tmp/params.log" 2>&1 <<'PY'; then
import json, sys
live, off = ((json.load(open(p)).get("masters") or [{}])[0] for p in sys.argv[1:3])
ok = True
for key in ("parameters", "semisync"):
    a, b = live.get(key), off.get(key)
    if key == "semisync":
        a = {k: (a or {}).get(k) for k in ("state_start", "state_end", "transitions")}
        b = {k: (b or {}).get(k) for k in ("state_start", "state_end", "transitions")}
    if a != b or not a:
        ok = False
        print("differs: %s\n  live:    %s\n  offline: %s" % (key, json.dumps(a), json.dumps(b)))
srcs = {k: v.get("source") for k, v in (live.get("parameters") or {}).items()}
print("live parameters' sources: %s" % srcs)
if srcs.get("timeout_ms") != "file" or srcs.get("enabled") != "file":
    ok = False
    print("the polled variables did not reach the live run's state machine (source 'file')")
sys.exit(0 if ok else 1)
PY
    echo "ok: live parameters and state timeline == the replay of polled.tsv ($(tail -n1 "$tmp/params.log"))"
else
    cat "$tmp/params.log"
    fail "live report's parameters / state timeline differ from the replay of its record"
fi

# 2. a monitoring user whose password comes only from MYSQL_PWD; it must appear nowhere
run_lab monitor --set poll_user=monitor --set txns=40
grep -q "^ok .*monitor's password (MYSQL_PWD) is in no output" "$tmp/monitor.log" ||
    fail "monitor: the password check did not run"

# The checks must be able to fail: tampered copies of the run folder.
# expect_check_fail LABEL PATTERN: check-live-poll on $tmp/t must exit 1 with a FAIL line
# matching PATTERN.
expect_check_fail() {
    SEMISCOPE=$BIN timeout 120 python3 "$LAB" check-live-poll "$tmp/t" >"$tmp/tlog" 2>&1
    local trc=$?
    if [ "$trc" -ne 1 ] || ! grep -q "^FAIL.*$2" "$tmp/tlog"; then
        fail "tampered run ($1): check-live-poll exit $trc, no 'FAIL ...$2' line"
        tail -n 5 "$tmp/tlog"
    else
        echo "ok: tampered run ($1) fails: $(grep -m1 "^FAIL.*$2" "$tmp/tlog" | cut -c1-120)"
    fi
}
fresh() { rm -rf "$tmp/t" && cp -r "$out" "$tmp/t"; }

fresh
grep -v '^# disconnected' "$out/polled.tsv" >"$tmp/t/polled.tsv"
expect_check_fail "no '# disconnected' line in polled.tsv" "gap markers"

fresh
python3 - "$tmp/t/expected.json" <<'PY'
import json, sys
p = sys.argv[1]
e = json.load(open(p))
e["replicas"][0]["acks_sent"] += 1
json.dump(e, open(p, "w"))
PY
expect_check_fail "a replica's send_ack sum off by one" "acks == the replica"

fresh
ready=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["master_restarts"][0]["ready_ts"])' \
    "$out/expected.json")
awk -F'\t' -v ready="$ready" '!(NF == 3 && $1 > ready)' "$out/polled.tsv" >"$tmp/t/polled.tsv"
expect_check_fail "no samples after the restart" "samples before the restart"

[ "$failures" -eq 0 ] && echo "lab_live_poll: OK"
[ "$failures" -eq 0 ]
