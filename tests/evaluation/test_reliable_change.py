"""Reliable change (rmkit.evaluation.reliable_change). References: Jacobson & Truax's (1991) formula worked by hand on
published inputs, pingouin's Cronbach alpha and NumPy for the classification, and the confidentiality rule's own
statement (README, "Scoring and metrics") for suppression."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

from rmkit.cohort.config import Objective, parse_instrument
from rmkit.evaluation.reliability import reliability_table
from rmkit.evaluation.reliable_change import (
    classify_change,
    lower_is_better,
    rci_metric_rows,
    reliable_change,
    reliable_change_index,
)
from rmkit.evaluation.scoring import score_responses
from rmkit.evaluation.waves import waves_table

INSTRUMENT = """
id: t
response_scale: {min: 1, max: 5}
scales: [{id: s}, {id: one}]
items:
  - {id: a, scale: s}
  - {id: b, scale: s}
  - {id: c, scale: s}
  - {id: d, scale: s}
  - {id: o, scale: one}
"""


def _instrument():
    instrument, problems = parse_instrument(INSTRUMENT)
    assert instrument is not None, problems
    return instrument


def test_the_formula_on_a_published_worked_example() -> None:
    # Inputs quoted from a PhD thesis applying Jacobson & Truax (1991) to the Leeds Dependence Questionnaire
    # (online.flipbuilder.com/redjo/fjez, pages 191-192 of the online copy): "rxx ... 0.95 in the validation study
    # of the LDQ (Raistrick et al. 1994)", "S1 ... at t1 ... 7.6", RC = (x2 - x1) / Sdiff, Sdiff = sqrt(2 SE^2), SE = S1 sqrt(1 - rxx);
    # and its Table 9.5: mean score 20.5 at intake, 6.7 at three months. The arithmetic by hand:
    #   SE = 7.6 x sqrt(0.05) = 1.699412;  Sdiff = 1.699412 x sqrt(2) = 2.403331;  1.96 x Sdiff = 4.710529
    #   RC = (6.7 - 20.5) / 2.403331 = -13.8 / 2.403331 = -5.74203  (a reliable decrease of dependence: lower is better)
    rci = reliable_change_index(np.array([20.5, 20.5, 20.5]), np.array([6.7, 20.5 - 4.71, 20.5 - 4.72]),
                                sd_first=7.6, reliability=0.95)
    assert rci[0] == pytest.approx(-5.74203, abs=1e-5)
    # the criterion of 4.7105 points: 4.71 fewer points is not reliable, 4.72 is
    assert classify_change(rci, direction=-1).tolist() == ["improved", "unchanged", "improved"]
    # psyctc.org's reliable change criterion calculator (C. Evans): SD1 * sqrt(2) * sqrt(1 - rel), the same S_diff
    assert 1.96 * 7.6 * math.sqrt(2) * math.sqrt(1 - 0.95) == pytest.approx(4.710529, abs=1e-6)


def test_reliability_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(ValueError, match="reliability"):
        reliable_change_index(np.array([1.0]), np.array([2.0]), sd_first=1.0, reliability=0.0)
    with pytest.raises(ValueError, match="direction"):
        classify_change(np.array([1.0]), direction=0)


def _responses(seed: int, n_mentors: int, n_mentees: int, *, gain: float = 0.6) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    n = n_mentors + n_mentees
    ids = [f"p{k:02d}" for k in range(n)]
    people = pd.DataFrame({"person_id": ids, "role": ["mentor"] * n_mentors + ["mentee"] * n_mentees})
    latent = rng.normal(3, 0.7, n)
    rows = []
    for wave, shift in (("w0", 0.0), ("w1", gain)):
        true = latent + shift + rng.normal(0, 0.9, n)  # individual change varies: some improve a lot, some get worse
        items = np.clip(np.rint(true[:, None] + rng.normal(0, 0.6, (n, 4))), 1, 5)
        one = np.clip(np.rint(true + rng.normal(0, 0.6, n)), 1, 5)
        for k, person in enumerate(ids):
            rows.append({"person_id": person, "wave": wave, "a": items[k, 0], "b": items[k, 1], "c": items[k, 2],
                         "d": items[k, 3], "o": one[k]})
    return pd.DataFrame(rows), people


def test_classification_and_shares_against_a_hand_computation() -> None:
    responses, people = _responses(4, 14, 16, gain=0.3)
    instrument = _instrument()
    scores = score_responses(responses, instrument)
    result = reliable_change(scores, people, instrument, reliability_table(responses, instrument), first="w0",
                             last="w1", min_group_size=5)
    # by hand: alpha from pingouin on the first wave's items, s1 and the scale means with NumPy
    first = responses[responses.wave == "w0"].set_index("person_id")[["a", "b", "c", "d"]]
    last = responses[responses.wave == "w1"].set_index("person_id")[["a", "b", "c", "d"]]
    alpha = pg.cronbach_alpha(first)[0]
    before, after = first.mean(axis=1).to_numpy(), last.loc[first.index].mean(axis=1).to_numpy()
    s1 = np.std(before, ddof=1)
    s_diff = math.sqrt(2 * (s1 * math.sqrt(1 - alpha)) ** 2)
    rci = (after - before) / s_diff
    improved, worse = rci > 1.96, rci < -1.96
    row = result.table.set_index("group").loc["all"]
    assert row.alpha == pytest.approx(alpha, abs=1e-12) and row.sd_first == pytest.approx(s1)
    assert row.s_diff == pytest.approx(s_diff) and row.criterion == pytest.approx(1.96 * s_diff)
    assert row.n == 30 and (row.n_improved, row.n_worse) == (improved.sum(), worse.sum())
    assert 0 < improved.sum() < 30 and worse.sum() > 0  # the sample exercises every category
    assert (row.improved, row.worse) == pytest.approx((100 * improved.mean(), 100 * worse.mean()))
    assert row.improved + row.unchanged + row.worse == pytest.approx(100)
    mentees = (people.set_index("person_id").loc[first.index, "role"] == "mentee").to_numpy()
    mentee_row = result.table.set_index("group").loc["role=mentee"]
    assert mentee_row.n_improved == improved[mentees].sum() and mentee_row.n == 16
    people_rci = result.people[result.people.scale == "s"].set_index("person_id").loc[first.index, "rci"]
    assert people_rci.to_numpy() == pytest.approx(rci)
    # the Wilson interval of the improved share (Wilson, 1927), by hand
    z, p, n = 1.959963984540054, improved.mean(), 30
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    assert (row.improved_ci_low, row.improved_ci_high) == pytest.approx((100 * (centre - half), 100 * (centre + half)))
    # a single-item scale has no alpha: no rows, and a note says so
    assert "one" not in set(result.table.scale)
    assert any(note.startswith("one: a single item has no Cronbach's alpha") for note in result.notes)


def test_a_scale_an_objective_wants_lower_counts_a_reliable_decrease_as_improvement() -> None:
    responses, people = _responses(5, 15, 15, gain=-0.8)
    instrument = _instrument()
    scores = score_responses(responses, instrument)
    alpha = reliability_table(responses, instrument)
    up = reliable_change(scores, people, instrument, alpha, first="w0", last="w1").table.set_index("group").loc["all"]
    lower = lower_is_better([Objective(id="less", measure="s", target_change=-0.5)])
    down = reliable_change(scores, people, instrument, alpha, first="w0", last="w1",
                           lower_better=lower).table.set_index("group").loc["all"]
    assert down.direction == "lower is better" and up.direction == "higher is better"
    assert (down.n_improved, down.n_worse) == (up.n_worse, up.n_improved) and down.n_improved > 0


def test_no_rows_when_alpha_is_zero_or_less() -> None:
    responses, people = _responses(6, 10, 10)
    first = responses.wave == "w0"
    responses.loc[first, "c"] = 6 - responses.loc[first, "a"]  # items running against each other at the first wave
    responses.loc[first, "d"] = 6 - responses.loc[first, "a"]
    instrument = _instrument()
    alpha = reliability_table(responses, instrument)
    at_first = alpha[(alpha.scale == "s") & (alpha.wave == "w0")].alpha.iloc[0]
    assert at_first <= 0
    assert pg.cronbach_alpha(responses.loc[first, ["a", "b", "c", "d"]])[0] == pytest.approx(at_first)
    result = reliable_change(score_responses(responses, instrument), people, instrument, alpha, first="w0", last="w1")
    assert result.table.empty
    assert any("0 or less" in note for note in result.notes)


def test_a_single_wave_says_why() -> None:
    responses, people = _responses(7, 6, 6)
    instrument = _instrument()
    result = reliable_change(score_responses(responses[responses.wave == "w0"], instrument), people, instrument,
                             None, first=None, last=None)
    assert result.table.empty and "single wave" in result.notes[0]


def test_a_small_role_is_hidden_and_not_recoverable_from_all_minus_the_other() -> None:
    responses, people = _responses(8, 4, 16)  # 4 mentors < 5
    instrument = _instrument()
    scores = score_responses(responses, instrument)
    table = reliable_change(scores, people, instrument, reliability_table(responses, instrument), first="w0",
                            last="w1", min_group_size=5).table.set_index("group")
    assert table.loc["role=mentor", "suppressed"] and np.isnan(table.loc["role=mentor", "improved"])
    assert table.loc["role=mentor", "n"] == 4  # the size is kept
    # all (20) minus mentees (16) would give the 4 mentors' shares back: the mentees are hidden too
    assert table.loc["role=mentee", "suppressed"] and np.isnan(table.loc["role=mentee", "n_improved"])
    assert not table.loc["all", "suppressed"] and np.isfinite(table.loc["all", "improved"])
    rows = rci_metric_rows(table.reset_index())
    assert set(rows.metric) == {"rci_improved:s", "rci_worse:s"}
    assert rows.set_index(["metric", "group"]).loc[("rci_worse:s", "role=mentee"), "suppressed"]


def test_a_row_is_hidden_where_the_change_of_the_same_people_would_reveal_a_few() -> None:
    responses, people = _responses(9, 10, 10)
    responses = responses[~((responses.person_id == "p00") & (responses.wave == "w1"))]  # p00 answered w0 only
    instrument = _instrument()
    scores = score_responses(responses, instrument)
    waves = waves_table(scores, people, instrument, suppress=False)
    result = reliable_change(scores, people, instrument, reliability_table(responses, instrument), first="w0",
                             last="w1", min_group_size=5, waves_table=waves)
    table = result.table[result.table.scale == "s"].set_index("group")
    # 20 people at w0, 19 at both: a difference of 1 person, as for the paired change (confidentiality.suppress_subsets)
    assert table.loc["all", "n"] == 19 and table.loc["all", "suppressed"]
    assert table.loc["role=mentor", "suppressed"]  # p00 is a mentor: 10 at w0, 9 at both
    # the mentees alone would be all minus the hidden mentors: they are hidden too
    assert table.loc["role=mentee", "suppressed"]


def test_the_metrics_table_has_the_rows_of_the_example(example_dir) -> None:
    from rmkit.cohort import load_cohort
    from rmkit.evaluation.metrics_table import evaluate

    result = evaluate(load_cohort(example_dir))
    rows = result.metrics[result.metrics.metric.str.startswith("rci_")]
    scales = set(result.reliable_change.table.scale)
    assert {f"rci_{k}:{s}" for k in ("improved", "worse") for s in scales} == set(rows.metric)
    assert set(rows.group) == {"all", "role=mentor", "role=mentee"} and set(rows.wave) == {result.last_wave}
    change = result.change[result.change.scale == "digital_confidence"].set_index("group")["n"]
    here = rows[rows.metric == "rci_improved:digital_confidence"].set_index("group")["n"]
    assert here.to_dict() == {g: change[g] for g in here.index}  # n = the people at both waves, as for the change
    shown = rows[~rows.suppressed]
    assert not shown.empty and shown["value"].between(0, 100).all()
    # hidden wherever the paired change of the same people is hidden (the example's satisfaction: 65 of 66)
    hidden = result.change[result.change.suppressed & result.change.group.isin(["all", "role=mentor", "role=mentee"])]
    for scale, group in zip(hidden.scale, hidden.group, strict=True):
        assert rows[(rows.metric == f"rci_improved:{scale}") & (rows.group == group)].suppressed.all()
