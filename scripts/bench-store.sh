#!/usr/bin/env bash
# Store benchmarks, side by side with the standard tools (run by `make bench`; not part of `make test`):
#   1. SHA-256 of a 1 GiB file:      `s1 hash FILE`            vs `sha256sum FILE`     (goal: ≥ 0.9× its throughput)
#   2. archiving a run-like tree:    `s1 bench archive-dir DIR OUT`  vs `tar --zstd -cf`     (goal: ≤ 1.2× its time)
# Each timing is the best of $REPEATS runs on a warm page cache, so the disk is out of the comparison.
# Prints a Markdown table on stdout. Environment: S1 (binary, default .build/release/s1), REPEATS (3),
# BENCH_DIR (scratch parent, default $TMPDIR or /tmp), HASH_MIB (1024), TREE_MIB (~200).
set -euo pipefail

S1=${S1:-.build/release/s1}
REPEATS=${REPEATS:-3}
HASH_MIB=${HASH_MIB:-1024}
TREE_MIB=${TREE_MIB:-200}

for tool in sha256sum tar zstd awk; do
  command -v "$tool" >/dev/null || { echo "bench-store: $tool not found; run 'make deps' first" >&2; exit 2; }
done
if ! "$S1" hash --help >/dev/null 2>&1 || ! "$S1" bench archive-dir --help >/dev/null 2>&1; then
  echo "bench-store: '$S1 hash' / '$S1 bench archive-dir' are not available; build with 'make build' first" >&2
  exit 2
fi

work=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/s1-bench-store.XXXXXX")
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }
# best_of CMD...: prints the fastest wall time in seconds of $REPEATS runs of CMD (output discarded).
best_of() {
  local best="" start end t
  for _ in $(seq "$REPEATS"); do
    start=$(now); "$@" >/dev/null; end=$(now)
    t=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
    if [ -z "$best" ] || awk -v t="$t" -v b="$best" 'BEGIN { exit !(t < b) }'; then best=$t; fi
  done
  echo "$best"
}

# 1. Hashing.
big="$work/big.bin"
head -c "$((HASH_MIB * 1024 * 1024))" /dev/urandom >"$big"
cat "$big" >/dev/null
ours=$("$S1" hash "$big" | awk '{ print $1 }')
theirs=$(sha256sum "$big" | awk '{ print $1 }')
if [ "$ours" != "sha256:$theirs" ]; then
  echo "bench-store: digest mismatch: s1 $ours, sha256sum $theirs" >&2
  exit 1
fi
t_sha=$(best_of sha256sum "$big")
t_s1h=$(best_of "$S1" hash "$big")
rm -f "$big"

# 2. Archiving a run-like tree: a few large incompressible "checkpoint shards", one large compressible
# log, and many small JSON records, about TREE_MIB MiB in all.
tree="$work/run"
mkdir -p "$tree/checkpoint" "$tree/logs" "$tree/records"
shard_mib=$((TREE_MIB * 3 / 10))
for i in 1 2; do head -c "$((shard_mib * 1024 * 1024))" /dev/urandom >"$tree/checkpoint/model-0000$i.safetensors"; done
head -c "$((TREE_MIB * 3 / 10 * 1024 * 1024 * 3 / 4))" /dev/urandom | base64 >"$tree/logs/train.log"
for i in $(seq 1 2000); do
  printf '{"step":%d,"loss":%s,"tokens":%d,"text":"%s"}\n' "$i" "0.$((i * 7919 % 100000))" "$((i * 4096))" \
    "$(head -c 3000 /dev/urandom | base64 -w0)" >"$tree/records/r$i.json"
done
tree_mib=$(du -sm "$tree" | awk '{ print $1 }')
cat $(find "$tree" -type f) >/dev/null
t_tar=$(best_of tar --zstd -cf "$work/ref.tar.zst" -C "$work" run)
t_s1a=$(best_of "$S1" bench archive-dir "$tree" "$work/s1.tar.zst")
size_tar=$(stat -c %s "$work/ref.tar.zst")
size_s1=$(stat -c %s "$work/s1.tar.zst")

ratio_hash=$(awk -v a="$t_sha" -v b="$t_s1h" 'BEGIN { printf "%.2f", a / b }')
ratio_arch=$(awk -v a="$t_s1a" -v b="$t_tar" 'BEGIN { printf "%.2f", a / b }')
mbps() { awk -v mib="$1" -v t="$2" 'BEGIN { printf "%.0f", mib / t }'; }

echo "### Store: hashing and archiving ($(nproc) CPUs, best of $REPEATS, warm cache)"
echo
echo "| Task | s1 | reference | ratio | goal |"
echo "|---|---|---|---|---|"
echo "| SHA-256 of ${HASH_MIB} MiB | ${t_s1h} s ($(mbps "$HASH_MIB" "$t_s1h") MiB/s) | sha256sum ${t_sha} s ($(mbps "$HASH_MIB" "$t_sha") MiB/s) | ${ratio_hash}× throughput | ≥ 0.9× |"
echo "| Archive ${tree_mib} MiB run tree | ${t_s1a} s (${size_s1} B) | tar --zstd ${t_tar} s (${size_tar} B) | ${ratio_arch}× time | ≤ 1.2× |"
