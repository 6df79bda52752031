#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# deb_install.sh: CPack's .deb (issue 15). Its Depends are the Debian packages of the libraries the
# binary links (readelf NEEDED), and it installs with apt in a fresh minimal Debian bookworm
# chroot (the base /work/shared/tools/fresh-machine-check caches, or debootstrap), where
# `semiscope --version` and a capture's report run. Exit 77 (SKIPPED) with the reason where no
# chroot can be made: not root, no base and no debootstrap, no mirror, or a sanitized build
# (its binary needs libasan, it is not a package to ship).
# Usage: deb_install.sh SEMISCOPE   (env SEMISCOPE_BUILD, SEMISCOPE_SRC; FRESH_BASE overrides the base)
set -u
BIN=${1:?usage: deb_install.sh SEMISCOPE}
BUILD=${SEMISCOPE_BUILD:?SEMISCOPE_BUILD is not set}
SRC=${SEMISCOPE_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
CAP=$SRC/tests/pcaps/lab/steady/capture.pcap
skip() { echo "SKIPPED: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "not root: a chroot needs root"
readelf -d "$BIN" | grep -q 'NEEDED.*lib\(asan\|ubsan\)' && skip "a sanitized build is not packaged"
command -v cpack >/dev/null || skip "cpack is not installed"
command -v dpkg-deb >/dev/null || skip "dpkg-deb is not installed"
tmp=$(mktemp -d /tmp/semiscope-deb.XXXXXX) || exit 1
root=$tmp/root
cleanup() {
    for m in proc dev; do umount -R "$root/$m" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT

(cd "$BUILD" && cpack -G DEB -B "$tmp/pkg") >"$tmp/cpack.log" 2>&1 ||
    { echo "FAIL: cpack: $(tail -5 "$tmp/cpack.log")"; exit 1; }
deb=$(ls "$tmp"/pkg/*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || { echo "FAIL: cpack made no .deb"; exit 1; }
echo "ok: cpack made $(basename "$deb")"
fails=0
# Depends = the packages of the NEEDED libraries (dpkg knows /lib and /usr/lib paths both).
depends=$(dpkg-deb -f "$deb" Depends | tr -d ' ' | tr ',' '\n' | sed 's/(.*//' | sort -u)
needed=$(readelf -d "$BIN" | awk '/NEEDED/ {gsub(/[][]/, "", $5); print $5}' | while read -r lib; do
    path=$(ldconfig -p | awk -v l="$lib" '$1 == l { print $NF; exit }')
    dpkg -S "$path" 2>/dev/null || dpkg -S "/usr$path" 2>/dev/null || dpkg -S "${path#/usr}" 2>/dev/null
done | cut -d: -f1 | sort -u)
if [ "$depends" = "$needed" ]; then
    echo "ok: Depends is the linked libraries' packages: $(echo "$depends" | tr '\n' ' ')"
else
    echo "FAIL: Depends [$(echo "$depends" | tr '\n' ' ')] != linked [$(echo "$needed" | tr '\n' ' ')]"
    fails=1
fi
dpkg-deb -c "$deb" >"$tmp/contents"
for f in ./usr/bin/semiscope ./usr/share/man/man1/semiscope.1 ./usr/share/doc/semiscope/README.md \
    ./usr/share/bash-completion/completions/semiscope; do
    grep -q " $f\$" "$tmp/contents" || { echo "FAIL: the .deb lacks $f"; fails=1; }
done

base=${FRESH_BASE:-${XDG_CACHE_HOME:-$HOME/.cache}/semiscope-fresh/root}
if [ ! -x "$base/bin/bash" ]; then
    command -v debootstrap >/dev/null || skip "no cached Debian base ($base) and no debootstrap"
    mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null)
    [ -n "$mirror" ] || mirror=$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
    [ -n "$mirror" ] || skip "no Debian mirror in this machine's apt sources"
    mkdir -p "$(dirname "$base")"
    debootstrap --variant=minbase bookworm "$base" "$mirror" >"$tmp/debootstrap.log" 2>&1 ||
        skip "debootstrap failed: $(tail -2 "$tmp/debootstrap.log")"
fi
cp -a "$base" "$root" || skip "cannot copy the base $base"
rm -f "$root/etc/apt/sources.list"
cp /etc/apt/sources.list.d/*.sources "$root/etc/apt/sources.list.d/" 2>/dev/null
cp /etc/apt/sources.list "$root/etc/apt/" 2>/dev/null
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null
cp "$deb" "$root/tmp/semiscope.deb"
cp "$CAP" "$root/tmp/capture.pcap"
mount -t proc proc "$root/proc" || skip "cannot mount /proc in the chroot"
mount --rbind /dev "$root/dev"
in_root() { timeout 900 chroot "$root" /bin/bash -c "$1"; }
in_root "DEBIAN_FRONTEND=noninteractive apt-get update -qq" >"$tmp/update.log" 2>&1 ||
    skip "apt-get update fails in the chroot (no network?): $(tail -2 "$tmp/update.log")"
if in_root "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends /tmp/semiscope.deb" \
    >"$tmp/install.log" 2>&1; then
    echo "ok: apt-get install ./semiscope.deb in a fresh chroot"
else
    echo "FAIL: apt-get install of the .deb: $(tail -5 "$tmp/install.log")"
    exit 1
fi
if in_root "semiscope --version" >"$tmp/v.out" 2>&1 && grep -q '^semiscope ' "$tmp/v.out"; then
    echo "ok: semiscope --version in the chroot: $(tr '\n' ';' <"$tmp/v.out")"
else
    echo "FAIL: semiscope --version in the chroot: $(cat "$tmp/v.out")"
    fails=1
fi
if in_root "semiscope -r /tmp/capture.pcap -P 13306 --json" >"$tmp/r.json" 2>"$tmp/r.err" &&
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["masters"] else 1)' "$tmp/r.json"; then
    echo "ok: the installed semiscope analyses a capture in the chroot"
else
    echo "FAIL: a capture in the chroot: $(head -c 300 "$tmp/r.err")"
    fails=1
fi
exit $fails
