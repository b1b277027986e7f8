#!/usr/bin/env bash
# Side-by-side training-step throughput: the Swift CPU engine against PyTorch eager, same Qwen2 shape
# (s1-mini: hidden 128, 4 layers, 4 heads, 2 KV heads, intermediate 384, vocab 272, tied), batch and length.
# The two run alternately ROUNDS times (default 5) and the best of each is compared, because a single run can be
# slowed by other work on the machine. PyTorch comes from PyPI into .venv-bench (benchmark only; tests never need it).
# Usage: scripts/bench-engine.sh [s1-binary]; THREADS (a list, default "1 2"), BATCH, LENGTH, STEPS, ROUNDS
# override the shape. Decoding runs on one thread.
set -euo pipefail
cd "$(dirname "$0")/.."
S1=${1:-.build/release/s1}
thread_counts=${THREADS:-1 2} batch=${BATCH:-16} length=${LENGTH:-128} steps=${STEPS:-20} rounds=${ROUNDS:-5}
venv=.venv-bench
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import torch, transformers" 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q torch transformers
fi
for threads in $thread_counts; do
    lines=()
    for _ in $(seq "$rounds"); do
        lines+=("$("$S1" bench engine-train --threads "$threads" --batch "$batch" --length "$length" --steps "$steps")")
        lines+=("$("$venv/bin/python" scripts/bench-engine.py "$threads" "$batch" "$length" "$steps" 2>/dev/null | tail -1)")
    done
    "$venv/bin/python" - "$threads" "${lines[@]}" <<'PY'
import json, sys
threads, runs = sys.argv[1], [json.loads(a) for a in sys.argv[2:]]
for key, unit in (("tokens_per_second", "tok/s"), ("tokens_per_cpu_second", "tok/CPU-s")):
    best = {e: max(r[key] for r in runs if r["engine"] == e) for e in ("s1-swift", "pytorch-eager")}
    print(f"training step, {threads} thread(s), best of {len(runs) // 2}: {best['s1-swift']:.0f} {unit} (Swift) vs "
          f"{best['pytorch-eager']:.0f} {unit} (PyTorch eager), ratio {best['s1-swift'] / best['pytorch-eager']:.2f}x")
PY
    "$S1" bench engine-gemm --threads "$threads"
done
# Greedy decoding with the KV cache against transformers' generate, batch 1 and 16, best of ROUNDS each.
for b in 1 16; do
    lines=()
    for _ in $(seq "$rounds"); do
        lines+=("$("$S1" bench engine-decode --batch "$b" --prompt 16 --new-tokens 128)")
        lines+=("$("$venv/bin/python" scripts/bench-engine-decode.py "$b" 16 128 2>/dev/null | tail -1)")
    done
    "$venv/bin/python" - "$b" "${lines[@]}" <<'PY'
import json, sys
batch, runs = sys.argv[1], [json.loads(a) for a in sys.argv[2:]]
for key, unit in (("tokens_per_second", "tok/s"), ("tokens_per_cpu_second", "tok/CPU-s")):
    best = {e: max(r[key] for r in runs if r["engine"] == e) for e in ("s1-swift-decode", "hf-generate")}
    print(f"greedy decode batch {batch}, best of {len(runs) // 2}: {best['s1-swift-decode']:.0f} {unit} (Swift) vs "
          f"{best['hf-generate']:.0f} {unit} (transformers generate), ratio {best['s1-swift-decode'] / best['hf-generate']:.2f}x")
PY
done
