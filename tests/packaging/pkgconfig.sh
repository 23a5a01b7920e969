#!/bin/sh
# pkgconfig.sh PREFIX CXX MAIN WORK: compile MAIN with the flags `pkg-config wirespan` gives.
set -eu
prefix=$1 cxx=$2 main=$3 work=$4
mkdir -p "$work"
export PKG_CONFIG_PATH="$prefix/share/pkgconfig"
cflags=$(pkg-config --cflags wirespan)
echo "pkg-config --cflags wirespan: $cflags"
# Relocatable: the include directory is derived from the .pc file's own location.
incdir=$(pkg-config --variable=includedir wirespan)
if [ "$(cd "$incdir" && pwd -P)" != "$(cd "$prefix/include" && pwd -P)" ]; then
  echo "includedir $incdir is not the prefix's include directory" >&2
  exit 1
fi
test -f "$incdir/wirespan/wirespan.hpp"
test "$(pkg-config --modversion wirespan)" = "0.1.0"
# shellcheck disable=SC2086
"$cxx" -std=c++20 -Wall -Wextra -Wpedantic -Wconversion -Wsign-conversion -Wshadow -Werror $cflags "$main" -o "$work/consumer"
"$work/consumer"
