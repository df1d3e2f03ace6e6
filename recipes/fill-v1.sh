#!/usr/bin/env bash
# fill v1 (planned 2026-11-28): the learned fill of wide damage (colorizer.repair.fill.FillNet, gated convolutions,
# 0.38 M weights). Telea fills a 1-3 px line as well as anything, and smears a crack 6 px wide or a flake of 20 px:
# on cracked prints of val-ood (benchmarks/repair.py) Telea reaches 23.9 dB inside damage under 3 px wide and 20.7 dB
# at 6 px and more. Trained on the detector's photos with holes from the real crack shapes of repair/cracks/train
# at 3-16 px and flakes beside them, L1 inside the hole and a tenth on the gradient at its rim; one-cycle, 1,000
# steps of 16 crops of 96 px (planned for 1,500, cut to 1,000 at step 200). Ships if, on benchmarks/repair.py's
# cracked prints, it is at least 1.0 dB above Telea
# inside the true mask where the damage is 6 px wide or more, and no worse below that width. It runs in stretches:
# every 100 steps the weights and the position go to recipes/fill-v1/ (commit that folder).
#   bash recipes/fill-v1.sh [DATA_ROOT]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/data}
python train.py inpaint --data "$DATA/train" --cracks "$DATA/repair/cracks" --steps 1000 --batch-size 16 --crop 96 \
  --max-side 512 --width 16 --lr 2e-3 --seed 1 --threads 2 --workers 1 --state-dir recipes/fill-v1 \
  --out runs/fill-v1.safetensors
