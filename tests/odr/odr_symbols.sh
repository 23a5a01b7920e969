#!/bin/sh
# odr_symbols.sh BASELINE.o AVX2.o: the ISA-dependent checksum code of two translation units
# built with different -m flags must have different symbol names (config.hpp:
# WIRESPAN_ISA_NAMESPACE), so the linker can never merge one into the other.
set -eu
a=$1 b=$2
pattern='checksum::detail::isa_[a-z0-9]*::'
syms() { nm -C --defined-only "$1" | sed -n "s/^[0-9a-f]* [WTtiu] //p" | grep "$pattern" | sort -u; }
sa=$(syms "$a")
sb=$(syms "$b")
echo "baseline unit: $(echo "$sa" | grep -o 'isa_[a-z0-9]*' | sort -u | tr '\n' ' ')"
echo "avx2 unit:     $(echo "$sb" | grep -o 'isa_[a-z0-9]*' | sort -u | tr '\n' ' ')"
[ -n "$sa" ] && [ -n "$sb" ] || { echo "no ISA-tagged checksum symbols found" >&2; exit 1; }
common=$(printf '%s\n%s\n' "$sa" "$sb" | sort | uniq -d)
if [ -n "$common" ]; then
  echo "symbols defined by both translation units:" >&2
  echo "$common" >&2
  exit 1
fi
echo "no ISA-dependent checksum symbol is shared"
