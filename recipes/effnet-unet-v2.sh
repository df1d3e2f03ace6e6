#!/usr/bin/env bash
# Flagship v2 (shipped 2026-11-22; the default until v3): effnet-unet, EfficientNet-Lite0 encoder from its
# ImageNet weights, trained in four warm-started stages, then its decoding chosen on val. fp32 on a 2-core CPU
# (no native bf16). 5,660 steps, 3.1 hours in all. Each stage as it ran:
#   1. v1 (2026-11-21): automatic colorization, a cosine schedule planned for 2,600 steps, stopped by its time
#      limit at step 1,600 (72 min). It ran on data v1 (30,691 photos; ../shared/data has held data v2 since),
#      so this stage on today's data trains on other photos.
#   2. 2026-11-22: on data v2, 96 px crops for the first 60% of the steps, 128 px after; shipped state: the
#      best validation loss (the in-training CIEDE2000 uses a fixed, untuned decoding and wandered, 11.55 at
#      step 1,200, 11.70 at 2,766, while the loss fell all run, 4.31 -> 4.19). It ran with --max-minutes 82 and
#      CIEDE2000 as the metric, stopped at step 2,766, then was resumed with these flags to 2,800.
#   3. The hint input (zero-initialised weights) learned from hints simulated from the truth, half of the photos
#      with none so the automatic mode keeps learning too; ran 900 steps selecting on CIEDE2000 (which kept step
#      400), then was resumed one step with --best-metric val_loss: hence 901.
#   4. The hint-reading weights alone (--hint-only: the automatic colors stay exactly those of stage 3), 400
#      steps planned, 359 reached in its 9 minutes.
#   bash recipes/effnet-unet-v2.sh [DATA_ROOT]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/data}
common=(--data "$DATA/train" --val-data "$DATA/val" --arch effnet-unet --objective bins --batch-size 32 --size 128
        --amp off --working-size 224 --workers 1 --threads 2)
python train.py "${common[@]}" --val-images 200 --lr 1e-3 --lr-encoder 2e-4 --freeze-encoder-steps 200 \
  --warmup-steps 100 --steps 2600 --max-minutes 72 --val-every 400 --checkpoint-every 50 \
  --out runs/v2/effnet-unet-v1.safetensors --run-dir runs/v1
python train.py "${common[@]}" --val-images 300 --ema 0.999 --init-from runs/v2/effnet-unet-v1.safetensors \
  --lr 5e-4 --lr-encoder 1.5e-4 --warmup-steps 100 --size-schedule 96:0.6 --steps 2800 --max-minutes 90 \
  --best-metric val_loss --val-every 400 --checkpoint-every 100 \
  --out runs/v2/effnet-unet-auto.safetensors --run-dir runs/v2-auto
python train.py "${common[@]}" --val-images 300 --ema 0.999 --init-from runs/v2/effnet-unet-auto.safetensors \
  --arch-kwargs '{"hints": true}' --lr 2e-4 --lr-encoder 6e-5 --warmup-steps 50 --hint-p-none 0.5 --steps 901 \
  --max-minutes 26 --best-metric val_loss --val-every 400 --checkpoint-every 100 \
  --out runs/v2/effnet-unet-hints.safetensors --run-dir runs/v2-hints
python train.py "${common[@]}" --val-images 100 --ema 0.99 --init-from runs/v2/effnet-unet-hints.safetensors \
  --arch-kwargs '{"hints": true}' --hint-only --hint-p-none 0.1 --lr 3e-3 --warmup-steps 20 --steps 400 \
  --max-minutes 9 --best-metric val_loss --val-every 1000 \
  --out runs/v2/effnet-unet-hints2.safetensors --run-dir runs/v2-hints2
# v2's decoding was chosen on 300 val photos of every size, clean only (the rule of scripts/tune_decode.py)
TUNE_ARGS="--images 300" bash scripts/release.sh runs/v2/effnet-unet-hints2.safetensors effnet-unet \
  recipes/effnet-unet-v2.sh "$DATA"
