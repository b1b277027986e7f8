#!/usr/bin/env bash
# Side by side with an earlier commit's binary: the training step and greedy decoding at 1 and 2 threads,
# alternating the two binaries ROUNDS times (default 5) and comparing the best of each, as the speed check of a
# change to the engine. BASE (default d984c88, the last commit whose weight gradients ran through OpenBLAS) is
# built once into .bench-base/ (a git worktree, git-ignored) with the same flags as `make build`.
# Usage: scripts/bench-previous.sh [s1-binary]; BASE, ROUNDS, STEPS override.
set -euo pipefail
cd "$(dirname "$0")/.."
S1=${1:-.build/release/s1}
base=${BASE:-d984c88} rounds=${ROUNDS:-5} steps=${STEPS:-10}
tree=.bench-base/$base
if [ ! -x "$tree/.build/release/s1" ]; then
    [ -d "$tree" ] || git worktree add -q --detach "$tree" "$base"
    (cd "$tree" && swift build -c release -Xswiftc -target-cpu -Xswiftc "${SWIFT_CPU:-haswell}" --product s1 >/dev/null)
fi
OLD=$tree/.build/release/s1
best() { python3 -c 'import json,sys; print(max(json.loads(l)["tokens_per_second"] for l in sys.stdin if l.strip()))'; }
for threads in 1 2; do
    new_train="" old_train="" new_decode="" old_decode=""
    for _ in $(seq "$rounds"); do
        new_train+="$("$S1" bench engine-train --threads "$threads" --batch 16 --length 128 --steps "$steps")"$'\n'
        old_train+="$("$OLD" bench engine-train --threads "$threads" --batch 16 --length 128 --steps "$steps")"$'\n'
        new_decode+="$("$S1" bench engine-decode --threads "$threads" --batch 16 --prompt 16 --new-tokens 128)"$'\n'
        old_decode+="$("$OLD" bench engine-decode --threads "$threads" --batch 16 --prompt 16 --new-tokens 128)"$'\n'
    done
    for what in train decode; do
        new_lines=new_$what old_lines=old_$what
        n=$(printf '%s' "${!new_lines}" | best) o=$(printf '%s' "${!old_lines}" | best)
        python3 -c "print(f'$what, $threads thread(s), best of $rounds: {$n:.0f} tok/s (this build) vs {$o:.0f} tok/s ($base), ratio {$n/$o:.3f}x')"
    done
done
