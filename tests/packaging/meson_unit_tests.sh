#!/bin/sh
# meson_unit_tests.sh SOURCE WORK CXX: build wirespan with meson and run its unit tests.
set -eu
src=$1 work=$2 cxx=$3
rm -rf "$work"
CXX=$cxx meson setup "$work" "$src" --wrap-mode=nodownload
meson compile -C "$work"
meson test -C "$work" --print-errorlogs
