"""Scale scores (rmkit.evaluation.scoring). Expected values are worked by hand in each test (the arithmetic is written out),
or come from an independent per-person loop written here, never from rmkit's own output."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rmkit.cohort.config import parse_instrument
from rmkit.evaluation.scoring import SCORE_COLUMNS, item_matrix, recoded_items, score_responses

INSTRUMENT = """
id: test
response_scale: {min: 1, max: 5, labels: [Strongly disagree, Disagree, Neutral, Agree, Strongly agree]}
favorable_at: 4
min_answered: 0.5
scales:
  - {id: m, scoring: mean}
  - {id: s, scoring: sum}
  - {id: p, scoring: pomp}
  - {id: f, scoring: percent_favorable}
items:
  - {id: m1, scale: m}
  - {id: m2, scale: m}
  - {id: m3, scale: m}
  - {id: m4, scale: m, reverse: true}
  - {id: s1, scale: s}
  - {id: s2, scale: s}
  - {id: s3, scale: s}
  - {id: s4, scale: s}
  - {id: p1, scale: p}
  - {id: p2, scale: p}
  - {id: f1, scale: f}
  - {id: f2, scale: f}
  - {id: f3, scale: f}
"""


@pytest.fixture(scope="module")
def instrument():
    inst, problems = parse_instrument(INSTRUMENT)
    assert inst is not None, problems
    return inst


def frame(rows: list[dict]) -> pd.DataFrame:
    out = pd.DataFrame(rows)
    for column in out.columns:
        if column not in ("person_id", "wave"):
            out[column] = out[column].astype("Int64")
    return out


def one(scores: pd.DataFrame, person: str, scale: str) -> pd.Series:
    row = scores[(scores.person_id == person) & (scores.scale == scale)]
    assert len(row) == 1
    return row.iloc[0]


def test_columns_and_order(instrument):
    responses = frame([
        {"person_id": "a", "wave": "w1", "m1": 1, "m2": 2, "m3": 3, "m4": 4, "s1": 1, "s2": 1, "s3": 1, "s4": 1,
         "p1": 1, "p2": 1, "f1": 1, "f2": 1, "f3": 1},
        {"person_id": "b", "wave": "w1", "m1": 5, "m2": 5, "m3": 5, "m4": 5, "s1": 5, "s2": 5, "s3": 5, "s4": 5,
         "p1": 5, "p2": 5, "f1": 5, "f2": 5, "f3": 5},
    ])
    scores = score_responses(responses, instrument)
    assert list(scores.columns) == SCORE_COLUMNS
    assert list(scores.person_id.astype(str)) == ["a"] * 4 + ["b"] * 4
    assert list(scores.scale.astype(str)) == ["m", "s", "p", "f"] * 2


def test_reverse_coding_mean(instrument):
    # m4 is reverse-coded: 1 + 5 - 4 = 2, so the mean of (1, 2, 3, 2) is 8 / 4 = 2.0
    responses = frame([{"person_id": "a", "wave": "w1", "m1": 1, "m2": 2, "m3": 3, "m4": 4}])
    row = one(score_responses(responses, instrument), "a", "m")
    assert row.score == pytest.approx(2.0)
    assert row.n_items == 4


def test_min_answered(instrument):
    # m has 4 items and min_answered 0.5: 2 answers give a score, 1 answer does not.
    # f has 3 items: 0.5 × 3 = 1.5, so 2 answers are needed.
    responses = frame([
        {"person_id": "two", "wave": "w1", "m1": 4, "m2": 2, "f1": 5, "f2": 3},
        {"person_id": "one", "wave": "w1", "m1": 4, "f1": 5},
    ])
    scores = score_responses(responses, instrument)
    assert one(scores, "two", "m").score == pytest.approx(3.0)  # (4 + 2) / 2
    assert one(scores, "two", "f").score == pytest.approx(4.0)  # (5 + 3) / 2
    assert scores[scores.person_id == "one"].empty
    kept = score_responses(responses, instrument, dropna=False)
    row = one(kept, "one", "m")
    assert math.isnan(row.score) and row.n_items == 1


def test_sum_is_prorated(instrument):
    # s: answers 4, 5, (missing), 3 -> mean 12 / 3 = 4, prorated over 4 items: 4 × 4 = 16
    # (a person answering all four with 4, 5, 4, 3 has the plain sum 16 as well)
    responses = frame([
        {"person_id": "a", "wave": "w1", "s1": 4, "s2": 5, "s4": 3},
        {"person_id": "b", "wave": "w1", "s1": 4, "s2": 5, "s3": 4, "s4": 3},
    ])
    scores = score_responses(responses, instrument)
    assert one(scores, "a", "s").score == pytest.approx(16.0)
    assert one(scores, "b", "s").score == pytest.approx(16.0)
    assert one(scores, "a", "s").n_items == 3


def test_pomp(instrument):
    # POMP = (mean - min) / (max - min) × 100: mean (4 + 5) / 2 = 4.5 -> (4.5 - 1) / 4 × 100 = 87.5;
    # all answers at the minimum -> 0; at the maximum -> 100
    responses = frame([
        {"person_id": "a", "wave": "w1", "p1": 4, "p2": 5},
        {"person_id": "b", "wave": "w1", "p1": 1, "p2": 1},
        {"person_id": "c", "wave": "w1", "p1": 5, "p2": 5},
    ])
    scores = score_responses(responses, instrument)
    assert one(scores, "a", "p").score == pytest.approx(87.5)
    assert one(scores, "b", "p").score == pytest.approx(0.0)
    assert one(scores, "c", "p").score == pytest.approx(100.0)


def test_percent_favorable_person_score_is_the_mean(instrument):
    # the share is taken when aggregating; the person's score is the scale mean (4 + 4 + 3) / 3
    responses = frame([{"person_id": "a", "wave": "w1", "f1": 4, "f2": 4, "f3": 3}])
    assert one(score_responses(responses, instrument), "a", "f").score == pytest.approx(11 / 3)


def test_missing_item_column_counts_as_unanswered(instrument):
    responses = frame([{"person_id": "a", "wave": "w1", "m1": 5, "m2": 3}])  # no m3, m4 columns at all
    assert one(score_responses(responses, instrument), "a", "m").score == pytest.approx(4.0)


def test_rejects_values_outside_the_scale(instrument):
    responses = frame([{"person_id": "a", "wave": "w1", "m1": 7}])
    with pytest.raises(ValueError, match="outside the response scale 1–5"):
        score_responses(responses, instrument)


def test_rejects_text_answers(instrument):
    responses = pd.DataFrame({"person_id": ["a"], "wave": ["w1"], "m1": ["Agree"]})
    with pytest.raises(ValueError, match="not a number"):
        score_responses(responses, instrument)


def test_unknown_scale_raises(instrument):
    responses = frame([{"person_id": "a", "wave": "w1", "m1": 1}])
    with pytest.raises(KeyError, match="not a scale"):
        score_responses(responses, instrument, scales=["nope"])


def test_input_is_not_mutated(instrument):
    responses = frame([{"person_id": "a", "wave": "w1", "m1": 1, "m4": 2}, {"person_id": "b", "wave": "w2", "m1": 5, "m4": 4}])
    before = responses.copy()
    score_responses(responses, instrument)
    recoded_items(responses, instrument, "m")
    pd.testing.assert_frame_equal(responses, before)


def test_wave_order_follows_the_program(instrument):
    responses = frame([{"person_id": "a", "wave": "month6", "m1": 1, "m2": 1},
                       {"person_id": "a", "wave": "baseline", "m1": 2, "m2": 2}])
    scores = score_responses(responses, instrument, waves=["baseline", "month6"])
    assert list(scores.sort_values("wave").wave.astype(str)) == ["baseline", "month6"]


def test_recoded_items(instrument):
    # reverse: 1 + 5 - x
    responses = frame([{"person_id": "a", "wave": "w1", "m1": 2, "m4": 1}])
    items = recoded_items(responses, instrument, "m")
    assert list(items.columns) == ["m1", "m2", "m3", "m4"]
    assert items.loc[0, "m1"] == 2 and items.loc[0, "m4"] == 5 and math.isnan(items.loc[0, "m2"])


def test_item_matrix_accepts_numeric_text():
    matrix = item_matrix(pd.DataFrame({"a": ["1", None, "3"]}), ["a"])
    assert matrix[0, 0] == 1 and np.isnan(matrix[1, 0]) and matrix[2, 0] == 3


def reference_scores(responses: pd.DataFrame, inst) -> dict[tuple[str, str], float]:
    """An independent, deliberately plain per-person computation of the rules in shared/DESIGN.md."""
    low, high = inst.response_scale.min, inst.response_scale.max
    out: dict[tuple[str, str], float] = {}
    for _, row in responses.iterrows():
        for scale in inst.scales:
            items = inst.items_of(scale.id)
            answers = []
            for item in items:
                value = row.get(item.id)
                if value is None or pd.isna(value):
                    continue
                answers.append(low + high - value if item.reverse else value)
            if not answers or len(answers) / len(items) < inst.min_answered:
                continue
            mean = sum(answers) / len(answers)
            if scale.scoring == "sum":
                mean = mean * len(items)
            elif scale.scoring == "pomp":
                mean = (mean - low) / (high - low) * 100
            out[(row["person_id"], scale.id)] = mean
    return out


answer = st.one_of(st.none(), st.integers(1, 5))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(answer, min_size=13, max_size=13), min_size=1, max_size=12))
def test_matches_a_plain_per_person_computation(instrument, answers):
    ids = instrument.item_ids
    rows = [{"person_id": f"p{k}", "wave": "w1", **dict(zip(ids, values, strict=True))} for k, values in enumerate(answers)]
    responses = frame(rows)
    expected = reference_scores(responses, instrument)
    scores = score_responses(responses, instrument)
    got = {(str(r.person_id), str(r.scale)): r.score for r in scores.itertuples()}
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert got[key] == pytest.approx(value)


def test_example_cohort_scores_every_baseline_respondent(example_dir):
    from rmkit.cohort import load_cohort

    cohort = load_cohort(example_dir)
    scores = score_responses(cohort.responses, cohort.instrument, waves=cohort.program.waves)
    baseline = scores[scores.wave == "baseline"]
    # relationship_quality and application are blank at baseline in rm-core (see its comments)
    assert set(baseline.scale.astype(str)) == set(cohort.instrument.scale_ids) - {"relationship_quality", "application"}
    assert scores.score.between(1, 5).all()  # every rm-core scale is scored as a mean on 1-5
