"""The Binder set-up is consistent: badge, runtime, pins and postBuild.

Building the image needs Binder (or Docker); ``.ci/binder_check.sh`` builds the same
environment without Docker and runs the notebooks in it.  These checks are the quick part.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - pytest itself needs tomli on 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"
# What the Binder link opens: JupyterLab, on the first notebook of the learner's copy that postBuild
# makes in my-mpcourse/ (student copies of notebooks/; .ci/binder_check.sh checks it is made).
URLPATH = "lab/tree/my-mpcourse/01_what_is_multiprocessing.ipynb"


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def binder_url() -> str:
    """The launch URL built from pyproject's ``[project.urls] Repository`` (a GitHub repository)."""
    repository = _pyproject()["project"]["urls"]["Repository"]
    match = re.fullmatch(r"https://github\.com/([^/]+)/([^/]+?)(?:\.git)?/?", repository)
    assert match, f"Repository URL is not a GitHub repository: {repository}"
    owner, name = match.groups()
    return f"https://mybinder.org/v2/gh/{owner}/{name}/HEAD?urlpath={URLPATH}"


def _pins() -> dict[str, str]:
    pins = {}
    for line in (BINDER / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            requirement = Requirement(line)
            specifiers = list(requirement.specifier)
            assert len(specifiers) == 1 and specifiers[0].operator == "==", f"not pinned with ==: {line}"
            pins[canonicalize_name(requirement.name)] = specifiers[0].version
    return pins


def test_readme_badge_launches_this_repository_on_binder() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    badge = f"[![Launch on Binder](https://mybinder.org/badge_logo.svg)]({binder_url()})"
    assert badge in readme, f"README.md should carry the Binder badge:\n{badge}"


def test_the_binder_link_opens_the_learners_copy_of_an_existing_notebook() -> None:
    folder, name = URLPATH.removeprefix("lab/tree/").split("/")
    assert (ROOT / "notebooks" / name).is_file()
    assert f"mpcourse start --no-lab {folder}" in (BINDER / "postBuild").read_text(encoding="utf-8")


def test_runtime_is_a_python_the_package_supports() -> None:
    runtime = (BINDER / "runtime.txt").read_text(encoding="utf-8").strip()
    match = re.fullmatch(r"python-(\d+\.\d+)", runtime)
    assert match, f"binder/runtime.txt should read python-X.Y, not {runtime!r}"
    requires = SpecifierSet(_pyproject()["project"]["requires-python"])
    assert match.group(1) in requires, f"Python {match.group(1)} is outside requires-python {requires}"


def test_every_dependency_is_pinned_to_a_version_pyproject_allows() -> None:
    pins = _pins()
    for dependency in _pyproject()["project"]["dependencies"]:
        requirement = Requirement(dependency)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not pinned in binder/requirements.txt"
        assert pins[name] in requirement.specifier, f"{name}=={pins[name]} is outside {requirement.specifier}"
    assert "mpcourse" not in pins, "postBuild installs mpcourse itself"


def test_postbuild_installs_the_package_without_touching_the_pins() -> None:
    postbuild = BINDER / "postBuild"
    if os.name == "posix":
        assert os.access(postbuild, os.X_OK), "binder/postBuild must be executable"
    lines = [line.strip() for line in postbuild.read_text(encoding="utf-8").splitlines()]
    assert lines[0].startswith("#!"), "binder/postBuild needs a #! line"
    installs = [line for line in lines if re.search(r"\bpip install\b", line)]
    assert installs and all("--no-deps" in line for line in installs), installs
    assert any(line.endswith(" .") for line in installs), "postBuild should install the repository: pip ... ."


@pytest.mark.parametrize(
    "script", [".ci/binder_check.sh", ".ci/install_chromium.sh", ".ci/install_bubblewrap.sh", ".ci/apt_install.sh"]
)
def test_ci_scripts_stop_at_the_first_error(script: str) -> None:
    text = (ROOT / script).read_text(encoding="utf-8")
    assert text.startswith("#!/usr/bin/env bash") and "set -euo pipefail" in text
