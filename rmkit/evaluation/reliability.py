"""Reliability of the instrument's scales: Cronbach's alpha with its Feldt confidence interval, alpha if an item is
deleted, and corrected item–total correlations, per scale and survey wave (what R psych's ``alpha`` shows).

Items are analysed after reverse coding (``min + max - response``), so a reverse-worded item that the instrument
forgot to mark shows up as a negative item–total correlation. Covariances are pairwise: each pair of items uses the
people who answered both (R psych ``alpha(use = "pairwise")``, pingouin ``cronbach_alpha(nan_policy="pairwise")``).

Warnings are part of the tables (a ``warning`` column) rather than Python warnings, so that notebooks, reports and
dashboards show them next to the figure they concern.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..cohort.config import Instrument
from .scoring import recoded_items

__all__ = [
    "LOW_ALPHA",
    "Alpha",
    "cronbach_alpha",
    "item_statistics",
    "reliability_table",
    "item_table",
    "reliability_warnings",
]

LOW_ALPHA = 0.7


class Alpha(NamedTuple):
    """Cronbach's alpha of one set of items: the estimate, its CI, and the n and k it rests on."""

    alpha: float
    ci_low: float
    ci_high: float
    n: int
    k: int


def _answered(items: pd.DataFrame) -> pd.DataFrame:
    data = items.apply(pd.to_numeric, errors="raise").astype("float64")
    return data[data.notna().any(axis=1)]


def _alpha_from_cov(cov: np.ndarray) -> float:
    k = cov.shape[0]
    total = cov.sum()
    if k < 2 or not np.isfinite(total) or total == 0:
        return float("nan")
    return float(k / (k - 1) * (1 - np.trace(cov) / total))


def cronbach_alpha(items: pd.DataFrame, *, confidence: float = 0.95) -> Alpha:
    """Cronbach's alpha with pairwise covariances and Feldt's confidence interval.

    Parameters
    ----------
    items : pandas.DataFrame
        One column per item (already reverse-coded), one row per respondent; NaN where unanswered. Rows with no
        answer at all are left out.
    confidence : float
        Confidence level of the interval (default 0.95).

    Returns
    -------
    Alpha
        ``alpha``, ``ci_low``, ``ci_high``, ``n`` (respondents with at least one answer) and ``k`` (items);
        NaN where undefined (fewer than 2 items or respondents, or no variance).

    Notes
    -----
    With :math:`C` the pairwise covariance matrix of the :math:`k` items,

    .. math::

        \\alpha = \\frac{k}{k-1}\\left(1 - \\frac{\\operatorname{tr} C}{\\sum_{ij} C_{ij}}\\right)

    and Feldt's interval, with :math:`F` the quantiles of the F distribution on :math:`n-1` and
    :math:`(n-1)(k-1)` degrees of freedom,

    .. math::

        \\left[1 - (1-\\alpha) F_{(1+c)/2},\\; 1 - (1-\\alpha) F_{(1-c)/2}\\right]

    References
    ----------
    .. [1] Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests. Psychometrika 16, 297–334.
    .. [2] Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference for coefficient alpha.
           Applied Psychological Measurement 11, 93–103.
    .. [3] Revelle, W. psych: Procedures for Psychological, Psychometric, and Personality Research (``alpha``).

    Examples
    --------
    >>> items = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 4], "c": [1, 3, 3, 4, 5]})
    >>> result = cronbach_alpha(items)
    >>> # item variances 2.5 + 1.7 + 2.2 = 6.4; variance of the totals 17.3; 3/2 × (1 - 6.4/17.3) = 0.945
    >>> round(result.alpha, 3), result.n, result.k
    (0.945, 5, 3)
    """
    from scipy import stats

    data = _answered(items)
    n, k = data.shape
    if n < 2 or k < 2:
        return Alpha(float("nan"), float("nan"), float("nan"), n, k)
    alpha = _alpha_from_cov(data.cov().to_numpy())
    df1, df2 = n - 1, (n - 1) * (k - 1)
    tail = (1 - confidence) / 2
    low = 1 - (1 - alpha) * stats.f.isf(tail, df1, df2)
    high = 1 - (1 - alpha) * stats.f.isf(1 - tail, df1, df2)
    return Alpha(alpha, float(low), float(high), n, k)


