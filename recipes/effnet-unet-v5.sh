#!/usr/bin/env bash
# Flagship v5: v3 trained on in the shipped pipeline's view of a photo. Since tone v1 (2026-11-25) the default
# restores every photo's tone before colorizing it, and v3 never saw a restored L: it learned aged prints as
# their aging left them. v5 starts from v3's final average and reads every training photo (half of them aged by
# colorizer.evaluation.aging first, as v3's) through tone v2, the shipped tone model, exactly as a user's photo is read.
#
# ONE planned schedule of 8,000 steps of 32 photos at 128 px (4.4 epochs of data v2's 58,387 training photos,
# about 3.5 hours on a 2-core CPU in fp32: 1.5 s a step with the tone pass), warm-up 300 steps, a constant
# learning rate at 0.3x v3's, then a linear decay over the last 30%. Everything else is v3's (rebalancing
# lambda 0.75, hints with 60% of photos unhinted, the moving average), but the data order (seed 5).
#
# Released only if, on val's tuning photos with the decoding re-chosen by scripts/tune_decode.py's rule, it
# beats v3 + tone v2 on the aged view at equal colorfulness without losing the clean one; val-ood is looked at
# once, afterwards.
#
# It runs in stretches: every 100 steps the weights, their moving average and the schedule's position are
# written to recipes/effnet-unet-v5/ (commit that folder), and the same command continues from it on any
# machine with the repository, with or without runs/. MINUTES bounds one stretch (default: no bound).
#   bash recipes/effnet-unet-v5.sh [DATA_ROOT]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/data}
python train.py --data "$DATA/train" --val-data "$DATA/val" --val-images 300 \
  --arch effnet-unet --arch-kwargs '{"hints": true}' --objective bins --rebalance-lambda 0.75 \
  --init-from recipes/effnet-unet-v3/ema.safetensors --restore-with recipes/tone-v2/ema.safetensors \
  --batch-size 32 --size 128 --steps 8000 \
  --lr 3e-4 --lr-encoder 6e-5 --warmup-steps 300 --schedule wsd --decay-fraction 0.3 \
  --ema 0.999 --aged-p 0.5 --hint-p-none 0.6 --amp off --threads 2 --workers 1 --working-size 192 \
  --val-every 1000 --checkpoint-every 100 --best-metric val_loss --seed 5 \
  --state-dir recipes/effnet-unet-v5 --resume --run-dir runs/v5 --out runs/v5/effnet-unet-v5.safetensors \
  ${MINUTES:+--max-minutes "$MINUTES"}
