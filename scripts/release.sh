#!/usr/bin/env bash
# Release a trained checkpoint as weights/NAME.safetensors: its decoding chosen on val (clean and aged, by
# scripts/tune_decode.py's stated rule, never on val-ood), then every shipped checkpoint evaluated on val,
# val-ood and val-ood aged (by kind, with sample grids), the hint protocol on the flagship, and the model cards
# (weights/README.md) and the metadata the app's About reads, written from those figures.
#   bash scripts/release.sh CANDIDATE.safetensors NAME RECIPE [DATA_ROOT]
# The evaluations score every checkpoint in weights/, so the cards compare them on the same photos.
# e.g. bash scripts/release.sh recipes/effnet-unet-v3/ema.safetensors effnet-unet recipes/effnet-unet-v3.sh
set -euo pipefail
cd "$(dirname "$0")/.."
CAND=$1; NAME=$2; RECIPE=$3; DATA=${4:-../shared/data}
mkdir -p runs/release runs/eval
OUT=runs/release/$NAME.safetensors
cp "$CAND" "$OUT"
# TUNE=0: a regression model (the seeds') has no decoding to choose; TUNE_ARGS: another grid or rule
if [ "${TUNE:-1}" = 1 ]; then
  python scripts/tune_decode.py "$OUT" --data "$DATA/val" --write ${TUNE_ARGS:---images 300 --min-side 128 --aged \
    --working-sizes 192,224,256 --temperatures 0.38,0.5 --alphas 0,0.15,0.3,0.45,0.6 --confidences 0,60 \
    --guide-radii 0,4} | tee "runs/release/$NAME.tune.log"
fi
python - "$OUT" "$RECIPE" <<'PY'
import sys
from colorizer.checkpoints import update_metadata
update_metadata(sys.argv[1], {"recipe": sys.argv[2]})
PY
cp "$OUT" "weights/$NAME.safetensors"
python -m colorizer evaluate "$DATA/val" --size 256 --json runs/eval/val.json
python -m colorizer evaluate "$DATA/val-ood" --size 256 --by-source --json runs/eval/val-ood.json
python -m colorizer evaluate "$DATA/val-ood" --size 256 --aged --by-source --json runs/eval/val-ood-aged.json
python -m colorizer evaluate "$DATA/val-ood" --checkpoint effnet-unet --hints 0,1,2,5,10,20,50,100 --json runs/eval/hints.json
python scripts/make_model_cards.py runs/eval/val.json --ood runs/eval/val-ood.json --aged runs/eval/val-ood-aged.json \
  --hints runs/eval/hints.json
python scripts/make_readme_figure.py
