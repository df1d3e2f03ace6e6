#!/usr/bin/env bash
# effnet-unet v11: the flagship (v5) trained on with real old photographs in the mix.
# Why (docs/experiments.md, "Real old photographs"): on val-historical (Prokudin-Gorsky's colour plates of
# 1905-1915, turned gray) v5 paints confident wrong hues over regions and is duller than the truth; aging
# modern photos with our own code did not teach it what an old print's scene looks like. train/historical holds
# 909 such plates whose gray is already old: they join the mix as they are (never aged again), each seen 19
# times an epoch, about a fifth of what the network sees; the modern photos keep v5's recipe (half aged, all
# read through tone v2, as the shipped pipeline reads a photo). Every 5th block of 20 consecutive plates (one
# place) is held out and validated on beside val: the yardstick the run is judged on while it trains
# (val-historical is only for the release decision, never looked at during training).
#
# ONE planned schedule of 3,600 steps of 32 photos at 128 px (about 1 s a step on a 2-core AVX-512 CPU in fp32:
# one hour alone), warm-up 100, v5's learning rates held, then a linear decay over the last 30%.
#
# It runs in stretches: every 100 steps the weights, their moving average and the schedule's position are
# written to recipes/effnet-unet-v11/ (commit that folder), and the same command continues from it on any
# machine with the repository, with or without runs/. MINUTES bounds one stretch (default: no bound).
#   bash recipes/effnet-unet-v11.sh [DATA_ROOT]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/data}
python train.py --data "$DATA/train" --val-data "$DATA/val" --val-images 300 \
  --arch effnet-unet --arch-kwargs '{"hints": true}' --objective bins --rebalance-lambda 0.75 \
  --init-from recipes/effnet-unet-v5/ema.safetensors --restore-with recipes/tone-v2/ema.safetensors \
  --oversample historical:19 --unaged historical --holdout historical:5 \
  --batch-size 32 --size 128 --steps 3600 \
  --lr 3e-4 --lr-encoder 6e-5 --warmup-steps 100 --schedule wsd --decay-fraction 0.3 \
  --ema 0.999 --aged-p 0.5 --hint-p-none 0.6 --amp off --threads 2 --workers 1 --working-size 192 \
  --val-every 600 --checkpoint-every 100 --best-metric val_loss --seed 11 \
  --state-dir recipes/effnet-unet-v11 --resume --run-dir runs/v11 --out runs/v11/effnet-unet-v11.safetensors \
  ${MINUTES:+--max-minutes "$MINUTES"}
