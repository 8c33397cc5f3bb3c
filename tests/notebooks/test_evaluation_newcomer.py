"""The evaluation notebook on a newcomer's cohort (``rmkit init`` and a few rows): reliable change and "does the
pairing matter" run, and say in plain words why they are empty — a single wave, no published pairs, no check-ins —
both as a report and as the dashboard's notebook."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from ..conftest import rmkit_env
from ..runs.test_new_cohorts import make_cohort
from .test_phase_notebooks import _outputs_text, _papermill


def _two_waves(folder: Path) -> Path:
    """The six participants answer at baseline and month6 (varied answers), one pair is published, no check-ins."""
    make_cohort(folder, {"checkins": "absent", "pairs": "absent"})
    header = (folder / "responses.csv").read_text(encoding="utf-8").splitlines()[0]
    items = len(header.split(",")) - 3
    rng = np.random.default_rng(11)
    rows = [header]
    for person in ("m1", "m2", "m3", "e1", "e2", "e3"):
        level = rng.integers(2, 5)
        for wave, date in (("baseline", "2026-03-05"), ("month6", "2026-09-05")):
            answers = np.clip(level + rng.integers(-1, 2, items) + (wave == "month6"), 1, 5)
            rows.append(f"{person},{wave},{date}," + ",".join(str(a) for a in answers))
    (folder / "responses.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (folder / "pairs.csv").write_text("mentor_id,mentee_id,score,locked,reasons\nm1,e1,0.5,false,\n", encoding="utf-8")
    return folder


@pytest.mark.notebook
def test_evaluation_notebook_says_why_reliable_change_and_pairing_are_empty(tmp_path: Path) -> None:
    single = make_cohort(tmp_path / "single", {"responses": "one row", "checkins": "absent", "pairs": "absent"})
    two = _two_waves(tmp_path / "two")
    jobs = [("single", single, ""), ("two", two, ""), ("single-board", single, "1"), ("two-board", two, "1")]
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = dict(pool.map(lambda job: (job[0], _papermill("05_evaluation", job[1], tmp_path / "run" / job[0],
                                                             {**rmkit_env(), "RMKIT_DASHBOARD": job[2]})), jobs))
    failed = {name: r.stderr[-1500:] for name, r in runs.items() if r.returncode != 0}
    assert not failed, failed
    text = _outputs_text(tmp_path / "run" / "single" / "05_evaluation.ipynb")
    assert "Reliable change needs each person at two waves" in text
    assert "No published pairs" in text
    text = _outputs_text(tmp_path / "run" / "two" / "05_evaluation.ipynb")
    assert "No check\\\\-ins" in text or "No check-ins" in text
    assert "Fewer than 5 pairs with learning at both waves" in text
    assert "Reliable change, baseline to month6" in text and "suppressed" in text
    for name in ("single", "two"):
        assert '"output_type": "error"' not in _outputs_text(tmp_path / "run" / name / "05_evaluation.ipynb")
