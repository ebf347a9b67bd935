#!/usr/bin/env bash
# Binder build check, without Docker.
#
# Binder builds the course with repo2docker: into the Python of binder/runtime.txt it runs
#   pip install --no-cache-dir -r binder/requirements.txt
# then, from the repository root, ./binder/postBuild (which installs mpcourse itself).
# This script does the same in a fresh virtual environment, then re-executes every
# notebook in it with nbval, so a pin that breaks the course fails here, not on Binder.
# When repo2docker can be installed, it also asks repo2docker for its build plan
# (repo2docker --no-build: no Docker needed) and checks that it uses the binder/ files.
#
# Usage, from anywhere: bash .ci/binder_check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
step() { printf '\n--- binder: %s (%ds elapsed)\n' "$*" "$((SECONDS - started))"; }
fail() { echo "binder check FAILED: $*" >&2; exit 1; }
pip() {  # pip, less this machine's warnings about absent local index folders
    python -m pip "$@" 2>&1 | { grep -v "is neither a file nor a directory" || true; }
}

work=$(mktemp -d "${TMPDIR:-/tmp}/mpcourse-binder.XXXXXX")
# postBuild makes the learner's copy in my-mpcourse/ (on Binder: ~/my-mpcourse); a copy
# that was here before this check is a developer's own and stays.
made_copy=""
[ -e my-mpcourse ] || made_copy=1
trap 'rm -rf "$work"; [ -z "$made_copy" ] || rm -rf my-mpcourse' EXIT
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_PROGRESS_BAR=off
unset PYTHONPATH VIRTUAL_ENV PYTHONHOME

step "binder/ files"
for file in binder/runtime.txt binder/requirements.txt binder/postBuild; do
    [ -f "$file" ] || fail "$file is missing"
done
[ -x binder/postBuild ] || fail "binder/postBuild is not executable (git update-index --chmod=+x binder/postBuild)"
version=$(sed -n 's/^[[:space:]]*python-\([0-9][0-9]*\.[0-9][0-9]*\).*$/\1/p' binder/runtime.txt | head -n 1)
[ -n "$version" ] || fail "binder/runtime.txt must read python-X.Y, it reads: $(cat binder/runtime.txt)"
echo "runtime.txt asks for Python $version"

