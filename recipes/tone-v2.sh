#!/usr/bin/env bash
# Tone restoration v2 (colorizer/restore.py): tone v1 trained on in a new, longer schedule. tone v1's validation
# was still rising when its 5,000 steps ended (aged gray row 18.35 dB at step 500, 18.65 at 3,500, 18.73 at
# the end), so v2 starts from its moving average (recipes/tone-v1/ema.safetensors, committed) and runs 4,000
# more steps of 32 photos (about 2.2 epochs) at half v1's learning rates, warmup-stable-decay with the last 30%
# decaying, another seed for another order of the photos. Same data, aging (3 photos in 4) and loss as v1.
#
# It runs in stretches: every 100 steps the weights, their moving average and the position are written to
# recipes/tone-v2/ (commit that folder); the same command continues from it, with or without runs/.
# MINUTES bounds one stretch. At the end of the schedule the moving average is written to OUT (default
# runs/tone-v2/tone.safetensors). It replaces weights/tone.safetensors only if it wins on val: on the in-run
# validation (the gray row of 150 val photos), a better PSNR and CIEDE2000 on the aged photos restored than
# tone v1's 18.73 / 13.67, and the clean photos restored within 0.05 of v1's 21.79 / 11.99 on both.
#   bash recipes/tone-v2.sh [DATA_ROOT]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/data}
OUT=${OUT:-runs/tone-v2/tone.safetensors}
mkdir -p "$(dirname "$OUT")"
python train.py tone --data "$DATA/train" --val-data "$DATA/val" --state-dir recipes/tone-v2 \
  --init-from recipes/tone-v1/ema.safetensors --out "$OUT" --steps 4000 --batch-size 32 --size 128 \
  --lr 5e-4 --lr-encoder 1e-4 --warmup-steps 200 --decay-fraction 0.3 --aged-p 0.75 --ema 0.998 \
  --val-images 150 --val-every 1000 --checkpoint-every 100 --seed 6 --threads 2 --workers 1 \
  ${MINUTES:+--max-minutes "$MINUTES"}
