#!/usr/bin/env bash
# repair v8 (planned 2026-11-28): repair v7 with its drawn-defect precision back and a reading that fits a plain CPU.
# v7 (recipes/repair-v7.sh) met the cracked-print bar (F1 0.866 at 2 px, +8.05 dB) but lost drawn-defect precision
# (0.809 -> 0.780, F1 0.703 against v5's 0.708) and read a 1 MP photo at 512 px (0.70 s on a 2-core CPU without
# AVX-512). v8 starts from v7's thresholded weights and trains on with a third of the photos as cracked prints
# (v7: half), at a fifth of v7's peak rate, photos at a short side of 128-384 px, read at up to 384 px
# (colorizer.repair.reading_sides): a 1 MP scan is read at 384 and 192, where its 2-12 px cracks are 1-5 px.
# Threshold by v7's rule (best F1 on val with val/'s crack shapes on every other photo, at most 0.15% of clean val
# pixels flagged). It runs in stretches: every 100 steps the weights and the position go to recipes/repair-v8/
# (commit that folder); the same command continues from it. Its figures:
#   python benchmarks/repair.py --checkpoint runs/repair-v8.safetensors --fill ""
#   bash recipes/repair-v8.sh [DATA_ROOT]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/data}
python train.py repair --data "$DATA/train" --val-data "$DATA/val" --steps 500 --batch-size 32 --crop 128 \
  --max-side 384 --width 16 --encoder lite0 --lr-encoder 0.1 --enlarge-p 0.5 --lr 3e-4 --seed 8 \
  --init-from recipes/repair-v7/repair-v7.safetensors --cracks "$DATA/repair/cracks" --print-p 0.33 \
  --max-detect-side 384 --max-clean-flag 0.0015 --threads 2 --workers 1 --amp auto --state-dir recipes/repair-v8 \
  --out runs/repair-v8.safetensors
