#!/bin/sh
# run.sh CXX INCLUDE_DIR FILE: FILE must fail to compile with a diagnostic containing the
# text after "// EXPECT: " on its first line (or compile, for "// EXPECT-COMPILES").
set -u
cxx=$1 inc=$2 file=$3
first=$(head -1 "$file")
out=$("$cxx" -std=c++20 -fsyntax-only -I"$inc" "$file" 2>&1)
rc=$?
case "$first" in
  "// EXPECT-COMPILES")
    [ "$rc" -eq 0 ] && { echo "compiles, as expected"; exit 0; }
    echo "expected to compile, but:"; echo "$out"; exit 1 ;;
  "// EXPECT: "*)
    want=${first#"// EXPECT: "}
    if [ "$rc" -eq 0 ]; then echo "expected a compile error containing '$want', but it compiled"; exit 1; fi
    if printf '%s' "$out" | grep -qF -- "$want"; then echo "fails to compile with '$want', as expected"; exit 0; fi
    echo "failed to compile, but without '$want':"; echo "$out" | head -30; exit 1 ;;
  *) echo "$file: first line must be // EXPECT: <text> or // EXPECT-COMPILES"; exit 1 ;;
esac
