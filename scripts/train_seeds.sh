#!/usr/bin/env bash
# Train the four seed architectures with the seeds' own recipes (MSE, Adam, their learning rates where
# stated), each for a fixed CPU time budget. Reproduces weights/{resnet-mid,gray2rgb-cnn,conv-autoencoder,
# inception-fusion}.safetensors. Usage: bash scripts/train_seeds.sh [DATA_ROOT] [THREADS]
#
# Budgets are the step counts the seeds' first runs reached in their CPU minutes (resnet-mid 445 steps in
# 14 min, gray2rgb-cnn 461 in 6, conv-autoencoder 205 in 8, inception-fusion 85 in 14): steps, not minutes,
# so a run beside other work on a shared machine sees the same number of photos. --max-minutes is a guard.
set -euo pipefail
DATA=${1:-../shared/data}
T=${2:-1}
OUT=${3:-weights}
common=(--data "$DATA/train" --val-data "$DATA/val" --val-images 200 --objective mse --optimizer adam
        --weight-decay 0 --schedule constant --warmup-steps 0 --workers 0 --threads "$T"
        --val-every 400 --checkpoint-every 100)
# seed 000/004: Adam lr 1e-5 (seed 000's stated rate), 224 px at inference
python train.py "${common[@]}" --arch resnet-mid --lr 1e-5 --batch-size 32 --size 128 --steps 445 --max-minutes 60 \
  --working-size 224 --out "$OUT"/resnet-mid.safetensors --run-dir runs/resnet-mid
# seed 001: RGB out at 32x32, Adam 1e-4, batch 100
python train.py "${common[@]}" --arch gray2rgb-cnn --lr 1e-4 --batch-size 100 --size 32 --steps 461 --max-minutes 60 \
  --working-size 128 --out "$OUT"/gray2rgb-cnn.safetensors --run-dir runs/gray2rgb-cnn
# seed 002: plain conv autoencoder; its rate is not stated, Adam's default 1e-3
python train.py "${common[@]}" --arch conv-autoencoder --lr 1e-3 --batch-size 32 --size 128 --steps 205 --max-minutes 60 \
  --working-size 224 --out "$OUT"/conv-autoencoder.safetensors --run-dir runs/conv-autoencoder
# seed 003: MSE + classification loss on folder labels; Keras-default Adam 1e-3
python train.py "${common[@]}" --arch inception-fusion --lr 1e-3 --batch-size 16 --size 128 --steps 85 --max-minutes 60 \
  --working-size 224 --class-weight 1.0 --out "$OUT"/inception-fusion.safetensors --run-dir runs/inception-fusion
