#!/usr/bin/env bash
# Headless Chromium and its driver for the workshop page's browser test
# (tests/test_workshop_browser.py skips without them). Debian packages only:
# nothing is downloaded by the test itself.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
