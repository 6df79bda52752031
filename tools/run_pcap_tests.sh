#!/usr/bin/env bash
# run_pcap_tests.sh SEMISCOPE NAME: run one tests/pcaps/TESTLIST entry and compare its output.
#
# TESTLIST lines:  NAME  CAPTURE[,CAPTURE...]  KIND  [OPTIONS...]
#   KIND text: stdout must equal tests/pcaps/expected/NAME.out exactly
#   KIND json: stdout must validate against analyze/report.schema.json (one document) or be JSON
#              lines (--events), and contain every value of tests/pcaps/expected/NAME.json
#              (a subset match: objects by key, arrays element by element)
#   KIND exit=N: only the exit code is checked
# Runs are pinned to TZ=UTC LC_ALL=C so expected files are stable.
set -uo pipefail
bin=$(realpath "$1") name=$2
top=$(cd "$(dirname "$0")/.." && pwd)
line=$(grep -E "^${name}[[:space:]]" "$top/tests/pcaps/TESTLIST" | head -n 1)
[ -n "$line" ] || { echo "no TESTLIST entry $name"; exit 1; }
read -r _ caps kind opts <<<"$line"
args=()
IFS=, read -ra capv <<<"$caps"
for c in "${capv[@]}"; do args+=(-r "$c"); done
# shellcheck disable=SC2206
extra=($opts)
# Options may name files relative to tests/pcaps with @: --status @lab/x/status.tsv
for i in "${!extra[@]}"; do
    case "${extra[$i]}" in @*) extra[$i]="${extra[$i]#@}" ;; esac
done
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
# Inputs are named relative to tests/pcaps so the output is the same in any checkout.
cd "$top/tests/pcaps" || exit 1
TZ=UTC LC_ALL=C "$bin" "${args[@]}" "${extra[@]}" >"$out" 2>"$err"
rc=$?
case "$kind" in
exit=*)
    want=${kind#exit=}
    [ "$rc" = "$want" ] || { echo "exit $rc, want $want"; cat "$err"; exit 1; }
    exit 0 ;;
esac
[ "$rc" -eq 0 ] || { echo "semiscope exited $rc"; cat "$err"; exit 1; }
case "$kind" in
text)
    exp="$top/tests/pcaps/expected/$name.out"
    diff -u "$exp" "$out" || { echo "FAIL $name: output differs (tools/update_expected.sh $name)"; exit 1; } ;;
json)
    exp="$top/tests/pcaps/expected/$name.json"
    python3 "$top/tests/scripts/json_subset.py" "$exp" "$out" "$top/analyze/report.schema.json" || exit 1 ;;
*) echo "unknown kind $kind"; exit 1 ;;
esac
echo "ok $name"
