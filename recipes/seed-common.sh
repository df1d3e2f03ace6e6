# Sourced by the four seed recipes: the seeds' own training (MSE, plain Adam, their learning rates where
# stated, a constant rate), each for the number of steps its first run reached in its CPU minutes (steps, not
# minutes, so a run beside other work on a shared machine sees the same number of photos; --max-minutes is a
# guard). The shipped file is the run's best validation CIEDE2000 (checked at step 400 and at the end).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
DATA=${1:-../shared/data}
seed_train() {  # seed_train NAME ARGS...: train weights/NAME.safetensors, then release it
  local name=$1; shift
  python train.py --data "$DATA/train" --val-data "$DATA/val" --val-images 200 --objective mse --optimizer adam \
    --weight-decay 0 --schedule constant --warmup-steps 0 --workers 0 --threads "${THREADS:-1}" \
    --val-every 400 --checkpoint-every 100 --max-minutes 60 --arch "$name" "$@" \
    --out "runs/seeds/$name.safetensors" --run-dir "runs/$name"
  TUNE=0 bash scripts/release.sh "runs/seeds/$name.safetensors" "$name" "recipes/$name.sh" "$DATA"
}
