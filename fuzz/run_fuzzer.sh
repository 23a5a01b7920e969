#!/bin/sh
# run_fuzzer.sh EXE WORKDIR SEEDS SECONDS [-dict=FILE]
# Fuzz EXE for SECONDS starting from the seed corpus, writing new inputs and any crash
# to WORKDIR (never into the source tree). Exits non-zero on any finding.
set -eu
exe=$1 work=$2 seeds=$3 seconds=$4
shift 4
rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
set +e
"$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" "$@" "$work/corpus" "$seeds"
rc=$?
set -e
if [ "$rc" -ne 0 ] || [ -n "$(ls -A "$work/artifacts")" ]; then
  echo "fuzzer found a problem (exit $rc); reproducers:" >&2
  ls -l "$work/artifacts" >&2
  for f in "$work/artifacts"/*; do [ -f "$f" ] && od -A d -t x1 "$f" | head -20 >&2; done
  exit 1
fi
