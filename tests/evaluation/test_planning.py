"""Planning: the minimum detectable change and the power of the paired design, pinned to G*Power."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from rmkit.cohort import load_cohort
from rmkit.evaluation.planning import (
    PLAN_COLUMNS,
    detectable_change,
    plan_table,
    power_to_detect,
    undetectable_targets,
)
from rmkit.evaluation.scoring import score_responses

from ..helpers.cohort_builder import write_tiny_cohort


def test_gpower_paired_t_table() -> None:
    """G*Power 3.1, t tests · Means: difference between two dependent means (matched pairs), a priori, two tails,
    effect size dz = 0.5, α = 0.05, power 0.80: total sample size 34, actual power 0.8078 (Faul et al., 2007;
    the same figure as Cohen's 1988 tables for d = 0.5)."""
    assert power_to_detect(0.5, 34, 1.0) == pytest.approx(0.8078, abs=5e-4)
    assert power_to_detect(0.5, 33, 1.0) < 0.80 <= power_to_detect(0.5, 34, 1.0)  # 34 is the smallest n
    # the detectable change at n = 34 is just under d = 0.5, at n = 33 just over; in scale units it scales with the SD
    assert detectable_change(34, 1.0) < 0.5 < detectable_change(33, 1.0)
    assert detectable_change(34, 0.8) == pytest.approx(0.8 * detectable_change(34, 1.0))
    assert np.isnan(detectable_change(1, 1.0)) and np.isnan(detectable_change(10, 0.0))
    assert np.isnan(power_to_detect(float("nan"), 34, 1.0))


def test_plan_of_the_example_uses_expected_sd_where_given_else_first_wave_scores(example_dir: Path) -> None:
    cohort = load_cohort(example_dir)
    plan = plan_table(cohort).set_index("objective")
    assert list(plan.reset_index().columns) == PLAN_COLUMNS
    # digital_fluency: a mentee scale (the mentees are measured), planned in program.yaml with expected_sd: 0.8
    row = plan.loc["digital_fluency"]
    assert row["n"] == len(cohort.mentees) and row["sd_source"] == "expected_sd" and row["sd"] == 0.8
    assert row["mde"] == pytest.approx(detectable_change(row["n"], 0.8))
    # business_insight: a mentor scale with no planning value, so the SD of the mentors' first-wave scores
    row = plan.loc["business_insight"]
    assert row["n"] == len(cohort.mentors) and row["sd_source"] == "first_wave"
    scores = score_responses(cohort.responses, cohort.instrument)
    mentors = set(cohort.mentors["person_id"])
    baseline = scores[(scores.wave == "baseline") & (scores.scale == "business_insight") & scores.person_id.isin(mentors)]
    assert row["sd"] == pytest.approx(np.std(baseline["score"], ddof=1))
    assert row["mde"] == pytest.approx(detectable_change(row["n"], row["sd"]))
    assert plan.loc["collaboration", "n"] == len(cohort.participants)  # audience all: everyone


def test_expected_sd_wins_and_no_sd_is_invented(tmp_path: Path) -> None:
    folder = write_tiny_cohort(tmp_path / "t", skip=("responses",))
    cohort = load_cohort(folder)
    plan = plan_table(cohort)
    assert plan.iloc[0][["sd_source", "n"]].tolist() == ["none", 6]
    assert plan[["sd", "mde", "power_at_target"]].isna().all().all()
    # program.yaml: objectives[].expected_sd, read wherever the objective carries it
    objective = SimpleNamespace(id="grow", measure="skills", target_change=0.5, expected_sd=0.25)
    cohort.program = cohort.program.model_copy(update={"objectives": [objective]})
    row = plan_table(cohort).iloc[0]
    assert row["sd_source"] == "expected_sd" and row["sd"] == 0.25
    assert row["mde"] == pytest.approx(detectable_change(6, 0.25))
    assert row["power_at_target"] == pytest.approx(power_to_detect(0.5, 6, 0.25))


def test_too_few_first_wave_respondents_give_no_sd(tmp_path: Path) -> None:
    folder = write_tiny_cohort(tmp_path / "t")  # the tiny cohort's responses: fewer than min_group_size = 5 people
    (folder / "program.yaml").write_text((folder / "program.yaml").read_text().replace("min_group_size: 2", "min_group_size: 5"))
    plan = plan_table(load_cohort(folder))
    assert plan.iloc[0]["sd_source"] == "none"


def test_undetectable_targets() -> None:
    import pandas as pd

    plan = pd.DataFrame({"objective": ["a", "b", "c"], "target_change": [0.2, -0.6, 0.3], "mde": [0.3, 0.5, np.nan]})
    assert undetectable_targets(plan)["objective"].tolist() == ["a"]