def item_statistics(items: pd.DataFrame) -> pd.DataFrame:
    """Per item: n, mean, SD, the corrected item–total correlation and alpha if the item is deleted.

    Parameters
    ----------
    items : pandas.DataFrame
        One column per item (already reverse-coded), one row per respondent.

    Returns
    -------
    pandas.DataFrame
        ``item``, ``n``, ``mean``, ``sd``, ``r_drop`` (the item's correlation with the sum of the other items) and
        ``alpha_if_deleted``, both from the pairwise covariance matrix as R psych computes them.

    Notes
    -----
    With :math:`C` the pairwise covariance matrix and :math:`-i` the other items,

    .. math::

        r_{drop,i} = \\frac{\\sum_{j \\ne i} C_{ij}}{\\sqrt{C_{ii} \\sum_{j,l \\ne i} C_{jl}}}

    and ``alpha_if_deleted`` is :func:`cronbach_alpha`'s formula on :math:`C_{-i,-i}` (NaN when fewer than
    2 items would remain).

    Examples
    --------
    Item ``c`` runs against the others (it should have been reverse-coded):

    >>> items = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 4], "c": [5, 3, 3, 2, 1]})
    >>> item_statistics(items)[["item", "r_drop"]].round(2)
      item  r_drop
    0    a   -0.32
    1    b    0.51
    2    c   -0.90
    """
    data = _answered(items)
    cov = data.cov().to_numpy() if len(data) >= 2 else np.full((data.shape[1],) * 2, np.nan)
    k = cov.shape[0]
    r_drop = np.full(k, np.nan)
    if_deleted = np.full(k, np.nan)
    for i in range(k):
        rest = [j for j in range(k) if j != i]
        if not rest:
            continue
        sub = cov[np.ix_(rest, rest)]
        with np.errstate(invalid="ignore", divide="ignore"):
            r_drop[i] = (cov[i].sum() - cov[i, i]) / np.sqrt(cov[i, i] * sub.sum())
        if len(rest) >= 2:
            if_deleted[i] = _alpha_from_cov(sub)
    return pd.DataFrame({
        "item": pd.Series(list(data.columns), dtype=object),
        "n": data.notna().sum().to_numpy(dtype="int64"),
        "mean": data.mean().to_numpy(),
        "sd": data.std(ddof=1).to_numpy(),
        "r_drop": r_drop,
        "alpha_if_deleted": if_deleted,
    })


def _by_wave(responses: pd.DataFrame, by_wave: bool, waves: Sequence[str] | None) -> list[tuple[object, pd.DataFrame]]:
    if not by_wave:
        return [(None, responses)]
    present = list(dict.fromkeys(responses["wave"].dropna().astype(str)))
    order = [w for w in (waves or []) if w in present] + [w for w in present if w not in set(waves or [])]
    wave = responses["wave"].astype(str)
    return [(w, responses[wave == w]) for w in order]


def reliability_table(responses: pd.DataFrame, instrument: Instrument, *, by_wave: bool = True,
                      waves: Sequence[str] | None = None, confidence: float = 0.95,
                      low_alpha: float = LOW_ALPHA) -> pd.DataFrame:
    """Cronbach's alpha of every scale with two or more items, per survey wave.

    Parameters
    ----------
    responses : pandas.DataFrame
        ``wave`` and the item columns (``Cohort.responses``).
    instrument : rmkit.cohort.config.Instrument
        Scales, items and which items are reverse-coded.
    by_wave : bool
        One row per scale and wave (default); ``False`` pools every response of a scale.
    waves : sequence of str, optional
        The order of the waves (``program.waves``).
    confidence : float
        Confidence level of Feldt's interval.
    low_alpha : float
        Below this, the row carries a warning (default 0.7, the usual floor for group comparisons).

    Returns
    -------
    pandas.DataFrame
        ``scale``, ``wave`` (empty when pooled), ``n`` (respondents with at least one answer), ``n_items``,
        ``alpha``, ``ci_low``, ``ci_high`` and ``warning`` (empty when none). A scale nobody answered in a wave
        (post-only scales at baseline) has no row for it.

    Examples
    --------
    >>> from rmkit.cohort import load_cohort
    >>> from rmkit.resources import example_cohort_dir
    >>> cohort = load_cohort(example_cohort_dir())
    >>> table = reliability_table(cohort.responses, cohort.instrument, waves=cohort.program.waves)
    >>> list(table.columns)
    ['scale', 'wave', 'n', 'n_items', 'alpha', 'ci_low', 'ci_high', 'warning']
    """
    rows = []
    for scale in instrument.scales:
        if len(instrument.items_of(scale.id)) < 2:
            continue
        items = recoded_items(responses, instrument, scale.id)
        for wave, part in _by_wave(responses, by_wave, waves):
            result = cronbach_alpha(items.loc[part.index], confidence=confidence)
            if result.n == 0:
                continue
            warning = ""
            if np.isfinite(result.alpha) and result.alpha < low_alpha:
                warning = (f"alpha {result.alpha:.2f} is below {low_alpha:.2f}: the items of {scale.id} may not "
                           "measure one thing (check the wording and the reverse-coded items)")
            rows.append({"scale": scale.id, "wave": wave, "n": result.n, "n_items": result.k, "alpha": result.alpha,
                         "ci_low": result.ci_low, "ci_high": result.ci_high, "warning": warning})
    columns = ["scale", "wave", "n", "n_items", "alpha", "ci_low", "ci_high", "warning"]
    return pd.DataFrame(rows, columns=columns).astype({"n": "int64", "n_items": "int64"})


