#!/usr/bin/env bash
# effnet-unet v9: a clean-photo partner with v7's generality and, trained long, the flagship's hint reading.
# What the partners so far showed (docs/experiments.md, "effnet-unet v7" and "effnet-unet v8"): v2's recipe (no
# aged photos, rebalancing 0.5) trained from ImageNet weights colours clean photos of unseen kinds better than
# the flagship line at equal colourfulness, but after 3,600 steps (v7) it reads user hints 0.4-0.6 dB worse and
# the kinds it trained on less well; the flagship's own weights trained on with the same recipe (v8) read hints
# better but colour unseen kinds exactly as the flagship does. Training length buys the seen kinds and hint
# reading, not the unseen kinds (the yardstick's run E). So v9 continues v7's final average with v7's recipe for
# a long schedule.
#
# ONE planned schedule of 12,000 steps of 32 photos at 128 px (6.6 epochs of data v2's 58,387 training photos;
# 4-6 hours on a 2-core CPU in fp32), warm-up 300 steps, a constant learning rate at 0.3x v7's (the rate the
# flagship's warm-started runs use), then a linear decay over the last 30%; hints with 60% of photos unhinted;
# no aging and no tone pass (a photo routed here is judged clean and is colorized as it is); seed 9.
#
# It runs in stretches: every 100 steps the weights, their moving average and the schedule's position are
# written to recipes/effnet-unet-v9/ (commit that folder), and the same command continues from it on any
# machine with the repository, with or without runs/. MINUTES bounds one stretch (default: no bound).
#   bash recipes/effnet-unet-v9.sh [DATA_ROOT]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/data}
python train.py --data "$DATA/train" --val-data "$DATA/val" --val-images 300 \
  --arch effnet-unet --arch-kwargs '{"hints": true}' --objective bins --rebalance-lambda 0.5 \
  --init-from recipes/effnet-unet-v7/ema.safetensors \
  --batch-size 32 --size 128 --steps 12000 \
  --lr 3e-4 --lr-encoder 6e-5 --warmup-steps 300 --schedule wsd --decay-fraction 0.3 \
  --ema 0.999 --aged-p 0 --hint-p-none 0.6 --amp off --threads 2 --workers 1 --working-size 192 \
  --val-every 1500 --checkpoint-every 100 --best-metric val_loss --seed 9 \
  --state-dir recipes/effnet-unet-v9 --resume --run-dir runs/v9 --out runs/v9/effnet-unet-v9.safetensors \
  ${MINUTES:+--max-minutes "$MINUTES"}
