"""mpcourse/__init__.py: the names a notebook imports from ``mpcourse`` are the modules' own, loaded on first use."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest

import mpcourse


@pytest.mark.parametrize("name", sorted(mpcourse._EXPORTS))
def test_each_top_level_name_is_its_modules_own(name):
    module = importlib.import_module(f"mpcourse.{mpcourse._EXPORTS[name]}")
    assert getattr(mpcourse, name) is getattr(module, name)
    assert name in mpcourse.__all__ and name in dir(mpcourse)


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'plot_everything'"):
        mpcourse.plot_everything  # noqa: B018


_PROBE = """
import json, sys
import mpcourse
from mpcourse import best_of, get_context, measure_speedup, run_script
light = sorted({"matplotlib", "ipywidgets", "nbformat", "numpy"} & set(sys.modules))
from mpcourse import plot_speedup
print(json.dumps([light, "matplotlib" in sys.modules]))
"""


def test_only_the_plotting_names_load_matplotlib():
    """Timing and processes cost no heavy import; matplotlib comes with the first plot name."""
    probe = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True)
    light, plotted = json.loads(probe.stdout)
    assert light == [] and plotted is True
