"""The evaluation notebook's "Every wave, and who dropped out" section, executed with papermill: on the example
cohort (three waves, a comparison group with attrition), on a tiny cohort whose groups are all under the minimum
size, and on a bare cohort without responses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from ..conftest import REPO, file_hashes, rmkit_env
from ..helpers.cohort_builder import write_tiny_cohort


def _run(cohort: Path, out: Path) -> tuple[subprocess.CompletedProcess[str], str]:
    out.mkdir(parents=True, exist_ok=True)
    notebook = out / "05_evaluation.ipynb"
    result = subprocess.run(
        [sys.executable, "-m", "papermill", str(REPO / "notebooks" / "05_evaluation.ipynb"), str(notebook),
         "-p", "cohort_dir", str(cohort), "-p", "output_dir", str(out), "-k", "python3", "--cwd", str(out)],
        capture_output=True, text=True, env=rmkit_env(), timeout=600)
    text = ""
    if notebook.exists():
        cells = json.loads(notebook.read_text())["cells"]
        text = "\n".join(json.dumps(c.get("outputs", []), ensure_ascii=False) for c in cells if c["cell_type"] == "code")
    return result, text


@pytest.mark.notebook
@pytest.mark.slow
def test_the_example_shows_the_mixed_model_and_attrition(tmp_path: Path, example_dir: Path) -> None:
    before = file_hashes(example_dir)
    result, text = _run(example_dir, tmp_path / "out")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Estimated change since the first wave, mixed model" in text
    assert "participants − comparison" in text and "Mentors and mentees, at the last wave" in text
    assert "Attrition from the first to the last wave" in text and "differential (participants vs comparison)" in text
    assert "First-wave scores of those who stayed and those who left" in text
    assert "missing at random" in text
    assert "True</td>" not in text and "False</td>" not in text and ">-0.00<" not in text
    tables = tmp_path / "out" / "tables"
    mixed = pd.read_csv(tables / "mixed_model.csv")
    assert set(mixed.group) == {"participant", "all"} and mixed.converged.all()
    assert (tmp_path / "out" / "figures" / "mixed_model.svg").exists()
    metrics = pd.read_csv(tables / "metrics.csv")
    assert metrics.metric.str.startswith("mixed:").any()
    assert file_hashes(example_dir) == before


@pytest.mark.notebook
@pytest.mark.slow
def test_small_and_bare_cohorts_run_and_hide_or_explain(tmp_path: Path) -> None:
    small = write_tiny_cohort(tmp_path / "small")
    program = small / "program.yaml"
    program.write_text(program.read_text().replace("min_group_size: 2", "min_group_size: 5"))
    result, text = _run(small, tmp_path / "out-small")
    assert result.returncode == 0, result.stderr[-3000:]
    mixed = pd.read_csv(tmp_path / "out-small" / "tables" / "mixed_model.csv")
    assert mixed.empty or (mixed.suppressed.all() and mixed.estimate.isna().all())
    bare = write_tiny_cohort(tmp_path / "bare", skip=("responses", "checkins", "outcomes", "costs", "pairs", "decisions"))
    result, text = _run(bare, tmp_path / "out-bare")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "no mixed model and no attrition" in text  # (markdown-escaped punctuation around it)
