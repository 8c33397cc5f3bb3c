"""Reliability (rmkit.evaluation.reliability). References: pingouin.cronbach_alpha (pairwise covariances, Feldt CI), the R psych
values quoted in pingouin's documentation for its bundled data set, and NumPy correlations for item–rest
correlations on complete data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

from rmkit.cohort.config import parse_instrument
from rmkit.evaluation.reliability import (
    cronbach_alpha,
    item_statistics,
    item_table,
    reliability_table,
    reliability_warnings,
)


def likert(rng: np.random.Generator, n: int, k: int, *, noise: float = 0.8, missing: float = 0.0) -> pd.DataFrame:
    latent = rng.normal(3, 0.9, n)
    data = np.clip(np.rint(latent[:, None] + rng.normal(0, noise, (n, k))), 1, 5)
    data[rng.random((n, k)) < missing] = np.nan
    return pd.DataFrame(data, columns=[f"i{j + 1}" for j in range(k)])


def test_alpha_matches_r_psych_on_pingouins_data_set():
    # pingouin's docs: R psych::alpha(data, use = "pairwise") gives 0.732660835214447, CI [0.435, 0.909]
    data = pg.read_dataset("cronbach_wide_missing")
    result = cronbach_alpha(data)
    assert result.alpha == pytest.approx(0.732660835214447, abs=1e-12)
    assert result.ci_low == pytest.approx(0.435, abs=5e-4)
    assert result.ci_high == pytest.approx(0.909, abs=5e-4)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("missing", [0.0, 0.1])
def test_alpha_matches_pingouin(seed, missing):
    data = likert(np.random.default_rng(seed), 60, 5, missing=missing)
    data = data[data.notna().any(axis=1)]  # rmkit leaves out people who answered none of the items
    reference, ci = pg.cronbach_alpha(data, nan_policy="pairwise")
    result = cronbach_alpha(data)
    assert result.alpha == pytest.approx(reference, abs=1e-10)
    assert (result.ci_low, result.ci_high) == pytest.approx(tuple(ci), abs=5e-4)  # pingouin rounds its CI to 3 places
    assert result.n == len(data) and result.k == 5


def test_feldt_ci_at_90_percent_matches_pingouin():
    data = likert(np.random.default_rng(9), 40, 4)
    _, ci = pg.cronbach_alpha(data, ci=0.90)
    result = cronbach_alpha(data, confidence=0.90)
    assert (result.ci_low, result.ci_high) == pytest.approx(tuple(ci), abs=5e-4)


def test_rows_without_any_answer_are_left_out():
    data = likert(np.random.default_rng(4), 30, 4)
    padded = pd.concat([data, pd.DataFrame(np.nan, index=range(100, 105), columns=data.columns)])
    assert cronbach_alpha(padded) == cronbach_alpha(data)


def test_alpha_if_deleted_matches_pingouin_without_the_item():
    data = likert(np.random.default_rng(5), 80, 4, missing=0.05)
    stats = item_statistics(data).set_index("item")
    for item in data.columns:
        reference, _ = pg.cronbach_alpha(data.drop(columns=item), nan_policy="pairwise")
        assert stats.loc[item, "alpha_if_deleted"] == pytest.approx(reference, abs=1e-10)


def test_item_rest_correlation_matches_numpy_on_complete_data():
    data = likert(np.random.default_rng(6), 50, 4)
    stats = item_statistics(data).set_index("item")
    for item in data.columns:
        rest = data.drop(columns=item).sum(axis=1)
        reference = np.corrcoef(data[item], rest)[0, 1]
        assert stats.loc[item, "r_drop"] == pytest.approx(reference, abs=1e-12)
    assert stats["mean"].to_numpy() == pytest.approx(data.mean().to_numpy())
    assert stats["sd"].to_numpy() == pytest.approx(data.std(ddof=1).to_numpy())


def test_degenerate_inputs_give_nan():
    one_item = cronbach_alpha(pd.DataFrame({"a": [1, 2, 3]}))
    assert np.isnan(one_item.alpha) and one_item.k == 1
    one_person = cronbach_alpha(pd.DataFrame({"a": [1], "b": [2]}))
    assert np.isnan(one_person.alpha) and one_person.n == 1
    no_variance = cronbach_alpha(pd.DataFrame({"a": [3, 3, 3], "b": [3, 3, 3]}))
    assert np.isnan(no_variance.alpha)


INSTRUMENT = """
id: rel
response_scale: {min: 1, max: 5}
scales: [{id: good}, {id: forgot}, {id: weak}, {id: single}]
items:
  - {id: g1, scale: good}
  - {id: g2, scale: good}
  - {id: g3, scale: good}
  - {id: g4, scale: good, reverse: true}
  - {id: f1, scale: forgot}
  - {id: f2, scale: forgot}
  - {id: f3, scale: forgot}
  - {id: f4, scale: forgot}
  - {id: w1, scale: weak}
  - {id: w2, scale: weak}
  - {id: w3, scale: weak}
  - {id: s1, scale: single}
