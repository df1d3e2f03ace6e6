#!/usr/bin/env bash
# Set up and run the whole test suite on a fresh machine (the README's test command).
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -q -r requirements-dev.txt
if [ ! -x /usr/bin/chromium ]; then  # the browser test drives Debian's Chromium
  (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || echo "warning: could not install chromium"
fi
python -m pytest -q "$@"
