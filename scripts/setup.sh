#!/usr/bin/env bash
# Installs what Tejido needs on a fresh Debian/Ubuntu machine that already has Swift:
# the C libraries (libsqlite3-dev, libssl-dev) and pkg-config. Sourced by demo.sh and test.sh.
set -euo pipefail

missing=()
for pkg in libsqlite3-dev libssl-dev pkg-config; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing ${missing[*]} ..." >&2
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "Swift 6 is needed: https://www.swift.org/install/linux/" >&2; exit 1; }
