"""``import rmkit`` and ``rmkit --help`` stay fast: they import none of altair, scipy, papermill or the Jupyter stack
(``python -X importtime`` shows altair alone at ~2 s, papermill at ~3 s here), nor pandas (~0.5 s)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import rmkit_env

HEAVY = {
    "altair", "vl_convert", "scipy", "pandera", "papermill", "nbconvert", "nbclient", "nbformat", "jupyter_client",
    "jupyter_core", "ipykernel", "IPython", "ipywidgets", "anywidget", "voila", "jupyter_server", "zmq", "tornado",
    "jsonschema", "mistune", "tqdm", "pandas", "numpy", "pydantic", "dask", "distributed",
}

PROBE = "import sys; {run}; print(sorted(m for m in sys.modules if m.split('.')[0] in {heavy!r}))"


@pytest.mark.parametrize("run", [
    "import rmkit",
    "import rmkit.cli; rmkit.cli.build_parser().format_help()",
    "import rmkit.runs.cohort_run, rmkit.runs.batch_run, rmkit.runs.dask_batch, rmkit.runs.execute, rmkit.runs.report, rmkit.runs.manifest, rmkit.phases.registry",
])
def test_no_heavy_module_is_imported(run: str) -> None:
    result = subprocess.run([sys.executable, "-c", PROBE.format(run=run, heavy=HEAVY)], capture_output=True,
                            text=True, env=rmkit_env(), timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("command", [[], ["run"], ["batch"], ["demo"], ["validate"], ["dashboard"], ["pair"], ["import"]])
def test_help_imports_nothing_heavy(command: list[str]) -> None:
    code = ("import runpy, sys\n"
            f"sys.argv = ['rmkit', *{command!r}, '--help']\n"
            "try:\n    runpy.run_module('rmkit', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            f"print('MODULES', sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=rmkit_env(), timeout=60)
    assert "usage: rmkit" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "MODULES []"


def test_commands_list_the_library_choices() -> None:
    """Command modules spell out their choices (to stay light); they must be the library's."""
    import importlib

    from rmkit.cohort.config import STRATEGIES
    from rmkit.cohort.importers import FORMATS

    assert importlib.import_module("rmkit.cli.import").FORMATS == FORMATS
    assert importlib.import_module("rmkit.cli.pair").STRATEGIES == STRATEGIES