image_packages=()
step "the build plan repo2docker makes (no Docker needed for --no-build)"
if python3 -m venv "$work/r2d" >/dev/null 2>&1 \
    && "$work/r2d/bin/python" -m pip install -q jupyter-repo2docker >"$work/r2d-install.log" 2>&1; then
    # the user Binder runs as; the plan is only printed, nothing is built or run
    if "$work/r2d/bin/repo2docker" --no-build --no-run --debug --user-id 1000 --user-name jovyan . \
        >"$work/plan.txt" 2>&1; then
        echo "repo2docker $("$work/r2d/bin/repo2docker" --version 2>/dev/null)"
        grep -F "Building conda environment for python=$version" "$work/plan.txt" \
            || fail "repo2docker does not build Python $version from binder/runtime.txt"
        grep -F 'install --no-cache-dir -r "binder/requirements.txt"' "$work/plan.txt" \
            || fail "repo2docker does not install binder/requirements.txt"
        grep -Fx 'RUN ./binder/postBuild' "$work/plan.txt" || fail "repo2docker does not run binder/postBuild"
        # The image's own Jupyter packages (from repo2docker's conda lock), which requirements.txt
        # upgrades in place: installed first below, so a clash with our pins shows in pip check.
        lock=$(ls "$work"/r2d/lib/python*/site-packages/repo2docker/buildpacks/conda/environment.py-"$version"-linux-64.lock \
            2>/dev/null | head -n 1 || true)
        for pair in jupyterhub-base:jupyterhub jupyterlab:jupyterlab notebook:notebook \
            jupyter-offlinenotebook:jupyter-offlinenotebook jupyter-resource-usage:jupyter-resource-usage; do
            found=$(sed -n "s|.*/${pair%%:*}-\([0-9][^-]*\)-[^/]*\.conda.*|\1|p" "$lock" 2>/dev/null | head -n 1 || true)
            [ -z "$found" ] || image_packages+=("${pair##*:}==$found")
        done
        [ ${#image_packages[@]} -gt 0 ] || echo "NOTE: the image's Jupyter packages were not found in $lock"
    else
        cat "$work/plan.txt" >&2
        fail "repo2docker --no-build could not make a build plan"
    fi
else
    tail -n 5 "$work/r2d-install.log" >&2 || true
    echo "NOTE: jupyter-repo2docker could not be installed here; build plan not checked (the rest still is)"
fi

step "Python $version, as runtime.txt asks"
python=""
if command -v pyenv >/dev/null 2>&1; then
    python=$(ls -d "$(pyenv root)/versions/$version".*/bin/python3 2>/dev/null | sort -V | tail -n 1 || true)
fi
if [ -z "$python" ] && command -v "python$version" >/dev/null 2>&1; then
    python=$(command -v "python$version")
fi
if [ -z "$python" ]; then
    python=$(command -v python3)
    echo "NOTE: no Python $version here (pyenv or python$version); using $("$python" --version) instead"
fi
echo "using $python ($("$python" --version 2>&1))"

step "a fresh environment from binder/requirements.txt"
"$python" -m venv "$work/env"
export PATH="$work/env/bin:$PATH" VIRTUAL_ENV="$work/env"
if [ ${#image_packages[@]} -gt 0 ]; then
    echo "first what Binder's image already has: ${image_packages[*]}"
    pip install -q "${image_packages[@]}"
fi
pip install -q -r binder/requirements.txt
pip check

step "binder/postBuild, from the repository root"
./binder/postBuild 2>&1 | { grep -v "is neither a file nor a directory" || true; }
(cd "$work" && python - <<'PY'
import importlib.metadata
import pathlib

import mpcourse

location = pathlib.Path(mpcourse.__file__).resolve()
print("mpcourse", importlib.metadata.version("mpcourse"), "is installed in the environment's site-packages")
assert "site-packages" in location.parts, f"mpcourse imported from {location}, not from the environment"

# the installed package carries the course (mpcourse/_course/), so %solution works on Binder
from mpcourse.learner.course import PACKAGED, course_dir
from mpcourse.learner.solutions import exercises, solution_parts

assert course_dir() == PACKAGED, f"the course is read from {course_dir()}, not from the installed package"
found = exercises()
assert found and all(solution_parts(e) for e in found.values()), "no solutions in the installed course"
print(f"the installed course has {len(found)} exercises with solutions on demand")
PY
)
pip check

step "the learner's copy that the Binder link opens"
first=$(sed -n 's|.*urlpath=lab/tree/\([^)&]*\.ipynb\).*|\1|p' README.md | head -n 1)
[ -n "$first" ] || fail "README.md's Binder badge has no urlpath=lab/tree/...ipynb"
[ -f "$first" ] || fail "the Binder link opens $first, which postBuild did not make"
python - "$first" <<'PY'
import sys

import nbformat

copy = nbformat.read(sys.argv[1], as_version=4)
master = nbformat.read("notebooks/" + sys.argv[1].rsplit("/", 1)[-1], as_version=4)
solutions = {c.id: c.source for c in master.cells if "answer" in c.metadata.get("tags", [])}
stubs = {c.id: c.source for c in copy.cells if c.id in solutions}
assert solutions and stubs.keys() == solutions.keys(), "the learner's copy lacks the master's answer cells"
assert all(stubs[i] != solutions[i] for i in solutions), "an answer cell of the learner's copy holds the solution"
print(f"{sys.argv[1]}: a student copy, {len(stubs)} answer cells to write")
PY

step "every notebook, re-executed with nbval in that environment"
shopt -s nullglob
notebooks=(notebooks/*.ipynb)
if [ ${#notebooks[@]} -eq 0 ]; then
    echo "NOTE: no notebooks yet in notebooks/; nothing to execute"
else
    # repo2docker's image sets PYTHONUNBUFFERED=1 as well
    PYTHONUNBUFFERED=1 python -m pytest notebooks -q
fi

step "done: Binder's environment builds and runs the course"
