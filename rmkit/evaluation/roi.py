"""Return on investment by the Phillips ROI methodology (Kirkpatrick's levels plus level 5).

- **Costs** are fully loaded: every ``cost`` line of ``costs.csv`` counts in full (``attribution`` and
  ``confidence`` apply to benefits only).
- **Benefits** are discounted twice, conservatively: each ``benefit`` line counts ``amount × attribution ×
  confidence`` (the share of the benefit caused by the program, times the estimator's confidence in the figure).
- **BCR** = benefits ÷ costs; **ROI %** = (benefits − costs) ÷ costs × 100.
- **Payback period** in months = costs ÷ (benefits ÷ 12): benefit amounts are taken as *annual* values that accrue
  evenly from the end of the program, which is how Phillips ROI studies usually state first-year benefits.
- **Intangibles** (the ``intangibles`` of ``program.yaml`` and the culture outcomes measured by survey scales at
  Kirkpatrick level 4) are listed, never converted to money.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..cohort.config import Instrument, ProgramConfig

__all__ = ["ROI_METRICS", "roi_lines", "phillips_roi", "intangibles"]

ROI_METRICS = ("costs", "benefits", "bcr", "roi_percent", "payback_months")


def roi_lines(costs: pd.DataFrame) -> pd.DataFrame:
    """Every cost and benefit line with the amount that counts.

    Parameters
    ----------
    costs : pandas.DataFrame
        ``kind`` (cost or benefit), ``item``, ``amount``; optionally ``attribution``, ``confidence`` (0–1, default 1)
        and ``note``.

    Returns
    -------
    pandas.DataFrame
        ``kind``, ``item``, ``amount``, ``attribution``, ``confidence``, ``counted`` (the amount for a cost;
        amount × attribution × confidence for a benefit) and ``note``; costs first, then benefits, each in file order.

    Examples
    --------
    >>> lines = roi_lines(pd.DataFrame({"kind": ["benefit", "cost"], "item": ["training avoided", "facilitator"],
    ...                                 "amount": [40000, 18000], "attribution": [0.8, None],
    ...                                 "confidence": [0.8, None]}))
    >>> lines[["kind", "item", "counted"]]
          kind              item  counted
    0     cost       facilitator  18000.0
    1  benefit  training avoided  25600.0
    """
    missing = [c for c in ("kind", "item", "amount") if c not in costs.columns]
    if missing:
        raise ValueError(f"costs has no column {', '.join(missing)}")
    kind = costs["kind"].astype(str).str.strip().str.casefold()
    unknown = sorted(set(kind) - {"cost", "benefit"})
    if unknown:
        raise ValueError(f"kind must be cost or benefit, found {', '.join(map(repr, unknown))}")
    amount = pd.to_numeric(costs["amount"], errors="raise").astype("float64")
    if (amount < 0).any():
        raise ValueError("amounts must not be negative")
    shares = {}
    for column in ("attribution", "confidence"):
        values = (pd.to_numeric(costs[column], errors="raise").astype("float64").fillna(1.0)
                  if column in costs.columns else pd.Series(1.0, index=costs.index))
        if ((values < 0) | (values > 1)).any():
            raise ValueError(f"{column} must lie between 0 and 1")
        shares[column] = values.where(kind == "benefit", 1.0)
    counted = amount * shares["attribution"] * shares["confidence"]
    lines = pd.DataFrame({
        "kind": kind, "item": costs["item"].astype(object), "amount": amount,
        "attribution": shares["attribution"], "confidence": shares["confidence"], "counted": counted,
        "note": costs["note"].astype(object) if "note" in costs.columns else pd.Series(None, index=costs.index, dtype=object),
    })
    order = np.argsort((kind != "cost").to_numpy(), kind="stable")
    return lines.iloc[order].reset_index(drop=True)


def phillips_roi(costs: pd.DataFrame) -> pd.DataFrame:
    """Fully loaded costs, adjusted benefits, benefit-cost ratio, ROI and payback period.

    Parameters
    ----------
    costs : pandas.DataFrame
        The ``costs.csv`` table (see :func:`roi_lines`).

    Returns
    -------
    pandas.DataFrame
        ``metric`` (costs, benefits, bcr, roi_percent, payback_months) and ``value``; BCR, ROI and payback are
        empty when there are no costs (and payback when there are no benefits).

    Notes
    -----
    .. math::

        C = \\sum_{costs} a_i, \\quad B = \\sum_{benefits} a_i\\, p_i\\, c_i, \\quad
        BCR = \\frac{B}{C}, \\quad ROI\\,\\% = \\frac{B - C}{C} \\times 100, \\quad
        payback = 12\\,\\frac{C}{B} \\text{ months}

    with :math:`a` the amount, :math:`p` the attribution and :math:`c` the confidence of each line.

    References
    ----------
    .. [1] Phillips, J. J., & Phillips, P. P. (2016). Handbook of Training Evaluation and Measurement Methods
           (4th ed.). Routledge.

    Examples
    --------
    >>> sheet = pd.DataFrame({"kind": ["cost", "cost", "benefit"], "item": ["time", "events", "tools"],
    ...                       "amount": [50000, 10000, 150000], "attribution": [None, None, 0.5],
    ...                       "confidence": [None, None, 0.8]})
    >>> phillips_roi(sheet)  # benefits 150000 × 0.5 × 0.8 = 60000 against costs 60000
               metric    value
    0           costs  60000.0
    1        benefits  60000.0
    2             bcr      1.0
    3     roi_percent      0.0
    4  payback_months     12.0
    """
    lines = roi_lines(costs)
    total_costs = float(lines.loc[lines["kind"] == "cost", "counted"].sum())
    total_benefits = float(lines.loc[lines["kind"] == "benefit", "counted"].sum())
    nan = float("nan")
    bcr = total_benefits / total_costs if total_costs > 0 else nan
    roi = (total_benefits - total_costs) / total_costs * 100 if total_costs > 0 else nan
    payback = 12 * total_costs / total_benefits if total_benefits > 0 and total_costs > 0 else nan
    return pd.DataFrame({"metric": list(ROI_METRICS), "value": [total_costs, total_benefits, bcr, roi, payback]})


def intangibles(program: ProgramConfig, instrument: Instrument | None = None) -> pd.DataFrame:
    """The program's intangible benefits: reported, never converted to money.

    Returns
    -------
    pandas.DataFrame
        ``intangible`` and ``source``: the ``intangibles`` of ``program.yaml`` first, then each survey scale at
        Kirkpatrick level 4 (culture outcomes such as collaboration or feeling valued), by its label.

    Examples
    --------
    >>> from rmkit.cohort import load_cohort
    >>> from rmkit.resources import example_cohort_dir
    >>> cohort = load_cohort(example_cohort_dir())
    >>> intangibles(cohort.program, cohort.instrument).head(3)
                                        intangible                     source
    0   Stronger cross-generational relationships               program.yaml
    1  Senior leaders more visible to junior staff               program.yaml
    2             Cross-departmental collaboration  survey scale collaboration
    """
    rows = [{"intangible": text, "source": "program.yaml"} for text in program.intangibles]
    if instrument is not None:
        rows += [{"intangible": scale.title, "source": f"survey scale {scale.id}"}
                 for scale in instrument.scales if scale.kirkpatrick == 4]
    return pd.DataFrame(rows, columns=["intangible", "source"])
