#!/usr/bin/env bash
# Flagship v6: v4 (the Lite1 candidate trained from ImageNet weights, recipes/effnet-unet-v4.sh) given v5's
# treatment: every training photo read through tone v2 as the shipped pipeline reads a user's photo, half of
# them aged by colorizer.aging first. v4 never read a restored tone; v6 is the second member of a v5 + v6
# ensemble (every ensemble measured on val was ahead of its members at equal colorfulness, and v5 + v4 was the
# only candidate whose val-ood aged |dCF| met the bar, but its aged CIEDE2000 did not).
#
# ONE planned schedule of 8,000 steps of 32 photos at 128 px (4.4 epochs of data v2's 58,387 training photos,
# about 3 hours on a 2-core CPU in fp32), warm-up 300 steps, a constant learning rate at 0.3x v4's, then a
# linear decay over the last 30%. Everything else is v4's (rebalancing lambda 0.75, hints with 60% of photos
# unhinted, the moving average), but the data order (seed 6).
#
# Released only as stated in docs/experiments.md ("effnet-unet v6"): the decoding re-chosen on val by
# scripts/tune_decode.py's rule; v5 + v6 replaces the default only if it is ahead of v5 alone at equal
# colorfulness on both val views. val-ood is looked at once, afterwards.
#
# It runs in stretches: every 100 steps the weights, their moving average and the schedule's position are
# written to recipes/effnet-unet-v6/ (commit that folder), and the same command continues from it on any
# machine with the repository, with or without runs/. MINUTES bounds one stretch (default: no bound).
#   bash recipes/effnet-unet-v6.sh [DATA_ROOT]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/data}
python train.py --data "$DATA/train" --val-data "$DATA/val" --val-images 300 \
  --arch effnet-unet --arch-kwargs '{"hints": true, "lite": 1}' --objective bins --rebalance-lambda 0.75 \
  --init-from recipes/effnet-unet-v4/ema.safetensors --restore-with recipes/tone-v2/ema.safetensors \
  --batch-size 32 --size 128 --steps 8000 \
  --lr 3e-4 --lr-encoder 6e-5 --warmup-steps 300 --schedule wsd --decay-fraction 0.3 \
  --ema 0.999 --aged-p 0.5 --hint-p-none 0.6 --amp off --threads 2 --workers 1 --working-size 192 \
  --val-every 1000 --checkpoint-every 100 --best-metric val_loss --seed 6 \
  --state-dir recipes/effnet-unet-v6 --resume --run-dir runs/v6 --out runs/v6/effnet-unet-v6.safetensors \
  ${MINUTES:+--max-minutes "$MINUTES"}
