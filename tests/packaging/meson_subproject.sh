#!/bin/sh
# meson_subproject.sh SOURCE CONSUMER WORK CXX: a meson project that gets wirespan with
# dependency('wirespan') from subprojects/wirespan.
set -eu
src=$1 consumer=$2 work=$3 cxx=$4
rm -rf "$work"
mkdir -p "$work/subprojects"
cp "$consumer/meson.build" "$work/"
cp "$src/tests/packaging/consumer/main.cpp" "$work/main.cpp"
ln -s "$src" "$work/subprojects/wirespan"
cd "$work"
CXX=$cxx meson setup build --wrap-mode=nodownload
meson compile -C build
meson test -C build --print-errorlogs
