#!/usr/bin/env bash
# bubblewrap (bwrap) for the grading sandbox: under CI=true its tests fail, not skip, without it.
set -euo pipefail

if ! command -v bwrap >/dev/null 2>&1; then
    bash "$(dirname "$0")/apt_install.sh" bubblewrap "install bubblewrap (bwrap)"
fi
echo "bubblewrap: $(command -v bwrap): $(bwrap --version 2>/dev/null || true)"
