#!/bin/sh
# pkgconfig.sh PREFIX CXX MAIN WORK: compile MAIN with the flags `pkg-config wirespan` gives.
set -eu
prefix=$1 cxx=$2 main=$3 work=$4
mkdir -p "$work"
export PKG_CONFIG_PATH="$prefix/share/pkgconfig"
cflags=$(pkg-config --cflags wirespan)
echo "pkg-config --cflags wirespan: $cflags"
case "$cflags" in *"$prefix/include"*) ;; *) echo "cflags do not point into the prefix" >&2; exit 1 ;; esac
test "$(pkg-config --modversion wirespan)" = "0.1.0"
# shellcheck disable=SC2086
"$cxx" -std=c++20 -Wall -Wextra -Wpedantic -Wconversion -Wsign-conversion -Wshadow -Werror $cflags "$main" -o "$work/consumer"
"$work/consumer"
