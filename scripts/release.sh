#!/usr/bin/env bash
# Release a trained checkpoint as weights/NAME.safetensors: its decoding chosen on val (clean and aged, by
# scripts/tune_decode.py's stated rule, never on val-ood), then every shipped checkpoint evaluated on val,
# val-ood and val-ood aged (by kind, with sample grids), val-historical (real old photographs), the hint protocol on the flagship, and the model cards
# (weights/README.md) and the metadata the app's About reads, written from those figures.
#   bash scripts/release.sh CANDIDATE.safetensors NAME RECIPE [DATA_ROOT]
# The evaluations score every checkpoint in weights/, so the cards compare them on the same photos.
# e.g. bash scripts/release.sh recipes/effnet-unet-v3/ema.safetensors effnet-unet recipes/effnet-unet-v3.sh
#
# The whole release takes about two hours on a 2-core CPU, so it resumes: each finished step leaves a mark in
# runs/release/, and the same command skips the steps already done for the same candidate (its SHA-256 is
# kept beside the marks; another candidate starts from the beginning). FRESH=1 forgets the marks.
set -euo pipefail
cd "$(dirname "$0")/.."
CAND=$1; NAME=$2; RECIPE=$3; DATA=${4:-../shared/data}
mkdir -p runs/release runs/eval
OUT=runs/release/$NAME.safetensors
MARKS=runs/release/$NAME.done
SUM=$(sha256sum "$CAND" | cut -d' ' -f1)
if [ "${FRESH:-0}" = 1 ] || [ "$(head -n1 "$MARKS" 2>/dev/null)" != "$SUM" ]; then
  echo "$SUM" > "$MARKS"
fi
# step NAME COMMAND...: run COMMAND unless NAME is marked done for this candidate; mark it when it succeeds.
# Never call it in a condition (if, ||): bash turns set -e off there, and a failed command would be marked done.
step() {
  local name=$1; shift
  if grep -qx "$name" "$MARKS"; then echo "release: $name done before, skipped"; return; fi
  echo "release: $name"
  "$@"
  echo "$name" >> "$MARKS"
}
tune() {
  cp "$CAND" "$OUT"
  # TUNE=0: a regression model (the seeds') has no decoding to choose; TUNE_ARGS: another grid or rule.
  # --max-dcf 8 is the colorfulness the quality bar allows (|dCF| <= 8, clean and aged). With --aged it must
  # hold on both views, and aged input always comes out duller than clean (about 3 CF on val), so at 6 the
  # clean decoding is pushed more colorful than the photos need: on v3 (2026-11-24) it chose no prior
  # correction, paint 0.25 clean and 0.27 aged on val, where 8 allows alpha 0.15. --restore-options 0,1: whether
  # the photos' tone is restored first (weights/tone.safetensors, colorizer.restore) is chosen by the same rule.
  if [ "${TUNE:-1}" = 1 ]; then
    python scripts/tune_decode.py "$OUT" --data "$DATA/val" --write ${TUNE_ARGS:---images 300 --min-side 128 --aged \
      --working-sizes 192,224,256 --restore-options 0,1 --temperatures 0.38,0.5 --alphas 0,0.15,0.3,0.45,0.6 \
      --confidences 0,60 --guide-radii 0,4 --max-dcf 8} | tee "runs/release/$NAME.tune.log"
  fi
  python - "$OUT" "$RECIPE" <<'PY'
import sys
from colorizer.checkpoints import update_metadata
update_metadata(sys.argv[1], {"recipe": sys.argv[2]})
PY
}
step tune tune
# Every time, not as a marked step: the tuned file is what the evaluations below must score, even if
# weights/ was checked out again since the tuning ran.
cp "$OUT" "weights/$NAME.safetensors"
step val python -m colorizer evaluate "$DATA/val" --size 256 --json runs/eval/val.json
step val-ood python -m colorizer evaluate "$DATA/val-ood" --size 256 --by-source --json runs/eval/val-ood.json
step val-ood-aged python -m colorizer evaluate "$DATA/val-ood" --size 256 --aged --by-source \
  --json runs/eval/val-ood-aged.json
step hints python -m colorizer evaluate "$DATA/val-ood" --checkpoint effnet-unet --hints 0,1,2,5,10,20,50,100 \
  --json runs/eval/hints.json
step val-historical python -m colorizer evaluate "$DATA/val-historical" --size 256 --by-source \
  --json runs/eval/val-historical.json
step cards python scripts/make_model_cards.py runs/eval/val.json --ood runs/eval/val-ood.json \
  --aged runs/eval/val-ood-aged.json --hints runs/eval/hints.json --historical runs/eval/val-historical.json
step figure python scripts/make_readme_figure.py
