#!/usr/bin/env python3
"""lab_check.py SEMISCOPE LABDIR...: semiscope's report on each real lab capture must agree with
what the servers themselves counted (expected.json, written by tools/lab from the master's
SHOW GLOBAL STATUS and the replicas' Rpl_semi_sync_slave_send_ack).

Checked per scenario: per-replica acks (= the replica's own send_ack), ack requests, the semisync
flag of each replica, get_ack; the state machine's counters (yes_tx, no_tx, no_times, get_ack,
request_ack) and its end state and number of transitions. Where the wire cannot know a value
exactly, the reason is written next to the exception below."""
import json
import os
import subprocess
import sys

# Counters the wire cannot reproduce exactly for a scenario, with the reason.
APPROX = {
    # The capture starts after the dump began: transactions committed before the first captured
    # packet are still counted by the server's deltas (its window starts at capture start, but the
    # first flagged event seen may belong to a commit that started earlier).
    "midstream": {"transactions"},
}


# Scenarios where every replica streams the whole binlog once, from position 4, inside the capture.
FULL_STREAM = {"steady", "latency", "compressed", "gtid", "checksum_none", "after_commit",
               "group_commit", "replica_semisync_off", "master_semisync_off"}


def binlog_event_packets(d):
    """Event packets a dump from position 4 carries, from mariadb-binlog's list of the master's
    binlog: every event but Annotate_rows (the replicas do not ask for them), plus the artificial
    ROTATE the master sends first."""
    n = 0
    with open(os.path.join(d, "binlog_events.tsv")) as f:
        next(f)
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 6 and cols[5] != "160":
                n += 1
    return n + 1


def binlog_event_list(d):
    """(end position, type code, size) of every event a dump from position 4 carries, in order."""
    out = []
    with open(os.path.join(d, "binlog_events.tsv")) as f:
        next(f)
        for line in f:
            c = line.rstrip("\n").split("\t")
            if len(c) >= 6 and c[5] != "160":
                out.append((int(c[2]), int(c[5]), int(c[3])))
    return out


def check_event_lists(bin_, d, exp, port):
    """Each replica's stream, event by event, against mariadb-binlog's list of the binlog (the
    artificial ROTATE first, then every event but Annotate_rows)."""
    p = subprocess.run([bin_, "-r", os.path.join(d, "capture.pcap"), "-P", str(port),
                        "--events", "--json"], capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        return [f"--events exit {p.returncode}"]
    streams = {}
    for line in p.stdout.splitlines():
        m = json.loads(line)
        if m["kind"] == "event":
            streams.setdefault(m["dst"].rsplit(":", 1)[0], []).append(
                (m["end_pos"], m["event_type"], m["size"]))
    want = binlog_event_list(d)
    errs = []
    for er in exp["replicas"]:
        got = streams.get(er["ip"], [])
        if not got or got[0][1] != 4:
            errs.append(f"{er['ip']}: stream does not start with the artificial ROTATE")
            continue
        if got[1:] != want:
            first = next((i for i, (a, b) in enumerate(zip(got[1:], want)) if a != b),
                         min(len(got) - 1, len(want)))
            errs.append(f"{er['ip']}: event {first} differs from mariadb-binlog's list "
                        f"({got[1:][first] if first < len(got) - 1 else None} vs "
                        f"{want[first] if first < len(want) else None}; {len(got) - 1} vs {len(want)} events)")
    return errs


def binlog_transactions(d):
    n = 0
    with open(os.path.join(d, "binlog_events.tsv")) as f:
        next(f)
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 6 and cols[5] in ("162", "33", "34"):
                n += 1
    return n


def run(bin_, d, exp):
    port = exp["master"]["port"]
    args = [bin_, "-r", os.path.join(d, "capture.pcap"), "--json", "-P", str(port)]
    if os.path.exists(os.path.join(d, "status.tsv")):
        args += ["--status", os.path.join(d, "variables.tsv"), "--status", os.path.join(d, "status.tsv")]
    if os.path.exists(os.path.join(d, "error.log")):
        args += ["--error-log", os.path.join(d, "error.log")]
    p = subprocess.run(args, capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, TZ="UTC", LC_ALL="C"))
    if p.returncode != 0:
        raise RuntimeError(f"exit {p.returncode}: {p.stderr[-2000:]}")
    return json.loads(p.stdout)


