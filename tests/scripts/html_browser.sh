#!/usr/bin/env bash
# html_browser.sh SEMISCOPE: the HTML report in a real browser (headless chromium over the
# DevTools protocol, tests/scripts/html_browser.py). Pages and screenshots are kept in
# $SEMISCOPE_BUILD/html_browser/ for a reviewer. Exit 77 (ctest: skipped) where chromium or
# python3-websocket is missing or chromium cannot start.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${SEMISCOPE_BUILD:-$(mktemp -d)}/html_browser
# Debian's python3 (python3-websocket is a Debian package), not a python3 earlier on PATH
py=/usr/bin/python3
[ -x "$py" ] || py=python3
exec timeout 600 "$py" "$here/html_browser.py" "$1" "$out"
