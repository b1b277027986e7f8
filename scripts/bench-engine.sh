#!/usr/bin/env bash
# Side-by-side training-step throughput: the Swift CPU engine against PyTorch eager, same Qwen2 shape
# (s1-mini: hidden 128, 4 layers, 4 heads, 2 KV heads, intermediate 384, vocab 272, tied), batch and length.
# Usage: scripts/bench-engine.sh [threads] [batch] [length] [steps]; PYTHON defaults to /work/venv-engine/bin/python.
set -euo pipefail
threads=${1:-1} batch=${2:-16} length=${3:-128} steps=${4:-10}
python=${PYTHON:-/work/venv-engine/bin/python}
flags=(-c release -Xswiftc -target-cpu -Xswiftc "${SWIFT_CPU:-haswell}")
swift build "${flags[@]}" --build-tests >/dev/null
swift_line=$(S1_ENGINE_BENCH=1 S1_BENCH_THREADS=$threads S1_BENCH_BATCH=$batch S1_BENCH_LENGTH=$length S1_BENCH_STEPS=$steps \
    swift test "${flags[@]}" --skip-build --filter EngineBenchmarkTests 2>&1 | grep '"engine":"s1-swift"')
torch_line=$("$python" "$(dirname "$0")/bench-engine.py" "$threads" "$batch" "$length" "$steps" 2>/dev/null | tail -1)
echo "$swift_line"
echo "$torch_line"
"$python" - "$swift_line" "$torch_line" <<'PY'
import json, sys
ours, torch = (json.loads(a) for a in sys.argv[1:3])
print(f"training step: {ours['tokens_per_second']:.0f} tok/s (Swift) vs {torch['tokens_per_second']:.0f} tok/s "
      f"(PyTorch eager), ratio {ours['tokens_per_second'] / torch['tokens_per_second']:.2f}x")
PY
