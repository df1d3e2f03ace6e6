#!/usr/bin/env bash
# fill v4 (planned 2026-11-29): a correction of the relaxed fill, cheap enough to ship. The relaxed fill (Telea, then
# Gauss-Seidel to the rim's smooth surface) is +0.80 dB over Telea inside damage 6 px wide or more on
# benchmarks/repair.py's cracked prints (bar +1.0); fill v3 (recipes/fill-v3.sh) reached +1.03 but reads every tile of
# wide damage at full resolution: 1.8 s on the 1 MP cracked print (bar 0.25 s). What the relaxed fill misses is smooth
# at the damage's scale, so v4 is a RefineNet (colorizer.repair.refine: five dilated 3 x 3 convolutions of 16
# channels, 10 k weights) that reads the relaxed fill, the hole and its depth at half a 384 px print's scale and
# adds its correction inside the hole. Tried first on 5,000 cached training prints (docs/experiments.md, 2026-11-29):
# on val's cracked prints +0.40 dB over the relaxed fill at >= 6 px with one seed, +0.04 with another; its last layer
# started at zero, which passes no gradient to the layers below it. It now starts at a hundredth of PyTorch's own
# start (colorizer.repair.refine.RefineNet). Trained on
# crops made cracked prints as the benchmark renders them (repair/cracks/train's shapes), 6,000 rendered once (`--pool`)
# and drawn from; 2,000 steps of 32, one-cycle at 2e-3. Ships if, on benchmarks/repair.py's cracked prints, it is at
# least 1.0 dB above Telea inside the true mask where the damage is 6 px wide or more and no worse than the relaxed fill
# below that, with 1 MP detected and repaired (the correction included) in 0.25 s. It runs in stretches: every 100
# steps the weights and the position go to recipes/fill-v4/ (commit that folder); the same command continues from it.
#   bash recipes/fill-v4.sh [DATA_ROOT]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/data}
python train.py inpaint --data "$DATA/train" --cracks "$DATA/repair/cracks" --refine --pool 6000 --steps 2000 \
  --batch-size 32 --crop 128 --max-side 512 --width 16 --lr 2e-3 --seed 5 --threads 1 --workers 2 \
  --state-dir recipes/fill-v4 --out runs/fill-v4.safetensors
