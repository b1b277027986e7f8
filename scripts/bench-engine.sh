#!/usr/bin/env bash
# Side-by-side training-step throughput: the Swift CPU engine against PyTorch eager, same Qwen2 shape
# (s1-mini: hidden 128, 4 layers, 4 heads, 2 KV heads, intermediate 384, vocab 272, tied), batch and length.
# The two run alternately ROUNDS times (default 3) and the best of each is compared, because the machine is
# shared and a single run can be slowed by other work.
# Usage: scripts/bench-engine.sh [threads] [batch] [length] [steps]; PYTHON defaults to /work/venv-engine/bin/python.
set -euo pipefail
threads=${1:-1} batch=${2:-16} length=${3:-128} steps=${4:-10} rounds=${ROUNDS:-3}
python=${PYTHON:-/work/venv-engine/bin/python}
flags=(-c release -Xswiftc -target-cpu -Xswiftc "${SWIFT_CPU:-haswell}")
swift build "${flags[@]}" --build-tests >/dev/null
lines=()
for _ in $(seq "$rounds"); do
    lines+=("$(S1_ENGINE_BENCH=1 S1_BENCH_THREADS=$threads S1_BENCH_BATCH=$batch S1_BENCH_LENGTH=$length S1_BENCH_STEPS=$steps \
        swift test "${flags[@]}" --skip-build --filter EngineBenchmarkTests.testTrainingStepThroughput 2>&1 | grep '"engine":"s1-swift"')")
    lines+=("$("$python" "$(dirname "$0")/bench-engine.py" "$threads" "$batch" "$length" "$steps" 2>/dev/null | tail -1)")
done
printf '%s\n' "${lines[@]}"
"$python" - "${lines[@]}" <<'PY'
import json, sys
runs = [json.loads(a) for a in sys.argv[1:]]
for key, unit in (("tokens_per_second", "tok/s"), ("tokens_per_cpu_second", "tok/CPU-s")):
    best = {e: max(r[key] for r in runs if r["engine"] == e) for e in ("s1-swift", "pytorch-eager")}
    print(f"training step, best of {len(runs) // 2}: {best['s1-swift']:.0f} {unit} (Swift) vs "
          f"{best['pytorch-eager']:.0f} {unit} (PyTorch eager), ratio {best['s1-swift'] / best['pytorch-eager']:.2f}x")
PY
S1_ENGINE_BENCH=1 S1_BENCH_THREADS=$threads swift test "${flags[@]}" --skip-build \
    --filter EngineBenchmarkTests.testLargestMatmulEfficiency 2>&1 | grep '"engine":"s1-swift-gemm"'
