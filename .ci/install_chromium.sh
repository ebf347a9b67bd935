#!/usr/bin/env bash
# Debian's Chromium for the browser tests (tests/test_browser.py), installed when missing.
# Playwright drives this binary; it never downloads a browser of its own (no `playwright install`).
set -euo pipefail

if [ -n "${MPCOURSE_CHROMIUM:-}" ] && [ -x "$MPCOURSE_CHROMIUM" ]; then
    echo "chromium: $MPCOURSE_CHROMIUM (from MPCOURSE_CHROMIUM)"
    exit 0
fi
if ! command -v chromium >/dev/null 2>&1; then
    bash "$(dirname "$0")/apt_install.sh" chromium "install Chromium and set MPCOURSE_CHROMIUM"
fi
echo "chromium: $(command -v chromium): $(chromium --version 2>/dev/null || true)"
