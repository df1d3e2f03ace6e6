#!/usr/bin/env bash
# effnet-unet v7: the clean-photo partner of the old-print flagship (v5). On the yardstick of unseen kinds
# (docs/experiments.md, "What v2's recipe is worth on unseen kinds") no aged photos and rebalancing 0.5 together
# colour clean photos of unseen kinds 0.16-0.29 CIEDE2000 better than the aged recipe, and old prints 0.7-1.3
# worse: one network cannot serve both, so v7 learns clean photos only and a photo that looks like an old print
# goes to v5 instead (colorizer/routing.py).
#
# ONE planned schedule of 3,600 steps of 32 photos (2.0 epochs of data v2's 58,387 training photos; about 75
# minutes alone on a 2-core CPU in fp32), from EfficientNet-Lite0's ImageNet weights: 96 px crops for the first
# half and 128 px after (the yardstick's proportions), the encoder frozen for the first 300 steps, warm-up 300,
# a constant learning rate, then a linear decay over the last 30%; hints from the start with 60% of photos
# unhinted; the moving average is the model. No tone pass: a photo routed here is judged clean and is colorized
# as it is.
#
# It runs in stretches: every 100 steps the weights, their moving average and the schedule's position are
# written to recipes/effnet-unet-v7/ (commit that folder), and the same command continues from it on any
# machine with the repository, with or without runs/. MINUTES bounds one stretch (default: no bound).
#   bash recipes/effnet-unet-v7.sh [DATA_ROOT]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/data}
python train.py --data "$DATA/train" --val-data "$DATA/val" --val-images 300 \
  --arch effnet-unet --arch-kwargs '{"hints": true}' --objective bins --rebalance-lambda 0.5 \
  --batch-size 32 --size 128 --size-schedule 96:0.5 --steps 3600 \
  --lr 1e-3 --lr-encoder 2e-4 --freeze-encoder-steps 300 --warmup-steps 300 --schedule wsd --decay-fraction 0.3 \
  --ema 0.999 --aged-p 0 --hint-p-none 0.6 --amp off --threads 2 --workers 1 --working-size 192 \
  --val-every 1200 --checkpoint-every 100 --best-metric val_loss --seed 7 \
  --state-dir recipes/effnet-unet-v7 --resume --run-dir runs/v7 --out runs/v7/effnet-unet-v7.safetensors \
  ${MINUTES:+--max-minutes "$MINUTES"}
