"""Phillips ROI (rmkit.evaluation.roi). Every expected value is worked by hand in the test from the formulas of the Phillips
ROI methodology (shared/DOMAIN.md): BCR = benefits / costs; ROI % = (benefits - costs) / costs × 100; benefits
discounted by attribution × confidence; payback = 12 × costs / annual benefits."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from rmkit.cohort.config import parse_program
from rmkit.evaluation.roi import intangibles, phillips_roi, roi_lines


def as_dict(result: pd.DataFrame) -> dict[str, float]:
    return dict(zip(result.metric, result.value, strict=True))


def test_example_cohort_sheet_by_hand(example_dir):
    from rmkit.cohort import load_cohort

    cohort = load_cohort(example_dir)
    got = as_dict(phillips_roi(cohort.costs))
    # costs (fully loaded): 18,000 + 34,320 + 4,500 + 3,500 = 60,320
    # benefits: 96,000 × 0.5 × 0.7 = 33,600; 40,000 × 0.8 × 0.8 = 25,600; 36,000 × 0.4 × 0.6 = 8,640 -> 67,840
    # BCR = 67,840 / 60,320 = 1.12467; ROI = 7,520 / 60,320 × 100 = 12.467 %; payback = 12 × 60,320 / 67,840 = 10.670
    assert got["costs"] == pytest.approx(60320)
    assert got["benefits"] == pytest.approx(67840)
    assert got["bcr"] == pytest.approx(1.124668, abs=1e-6)
    assert got["roi_percent"] == pytest.approx(12.466844, abs=1e-6)
    assert got["payback_months"] == pytest.approx(10.669811, abs=1e-6)


def test_a_textbook_style_case():
    # costs 80,000 + 20,000 = 100,000; benefits 300,000 × 0.6 × 0.75 = 135,000 and 50,000 × 1 × 1 = 50,000
    # -> 185,000; BCR 1.85; ROI (185,000 - 100,000) / 100,000 × 100 = 85 %; payback 12 × 100 / 185 = 6.486 months
    sheet = pd.DataFrame({
        "kind": ["cost", "benefit", "cost", "benefit"],
        "item": ["time", "sales", "events", "training avoided"],
        "amount": [80000, 300000, 20000, 50000],
        "attribution": [None, 0.6, None, None],
        "confidence": [None, 0.75, None, None],
    })
    got = as_dict(phillips_roi(sheet))
    assert got == pytest.approx({"costs": 100000, "benefits": 185000, "bcr": 1.85, "roi_percent": 85.0,
                                 "payback_months": 12 * 100 / 185})


def test_attribution_on_a_cost_line_is_ignored():
    # costs are fully loaded: an attribution written on a cost line (validation warns about it) does not discount it
    sheet = pd.DataFrame({"kind": ["cost", "benefit"], "item": ["a", "b"], "amount": [1000, 1000],
                          "attribution": [0.5, 0.5], "confidence": [0.5, 1.0]})
    lines = roi_lines(sheet)
    assert list(lines.counted) == [1000, 500]
    assert as_dict(phillips_roi(sheet))["roi_percent"] == pytest.approx(-50.0)  # (500 - 1000) / 1000 × 100


def test_lines_are_costs_first():
    sheet = pd.DataFrame({"kind": ["benefit", "cost", "Benefit ", "cost"], "item": list("abcd"), "amount": [1, 2, 3, 4]})
    assert list(roi_lines(sheet)["item"]) == ["b", "d", "a", "c"]


def test_no_costs_or_no_benefits():
    only_benefits = as_dict(phillips_roi(pd.DataFrame({"kind": ["benefit"], "item": ["x"], "amount": [100]})))
    assert only_benefits["costs"] == 0 and math.isnan(only_benefits["bcr"]) and math.isnan(only_benefits["roi_percent"])
    only_costs = as_dict(phillips_roi(pd.DataFrame({"kind": ["cost"], "item": ["x"], "amount": [100]})))
    assert only_costs["bcr"] == 0 and only_costs["roi_percent"] == -100 and math.isnan(only_costs["payback_months"])


def test_bad_input():
    with pytest.raises(ValueError, match="cost or benefit"):
        roi_lines(pd.DataFrame({"kind": ["gain"], "item": ["x"], "amount": [1]}))
    with pytest.raises(ValueError, match="between 0 and 1"):
        roi_lines(pd.DataFrame({"kind": ["benefit"], "item": ["x"], "amount": [1], "attribution": [1.5]}))
    with pytest.raises(ValueError, match="negative"):
        roi_lines(pd.DataFrame({"kind": ["cost"], "item": ["x"], "amount": [-1]}))


def test_intangibles(example_dir):
    from rmkit.cohort import load_cohort

    cohort = load_cohort(example_dir)
    table = intangibles(cohort.program, cohort.instrument)
    assert list(table.intangible[:2]) == list(cohort.program.intangibles)
    # rm-core's Kirkpatrick level 4 scales are the culture outcomes
    level4 = [s.title for s in cohort.instrument.scales if s.kirkpatrick == 4]
    assert list(table.intangible[2:]) == level4
    assert "Employee satisfaction (% favourable)" in level4
    program, _ = parse_program("intangibles: [Better morale]")
    assert list(intangibles(program).intangible) == ["Better morale"]
