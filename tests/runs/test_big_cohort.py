"""A big cohort end to end: more check-ins than a chart can embed (altair refuses over 5,000 rows), more pairs than
a timeline can show, more names than the report's redaction handled quickly. Before, the check-ins phase failed with
altair's MaxRowsError from about 5,000 check-in rows and `rmkit run` exited 1."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest


@pytest.mark.slow
@pytest.mark.notebook
def test_rmkit_run_on_a_cohort_with_more_checkins_than_a_chart_can_hold(tmp_path: Path, run_rmkit) -> None:
    from rmkit.cli.synth import generate_folder

    cohort = generate_folder(tmp_path / "big", mentors=500, mentees=500, seed=3)
    assert len(pd.read_csv(cohort / "checkins.csv")) > 5000
    result = run_rmkit("run", cohort, "--out", tmp_path / "run", timeout=1800)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert [p["status"] for p in manifest["phases"]] == ["ok"] * 5
    timeline = (tmp_path / "run" / "figures" / "meeting_timeline.svg").read_text()
    assert "Showing the 60 most urgent of" in timeline  # said under the chart, in the figure the report inlines
    report = (tmp_path / "run" / "report.html").read_text()
    assert "Showing the 60 most urgent of" in report
    assert len(report) < 3_000_000  # the rows were not embedded
