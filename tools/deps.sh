#!/usr/bin/env bash
# tools/deps.sh: install the Debian packages semiscope needs, only the missing ones.
# Sourced by tools/run and tools/test. Needs root (or sudo) only when something is missing.
SEMISCOPE_BUILD_PKGS="cmake pkg-config gcc make libpcap-dev libmariadb-dev zlib1g-dev libzstd-dev libdeflate-dev libjansson-dev"
# chromium + python3-websocket: the HTML report checked in a real browser (tests/scripts/html_browser.sh)
SEMISCOPE_TEST_PKGS="libcmocka-dev clang python3 python3-jsonschema tshark time chromium python3-websocket"

semiscope_install() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "semiscope: need root to install: ${missing[*]}" >&2; return 1; }
        sudo=sudo
    fi
    echo "semiscope: installing ${missing[*]}" >&2
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || return 1
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}
