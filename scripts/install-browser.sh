#!/usr/bin/env bash
# Install Debian's headless-capable Chromium for the outbox browser test (tests/test_outbox_browser.py).
# Idempotent and quiet: does nothing when /usr/bin/chromium exists. Needs root (CI runs as root);
# without root it says so and exits 0, and the browser test skips with a reason.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "install-browser: $CHROMIUM is missing and this is not root; run 'sudo apt-get install -y chromium'" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends chromium >/dev/null
"$CHROMIUM" --version
