#!/usr/bin/env bash
# After scripts/train_flagship_v2.sh: choose the decoding on val, ship the hint-taking checkpoint as the
# flagship, and evaluate it (val, val-ood by kind, hints). The automatic stage-1 checkpoint gets the same
# decoding, so "0 hints vs the automatic model" compares networks, not decoders.
set -euo pipefail
DATA=${1:-../shared/data}
HINTS=runs/v2/effnet-unet-hints.safetensors
AUTO=runs/v2/effnet-unet-auto.safetensors
python scripts/tune_decode.py "$HINTS" --data "$DATA/val" --images 300 --write
python - "$HINTS" "$AUTO" <<'PY'
import sys
from colorizer.checkpoints import read_metadata, update_metadata
m = read_metadata(sys.argv[1])
update_metadata(sys.argv[2], {k: m[k] for k in ("working_size", "temperature", "prior_correction", "decode", "decode_tuning")})
PY
cp "$HINTS" weights/effnet-unet.safetensors
mkdir -p runs/eval
python -m colorizer evaluate "$DATA/val" --checkpoint effnet-unet --json runs/eval/val-flagship.json
python -m colorizer evaluate "$DATA/val-ood" --checkpoint effnet-unet --by-source --json runs/eval/ood-flagship.json
python -m colorizer evaluate "$DATA/val-ood" --checkpoint effnet-unet --checkpoint "$AUTO" \
  --hints 0,1,2,5,10,20,50,100 --json runs/eval/hints.json
