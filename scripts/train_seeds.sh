#!/usr/bin/env bash
# Train the four seed architectures with the seeds' own recipes (MSE, Adam, their learning rates where
# stated), each for a fixed CPU time budget. Reproduces weights/{resnet-mid,gray2rgb-cnn,conv-autoencoder,
# inception-fusion}.safetensors. Usage: bash scripts/train_seeds.sh [DATA_ROOT] [THREADS]
set -euo pipefail
DATA=${1:-../shared/data}
T=${2:-1}
common=(--data "$DATA/train" --val-data "$DATA/val" --val-images 200 --objective mse --optimizer adam
        --weight-decay 0 --schedule constant --warmup-steps 0 --steps 1000000 --workers 0 --threads "$T"
        --val-every 400 --checkpoint-every 100)
# seed 000/004: Adam lr 1e-5 (seed 000's stated rate), 224 px at inference
python train.py "${common[@]}" --arch resnet-mid --lr 1e-5 --batch-size 32 --size 128 --max-minutes 14 \
  --working-size 224 --out weights/resnet-mid.safetensors --run-dir runs/resnet-mid
# seed 001: RGB out at 32x32, Adam 1e-4, batch 100
python train.py "${common[@]}" --arch gray2rgb-cnn --lr 1e-4 --batch-size 100 --size 32 --max-minutes 6 \
  --working-size 128 --out weights/gray2rgb-cnn.safetensors --run-dir runs/gray2rgb-cnn
# seed 002: plain conv autoencoder; its rate is not stated, Adam's default 1e-3
python train.py "${common[@]}" --arch conv-autoencoder --lr 1e-3 --batch-size 32 --size 128 --max-minutes 8 \
  --working-size 224 --out weights/conv-autoencoder.safetensors --run-dir runs/conv-autoencoder
# seed 003: MSE + classification loss on folder labels; Keras-default Adam 1e-3
python train.py "${common[@]}" --arch inception-fusion --lr 1e-3 --batch-size 16 --size 128 --max-minutes 14 \
  --working-size 224 --class-weight 1.0 --out weights/inception-fusion.safetensors --run-dir runs/inception-fusion
