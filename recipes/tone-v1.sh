#!/usr/bin/env bash
# Tone restoration v1 (colorizer/restore.py): ToneNet over the ImageNet-pretrained EfficientNet-Lite0 encoder,
# a local affine tone curve every 8 pixels of a 128 px view, trained to bring aged L (colorizer.evaluation.aging, on 3
# photos in 4; the rest clean) back to the clean L, L1 loss. One planned schedule of 5,000 steps of 32 photos
# (about 2.7 epochs of the 58,387 training photos), warmup-stable-decay with the last quarter decaying.
#
# It runs in stretches: every 100 steps the weights, their moving average and the position are written to
# recipes/tone-v1/ (commit that folder); the same command continues from it, with or without runs/.
# MINUTES bounds one stretch. At the end of the schedule the moving average is written to weights/tone.safetensors.
#   bash recipes/tone-v1.sh [DATA_ROOT]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/data}
python train.py tone --data "$DATA/train" --val-data "$DATA/val" --state-dir recipes/tone-v1 \
  --out weights/tone.safetensors --steps 5000 --batch-size 32 --size 128 --lr 1e-3 --lr-encoder 2e-4 \
  --warmup-steps 200 --decay-fraction 0.25 --aged-p 0.75 --ema 0.998 --val-images 150 --val-every 500 \
  --checkpoint-every 100 --seed 5 --threads 2 --workers 1 ${MINUTES:+--max-minutes "$MINUTES"}
