#!/usr/bin/env bash
# Every CUDA correctness check and benchmark of issue 7, in one run on the lent GPU machine, inside 8 minutes.
#
# Run from the repository root on the device, with the bundle carried: the device tool's
#   command: "bash scripts/device-check.sh", carry: [".bundle"], timeout_s: 540
# It needs .bundle/s1-device.tar.{gz,xz,zst} (make device-bundle) and writes, under $OUT:
#   device-check.log  every stage's full output
#   summary.json      per stage: status, exit code, seconds, timeout, output tail; the environment found
#   cuda-check.json, bench-train.json, bench-decode.json, peer.json   the stages' own results
# Stages (each under its own timeout; a failing stage does not stop the later ones):
#   0 environment  GPU, libcuda / libnvrtc / libcublasLt directories -> S1_CUDA_LIBRARY_PATH
#   1 unpack       the bundle into /tmp/s1-device, and a wrapper that sets LD_LIBRARY_PATH
#   2 cuda-check   s1 cuda check: ops and models against the CPU engine
#   3a bench-train, 3b bench-decode   s1 bench cuda-train / cuda-decode
#   4 peer         scripts/cuda-peer-bench.py: PyTorch on the same GPU
#   5 run-rerun    s1 run experiments/s1-mini.yaml --set backend=cuda, then s1 rerun --recompute of that run
# Environment:
#   SKIP_STAGES="5"            stage numbers to skip (space or comma separated; "3" skips 3a and 3b)
#   STAGE_TIMEOUT_SCALE=1      multiplies every stage timeout and the total budget
#   TOTAL_BUDGET_S=470         the seconds all stages may take together (before the scale)
#   S1_RUN_SET="k=v ..."       extra --set overrides for stage 5 (e.g. "train.precision=bf16")
#   PYTHON=python3             the interpreter with torch + transformers for stage 4
# The total is bounded by construction: each stage's timeout is its nominal value, cut so that the stages after it
# keep their floors inside the budget, so the sum of the stages' wall times stays within the budget (plus a 5 s
# kill grace per stage). The last lines printed are a table: stage, status, rc, seconds.
set -u
cd "$(dirname "$0")/.."
REPO=$PWD

if [ -z "${OUT:-}" ]; then
    OUT=$REPO/.device-out
    echo "device-check: OUT is not set; writing to $OUT"
fi
mkdir -p "$OUT"
LOG=$OUT/device-check.log
SUMMARY=$OUT/summary.json
: > "$LOG"
WORK=$(mktemp -d /tmp/s1-device-check.XXXXXX)
PYTHON=${PYTHON:-python3}
SCALE=${STAGE_TIMEOUT_SCALE:-1}
SKIP=" $(echo "${SKIP_STAGES:-}" | tr ',' ' ') "
BUDGET=$(awk -v b="${TOTAL_BUDGET_S:-470}" -v s="$SCALE" 'BEGIN { printf "%d", b * s }')
START=$(date +%s.%N)
DEVICE_DIR=/tmp/s1-device
# The kernel cache lives outside $OUT (emptied before every command; it must not travel back) and survives
# between commands on a warm machine, so a rerun skips NVRTC compiles.
export S1_CUDA_CACHE=${S1_CUDA_CACHE:-/tmp/s1-kernel-cache}
export S1_CUDA_LIBRARY_PATH=${S1_CUDA_LIBRARY_PATH:-}
S1=$DEVICE_DIR/s1

# Stages in order: id, name, nominal timeout (s), floor (s) kept for it by the stages before it.
STAGE_IDS=(0 1 2 3a 3b 4 5)
declare -A NAME=([0]=environment [1]=unpack [2]=cuda-check [3a]=bench-train [3b]=bench-decode [4]=peer [5]=run-rerun)
declare -A NOMINAL=([0]=40 [1]=40 [2]=200 [3a]=180 [3b]=120 [4]=150 [5]=240)
declare -A FLOOR=([0]=10 [1]=15 [2]=60 [3a]=30 [3b]=30 [4]=90 [5]=60)
declare -A NEEDS_S1=([2]=1 [3a]=1 [3b]=1 [5]=1)

