#!/usr/bin/env bash
# repair v4 (planned 2026-11-28): repair v3 (recipes/repair-v3.sh) trained on. Read at two scales (256 and 128 px,
# colorizer.repair.DETECT_SIDES), v3 finds on val-ood F1 0.682 (precision 0.747, recall 0.627) against v2's 0.654:
# the 30% of training photos enlarged to up to 256 px before the defects are drawn were what lifted it (v3's F1 on
# val at the 256 px reading alone: 0.771 against v2's 0.601). v4 starts from v3's final weights, enlarges half of
# the photos, and runs a third one-cycle schedule of 4,000 steps at a third of v2's peak rate. The threshold rule is
# v2's. It runs in stretches: every 100 steps the weights and the position go to recipes/repair-v4/ (commit that
# folder); the same command continues from it. Its figures: python benchmarks/repair.py --checkpoint
# runs/repair-v4.safetensors.
#   bash recipes/repair-v4.sh [DATA_ROOT]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/data}
python train.py repair --data "$DATA/train" --val-data "$DATA/val" --steps 4000 --batch-size 32 --crop 128 \
  --max-side 256 --width 16 --init-from recipes/repair-v3/model.safetensors --enlarge-p 0.5 --lr 1e-3 --seed 4 \
  --threads 2 --workers 1 --amp auto --state-dir recipes/repair-v4 --out runs/repair-v4.safetensors
