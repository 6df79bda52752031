#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# man_page.sh: docs/semiscope.1 and the bash completion (tools/completion/semiscope) list exactly
# the options --help lists (issue 15), and the man page renders without warnings.
# Usage: man_page.sh SEMISCOPE   (env SEMISCOPE_SRC = repository root)
set -u
BIN=${1:?usage: man_page.sh SEMISCOPE}
SRC=${SEMISCOPE_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
MAN=$SRC/docs/semiscope.1
COMP=$SRC/tools/completion/semiscope
fails=0
opts() { grep -oE '(^|[][ ,|(])--?[a-zA-Z][-a-zA-Z]*' | sed 's/^[][ ,|(]//' | sort -u; }
help=$("$BIN" --help | grep -E '^ +-' | opts)
# The man page's option entries: the line after each .TP, with roff's \- unescaped.
man=$(awk 'p { print; p = 0 } /^\.TP/ { p = 1 }' "$MAN" | sed 's/\\-/-/g; s/\\f[BIRP]//g' |
    grep -E '^\.(B|BI|BR) +-' | sed -E 's/^\.(B|BI|BR) +//; s/"[^"]*"//g' | opts)
comp=$(sed -n '/local opts="/,/"$/p' "$COMP" | tr -d '"' | sed 's/local opts=//' | tr ' ' '\n' |
    grep -E '^--?[a-zA-Z]' | sort -u)
cmp_lists() {
    local name=$1 list=$2
    local missing extra
    missing=$(comm -23 <(echo "$help") <(echo "$list") | tr '\n' ' ')
    extra=$(comm -13 <(echo "$help") <(echo "$list") | tr '\n' ' ')
    if [ -n "$missing$extra" ]; then
        echo "FAIL: $name: missing [${missing}] extra [${extra}] against --help"
        fails=1
    else
        echo "ok: $name lists the $(echo "$help" | wc -l) options of --help"
    fi
}
[ "$(echo "$help" | wc -l)" -gt 30 ] || { echo "FAIL: --help lists too few options: $help"; fails=1; }
cmp_lists "docs/semiscope.1" "$man"
cmp_lists "bash completion" "$comp"
if command -v groff >/dev/null; then
    warn=$(groff -man -Tutf8 -ww -z "$MAN" 2>&1)
    [ -z "$warn" ] && echo "ok: the man page renders without warnings" ||
        { echo "FAIL: groff warns: $warn"; fails=1; }
fi
# The exit codes of --help are the man page's.
for c in 0 1 2 3 4 5; do
    grep -qE "^\.B $c\$" "$MAN" || { echo "FAIL: the man page does not list exit code $c"; fails=1; }
done
exit $fails
