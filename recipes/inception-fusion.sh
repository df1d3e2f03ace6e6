#!/usr/bin/env bash
# inception-fusion (seed 003): Inception U-Net with a classifier branch fused into every decoder level, MSE plus
# cross-entropy on the folder labels; Keras-default Adam 1e-3, 85 steps of 16 photos at 128 px. Trained 2026-11-22.
#   bash recipes/inception-fusion.sh [DATA_ROOT]
source "$(dirname "$0")/seed-common.sh"
seed_train inception-fusion --lr 1e-3 --batch-size 16 --size 128 --steps 85 --working-size 224 --class-weight 1.0
