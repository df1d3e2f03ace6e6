#!/usr/bin/env bash
# gray2rgb-cnn (seed 001): RGB out at 32x32, Adam 1e-4, batch 100, 461 steps. Trained 2026-11-22.
#   bash recipes/gray2rgb-cnn.sh [DATA_ROOT]
source "$(dirname "$0")/seed-common.sh"
seed_train gray2rgb-cnn --lr 1e-4 --batch-size 100 --size 32 --steps 461 --working-size 128
