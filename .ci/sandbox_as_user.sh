#!/usr/bin/env bash
# The adversarial suites (the sandbox's promises, hostile names and texts) as a normal user (the rest of CI runs as root, which gets other limits:
# control groups, a uid per run). Usage: .ci/sandbox_as_user.sh PYTHON
# As root: uses the user MPCOURSE_CI_USER (default mpcourse-ci, created when missing) through runuser;
# runs the suite from this checkout when that user can read it and its .venv, else from a copy of the
# tracked files with a small venv of its own made with PYTHON. A missing bubblewrap fails the suite (CI=true).
set -euo pipefail
cd "$(dirname "$0")/.."
python=${1:-python3}
suite=(tests/grading/test_sandbox_promises.py tests/grading/test_seccomp.py tests/grading/test_hostile_names.py)
pytest_args=(-q "${suite[@]}")
if [ "$(id -u)" != 0 ]; then
    echo "not root: running the suite as $(id -un)"
    CI=true exec .venv/bin/python -m pytest "${pytest_args[@]}"
fi
user=${MPCOURSE_CI_USER:-mpcourse-ci}
if ! id -u "$user" >/dev/null 2>&1; then
    useradd --create-home --shell /bin/sh "$user"
fi
home=$(getent passwd "$user" | cut -d: -f6)
as_user() { runuser -u "$user" -- env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$home" CI=true "$@"; }
if as_user .venv/bin/python -c 'import mpcourse, pytest, nbformat' 2>/dev/null; then
    echo "running the suite as $user from this checkout"
    as_user .venv/bin/python -m pytest "${pytest_args[@]}"
    exit
fi
copy=$(mktemp -d "${TMPDIR:-/tmp}/mpcourse-as-user.XXXXXX")
trap 'rm -rf "$copy"' EXIT
git ls-files -z | xargs -0 cp --parents -t "$copy"
chown -R "$user" "$copy"
as_user "$python" -c 'import sys' 2>/dev/null || python=/usr/bin/python3
echo "running the suite as $user from a copy of the tracked files, with $python"
cd "$copy"
as_user "$python" -m venv .venv
# the hostile-names suite grades whole batches (nbval and a kernel for the fixture masters): the course's dependencies
as_user .venv/bin/python -m pip install -q -e . pytest pytest-timeout
as_user .venv/bin/python -m pytest "${pytest_args[@]}"
