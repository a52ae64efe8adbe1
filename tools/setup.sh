#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Set-up for a fresh Debian 12 machine: install the Debian packages kweave builds with.
# As root it installs what is missing; otherwise it prints the exact apt-get line and stops.
PKGS="build-essential clang-14 clang libclang-rt-14-dev lld-14 llvm-14 llvm cmake pkg-config check afl++"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
line="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" = 0 ]; then
	echo "kweave set-up: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null 2>&1 || true
	$line || { echo "kweave set-up: '$line' failed" >&2; exit 1; }
else
	echo "kweave set-up: missing Debian packages; run as root:" >&2
	echo "  $line" >&2
	exit 1
fi
