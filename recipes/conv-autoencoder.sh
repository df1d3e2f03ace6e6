#!/usr/bin/env bash
# conv-autoencoder (seed 002): plain strided conv encoder and transposed-conv decoder, MSE on ab; its rate is
# not stated, so Adam's default 1e-3; 205 steps of 32 photos at 128 px. Trained 2026-11-22.
#   bash recipes/conv-autoencoder.sh [DATA_ROOT]
source "$(dirname "$0")/seed-common.sh"
seed_train conv-autoencoder --lr 1e-3 --batch-size 32 --size 128 --steps 205 --working-size 224
