#!/usr/bin/env bash
# repair v11 (planned 2026-11-29): repair v9 taught to leave the photos' own lines alone. v9 (recipes/repair-v9.sh)
# meets the cracked prints' bars (F1 0.873 at 2 px, +8.25 dB) but its drawn-defect F1 is 0.703 against repair v5's
# 0.708; most of its extra false alarms lie more than 6 px from any defect (10 a photo more than v5's), on the
# photos' own thin lines. The mix (v8 -> v9), the threshold and the defect pixels' weight (v10: 0.702) only moved it
# along the same precision-recall curve. v11 changes what the loss reads: v9's loss plus 0.1 x the mean cross-entropy
# of the hardest 0.5% of each batch's clean pixels lying more than a pixel from any defect
# (colorizer/train/repair.py, loss_fn). On v9's own weights those pixels average a cross-entropy of 1.57 against
# the whole loss's 0.28: a few hundred pixels whose gradient the mean dilutes. 500 steps from v9's weights at
# three-quarters of v9's rate, v9's mix and pos_weight.
# Threshold by v7's rule; ships by v7's rule (docs/experiments.md, "repair v7"), its figures from:
#   python benchmarks/repair.py --checkpoint runs/repair-v11.safetensors --fill ""
# It runs in stretches: every 100 steps the weights and the position go to recipes/repair-v11/ (commit that folder);
# the same command continues from it.
#   bash recipes/repair-v11.sh [DATA_ROOT]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/data}
python train.py repair --data "$DATA/train" --val-data "$DATA/val" --steps 500 --batch-size 32 --crop 128 \
  --max-side 384 --width 16 --encoder lite0 --lr-encoder 0.1 --enlarge-p 0.3 --lr 1.5e-4 --clean-p 0.25 --seed 11 \
  --hard-negatives 0.1 --hard-share 0.005 --init-from recipes/repair-v9/repair-v9.safetensors \
  --cracks "$DATA/repair/cracks" --print-p 0.25 --max-detect-side 384 --max-clean-flag 0.0015 --threads 2 \
  --workers 1 --amp auto --state-dir recipes/repair-v11 --out runs/repair-v11.safetensors
