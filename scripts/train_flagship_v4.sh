#!/usr/bin/env bash
# Flagship v4 (session 6): v3 (scripts/train_flagship_v3.sh, which starts from the shipped v2) trained on with a
# fresh, lower learning-rate schedule. v3's run was cut by --max-minutes at step 2,078 of a 3,000-step cosine
# schedule with validation loss still falling to step 1,600 (3.854 -> 3.812), so the learning rate never
# annealed. Same recipe otherwise: 160 px crops (the size v3 ended on), rebalancing lambda 0.75, hints on
# half the photos. fp32, 2 threads (this CPU has no AVX-512/bf16). Then: bash scripts/post_train_v4.sh.
set -euo pipefail
DATA=${1:-../shared/data}
INIT=${2:-runs/v3/effnet-unet-v3.safetensors}
python train.py --data "$DATA/train" --val-data "$DATA/val" --val-images 300 --arch effnet-unet --arch-kwargs '{"hints": true}' \
  --objective bins --batch-size 32 --size 160 --ema 0.999 --amp auto --working-size 224 --workers 1 \
  --val-every 300 --checkpoint-every 100 --threads 2 --init-from "$INIT" \
  --lr 2e-4 --lr-encoder 8e-5 --warmup-steps 50 --rebalance-lambda 0.75 --hint-p-none 0.5 \
  --steps 1500 --max-minutes 80 --best-metric val_loss \
  --out runs/v4/effnet-unet-v4.safetensors --run-dir runs/v4
