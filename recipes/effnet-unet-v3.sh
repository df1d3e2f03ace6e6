#!/usr/bin/env bash
# Flagship v3: effnet-unet (EfficientNet-Lite0 encoder from its ImageNet weights, hint input) trained in ONE
# planned schedule of 21,000 steps (about 11.5 epochs of data v2's 58,387 training photos; about 13 hours on a
# 2-core CPU in fp32), half of the photos seen through colorizer.evaluation.aging's imitation of an old print and its scan.
#
# The schedule: warm-up 500 steps (encoder frozen for the first 300), then a constant learning rate, then a
# linear decay over the last 20% (warmup-stable-decay: the run can be looked at mid-way without a restart);
# 96 px crops for the first 40% of the steps (1.7x the images per second of 128 px), 128 px after.
# fp32: this CPU has no native bf16 (emulated bf16 runs slower than fp32). Rebalancing lambda 0.75, weaker than
# v2's 0.5: rebalanced cross-entropy and the decoding's prior correction shift the same distribution, and the
# correction is tuned afterwards on val, so training keeps closer to the photos' true color distribution (and
# its loss is less dominated by the few pixels of rare, saturated colors).
#
# It runs in stretches: every 200 steps the weights, their moving average and the schedule's position are
# written to recipes/effnet-unet-v3/ (commit that folder), and the same command continues from it on any
# machine with the repository, with or without runs/. MINUTES bounds one stretch (default: no bound).
#   bash recipes/effnet-unet-v3.sh [DATA_ROOT]          # train (or continue), then the release steps
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-../shared/data}
python train.py --data "$DATA/train" --val-data "$DATA/val" --val-images 300 \
  --arch effnet-unet --arch-kwargs '{"hints": true}' --objective bins --rebalance-lambda 0.75 \
  --batch-size 32 --size 128 --size-schedule 96:0.4 --steps 21000 \
  --lr 1e-3 --lr-encoder 2e-4 --freeze-encoder-steps 300 --warmup-steps 500 --schedule wsd --decay-fraction 0.2 \
  --ema 0.999 --aged-p 0.5 --hint-p-none 0.6 --amp off --threads 2 --workers 1 --working-size 224 \
  --val-every 1000 --checkpoint-every 200 --best-metric val_loss --seed 3 \
  --state-dir recipes/effnet-unet-v3 --resume --run-dir runs/v3 --out runs/v3/effnet-unet-v3.safetensors \
  ${MINUTES:+--max-minutes "$MINUTES"}
STEP=$(python -c "import json; print(json.load(open('recipes/effnet-unet-v3/position.json'))['step'])")
if [ "$STEP" -ge 21000 ]; then
  bash scripts/release.sh recipes/effnet-unet-v3/ema.safetensors effnet-unet recipes/effnet-unet-v3.sh "$DATA"
fi