log() { echo "$*" | tee -a "$LOG"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
is_skipped() { case $SKIP in *" $1 "*|*" ${1%[ab]} "*) return 0 ;; esac; return 1; }

# ---- stage bodies (run in a child bash under `timeout`, so they are exported) --------------------------------

# 0: what the device has. Prints KEY=VALUE lines (read back by the parent) between its diagnostics.
stage_environment() {
    local status=0
    echo "== GPU"
    if ! timeout 20 nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv; then
        echo "nvidia-smi failed or is missing"
        status=1
    fi
    echo "== libcuda.so.1"
    local cuda_dirs=() d
    for d in $(ldconfig -p 2>/dev/null | awk '/libcuda\.so\.1 /{ print $NF }' | xargs -r -n1 dirname) \
             /usr/local/nvidia/lib64 /usr/lib/x86_64-linux-gnu /usr/local/cuda/compat /usr/local/cuda/lib64; do
        [ -e "$d/libcuda.so.1" ] && cuda_dirs+=("$(readlink -f "$d")")
    done
    [ ${#cuda_dirs[@]} -gt 0 ] || { echo "libcuda.so.1 not found (ldconfig -p, /usr/local/nvidia/lib64, /usr/lib/x86_64-linux-gnu)"; status=1; }
    [ ${#cuda_dirs[@]} -eq 0 ] || printf '  %s\n' "${cuda_dirs[@]}"
    echo "== libnvrtc / libcublasLt (python's nvidia packages, /usr/local, /opt, /usr/lib)"
    local roots
    roots=$(timeout 20 "$PYTHON" -c 'import nvidia; print("\n".join(nvidia.__path__))' 2>/dev/null)
    # Python's own packages first (quick), then the wider roots under a timeout of their own, so a slow disk walk
    # cannot lose what the first search found.
    local found pattern=(\( -name 'libnvrtc.so.1[23]*' -o -name 'libcublasLt.so.1[23]*' \) \( -type f -o -type l \))
    found=$( { [ -n "$roots" ] && timeout 15 find $roots "${pattern[@]}" 2>/dev/null
               timeout 30 find /usr/local /opt /usr/lib "${pattern[@]}" 2>/dev/null; } | sort -u)
    [ -z "$found" ] || printf '  %s\n' $found
    # CUDA 13 libraries first (the driver is 13), then 12; each directory once, in that order.
    local ordered=() lib ver f
    for d in "${cuda_dirs[@]}"; do ordered+=("$d"); done
    for ver in 13 12; do
        for lib in libnvrtc libcublasLt; do
            for f in $found; do
                case $(basename "$f") in "$lib.so.$ver"|"$lib.so.$ver".*) ordered+=("$(dirname "$(readlink -f "$f")")") ;; esac
            done
        done
    done
    local unique=() seen=" "
    for d in "${ordered[@]}"; do
        case $seen in *" $d "*) ;; *) unique+=("$d"); seen="$seen$d " ;; esac
    done
    for lib in libnvrtc libcublasLt; do
        echo "$found" | grep -q "/$lib\.so\.1[23]" || { echo "$lib.so.13 / .so.12 not found"; status=1; }
    done
    local joined
    joined=$(IFS=:; echo "${unique[*]}")
    echo "S1_CUDA_LIBRARY_PATH=$joined"
    echo "FOUND_LIBS=$(echo $found | tr ' ' ':')"
    return $status
}

# 1: unpack the bundle (gzip, xz or zstd: whichever tool or python module the machine has) and write the wrapper.
stage_unpack() {
    local archive=""
    for a in "$REPO"/.bundle/s1-device.tar.gz "$REPO"/.bundle/s1-device.tar.xz "$REPO"/.bundle/s1-device.tar.zst; do
        [ -f "$a" ] && { archive=$a; break; }
    done
    if [ -z "$archive" ]; then
        echo "no bundle: expected .bundle/s1-device.tar.{gz,xz,zst} (build it with 'make device-bundle' and carry '.bundle')"
        return 1
    fi
    echo "unpacking $archive ($(stat -c %s "$archive") bytes) into $DEVICE_DIR"
    rm -rf "$DEVICE_DIR" && mkdir -p "$DEVICE_DIR" || return 1
    case $archive in
        *.gz) tar -C "$DEVICE_DIR" -xzf "$archive" || return 1 ;;
        *.xz)
            if command -v xz >/dev/null; then tar -C "$DEVICE_DIR" -xJf "$archive" || return 1
            else "$PYTHON" -c 'import sys, tarfile; tarfile.open(sys.argv[1], "r:xz").extractall(sys.argv[2], filter="tar")' \
                     "$archive" "$DEVICE_DIR" || return 1
            fi ;;
        *.zst)
            if command -v zstd >/dev/null; then zstd -dc "$archive" | tar -C "$DEVICE_DIR" -xf - || return 1
            else
                # No zstd binary: python's zstandard if installed, else pyarrow's zstd codec (in the device image).
                "$PYTHON" - "$archive" "$DEVICE_DIR" <<'PY' || return 1
