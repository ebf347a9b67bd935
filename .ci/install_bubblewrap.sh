#!/usr/bin/env bash
# bubblewrap (bwrap) for the grading sandbox: under CI=true its tests fail, not skip, without it.
set -euo pipefail

if command -v bwrap >/dev/null 2>&1; then
    echo "bubblewrap: $(command -v bwrap): $(bwrap --version 2>/dev/null || true)"
    exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
else
    echo "bubblewrap is missing and this user cannot install it: run 'sudo apt-get install bubblewrap'" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "bubblewrap is missing and there is no apt-get here: install bubblewrap (bwrap)" >&2
    exit 1
fi
echo "installing bubblewrap with apt-get"
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null
echo "bubblewrap: $(command -v bwrap): $(bwrap --version 2>/dev/null || true)"
