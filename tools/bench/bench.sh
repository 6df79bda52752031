#!/usr/bin/env bash
# tools/bench/bench.sh [CAPTURE] [RUNS]: offline speed and memory of semiscope against a bare
# libpcap read loop and tshark, measured in the same run on the same file.
# CAPTURE defaults to a sustained-load lab capture made on demand (tools/lab/lab run perf).
# Prints a Markdown table (wall time = best of RUNS, MB/s, peak RSS, ratios) for the README.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cap=${1:-}
runs=${2:-3}
if [ -z "$cap" ]; then
    cap=/tmp/semiscope-perf/capture.pcap
    [ -f "$cap" ] || "$top/tools/lab/lab" run perf --out /tmp/semiscope-perf
fi
build="$top/build/bench"
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Release -DSEMISCOPE_TESTS=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target semiscope pcap_loop >/dev/null
size=$(stat -c %s "$cap")
port=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['master']['port'])" \
        "$(dirname "$cap")/expected.json" 2>/dev/null || echo 3306)

measure() { # name cmd... → "best_seconds peak_rss_kib"
    local best="" rss=0 t r
    for _ in $(seq "$runs"); do
        /usr/bin/time -f "%e %M" -o /tmp/bench.time "$@" >/dev/null 2>&1 || true
        read -r t r < /tmp/bench.time
        if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
        [ "$r" -gt "$rss" ] && rss=$r
    done
    echo "$best $rss"
}
command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null
read -r t_loop r_loop < <(measure "$build/pcap_loop" "$cap")
read -r t_ss r_ss < <(measure "$build/semiscope" -r "$cap" --json -P "$port")
# The file is read ahead in a second thread (capture/readahead.c): also show one core alone.
read -r t_1c r_1c < <(measure taskset -c 0 "$build/semiscope" -r "$cap" --json -P "$port")
t_ts="" r_ts=""
if command -v tshark >/dev/null; then
    read -r t_ts r_ts < <(runs=1 measure tshark -r "$cap" -n -d "tcp.port==$port,mysql" -Y mysql -T fields -e mysql.command)
fi
mbps() { awk "BEGIN{printf \"%.0f\", $size/1e6/($1>0?$1:0.001)}"; }
echo "capture: $cap ($(awk "BEGIN{printf \"%.0f\", $size/1e6}") MB), best of $runs runs, $(nproc) cores"
echo
echo "| reader | wall s | MB/s | peak RSS MiB | vs bare loop |"
echo "|---|---:|---:|---:|---:|"
echo "| bare libpcap loop | $t_loop | $(mbps "$t_loop") | $((r_loop / 1024)) | 1.00 |"
echo "| semiscope --json | $t_ss | $(mbps "$t_ss") | $((r_ss / 1024)) | $(awk "BEGIN{printf \"%.2f\", $t_loop/$t_ss}") |"
echo "| semiscope --json, one core | $t_1c | $(mbps "$t_1c") | $((r_1c / 1024)) | $(awk "BEGIN{printf \"%.2f\", $t_loop/$t_1c}") |"
if [ -n "$t_ts" ]; then
    echo "| tshark (mysql dissector) | $t_ts | $(mbps "$t_ts") | $((r_ts / 1024)) | $(awk "BEGIN{printf \"%.3f\", $t_loop/$t_ts}") |"
    echo
    echo "semiscope is $(awk "BEGIN{printf \"%.0f\", $t_ts/$t_ss}")x faster than tshark."
fi
