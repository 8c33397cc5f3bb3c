"""A run folder meant to be shared holds aggregates only: `rmkit run --no-person-tables` (or program.yaml's
`person_tables: false`) leaves out the per-person scale scores."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rmkit.cohort.config import parse_program

pytestmark = [pytest.mark.notebook, pytest.mark.slow]


def test_no_person_tables_leaves_out_the_scores(run_rmkit, example_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "shared"
    result = run_rmkit("run", example_dir, "--phases", "evaluation", "--no-person-tables", "--out", out)
    assert result.returncode == 0, result.stdout + result.stderr
    tables = {p.name for p in (out / "tables").iterdir()}
    assert "scores.csv" not in tables and "metrics.csv" in tables
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["person_tables"] is False
    assert "scores.csv" not in json.dumps(manifest["tables"])


def test_program_yaml_switch() -> None:
    assert parse_program("person_tables: false")[0].person_tables is False
    assert parse_program("")[0].person_tables is True
