"""ROI sensitivity (Phillips level 5): how much the return depends on the attribution and confidence estimates.

- **Most conservative**: each benefit counts amount × attribution × confidence (Phillips' rule, the figure
  :func:`rmkit.evaluation.roi.phillips_roi` reports).
- **Estimated**: each benefit counts amount × attribution, the estimators' figures taken as certain
  (confidence = 1): the upper end of the range the executive summary shows.
- **Break-even attribution**: the one share of every benefit line the program must cause for ROI ≥ 0, keeping
  each line's confidence: costs ÷ Σ(amount × confidence). Above 1 (100 %), even a program that caused every
  claimed benefit would not pay back.
"""

from __future__ import annotations

import pandas as pd

from .roi import roi_lines

__all__ = ["SENSITIVITY_COLUMNS", "roi_sensitivity", "break_even_attribution"]

SENSITIVITY_COLUMNS = ["scenario", "benefits_counted_as", "costs", "benefits", "bcr", "roi_percent"]


def _ratios(costs: float, benefits: float) -> tuple[float, float]:
    if costs <= 0:
        return float("nan"), float("nan")
    return benefits / costs, (benefits - costs) / costs * 100


def roi_sensitivity(costs: pd.DataFrame) -> pd.DataFrame:
    """ROI and BCR under the most conservative and the estimated attribution and confidence.

    Returns
    -------
    pandas.DataFrame
        :data:`SENSITIVITY_COLUMNS`, two rows: ``most conservative`` and ``estimated``; BCR and ROI empty when
        there are no costs.

    Examples
    --------
    >>> sheet = pd.DataFrame({"kind": ["cost", "benefit"], "item": ["time", "tools"], "amount": [50000, 150000],
    ...                       "attribution": [None, 0.5], "confidence": [None, 0.8]})
    >>> roi_sensitivity(sheet)[["scenario", "benefits", "roi_percent"]]
                scenario  benefits  roi_percent
    0  most conservative   60000.0          20.0
    1          estimated   75000.0          50.0
    """
    lines = roi_lines(costs)
    cost = float(lines.loc[lines["kind"] == "cost", "counted"].sum())
    benefit = lines[lines["kind"] == "benefit"]
    conservative = float((benefit["amount"] * benefit["attribution"] * benefit["confidence"]).sum())
    estimated = float((benefit["amount"] * benefit["attribution"]).sum())
    rows = []
    for scenario, how, value in (("most conservative", "amount × attribution × confidence", conservative),
                                 ("estimated", "amount × attribution", estimated)):
        bcr, roi = _ratios(cost, value)
        rows.append({"scenario": scenario, "benefits_counted_as": how, "costs": cost, "benefits": value,
                     "bcr": bcr, "roi_percent": roi})
    return pd.DataFrame(rows, columns=SENSITIVITY_COLUMNS)


def break_even_attribution(costs: pd.DataFrame) -> float:
    """The share (0–1, may exceed 1) of every benefit the program must cause for ROI ≥ 0, confidence kept:
    costs ÷ Σ(amount × confidence) (NaN without costs or without benefits).

    Examples
    --------
    >>> sheet = pd.DataFrame({"kind": ["cost", "benefit"], "item": ["time", "tools"], "amount": [50000, 150000],
    ...                       "attribution": [None, 0.5], "confidence": [None, 0.8]})
    >>> round(break_even_attribution(sheet), 4)  # 50000 / (150000 × 0.8)
    0.4167
    """
    lines = roi_lines(costs)
    cost = float(lines.loc[lines["kind"] == "cost", "counted"].sum())
    benefit = lines[lines["kind"] == "benefit"]
    base = float((benefit["amount"] * benefit["confidence"]).sum())
    if cost <= 0 or base <= 0:
        return float("nan")
    return cost / base