def item_table(responses: pd.DataFrame, instrument: Instrument, *, by_wave: bool = True,
               waves: Sequence[str] | None = None) -> pd.DataFrame:
    """Item statistics (:func:`item_statistics`) of every scale with two or more items, per survey wave.

    Returns
    -------
    pandas.DataFrame
        ``scale``, ``wave``, ``item``, ``reverse`` (as the instrument says), ``n``, ``mean``, ``sd`` (after reverse
        coding), ``r_drop``, ``alpha_if_deleted`` and ``warning`` (set when ``r_drop`` is negative: an item that
        runs against its scale is usually a reverse-coding mistake).

    Examples
    --------
    >>> from rmkit.cohort import load_cohort
    >>> from rmkit.resources import example_cohort_dir
    >>> cohort = load_cohort(example_cohort_dir())
    >>> table = item_table(cohort.responses, cohort.instrument, waves=cohort.program.waves)
    >>> bool((table.r_drop > 0).all())
    True
    """
    frames = []
    reverse = {i.id: i.reverse for i in instrument.items}
    for scale in instrument.scales:
        if len(instrument.items_of(scale.id)) < 2:
            continue
        items = recoded_items(responses, instrument, scale.id)
        for wave, part in _by_wave(responses, by_wave, waves):
            answered = items.loc[part.index]
            if not answered.notna().any().any():
                continue
            stats_ = item_statistics(answered)
            stats_.insert(0, "scale", scale.id)
            stats_.insert(1, "wave", wave)
            stats_.insert(3, "reverse", stats_["item"].map(reverse).astype(bool))
            frames.append(stats_)
    columns = ["scale", "wave", "item", "reverse", "n", "mean", "sd", "r_drop", "alpha_if_deleted", "warning"]
    if not frames:
        return pd.DataFrame(columns=columns)
    table = pd.concat(frames, ignore_index=True)
    negative = table["r_drop"] < 0
    table["warning"] = ""
    table.loc[negative, "warning"] = [
        f"item {item} correlates negatively with the rest of {scale} (r = {r:.2f}): "
        f"check whether it should {'not ' if rev else ''}be reverse-coded"
        for item, scale, r, rev in zip(table.loc[negative, "item"], table.loc[negative, "scale"],
                                       table.loc[negative, "r_drop"], table.loc[negative, "reverse"], strict=True)
    ]
    return table[columns]


def reliability_warnings(reliability: pd.DataFrame, items: pd.DataFrame | None = None) -> list[str]:
    """Every warning of a :func:`reliability_table` (and :func:`item_table`) as a line, prefixed with the wave.

    Examples
    --------
    >>> table = pd.DataFrame({"scale": ["s"], "wave": ["baseline"], "warning": ["alpha 0.41 is below 0.70: ..."]})
    >>> reliability_warnings(table)
    ['baseline: alpha 0.41 is below 0.70: ...']
    """
    lines = []
    for frame in (reliability, items):
        if frame is None or frame.empty:
            continue
        for wave, warning in zip(frame["wave"], frame["warning"], strict=True):
            if isinstance(warning, str) and warning:
                lines.append(f"{wave}: {warning}" if isinstance(wave, str) and wave else warning)
    return lines
