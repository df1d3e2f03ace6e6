#!/usr/bin/env bash
# effnet-unet v10: V's recipe (v7's) from ImageNet weights in ONE schedule four times v7's length.
# Why (docs/experiments.md, "effnet-unet v9"): v7, V's recipe for 3,600 steps from EfficientNet-Lite0's ImageNet
# weights, colours unseen kinds a little better than the flagship line but reads hints and the trained kinds
# worse; v9 trained v7's final average on for 12,000 more steps with a re-raised learning rate and came out worse
# on val at equal colourfulness than v7 itself. The yardstick's run E (three times the steps in one schedule from
# ImageNet: +0.14 dB on val, the unseen kinds level) says length helps when it is one schedule. So v10 repeats
# v7's command with 14,400 steps instead of 3,600 and a new seed, nothing else changed: no aged photos,
# rebalancing 0.5, hints with 60% of photos unhinted, 96 px for the first half, the encoder frozen for 300 steps,
# a constant rate and a linear decay over the last 30%.
#
# 14,400 steps of 32 photos (7.9 epochs of data v2's 58,387 training photos; about 3 hours on a 2-core CPU in
# fp32). It runs in stretches: every 100 steps the weights, their moving average and the schedule's position are
# written to recipes/effnet-unet-v10/ (commit that folder), and the same command continues from it on any machine
# with the repository, with or without runs/. MINUTES bounds one stretch (default: no bound).
#   bash recipes/effnet-unet-v10.sh [DATA_ROOT]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/data}
python train.py --data "$DATA/train" --val-data "$DATA/val" --val-images 300 \
  --arch effnet-unet --arch-kwargs '{"hints": true}' --objective bins --rebalance-lambda 0.5 \
  --batch-size 32 --size 128 --size-schedule 96:0.5 --steps 14400 \
  --lr 1e-3 --lr-encoder 2e-4 --freeze-encoder-steps 300 --warmup-steps 300 --schedule wsd --decay-fraction 0.3 \
  --ema 0.999 --aged-p 0 --hint-p-none 0.6 --amp off --threads 2 --workers 1 --working-size 192 \
  --val-every 1800 --checkpoint-every 100 --best-metric val_loss --seed 10 \
  --state-dir recipes/effnet-unet-v10 --resume --run-dir runs/v10 --out runs/v10/effnet-unet-v10.safetensors \
  ${MINUTES:+--max-minutes "$MINUTES"}
