"""JupyterLab on the learner's copy (mpcourse/learner/lab.py): the command ``mpcourse start`` runs."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from mpcourse.cli import main
from mpcourse.learner.lab import lab_command, layouts_dir
from mpcourse.learner.workspace import MANIFEST


def test_lab_serves_the_copy_opens_the_first_notebook_and_passes_options_on(tmp_path: Path) -> None:
    command = lab_command(tmp_path, "01_a b.ipynb", ["--no-browser"])
    assert command[:3] == [sys.executable, "-m", "jupyterlab"]
    assert f"--ServerApp.root_dir={tmp_path}" in command
    assert "--LabApp.default_url=/lab/tree/01_a%20b.ipynb" in command  # no query: Jupyter appends ?token= to it
    assert f"--LabApp.workspaces_dir={layouts_dir(tmp_path)}" in command  # emptied at each start: that tab alone
    assert command[-1] == "--no-browser"


def test_start_runs_lab_on_the_copy_with_the_options_after_the_double_dash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ran = []
    monkeypatch.setattr(
        "mpcourse.learner.lab.run_lab", lambda command, workspace: ran.append((command, workspace)) or 0
    )
    workspace = tmp_path / "mine"
    assert main(["start", str(workspace), "--", "--no-browser", "--port", "8899"]) == 0
    command, where = ran.pop()
    assert where == workspace and command[-3:] == ["--no-browser", "--port", "8899"]
    assert any(part.startswith("--LabApp.default_url=/lab/tree/01_") for part in command)  # a new copy: notebook 01
    assert main(["start", str(workspace)]) == 0
    assert any(part.startswith("--LabApp.default_url=/lab/tree/01_") for part in ran.pop()[0])  # nothing saved since
    assert "Starting JupyterLab" in capsys.readouterr().out


def test_start_reopens_the_notebook_saved_last(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ran = []
    monkeypatch.setattr("mpcourse.learner.lab.run_lab", lambda command, workspace: ran.append(command) or 0)
    workspace = tmp_path / "mine"
    assert main(["start", str(workspace), "--no-lab"]) == 0
    saved = sorted(workspace.glob("*.ipynb"))[2]
    later = (workspace / MANIFEST).stat().st_mtime + 60
    os.utime(saved, (later, later))
    assert main(["start", str(workspace)]) == 0
    assert f"--LabApp.default_url=/lab/tree/{saved.name}" in ran.pop()


def test_start_is_short_on_a_new_copy_and_jupyterlab_logs_warnings_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["start", str(tmp_path / "mine"), "--no-lab"]) == 0
    assert len(capsys.readouterr().out.splitlines()) <= 3
    assert "--ServerApp.log_level=WARN" in lab_command(tmp_path)
    assert "--ServerApp.log_level=WARN" not in lab_command(tmp_path, options=["--ServerApp.log_level=INFO"])


def test_lab_command_allows_root_only_as_root(tmp_path, monkeypatch):
    """JupyterLab refuses root without --allow-root; the course command adds it as root, and only then."""
    monkeypatch.setattr(os, "geteuid", lambda: 0, raising=False)
    assert lab_command(tmp_path).count("--allow-root") == 1
    assert lab_command(tmp_path, options=["--allow-root"]).count("--allow-root") == 1
    monkeypatch.setattr(os, "geteuid", lambda: 1000, raising=False)
    assert "--allow-root" not in lab_command(tmp_path)
