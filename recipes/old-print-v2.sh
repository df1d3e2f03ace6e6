#!/usr/bin/env bash
# old-print v2 (2026-11-26): old-print v1's judgement (colorizer.routing) on three times the photos, 3,600 training
# photos seen clean and aged by colorizer.aging, 30 epochs, another seed. What it is for: at the low threshold the
# routed default needs (0.1, so that almost no old print leaves the old-print network), v1 sends only a third of
# clean photos to the clean-photo partner; a judgement that tells mild aging from a clean photo better sends more.
# About 70 minutes on one core. Its checks: experiments/old_print_detector.py --cnn, experiments/routing_offline.py.
#   bash recipes/old-print-v2.sh [DATA_ROOT]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/data}
python train.py old-print --data "$DATA/train" --val-data "$DATA/val" --photos 3600 --epochs 30 --seed 1 \
  --out recipes/old-print-v2/model.safetensors
