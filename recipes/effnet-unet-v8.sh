#!/usr/bin/env bash
# effnet-unet v8: a clean-photo partner that reads hints as well as the flagship. v7 (the same role, trained from
# ImageNet weights for 3,600 steps) coloured clean photos as well as v5 without hints, but fell 0.4-0.6 dB behind
# it at 5-10 user hints, so routing to it was not released (docs/experiments.md, "Routing photos between two
# networks"). v8 starts from v5's final average, which learned hints over 17 CPU-hours, and trains it on clean
# photos only with v7's clean-photo settings (no aging, rebalancing 0.5, no tone pass: a photo routed here is
# judged clean and is colorized as it is), hints as before (60% of photos unhinted).
#
# ONE planned schedule of 8,000 steps of 32 photos at 128 px (4.4 epochs of data v2's 58,387 training photos;
# about 4 hours on a 2-core CPU in fp32), warm-up 300 steps, a constant learning rate at v5's, then a linear
# decay over the last 30%; seed 8.
#
# It runs in stretches: every 100 steps the weights, their moving average and the schedule's position are
# written to recipes/effnet-unet-v8/ (commit that folder), and the same command continues from it on any
# machine with the repository, with or without runs/. MINUTES bounds one stretch (default: no bound).
#   bash recipes/effnet-unet-v8.sh [DATA_ROOT]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/data}
python train.py --data "$DATA/train" --val-data "$DATA/val" --val-images 300 \
  --arch effnet-unet --arch-kwargs '{"hints": true}' --objective bins --rebalance-lambda 0.5 \
  --init-from recipes/effnet-unet-v5/ema.safetensors \
  --batch-size 32 --size 128 --steps 8000 \
  --lr 3e-4 --lr-encoder 6e-5 --warmup-steps 300 --schedule wsd --decay-fraction 0.3 \
  --ema 0.999 --aged-p 0 --hint-p-none 0.6 --amp off --threads 2 --workers 1 --working-size 192 \
  --val-every 1000 --checkpoint-every 100 --best-metric val_loss --seed 8 \
  --state-dir recipes/effnet-unet-v8 --resume --run-dir runs/v8 --out runs/v8/effnet-unet-v8.safetensors \
  ${MINUTES:+--max-minutes "$MINUTES"}
