#!/usr/bin/env bash
# Python 3.14 and 3.15 for CI on a Debian 12 (bookworm) machine, from Debian unstable ("sid").
#
# PyPI ships no CPython and pyenv may not be able to download one; sid packages python3.14 and
# python3.15, but they need a newer glibc than bookworm's. So: mmdebstrap a small sid tree into
# $MPCOURSE_SID_ROOT (default /opt/sid-root), point the two interpreters at that tree's own
# dynamic loader and libraries (patchelf), and point their ensurepip at the tree's pip wheel, so
# that `python3.14 -m venv DIR` makes a venv with pip like any Python. About a minute and 214 MB.
#
# Idempotent: a tree whose interpreters already run is reused as it is (each fix is re-applied only
# when missing). Needs root (or passwordless sudo) only when something must be installed.
#
# Usage: bash .ci/sid_pythons.sh        prints one line per version: "3.14 /path/to/python3.14"
# Exit status: 0 when both interpreters run; 1 otherwise (after saying why on stderr).
set -euo pipefail

root="${MPCOURSE_SID_ROOT:-/opt/sid-root}"
versions=(3.14 3.15)
lib="$root/usr/lib/x86_64-linux-gnu"

say() { echo "sid-pythons: $*" >&2; }
runs() { "$root/usr/bin/python$1" -c 'import ssl, sqlite3, venv' >/dev/null 2>&1; }
all_run() { for v in "${versions[@]}"; do runs "$v" || return 1; done; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo -n "$@"
    else
        say "not root and no passwordless sudo: cannot run $1"
        return 1
    fi
}

apt_install() {  # install host packages that are missing
    local missing=()
    for package in "$@"; do dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    command -v apt-get >/dev/null 2>&1 || { say "no apt-get here: cannot install ${missing[*]}"; return 1; }
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

make_tree() {
    [ "$(uname -m)" = x86_64 ] || { say "this recipe is for x86_64, not $(uname -m)"; return 1; }
    [ -f /etc/debian_version ] || { say "not a Debian system: no mmdebstrap"; return 1; }
    apt_install mmdebstrap patchelf debian-archive-keyring
    local uri
    uri=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    [ -n "$uri" ] || uri=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
    [ -n "$uri" ] || uri=http://deb.debian.org/debian
    local include="" v
    for v in "${versions[@]}"; do include+="python$v,python$v-venv,"; done
    say "building a sid tree in $root from $uri (about a minute)"
    # The mirror may serve a snapshot whose Release file has expired: hence Check-Valid-Until false.
    if [ -d "$root" ] && [ -n "$(ls -A "$root")" ]; then
        say "$root exists but holds no sid Pythons: remove it, or set MPCOURSE_SID_ROOT to another folder"
        return 1
    fi
    as_root mmdebstrap --quiet --variant=apt --aptopt='Acquire::Check-Valid-Until "false"' \
        --include="${include%,}" \
        sid "$root" "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri sid main"
}

fix_interpreter() {  # run sid's interpreter on the host with sid's own glibc; ensurepip from the tree
    local v=$1 python="$root/usr/bin/python$1"
    [ -x "$python" ] || { say "$python is missing from the tree"; return 1; }
    if ! runs "$v"; then
        command -v patchelf >/dev/null 2>&1 || apt_install patchelf
        as_root patchelf --set-interpreter "$lib/ld-linux-x86-64.so.2" --force-rpath --set-rpath "$lib" "$python"
    fi
    # Debian's ensurepip takes pip from WHEEL_PKG_DIR (/usr/share/python-wheels), which on the host
    # is bookworm's old pip; the tree's own wheel is the one made for this Python.
    local data
    for data in "$root"/usr/lib/python"$v"/_sysconfigdata_*.py; do
        if grep -q "'WHEEL_PKG_DIR': '/usr/share/python-wheels/'" "$data"; then
            as_root sed -i "s|'WHEEL_PKG_DIR': '/usr/share/python-wheels/'|'WHEEL_PKG_DIR': '$root/usr/share/python-wheels/'|" "$data"
        fi
    done
    runs "$v"
}

if ! all_run; then
    missing=no
    for v in "${versions[@]}"; do [ -x "$root/usr/bin/python$v" ] || missing=yes; done
    if [ "$missing" = yes ]; then
        make_tree || { say "could not build the sid tree"; exit 1; }
    fi
fi
status=0
for v in "${versions[@]}"; do
    if fix_interpreter "$v"; then
        echo "$v $root/usr/bin/python$v"
    else
        say "python$v from $root does not run"
        status=1
    fi
done
exit $status
