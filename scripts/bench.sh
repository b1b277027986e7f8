#!/usr/bin/env bash
# `make bench`: side-by-side measurements against named peers, in one run, on this machine.
# Each part prints its own lines; BENCHMARKS.md records the results with the command that reproduces them.
set -euo pipefail
cd "$(dirname "$0")/.."
S1=.build/release/s1
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores"
echo "date: $(date -u +%Y-%m-%d)"

for part in scripts/bench-*.sh; do
    [ -x "$part" ] || continue
    echo
    echo "== $part"
    "$part" "$S1"
done
