#!/usr/bin/env bash
# Pool generation and selection throughput for a 59K-record synthetic pool, and decontamination time against a
# 1K-question benchmark (issue goal: decontamination under 10 s).
set -euo pipefail
S1=${1:-.build/release/s1}
"$S1" bench data --pool 59029 --benchmark 1000