import sys, tarfile
src, dst = sys.argv[1], sys.argv[2]
try:
    import zstandard
    stream = zstandard.ZstdDecompressor().stream_reader(open(src, "rb"))
except ImportError:
    import pyarrow
    stream = pyarrow.input_stream(src, compression="zstd")
tarfile.open(fileobj=stream, mode="r|").extractall(dst, filter="tar")
PY
            fi ;;
    esac
    head -4 "$DEVICE_DIR/BUNDLE-INFO.txt" 2>/dev/null
    # Bundled libraries first; the CUDA directories after them (libnvrtc finds its builtins library through them).
    # Only s1 sees this path: PyTorch in stage 4 must keep the machine's own zlib, zstd and friends.
    cat > "$S1" <<EOF
#!/bin/sh
LD_LIBRARY_PATH="$DEVICE_DIR/lib${S1_CUDA_LIBRARY_PATH:+:$S1_CUDA_LIBRARY_PATH}\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" exec "$DEVICE_DIR/bin/s1" "\$@"
EOF
    chmod +x "$S1"
    local unresolved
    unresolved=$(LD_LIBRARY_PATH="$DEVICE_DIR/lib" ldd "$DEVICE_DIR/bin/s1" | grep 'not found')
    if [ -n "$unresolved" ]; then
        echo "libraries s1 needs that neither the bundle nor the machine has:"; echo "$unresolved"
        return 1
    fi
    "$S1" --help > /dev/null || { echo "s1 --help failed"; return 1; }
    echo "s1 runs: $S1"
}

stage_cuda_check() { "$S1" cuda check --json "$OUT/cuda-check.json"; }
# The default (flash attention), the materialised attention for comparison, and the paper's batch of 16 sequences
# as 16 accumulated micro-batches (the optimizer's traffic amortised as in training).
stage_bench_train() {
    local rc=0
    echo "== flash attention, batch 1"; "$S1" bench cuda-train --profile --json "$OUT/bench-train.json" || rc=1
    echo "== materialised attention, batch 1"
    "$S1" bench cuda-train --attention materialized --json "$OUT/bench-train-materialized.json" || rc=1
    echo "== flash attention, 16 accumulated micro-batches"
    "$S1" bench cuda-train --accumulation 16 --steps 3 --json "$OUT/bench-train-batch16.json" || rc=1
    return $rc
}
stage_bench_decode() { "$S1" bench cuda-decode --profile --json "$OUT/bench-decode.json"; }
stage_peer() { PYTHONUNBUFFERED=1 "$PYTHON" scripts/cuda-peer-bench.py --device cuda --json "$OUT/peer.json"; }

