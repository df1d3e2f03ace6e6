#!/usr/bin/env bash
# fill v3 (planned 2026-11-29): the learned fill trained on the damage it is judged on. fill v2 (recipes/fill-v2.sh),
# a correction of Telea's fill, trained on holes cut into clean photos, was +0.12 dB over Telea inside damage 6 px
# wide or more on benchmarks/repair.py's cracked prints (bar +1.0). Those holes had none of a print's damage around
# them: a cracked print's crack has a darker rim, and the scan blurs the paper's white past the mask, so the pixels
# Telea fills from are not the photo's. On val (40 photos at 384 px, the training crack shapes) the way the fill
# is read matters more than the network: Telea from the mask grown by a pixel 20.73 dB at >= 6 px, biharmonic from
# the mask grown by two 21.44, their mean 21.57 (docs/experiments.md, 2026-11-29). v3 starts from v2's weights and
# trains on crops made cracked prints exactly as the benchmark renders them (`--prints`: colorizer.evaluation.defects.
# cracked_print with repair/cracks/train's shapes; the truth the undamaged scan), the mask grown by a pixel as the
# repair grows it; one-cycle at half v2's rate, 2,000 steps of 12 crops of 128 px. Ships if, on benchmarks/repair.py's
# cracked prints, it is at least 1.0 dB above Telea inside the true mask where the damage is 6 px wide or more, and
# no worse below that width. It runs in stretches: every 100 steps the weights and the position go to
# recipes/fill-v3/ (commit that folder); the same command continues from it.
#   bash recipes/fill-v3.sh [DATA_ROOT]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/data}
python train.py inpaint --data "$DATA/train" --cracks "$DATA/repair/cracks" --steps 2000 --batch-size 12 --crop 128 \
  --max-side 512 --width 16 --lr 5e-4 --residual --prints --init-from recipes/fill-v2/model.safetensors --seed 3 \
  --threads 1 --workers 1 --state-dir recipes/fill-v3 --out runs/fill-v3.safetensors
