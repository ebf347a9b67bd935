#!/usr/bin/env bash
# Debian's Chromium for the browser tests (tests/test_browser.py), installed when missing.
# Playwright drives this binary; it never downloads a browser of its own (no `playwright install`).
set -euo pipefail

if [ -n "${MPCOURSE_CHROMIUM:-}" ] && [ -x "$MPCOURSE_CHROMIUM" ]; then
    echo "chromium: $MPCOURSE_CHROMIUM (from MPCOURSE_CHROMIUM)"
    exit 0
fi
if command -v chromium >/dev/null 2>&1; then
    echo "chromium: $(command -v chromium): $(chromium --version 2>/dev/null || true)"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
else
    echo "chromium is missing and this user cannot install it: run 'sudo apt-get install chromium'" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "chromium is missing and there is no apt-get here: install Chromium and set MPCOURSE_CHROMIUM" >&2
    exit 1
fi

echo "installing Debian's chromium with apt-get"
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
echo "chromium: $(command -v chromium): $(chromium --version 2>/dev/null || true)"
