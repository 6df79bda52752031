#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# install_tree.sh: `cmake --install` puts the binary, the man page, the documentation and the bash
# completion in place (issue 15), and the installed binary runs.
# Usage: install_tree.sh SEMISCOPE   (env SEMISCOPE_BUILD = the build directory)
set -u
BUILD=${SEMISCOPE_BUILD:?SEMISCOPE_BUILD (the build directory) is not set}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
# Install into a staging tree (DESTDIR), never into the machine.
DESTDIR="$tmp/root" cmake --install "$BUILD" --prefix /usr >"$tmp/log" 2>&1 ||
    { echo "FAIL: cmake --install: $(tail -5 "$tmp/log")"; exit 1; }
fails=0
for f in usr/bin/semiscope usr/share/man/man1/semiscope.1 usr/share/doc/semiscope/README.md \
    usr/share/doc/semiscope/report-json.md usr/share/doc/semiscope/csv.md \
    usr/share/doc/semiscope/report.schema.json usr/share/bash-completion/completions/semiscope; do
    [ -s "$tmp/root/$f" ] && echo "ok: installs /$f" || { echo "FAIL: /$f not installed"; fails=1; }
done
"$tmp/root/usr/bin/semiscope" --version >/dev/null && echo "ok: the installed binary runs" ||
    { echo "FAIL: the installed binary does not run"; fails=1; }
bash -c ". '$tmp/root/usr/share/bash-completion/completions/semiscope' && complete -p semiscope" \
    >/dev/null 2>&1 && echo "ok: the completion loads and registers" ||
    { echo "FAIL: the bash completion does not load"; fails=1; }
exit $fails
