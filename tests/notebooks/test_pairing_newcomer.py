"""The pairing notebook on a newcomer's cohort (``rmkit init`` and a few rows), with and without stated
preferences, with an earlier cycle: the ranks appear in the reasons and the repeat rule's removals are counted."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rmkit.cohort.templates import init_cohort

from ..cli.test_pair_preferences import PEOPLE, PREFERENCES
from ..conftest import rmkit_env
from .test_phase_notebooks import _outputs_text, _papermill


def _cohort(root: Path, *, preferences: bool) -> Path:
    earlier = root / "autumn"
    earlier.mkdir(parents=True)
    (earlier / "participants.csv").write_text(PEOPLE, encoding="utf-8")
    (earlier / "pairs.csv").write_text("mentor_id,mentee_id\nm1,e2\n", encoding="utf-8")
    cohort = root / "spring"
    init_cohort(cohort)
    (cohort / "participants.csv").write_text(PEOPLE, encoding="utf-8")
    if preferences:
        (cohort / "preferences.csv").write_text(PREFERENCES, encoding="utf-8")
    text = (cohort / "program.yaml").read_text(encoding="utf-8")
    text = re.sub(r"^  rules:.*\n(?:    .*\n)*", "  rules:\n    mentor_more_junior: true\n    no_reporting_chain: true\n",
                  text, count=1, flags=re.MULTILINE)
    text = text.replace("strategy: optimal ", "strategy: stable  ", 1).replace("# levels: [analyst", "levels: [analyst", 1)
    text = text.replace("  threshold: 0.3", "  history: [../autumn]\n  threshold: 0.3", 1)
    (cohort / "program.yaml").write_text(text, encoding="utf-8")
    return cohort


@pytest.mark.notebook
@pytest.mark.parametrize("preferences", [True, False], ids=["preferences", "no-preferences"])
def test_pairing_notebook_on_a_newcomer_cohort(tmp_path: Path, preferences: bool) -> None:
    cohort = _cohort(tmp_path / "cohorts", preferences=preferences)
    result = _papermill("03_pairing", cohort, tmp_path / "run", {**rmkit_env(), "RMKIT_DASHBOARD": ""})
    assert result.returncode == 0, result.stderr[-2000:]
    text = _outputs_text(tmp_path / "run" / "03_pairing.ipynb")
    assert "the repeat rule removed 1 pair(s) formed in an earlier cycle" in text
    assert "reporting chain" in text and "mentor not more junior" in text
    assert ("the mentee&#x27;s 2nd choice" in text or "the mentee's 2nd choice" in text) is preferences