def check(name, exp, rep):
    errs = []
    masters = [m for m in rep["masters"] if m["endpoint"] == exp["master"]["endpoint"]]
    if len(masters) != 1:
        return [f"master {exp['master']['endpoint']} not found once in {[m['endpoint'] for m in rep['masters']]}"]
    m = masters[0]
    by_id = {r["server_id"]: r for r in m["replicas"] if r["server_id"] is not None}
    by_ip = {}
    for r in m["replicas"]:
        by_ip.setdefault(r["address"], []).append(r)
    skip = APPROX.get(name, set())
    for er in exp["replicas"]:
        r = by_id.get(er["server_id"])
        if r is None and len(by_ip.get(er["ip"], [])) == 1:
            r = by_ip[er["ip"]][0]
        if r is None:
            errs.append(f"replica {er['server_id']} ({er['ip']}) missing")
            continue
        if r["acks"] != er["acks_sent"]:
            errs.append(f"replica {er['server_id']}: acks {r['acks']} != send_ack {er['acks_sent']}")
        # A replica acks every flagged event it receives; flagged events still in flight when
        # its IO thread stopped (a dump connection that ended) are never acked: semiscope must
        # then list exactly those as unanswered.
        if r["ack_requests"] != er["acks_sent"]:
            if not (r["dump_connections"] > 1 and r["ack_requests"] > er["acks_sent"]
                    and r["requests_unanswered"] == r["ack_requests"] - er["acks_sent"]):
                errs.append(f"replica {er['server_id']}: ack_requests {r['ack_requests']} != send_ack {er['acks_sent']}")
        if name in FULL_STREAM and r["events"] != binlog_event_packets(exp["_dir"]):
            errs.append(f"replica {er['server_id']}: events {r['events']} != the binlog's {binlog_event_packets(exp['_dir'])}")
        want_ss = er["knobs"]["semisync"]
        if r["semisync"] is not want_ss:
            errs.append(f"replica {er['server_id']}: semisync {r['semisync']} != {want_ss}")
    total = sum(r["acks"] for r in m["replicas"])
    if total != exp["counters"]["get_ack"]:
        errs.append(f"sum of acks {total} != get_ack {exp['counters']['get_ack']}")
    if "transactions" not in skip:
        # Every dump starts at position 4, so the wire carries every transaction of the binlog
        # (the lab's setup DDL too, not only the workload's commits): one GTID event each.
        want = binlog_transactions(exp["_dir"])
        if m.get("transactions") != want:
            errs.append(f"transactions {m.get('transactions')} != the binlog's {want}")
    c = m.get("counters")
    if c is not None:
        for k in ("yes_tx", "no_tx", "no_times", "get_ack", "request_ack"):
            if k in skip:
                continue
            # Where the wire cannot decide how some commits counted, semiscope says so with a
            # range (counter_ranges): the server's value must lie in it; elsewhere exact.
            rng = (m.get("counter_ranges") or {}).get(k)
            if rng is not None:
                if not rng[0] <= exp["counters"][k] <= rng[1]:
                    errs.append(f"counters.{k}: server {exp['counters'][k]} outside the wire's range {rng}")
            elif c.get(k) != exp["counters"][k]:
                errs.append(f"counters.{k}: wire {c.get(k)} != server {exp['counters'][k]}")
    s = m.get("semisync")
    if s is not None:
        want_end = exp["status_end"].lower()
        if exp["knobs"]["master"]["semisync"] is False:
            want_end = "disabled"
        if s["state_end"] != want_end:
            errs.append(f"semisync.state_end {s['state_end']} != {want_end}")
        want_tr = [t["to"].lower() for t in exp["status_transitions"]]
        got_tr = [t["to"] for t in s["transitions"]]
        if got_tr != want_tr:
            errs.append(f"transitions {got_tr} != server's {want_tr}")
        else:
            for g, w in zip(s["transitions"], exp["status_transitions"]):
                # The server's status is sampled every 200 ms: the change happened between the
                # previous sample and this one; allow one second either side (issue 6).
                if not (w["prev_sample_ts"] - 1.0 <= g["ts"] <= w["ts"] + 1.0):
                    errs.append(f"transition to {g['to']} at {g['ts']:.3f} not within 1 s of the server's [{w['prev_sample_ts']:.3f}, {w['ts']:.3f}]")
    return errs


def main():
    bin_ = sys.argv[1]
    dirs = []
    for root in sys.argv[2:]:
        for e in sorted(os.listdir(root)):
            d = os.path.join(root, e)
            if os.path.exists(os.path.join(d, "expected.json")) and os.path.exists(os.path.join(d, "capture.pcap")):
                dirs.append(d)
    if not dirs:
        print("lab_check: no lab captures found")
        return 1
    failed = 0
    for d in dirs:
        name = os.path.basename(d)
        exp = json.load(open(os.path.join(d, "expected.json")))
        exp["_dir"] = d
        try:
            errs = check(name, exp, run(bin_, d, exp))
            if name in FULL_STREAM:
                errs += check_event_lists(bin_, d, exp, exp["master"]["port"])
        except Exception as e:  # a crash or bad JSON is a failure of this scenario
            errs = [str(e)]
        print(f"{'ok  ' if not errs else 'FAIL'} {name}")
        for e in errs:
            print(f"     {e}")
        failed += bool(errs)
    print(f"lab_check: {len(dirs) - failed}/{len(dirs)} scenarios agree with the servers")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
