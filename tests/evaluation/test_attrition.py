"""Who dropped out (rmkit.evaluation.attrition) and the every-wave evidence of a cohort (rmkit.evaluation.every_wave):
the What Works Clearinghouse's attrition figures by hand from their definitions, stayers against leavers, the
mixed:<scale> rows of the metrics table, and confidentiality."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rmkit.cohort import load_cohort
from rmkit.evaluation.attrition import (
    attrition_summary,
    baseline_by_retention,
    differential_attrition,
    respondents_by_wave,
)
from rmkit.evaluation.comparison import survey_scores
from rmkit.evaluation.every_wave import every_wave_evidence
from rmkit.evaluation.metrics_table import evaluate, metrics_table
from rmkit.evaluation.mixed_model import mixed_effects
from rmkit.evaluation.scoring import score_responses


def _panel(n_p: int, n_c: int, stay_p: int, stay_c: int, middle_p: int | None = None) -> pd.DataFrame:
    """n_p participants and n_c comparison people at w0; the first stay_* of each answer w2; middle_p answer w1."""
    rows = []
    for group, n, stay, prefix in (("participant", n_p, stay_p, "p"), ("comparison", n_c, stay_c, "c")):
        for i in range(n):
            person = f"{prefix}{i:03d}"
            rows.append((person, "w0", 2.0 + (i % 5) * 0.5, group))
            if group == "participant" and i < (middle_p if middle_p is not None else n):
                rows.append((person, "w1", 3.0, group))
            if i < stay:
                rows.append((person, "w2", 3.5, group))
    return pd.DataFrame(rows, columns=["person_id", "wave", "score", "group"]).assign(scale="s")


def test_overall_and_differential_attrition_follow_the_wwc_definitions() -> None:
    # WWC Standards Handbook 4.1: overall attrition = share of the sample without outcome data, both groups
    # together; differential = |intervention rate - comparison rate|. 120 + 80 start, 102 + 60 stay:
    # participants lose 18/120 = 15 %, comparison 20/80 = 25 %, overall 38/200 = 19 %, differential 10 points.
    summary = attrition_summary(_panel(120, 80, 102, 60), waves=["w0", "w1", "w2"]).set_index("group")
    assert summary.loc["participant", "attrition"] == pytest.approx(15.0)
    assert summary.loc["comparison", "attrition"] == pytest.approx(25.0)
    assert summary.loc["overall", "attrition"] == pytest.approx(19.0)
    assert (summary.loc["overall", "n_first"], summary.loc["overall", "n_last"]) == (200, 162)
    assert differential_attrition(summary.reset_index()) == pytest.approx(10.0)
    assert set(summary.first_wave) == {"w0"} and set(summary.last_wave) == {"w2"}


def test_respondents_per_wave_and_the_share_still_answering() -> None:
    table = respondents_by_wave(_panel(40, 20, 30, 10, middle_p=35), waves=["w0", "w1", "w2"])
    ours = table[table.group == "participant"].set_index("wave")
    assert ours.n.tolist() == [40, 35, 30] and ours.retained.tolist() == pytest.approx([100.0, 87.5, 75.0])
    theirs = table[table.group == "comparison"].set_index("wave")
    assert theirs.n.tolist() == [20, 0, 10]  # nobody of theirs answered w1: a row of 0
    assert theirs.loc["w2", "retained"] == pytest.approx(50.0)


def test_small_groups_have_no_rate_and_no_stayer_means() -> None:
    summary = attrition_summary(_panel(40, 4, 30, 2), min_group_size=5).set_index("group")
    assert summary.loc["comparison", "suppressed"] and np.isnan(summary.loc["comparison", "attrition"])
    assert not summary.loc["participant", "suppressed"]
    assert np.isnan(differential_attrition(summary.reset_index()))
    baseline = baseline_by_retention(_panel(40, 20, 37, 10), min_group_size=5).set_index("group")
    assert baseline.loc["participant", "suppressed"]  # 3 leavers: their mean would follow from the total
    assert np.isnan(baseline.loc["participant", "mean_left"]) and np.isnan(baseline.loc["participant", "mean_stayed"])
    assert not baseline.loc["comparison", "suppressed"]


def test_stayers_and_leavers_first_wave_means_by_hand() -> None:
    frame = _panel(30, 20, 18, 8)
    baseline = baseline_by_retention(frame).set_index("group")
    first = frame[frame.wave == "w0"]
    stayed = set(frame.loc[frame.wave == "w2", "person_id"])
    ours = first[first.group == "participant"]
    kept = ours.person_id.isin(stayed)
    assert baseline.loc["participant", "mean_stayed"] == pytest.approx(ours.score[kept].mean())
    assert baseline.loc["participant", "mean_left"] == pytest.approx(ours.score[~kept].mean())
    assert (baseline.loc["participant", "n_stayed"], baseline.loc["participant", "n_left"]) == (18, 12)


def test_one_wave_gives_empty_tables() -> None:
    frame = _panel(10, 10, 0, 0)
    frame = frame[frame.wave == "w0"]
    assert attrition_summary(frame).empty and baseline_by_retention(frame).empty


@pytest.fixture(scope="module")
def example():
    from rmkit.resources import example_cohort_dir

    cohort = load_cohort(example_cohort_dir())
    return cohort, evaluate(cohort)


def test_the_example_shows_every_wave_and_who_left(example) -> None:
    cohort, result = example
    every = result.every_wave
    assert len(cohort.program.waves) >= 3
    attrition = every.attrition.set_index("group")
    assert attrition.loc["comparison", "attrition"] > attrition.loc["participant", "attrition"] > 0
    assert every.differential_attrition > 0
    assert not every.baseline.empty and not every.mixed.empty and not every.mixed_roles.empty
    # the evaluation's mixed rows are the pure estimator's on the same score frame
    waves = list(cohort.program.waves)
    frame = survey_scores(cohort, score_responses(cohort.responses, cohort.instrument, waves=waves),
                          score_responses(cohort.comparison_responses, cohort.instrument, waves=waves))
    pure = mixed_effects(frame, waves=waves)
    rows = result.metrics[result.metrics.metric.str.startswith("mixed:")]
    assert len(rows) == len(pure)
    for row, ref in zip(rows.itertuples(), pure.itertuples(), strict=True):
        assert row.metric == f"mixed:{ref.scale}" and (row.group, row.wave, row.n) == (ref.group, ref.wave, ref.n_people)
        assert row.value == pytest.approx(ref.estimate) and not row.suppressed
    # scales asked before the program of both groups: against the comparison group; asked after pairing: participants
    groups = rows.assign(scale=rows.metric.str.removeprefix("mixed:")).groupby("scale").group.first()
    assert groups["digital_confidence"] == "participant" and groups["relationship_quality"] == "all"
    assert set(rows.wave) == {"month6", "month12"}


def test_mixed_rows_are_hidden_when_the_comparison_group_is_small(cohort_copy: Path) -> None:
    path = cohort_copy / "responses.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    comparison = sorted(p for p in frame.person_id.unique() if p.startswith("c"))
    frame[~frame.person_id.isin(comparison[4:])].to_csv(path, index=False)  # 4 comparison people left
    table = metrics_table(load_cohort(cohort_copy))
    rows = table[table.metric.str.startswith("mixed:") & (table.group == "participant")]
    assert len(rows) > 0 and rows.suppressed.all() and rows[["value", "ci_low", "ci_high"]].isna().all().all()
    assert (rows.n > 5).all()  # n counts both groups; the small one hides the row


def test_every_wave_evidence_without_responses() -> None:
    empty = every_wave_evidence(None, waves=["w0", "w1"], min_group_size=5)
    assert empty.mixed.empty and empty.attrition.empty and "No survey responses" in empty.note
