#!/usr/bin/env bash
# old-print v1 (2026-11-26): the judgement that routes a photo to the old-print flagship or to its clean-photo
# partner (colorizer.routing). A 53k-weight CNN, 1,200 training photos seen clean and aged by colorizer.aging
# (two seeds each), 30 epochs of 128 px crops of the 256 px analysis view; about 25 minutes on a 2-core CPU
# beside a colorizer's training. Its checks, on val and on aging by other code: experiments/old_print_detector.py.
#   bash recipes/old-print-v1.sh [DATA_ROOT]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/data}
python train.py old-print --data "$DATA/train" --val-data "$DATA/val" --photos 1200 --epochs 30 --seed 0 \
  --out recipes/old-print-v1/model.safetensors
