#!/usr/bin/env bash
# repair v5 (planned 2026-11-28): the detector's coarse levels become EfficientNet-Lite0's first four stages
# (strides 2 to 16), started from their ImageNet weights, with v2-v4's full-resolution branch of 16 channels
# (colorizer.repair.DefectNet(encoder="lite0"), 0.93 M weights). Why: v3 and v4 rose on val (F1 0.784, 0.788) and not
# on val-ood (0.682, 0.679); what separates the two is the kinds of photo (portraits, cars, interiors, fashion), not
# the drawing, and a scratch across a face or a car's trim is told from the photo's own lines by knowing what is
# drawn under it. A one-cycle schedule of 5,000 steps from the ImageNet encoder (its rate a tenth of the rest),
# half of the photos enlarged (v4's drawing), v2's threshold rule at the two-scale reading. It runs in stretches:
# every 100 steps the weights and the position go to recipes/repair-v5/ (commit that folder); the same command
# continues from it. Its figures: python benchmarks/repair.py --checkpoint runs/repair-v5.safetensors.
#   bash recipes/repair-v5.sh [DATA_ROOT]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/data}
python train.py repair --data "$DATA/train" --val-data "$DATA/val" --steps 5000 --batch-size 32 --crop 128 \
  --max-side 256 --width 16 --encoder lite0 --lr-encoder 0.1 --enlarge-p 0.5 --lr 3e-3 --seed 5 \
  --threads 2 --workers 1 --amp auto --state-dir recipes/repair-v5 --out runs/repair-v5.safetensors
