#!/usr/bin/env bash
# Install one Debian package with apt-get, as root or through passwordless sudo.
# Usage: .ci/apt_install.sh PACKAGE WHAT_TO_DO_OTHERWISE
# The callers check first whether what they need is already there.
set -euo pipefail
package=$1
otherwise=$2

if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
else
    echo "$package is missing and this user cannot install it: run 'sudo apt-get install $package'" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "$package is missing and there is no apt-get here: $otherwise" >&2
    exit 1
fi

echo "installing Debian's $package with apt-get"
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null