"""


@pytest.fixture(scope="module")
def survey():
    inst, problems = parse_instrument(INSTRUMENT)
    assert inst is not None, problems
    rng = np.random.default_rng(11)
    frames = []
    for wave in ("baseline", "month6"):
        n = 70
        good = likert(rng, n, 4, noise=0.6)
        good["i4"] = 6 - good["i4"]  # a negatively worded item, marked reverse in the instrument
        forgot = likert(rng, n, 4, noise=0.6)
        forgot["i4"] = 6 - forgot["i4"]  # negatively worded, but the instrument forgot to mark it
        weak = pd.DataFrame(rng.integers(1, 6, (n, 3)).astype(float))  # unrelated items: alpha near 0
        frame = pd.DataFrame({"person_id": [f"p{k}" for k in range(n)], "wave": wave})
        for j in range(4):
            frame[f"g{j + 1}"] = good[f"i{j + 1}"].to_numpy()
            frame[f"f{j + 1}"] = forgot[f"i{j + 1}"].to_numpy()
        for j in range(3):
            frame[f"w{j + 1}"] = weak[j].to_numpy()
        frame["s1"] = rng.integers(1, 6, n).astype(float)
        frames.append(frame)
    return inst, pd.concat(frames, ignore_index=True)


def test_table_uses_reverse_coded_items(survey):
    inst, responses = survey
    table = reliability_table(responses, inst, waves=["baseline", "month6"])
    assert list(table.columns) == ["scale", "wave", "n", "n_items", "alpha", "ci_low", "ci_high", "warning"]
    assert "single" not in set(table.scale)  # one item: no alpha
    for wave in ("baseline", "month6"):
        part = responses[responses.wave == wave]
        items = part[["g1", "g2", "g3", "g4"]].copy()
        items["g4"] = 6 - items["g4"]  # recode by hand, then ask pingouin
        reference, ci = pg.cronbach_alpha(items)
        row = table[(table.scale == "good") & (table.wave == wave)].iloc[0]
        assert row.alpha == pytest.approx(reference, abs=1e-10)
        assert (row.ci_low, row.ci_high) == pytest.approx(tuple(ci), abs=5e-4)
        assert row.n == len(part) and row.n_items == 4


def test_warnings_for_low_alpha_and_a_forgotten_reverse_item(survey):
    inst, responses = survey
    table = reliability_table(responses, inst, waves=["baseline", "month6"])
    items = item_table(responses, inst, waves=["baseline", "month6"])
    weak = table[table.scale == "weak"]
    assert (weak.alpha < 0.7).all() and weak.warning.str.contains("below 0.70").all()
    assert (table[table.scale == "good"].warning == "").all()
    flagged = items[items.warning != ""]
    assert set(zip(flagged.scale, flagged.item, strict=True)) >= {("forgot", "f4")}
    assert flagged[flagged.item == "f4"].warning.str.contains("should be reverse-coded").all()
    assert (items[items.scale == "good"].warning == "").all()
    lines = reliability_warnings(table, items)
    assert any(line.startswith("baseline: item f4 correlates negatively") for line in lines)


def test_pooled_over_waves(survey):
    inst, responses = survey
    table = reliability_table(responses, inst, by_wave=False)
    row = table[table.scale == "good"].iloc[0]
    assert pd.isna(row.wave) and row.n == len(responses)


def test_example_cohort_has_no_reverse_coding_mistake(example_dir):
    from rmkit.cohort import load_cohort

    cohort = load_cohort(example_dir)
    items = item_table(cohort.responses, cohort.instrument, waves=cohort.program.waves)
    assert (items.r_drop > 0).all()
    table = reliability_table(cohort.responses, cohort.instrument, waves=cohort.program.waves)
    # relationship_quality and application are blank at baseline: no alpha there
    assert set(table[table.wave == "baseline"].scale) == set(cohort.instrument.scale_ids) - {"relationship_quality", "application"}
