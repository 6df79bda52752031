#!/usr/bin/env bash
# One short real-server scenario end to end (servers up, capture, semiscope on it, comparison with
# the servers' counters). tools/lab/lab ci prints "SKIPPED: <reason>" and succeeds where the
# machine cannot run it (not root, no network namespaces, no mariadbd).
cd "$SEMISCOPE_SRC" || exit 1
SEMISCOPE=$1 exec python3 tools/lab/lab ci
