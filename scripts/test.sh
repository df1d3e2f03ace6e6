#!/usr/bin/env bash
# Set up and run the whole test suite on a fresh machine (the README's test command): test tools,
# Debian's Chromium (browser tests) and git-lfs (the Space's git deploy route) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -q -r requirements-dev.txt
if [ ! -x /usr/bin/chromium ]; then  # the browser test drives Debian's Chromium
  (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || echo "warning: could not install chromium"
fi
if ! git lfs version >/dev/null 2>&1; then  # the Space test runs the README's git-lfs deploy route
  apt-get install -y -qq git-lfs >/dev/null 2>&1 || echo "warning: could not install git-lfs"
fi
python -m pytest -q "$@"
