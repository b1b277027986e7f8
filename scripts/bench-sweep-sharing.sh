#!/usr/bin/env bash
# What a prefix-sharing budget sweep decodes against its largest point alone (issue goal: at most 1.3x), with
# thinking chains as long as the budgets (a random model rarely stops), the proportions of the paper's sweeps.
# s1-mini's own chains are ~100 byte tokens against ~20 per fork; its ratios are in each run's results.json.
set -euo pipefail
S1=${1:-.build/release/s1}
"$S1" bench sweep-sharing --budgets 512 1024 2048 4096 --prompts 8
"$S1" bench sweep-sharing --budgets 128 256 512 1024 2048 4096 --prompts 8
