#!/usr/bin/env bash
# update_expected.sh [NAME...]: regenerate tests/pcaps/expected/NAME.out for text entries of
# TESTLIST after a deliberate output change (all text entries when no NAME is given). JSON entries
# hold hand-picked subsets and are edited by hand. Review the diff before committing.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath "${SEMISCOPE:-$top/build/release/semiscope}")
[ -x "$bin" ] || { cmake -S "$top" -B "$top/build/release" -DSEMISCOPE_TESTS=OFF >/dev/null; cmake --build "$top/build/release" --target semiscope -j "$(nproc)" >/dev/null; }
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
    mapfile -t names < <(awk '!/^#/ && NF >= 3 && $3 == "text" {print $1}' "$top/tests/pcaps/TESTLIST")
fi
mkdir -p "$top/tests/pcaps/expected"
for name in "${names[@]}"; do
    read -r _ caps kind opts < <(grep -E "^${name}[[:space:]]" "$top/tests/pcaps/TESTLIST")
    [ "$kind" = text ] || { echo "skip $name ($kind)"; continue; }
    args=(); IFS=, read -ra capv <<<"$caps"
    for c in "${capv[@]}"; do args+=(-r "$c"); done
    # shellcheck disable=SC2206
    extra=($opts)
    for i in "${!extra[@]}"; do case "${extra[$i]}" in @*) extra[$i]="${extra[$i]#@}" ;; esac; done
    (cd "$top/tests/pcaps" && TZ=UTC LC_ALL=C "$bin" "${args[@]}" "${extra[@]}") >"$top/tests/pcaps/expected/$name.out"
    echo "updated $name"
done
