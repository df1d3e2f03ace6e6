#!/usr/bin/env bash
# resnet-mid (seeds 000 and 004): ResNet18 cut after layer2 and an upsampling decoder, MSE on ab; Adam 1e-5
# (seed 000's stated rate), 445 steps of 32 photos at 128 px, 224 px at inference. Trained 2026-11-22.
#   bash recipes/resnet-mid.sh [DATA_ROOT]
source "$(dirname "$0")/seed-common.sh"
seed_train resnet-mid --lr 1e-5 --batch-size 32 --size 128 --steps 445 --working-size 224
