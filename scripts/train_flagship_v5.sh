#!/usr/bin/env bash
# Flagship v5 (session 7): the shipped v2 grown into an EfficientNet-Lite1 encoder and trained on. Lite1 has
# Lite0's channel widths and one more block in each of five stages, so the grown model starts out computing
# exactly v2's colors (effnet_unet.init_grown: added blocks start as the identity) and the issue's "larger
# encoder" question is asked without throwing away v2's 3 hours of training. Rebalancing lambda 0.5 as v2
# (v3/v4 changed it to 0.75 and the decoding boundary moved with it), 160 px crops, hints on half the
# photos, EMA weights validated. fp32, 2 threads (this CPU has no AVX-512/bf16).
# Then: python scripts/tune_decode.py runs/v5/effnet-unet-v5.safetensors --data ../shared/data/val --min-side 128 ...
set -euo pipefail
DATA=${1:-../shared/data}
INIT=${2:-weights/effnet-unet.safetensors}
python train.py --data "$DATA/train" --val-data "$DATA/val" --val-images 300 --arch effnet-unet \
  --arch-kwargs '{"hints": true, "lite": 1}' \
  --objective bins --batch-size 32 --size 160 --ema 0.999 --amp auto --working-size 224 --workers 1 \
  --val-every 300 --checkpoint-every 100 --threads 2 --init-from "$INIT" \
  --lr 5e-4 --lr-encoder 2.5e-4 --warmup-steps 50 --rebalance-lambda 0.5 --hint-p-none 0.5 \
  --steps 1400 --max-minutes 85 --best-metric val_loss \
  --out runs/v5/effnet-unet-v5.safetensors --run-dir runs/v5
