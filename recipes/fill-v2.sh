#!/usr/bin/env bash
# fill v2 (planned 2026-11-28): the learned fill of wide damage as a correction of Telea's fill. fill v1
# (recipes/fill-v1.sh) painted the hole from nothing and after 1,000 steps was still below Telea inside damage
# 6 px wide or more (20.57 against 21.11 dB on benchmarks/repair.py's cracked prints). v2 is the same gated U-Net
# (colorizer.repair.fill.FillNet, 0.38 M weights) given Telea's fill and adding to it inside the hole, its last
# layer starting at zero: at step 0 it is Telea exactly. Crops of 128 px (a 96 px tile with 16 px of context, as it
# runs), holes as v1's (the real crack shapes of repair/cracks/train at 3-16 px, flakes beside them), L1 inside the
# hole and a tenth on the gradient at its rim; one-cycle, 1,500 steps of 12 crops. Ships if, on benchmarks/repair.py's
# cracked prints, it is at least 1.0 dB above Telea inside the true mask where the damage is 6 px wide or more, and
# no worse below that width. It runs in stretches: every 100 steps the weights and the position go to
# recipes/fill-v2/ (commit that folder); the same command continues from it.
#   bash recipes/fill-v2.sh [DATA_ROOT]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/data}
python train.py inpaint --data "$DATA/train" --cracks "$DATA/repair/cracks" --steps 1500 --batch-size 12 --crop 128 \
  --max-side 512 --width 16 --lr 1e-3 --residual --seed 2 --threads 2 --workers 1 --state-dir recipes/fill-v2 \
  --out runs/fill-v2.safetensors
