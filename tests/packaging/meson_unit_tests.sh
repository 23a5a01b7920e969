#!/bin/sh
# meson_unit_tests.sh SOURCE WORK CXX: build wirespan with meson and run its unit tests.
set -eu
src=$1 work=$2 cxx=$3
# meson cannot glob: every unit-test file must be listed in meson.build by hand.
missing=0
for f in "$src"/tests/*/test_*.cpp; do
  rel=${f#"$src/"}
  grep -q "'$rel'" "$src/meson.build" || { echo "meson.build does not list $rel" >&2; missing=1; }
done
[ "$missing" -eq 0 ] || exit 1
rm -rf "$work"
CXX=$cxx meson setup "$work" "$src" --wrap-mode=nodownload
meson compile -C "$work"
meson test -C "$work" --print-errorlogs
