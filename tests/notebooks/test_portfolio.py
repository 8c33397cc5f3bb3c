"""The portfolio notebook (several cohorts side by side) executed with papermill; it is not a phase of a run."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from rmkit.evaluation.pooling import POOLED_COLUMNS
from rmkit.phases.registry import find_phases

from ..conftest import REPO, rmkit_env

NOTEBOOK = REPO / "notebooks" / "portfolio.ipynb"


def test_portfolio_is_not_a_phase() -> None:
    assert "portfolio.ipynb" not in {p.filename for p in find_phases(REPO / "notebooks")}


def test_portfolio_parameters() -> None:
    import papermill

    params = papermill.inspect_notebook(str(NOTEBOOK))
    assert {"cohort_dirs", "output_dir"} <= set(params)


@pytest.mark.notebook
def test_portfolio_runs_on_two_cohorts(tmp_path: Path, example_dir: Path) -> None:
    other = shutil.copytree(example_dir, tmp_path / "other")
    program = other / "program.yaml"
    program.write_text(program.read_text().replace("cohort: acme-2025-spring", "cohort: second-site"))
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "papermill", str(NOTEBOOK), str(tmp_path / "portfolio.ipynb"), "-k", "python3",
         "-y", json.dumps({"cohort_dirs": [str(example_dir), str(other)]}), "-p", "output_dir", str(out)],
        capture_output=True, text=True, env=rmkit_env(), timeout=600, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    cells = json.loads((tmp_path / "portfolio.ipynb").read_text())["cells"]
    text = "\n".join(json.dumps(c.get("outputs", [])) for c in cells if c["cell_type"] == "code")
    assert '"output_type": "error"' not in text and "second-site" in text and "image/svg+xml" in text
    assert list(pd.read_csv(out / "pooled.csv").columns) == POOLED_COLUMNS
    assert (out / "report.html").is_file()
