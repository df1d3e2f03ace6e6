#!/usr/bin/env bash
# repair v1 (2026-11-27): the defect detector of colorizer.repair (DefectNet, 0.08 M weights) trained on training
# photos with defects drawn by colorizer.evaluation.defects (scratches, hairs, dust, cracks, creases, emulsion
# flakes, torn corners; water stains drawn but never in the mask), 15% left clean, 60% also aged as a scan.
# ONE planned schedule of 3,000 steps of 32 crops of 128 px (photos shrunk to a short side of 128-256 px, the
# scale the detector reads a photo at), one-cycle learning rate; the threshold is chosen
# on val at the end by the rule in colorizer/train/repair.py (best F1 with at most 0.1% of clean pixels flagged).
# It runs in stretches: every 100 steps the weights and the position go to recipes/repair-v1/ (commit that
# folder); the same command continues from it. Its figures: python benchmarks/repair.py.
#   bash recipes/repair-v1.sh [DATA_ROOT]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/data}
python train.py repair --data "$DATA/train" --val-data "$DATA/val" --steps 3000 --batch-size 32 --crop 128 \
  --max-side 256 --width 8 --lr 3e-3 --seed 1 --threads 2 --workers 1 \
  --state-dir recipes/repair-v1 --out weights/repair.safetensors
