"""ROI sensitivity checked by hand arithmetic on a small costs table."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from rmkit.evaluation.roi_sensitivity import SENSITIVITY_COLUMNS, break_even_attribution, roi_sensitivity

COSTS = pd.DataFrame({
    "kind": ["cost", "cost", "benefit", "benefit"],
    "item": ["facilitator", "participants' time", "training avoided", "faster tool adoption"],
    "amount": [10000, 5000, 40000, 10000],
    "attribution": [None, None, 0.5, 0.2],
    "confidence": [None, None, 0.8, 0.5],
})


def test_by_hand() -> None:
    """Costs 15,000. Most conservative: 40,000 × 0.5 × 0.8 + 10,000 × 0.2 × 0.5 = 16,000 + 1,000 = 17,000, BCR
    17/15 = 1.1333, ROI 2,000/15,000 = 13.33 %. Estimated: 20,000 + 2,000 = 22,000, BCR 1.4667, ROI 46.67 %.
    Break-even: 15,000 / (40,000 × 0.8 + 10,000 × 0.5) = 15,000 / 37,000 = 0.4054."""
    table = roi_sensitivity(COSTS).set_index("scenario")
    assert list(table.reset_index().columns) == SENSITIVITY_COLUMNS
    assert table.loc["most conservative", ["costs", "benefits"]].tolist() == [15000, 17000]
    assert table.loc["most conservative", "bcr"] == pytest.approx(17 / 15)
    assert table.loc["most conservative", "roi_percent"] == pytest.approx(200 / 15)
    assert table.loc["estimated", "benefits"] == 22000
    assert table.loc["estimated", "roi_percent"] == pytest.approx(700 / 15)
    assert break_even_attribution(COSTS) == pytest.approx(15000 / 37000)
    # at the break-even share, every benefit attributed so, the conservative ROI is 0
    even = COSTS.assign(attribution=[None, None, 15000 / 37000, 15000 / 37000])
    assert roi_sensitivity(even).iloc[0]["roi_percent"] == pytest.approx(0, abs=1e-9)


def test_no_costs_or_no_benefits() -> None:
    benefits_only = COSTS[COSTS["kind"] == "benefit"]
    assert roi_sensitivity(benefits_only)[["bcr", "roi_percent"]].isna().all().all()
    assert math.isnan(break_even_attribution(benefits_only))
    assert math.isnan(break_even_attribution(COSTS[COSTS["kind"] == "cost"]))
    expensive = COSTS.assign(amount=[100000, 5000, 40000, 10000])
    assert break_even_attribution(expensive) > 1  # not reachable: the notebook says so