# 5: a whole experiment on the GPU, then the same run recomputed: every step must come back identical.
stage_run_rerun() {
    local store=/tmp/s1-device-store sets=() kv
    rm -rf "$store"
    for kv in ${S1_RUN_SET:-}; do sets+=(--set "$kv"); done
    echo "== s1 run experiments/s1-mini.yaml --set backend=cuda ${sets[*]} --store $store"
    # --json: the run id comes back in the run_finished event; progress lines are left out of what is shown.
    local run_started
    run_started=$(now)
    "$S1" run experiments/s1-mini.yaml --set backend=cuda "${sets[@]}" --quiet --json --store "$store" \
        > "$WORK/run.jsonl"
    local rc=$?
    echo "s1 run: exit $rc after $(elapsed "$run_started") s; seconds per step:"
    # One line per step (name, seconds), then the events that are neither progress nor step boundaries.
    "$PYTHON" -c '
import json, sys
for line in open(sys.argv[1]):
    try: e = json.loads(line)
    except ValueError: print(line.rstrip()); continue
    if e.get("event") == "step_finished": print("  %-32s %8.2f" % (e.get("step"), e.get("seconds", 0)))
    elif e.get("event") not in ("step_progress", "step_started"): print(line.rstrip())
' "$WORK/run.jsonl"
    [ $rc = 0 ] || { echo "s1 run failed (exit $rc)"; return 1; }
    local run
    run=$("$PYTHON" -c '
import json, sys
for line in open(sys.argv[1]):
    try: event = json.loads(line)
    except ValueError: continue
    if isinstance(event, dict) and event.get("event") == "run_finished" and event.get("run"): print(event["run"])
' "$WORK/run.jsonl" | tail -1)
    if [ -z "$run" ]; then
        echo "s1 run printed no run_finished event with a run id"
        return 1
    fi
    echo "== s1 rerun $run --recompute"
    local rerun_started
    rerun_started=$(now)
    "$S1" rerun "$run" --recompute --quiet --store "$store" > "$WORK/rerun.txt"
    rc=$?
    echo "s1 rerun: exit $rc after $(elapsed "$rerun_started") s"
    cat "$WORK/rerun.txt"
    [ $rc = 0 ] || { echo "s1 rerun failed (exit $rc)"; return 1; }
    local identical others
    identical=$(grep -cE '^  identical ' "$WORK/rerun.txt")
    others=$(grep -cE '^  (diverged|added|removed) ' "$WORK/rerun.txt")
    echo "rerun verdicts: $identical identical, $others not"
    if [ "$others" != 0 ] || [ "$identical" = 0 ] || ! grep -q '^metrics: unchanged' "$WORK/rerun.txt"; then
        echo "the recomputed run is not bitwise identical"
        return 3
    fi
}

export -f now elapsed stage_environment stage_unpack stage_cuda_check stage_bench_train stage_bench_decode stage_peer stage_run_rerun
export REPO OUT WORK PYTHON DEVICE_DIR S1

# ---- the runner -------------------------------------------------------------------------------------------------

declare -A STATUS RC SECONDS_TAKEN TIMEOUT
declare -A FUNC=([0]=stage_environment [1]=stage_unpack [2]=stage_cuda_check [3a]=stage_bench_train
                 [3b]=stage_bench_decode [4]=stage_peer [5]=stage_run_rerun)

# summary.json from the stage table, outputs and environment in $WORK; rewritten after every stage, so a run cut
# short still leaves a valid summary of what it did.
cat > "$WORK/summary.py" <<'PY'
import json, os, sys
work, summary_path, out = sys.argv[1:4]
def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f: return f.read()
    except OSError: return None
stages = []
for line in (read(os.path.join(work, "stages.tsv")) or "").splitlines():
    sid, name, status, rc, seconds, timeout, command, json_file = line.split("\t")
    text = read(os.path.join(work, f"stage-{sid}.out")) or ""
    entry = {"id": sid, "name": name, "status": status, "rc": None if rc == "" else int(rc),
             "seconds": float(seconds), "timeout_s": int(timeout), "command": command,
             "tail": text.splitlines()[-40:]}
    if json_file:
        path = os.path.join(out, json_file)
        entry["result_file"] = json_file
        body = read(path)
        if body is None: entry["result_valid_json"] = False
        else:
            try: json.loads(body); entry["result_valid_json"] = True
            except ValueError: entry["result_valid_json"] = False
    stages.append(entry)
env = {}
for line in (read(os.path.join(work, "env.txt")) or "").splitlines():
    key, _, value = line.partition("=")
    if key: env[key] = value
summary = {"script": "scripts/device-check.sh", "environment": env, "stages": stages,
           "ok": bool(stages) and all(s["status"] in ("ok", "skipped") for s in stages)}
tmp = summary_path + ".tmp"
with open(tmp, "w") as f:
    json.dump(summary, f, indent=1, sort_keys=True); f.write("\n")
os.replace(tmp, summary_path)
PY
write_summary() {
    "$PYTHON" "$WORK/summary.py" "$WORK" "$SUMMARY" "$OUT" 2>>"$LOG" ||
        python3 "$WORK/summary.py" "$WORK" "$SUMMARY" "$OUT" 2>>"$LOG"
}

# Nominal and floor seconds, scaled.
scaled() { awk -v x="$1" -v s="$SCALE" 'BEGIN { printf "%d", x * s }'; }

: > "$WORK/stages.tsv"
{
    echo "started_utc=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "budget_s=$BUDGET"
    echo "stage_timeout_scale=$SCALE"
    echo "skip_stages=${SKIP_STAGES:-}"
    echo "S1_CUDA_CACHE=$S1_CUDA_CACHE"
    echo "git_head=$(git -C "$REPO" rev-parse HEAD 2>/dev/null || echo unknown)"
} > "$WORK/env.txt"
log "device-check: budget ${BUDGET} s, scale ${SCALE}, skipping [${SKIP_STAGES:-none}], OUT=$OUT"

for i in "${!STAGE_IDS[@]}"; do
    id=${STAGE_IDS[$i]}
    name=${NAME[$id]}
    json_file=""
    case $id in 2) json_file=cuda-check.json ;; 3a) json_file=bench-train.json ;; 3b) json_file=bench-decode.json ;;
                4) json_file=peer.json ;; esac
    command=${FUNC[$id]}
    out_file=$WORK/stage-$id.out
    : > "$out_file"
    # The stages after this one keep their floors; this one gets its nominal time or what is left after that.
    later=0
    for later_id in "${STAGE_IDS[@]:$((i + 1))}"; do
        is_skipped "$later_id" || later=$((later + $(scaled "${FLOOR[$later_id]}")))
    done
    left=$(awk -v b="$BUDGET" -v s="$START" -v n="$(now)" 'BEGIN { printf "%d", b - (n - s) }')
    t=$(scaled "${NOMINAL[$id]}")
    [ $((left - later)) -lt "$t" ] && t=$((left - later))
    TIMEOUT[$id]=$t
    started=$(now)
    log ""
    log "==== stage $id $name (timeout ${t} s, $(elapsed "$START") s into the run)"

    reason=""
    if is_skipped "$id"; then
        reason="skipped: SKIP_STAGES"
    elif [ -n "${NEEDS_S1[$id]:-}" ] && [ "${STATUS[1]:-}" != ok ]; then
        reason="skipped: needs stage 1 (s1 is not unpacked)"
    elif [ "$t" -lt 5 ]; then
        reason="skipped: no time left in the ${BUDGET} s budget"
    fi
    if [ -n "$reason" ]; then
        echo "$reason" | tee "$out_file" >> "$LOG"
        # Asked-for skips are fine; a stage the budget squeezed out is a check that did not happen.
        case $reason in *budget*) STATUS[$id]=no-time ;; *) STATUS[$id]=skipped ;; esac
        RC[$id]=""
    else
        # Streamed into the log as it comes, so a run killed from outside still leaves the stage's output in $OUT.
        timeout -k 5 "$t" bash -c "$command" 2>&1 | tee "$out_file" >> "$LOG"
        rc=${PIPESTATUS[0]}
        RC[$id]=$rc
        if [ $rc = 0 ]; then STATUS[$id]=ok
        elif [ $rc = 124 ] || [ $rc = 137 ]; then
            STATUS[$id]=timeout
            # Stage 5 keeps the run's events in a file it shows only at its end: show where the run got to.
            {
                if [ "$id" = 5 ] && [ -f "$WORK/run.jsonl" ]; then echo "the run's last events:"; tail -5 "$WORK/run.jsonl"; fi
                echo "stage $id timed out after ${t} s"
            } | tee -a "$out_file" >> "$LOG"
        else STATUS[$id]=failed
        fi
    fi
    SECONDS_TAKEN[$id]=$(elapsed "$started")

    # Stage 0 hands its findings to the later stages through KEY=VALUE lines.
    if [ "$id" = 0 ]; then
        value=$(grep -m1 '^S1_CUDA_LIBRARY_PATH=' "$out_file" | cut -d= -f2-)
        [ -n "$value" ] && export S1_CUDA_LIBRARY_PATH=$value
        echo "S1_CUDA_LIBRARY_PATH=$S1_CUDA_LIBRARY_PATH" >> "$WORK/env.txt"
        grep -m1 '^FOUND_LIBS=' "$out_file" >> "$WORK/env.txt"
        gpu=$(grep -A1 '^name, driver_version' "$out_file" | tail -n +2 | head -1)
        [ -n "$gpu" ] && echo "gpu=$gpu" >> "$WORK/env.txt"
    fi
    if [ "$id" = 1 ] && [ -f "$DEVICE_DIR/BUNDLE-INFO.txt" ]; then
        echo "bundle_source=$(grep -m1 '^source:' "$DEVICE_DIR/BUNDLE-INFO.txt" | cut -d' ' -f2-)" >> "$WORK/env.txt"
    fi

    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "$name" "${STATUS[$id]}" "${RC[$id]}" "${SECONDS_TAKEN[$id]}" \
        "$t" "$command" "$json_file" >> "$WORK/stages.tsv"
    echo "--- stage $id $name: ${STATUS[$id]} rc=${RC[$id]:--} ${SECONDS_TAKEN[$id]} s; last lines:"
    tail -6 "$out_file" | cut -c1-160 | sed 's/^/    /'
    echo "--- stage $id $name: ${STATUS[$id]} (rc ${RC[$id]:--}, ${SECONDS_TAKEN[$id]} s)" >> "$LOG"
    write_summary || log "device-check: could not write $SUMMARY"
done

rm -rf "$WORK"
total=$(elapsed "$START")
overall=ok
for id in "${STAGE_IDS[@]}"; do
    case ${STATUS[$id]} in ok|skipped) ;; *) overall=failed ;; esac
done
{
    echo ""
    echo "device-check: $overall in $total s (budget $BUDGET s); log $LOG, summary $SUMMARY"
    printf '%-6s %-14s %-8s %4s %8s %8s\n' stage name status rc seconds timeout
    for id in "${STAGE_IDS[@]}"; do
        printf '%-6s %-14s %-8s %4s %8s %8s\n' "$id" "${NAME[$id]}" "${STATUS[$id]}" "${RC[$id]:--}" \
            "${SECONDS_TAKEN[$id]}" "${TIMEOUT[$id]}"
    done
} | tee -a "$LOG"
[ "$overall" = ok ]
