"""The waves table: every scale × survey wave × group with its n, its value per the scale's scoring and a 95% CI.

This is the table practitioners used to keep in a spreadsheet ("before, 6 months, 12 months"), computed from the
scale scores of :func:`rmkit.evaluation.scoring.score_responses` with confidence intervals:

- ``mean``, ``sum`` and ``pomp`` scales: the mean of the person scores, with the t-interval
  :math:`\\bar x \\pm t_{0.975,\\,n-1}\\, s/\\sqrt n`;
- ``percent_favorable`` scales: the share (0–100) of respondents whose scale mean is at or above the instrument's
  ``favorable_at``, with the Wilson score interval (which stays inside 0–100 and behaves at small n and at shares
  near 0 or 100, unlike the normal approximation).

The aggregation is vectorized: one ``numpy.bincount`` per statistic over a combined scale × wave × group key.
Suppression of small groups is not applied here (see :mod:`rmkit.evaluation.confidentiality`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..cohort.config import Instrument
from .confidentiality import suppress as suppress_small_groups
from .groups import group_codes

__all__ = ["WAVES_COLUMNS", "waves_table", "mean_ci", "wilson_ci"]

WAVES_COLUMNS = ["scale", "scoring", "wave", "group", "n", "value", "sd", "ci_low", "ci_high"]


def mean_ci(mean: np.ndarray, sd: np.ndarray, n: np.ndarray, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """The t-interval of a mean, element-wise: :math:`\\bar x \\pm t_{(1+c)/2,\\,n-1}\\, s/\\sqrt n` (NaN for n < 2).

    Examples
    --------
    >>> low, high = mean_ci(np.array([3.0]), np.array([1.0]), np.array([4]))
    >>> round(float(low[0]), 4), round(float(high[0]), 4)  # 3 ± 3.1824 × 1/2
    (1.4088, 4.5912)
    """
    from scipy import stats

    mean, sd, n = (np.asarray(a, dtype="float64") for a in (mean, sd, n))
    with np.errstate(invalid="ignore", divide="ignore"):
        half = stats.t.ppf((1 + confidence) / 2, n - 1) * sd / np.sqrt(n)
    half = np.where(n >= 2, half, np.nan)
    return mean - half, mean + half


def wilson_ci(successes: np.ndarray, n: np.ndarray, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """The Wilson score interval of a proportion, element-wise, as proportions (0–1); NaN for n = 0.

    .. math::

        \\frac{\\hat p + z^2/2n \\pm z\\sqrt{\\hat p(1-\\hat p)/n + z^2/4n^2}}{1 + z^2/n}

    References
    ----------
    .. [1] Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference. JASA 22, 209–212.
    .. [2] Newcombe, R. G. (1998). Two-sided confidence intervals for the single proportion: comparison of seven
           methods. Statistics in Medicine 17, 857–872.

    Examples
    --------
    >>> low, high = wilson_ci(np.array([81]), np.array([263]))  # Newcombe (1998): 0.2553 to 0.3662
    >>> round(float(low[0]), 4), round(float(high[0]), 4)
    (0.2553, 0.3662)
    """
    from scipy import stats

    x, n = np.asarray(successes, dtype="float64"), np.asarray(n, dtype="float64")
    z = stats.norm.ppf((1 + confidence) / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = x / n
        denominator = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denominator
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denominator
    low = np.where(n > 0, np.clip(centre - half, 0, 1), np.nan)
    high = np.where(n > 0, np.clip(centre + half, 0, 1), np.nan)
    return low, high


def _codes(column: pd.Series, order: Sequence[str] | None) -> tuple[np.ndarray, list[str]]:
    """Integer codes of a (categorical or plain) column, categories in ``order`` first, then by appearance."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes, categories = column.cat.codes.to_numpy(dtype="int64"), [str(c) for c in column.cat.categories]
    else:
        raw, uniques = pd.factorize(column.to_numpy(dtype=object))
        codes, categories = raw.astype("int64"), [str(u) for u in uniques]
    listed = [str(o) for o in (order or [])]
    final = listed + [c for c in categories if c not in set(listed)]
    position = {c: k for k, c in enumerate(final)}
    remap = np.array([position[c] for c in categories] + [-1], dtype="int64")
    return remap[codes], final


def waves_table(scores: pd.DataFrame, participants: pd.DataFrame, instrument: Instrument, *,
                waves: Sequence[str] | None = None, groups: Sequence[str] | None = None,
                confidence: float = 0.95, min_group_size: int = 5, suppress: bool = True) -> pd.DataFrame:
    """Aggregate scale scores by scale, wave and group.

    Parameters
    ----------
    scores : pandas.DataFrame
        ``person_id``, ``wave``, ``scale``, ``score`` as returned by :func:`rmkit.evaluation.scoring.score_responses`.
    participants : pandas.DataFrame
        ``person_id`` and the grouping columns (``role``, ``department``).
    instrument : rmkit.cohort.config.Instrument
        The scales' scoring and ``favorable_at``.
    waves : sequence of str, optional
        The order of the waves (``program.waves``); others follow in order of appearance.
    groups : sequence of str, optional
        ``"all"`` and columns of ``participants`` to break down by (default: all, role and department, where
        ``participants`` has those columns).
    confidence : float
        Confidence level of the intervals (default 0.95).
    min_group_size : int
        Groups of fewer people are suppressed (pass the cohort's ``program.min_group_size``; default 5, as
        ``program.yaml``'s default).
    suppress : bool
        Suppress small groups (default), with :func:`rmkit.evaluation.confidentiality.suppress`: a group under
        ``min_group_size`` keeps its ``n`` and loses ``value``, ``sd`` and its interval, complementary groups too.
        ``suppress=False`` is for a researcher's own analysis: never share that table.

    Returns
    -------
    pandas.DataFrame
        One row per scale × wave × group with at least one score, ordered by scale (the instrument's order), wave
        (``waves``) and group (``all``, ``role=mentor``, ``role=mentee``, departments by name):

        - ``scale``, ``scoring`` (the scale's scoring), ``wave``, ``group``;
        - ``n``: people with a score;
        - ``value``: the mean score, or for ``percent_favorable`` the percentage (0–100) of people whose score is
          at or above ``favorable_at``;
        - ``sd``: the standard deviation of the scores (empty for percentages);
        - ``ci_low``, ``ci_high``: the t-interval of the mean, or the Wilson interval of the share (in points);
        - ``suppressed`` (with ``suppress=True``): true where the group's values are hidden.

    Notes
    -----
    For a mean, :math:`\\bar x \\pm t_{0.975,\\,n-1}\\,s/\\sqrt{n}` with :math:`s` the sample SD (ddof 1); no
    interval for n = 1. For a share :math:`\\hat p = f/n` of favourable respondents, the Wilson interval (see
    :func:`wilson_ci`), times 100.

    Examples
    --------
    >>> from rmkit.cohort.config import parse_instrument
    >>> inst, _ = parse_instrument('''
    ... id: t
    ... response_scale: {min: 1, max: 5}
    ... favorable_at: 4
    ... scales: [{id: col, scoring: mean}, {id: sat, scoring: percent_favorable}]
    ... items: [{id: c1, scale: col}, {id: s1, scale: sat}]
    ... ''')
    >>> people = pd.DataFrame({"person_id": ["a", "b", "c", "d"], "role": ["mentor", "mentor", "mentee", "mentee"]})
    >>> scores = pd.DataFrame({"person_id": list("abcd") * 2, "wave": ["baseline"] * 8,
    ...                        "scale": ["col"] * 4 + ["sat"] * 4, "score": [3, 4, 4, 5, 5, 4, 3, 2]})
    >>> table = waves_table(scores, people, inst, groups=["all", "role"], suppress=False)  # a researcher's own use
    >>> table[["scale", "group", "n", "value", "sd", "ci_low", "ci_high"]].round(2)
      scale        group  n  value    sd  ci_low  ci_high
    0   col          all  4    4.0  0.82    2.70     5.30
    1   col  role=mentor  2    3.5  0.71   -2.85     9.85
    2   col  role=mentee  2    4.5  0.71   -1.85    10.85
    3   sat          all  4   50.0   NaN   15.00    85.00
    4   sat  role=mentor  2  100.0   NaN   34.24   100.00
    5   sat  role=mentee  2    0.0   NaN    0.00    65.76

    By default groups under ``min_group_size`` are suppressed:

    >>> waves_table(scores, people, inst, groups=["all", "role"], min_group_size=3)[["scale", "group", "n", "value", "suppressed"]]
      scale        group  n  value  suppressed
    0   col          all  4    4.0       False
    1   col  role=mentor  2    NaN        True
    2   col  role=mentee  2    NaN        True
    3   sat          all  4   50.0       False
    4   sat  role=mentor  2    NaN        True
    5   sat  role=mentee  2    NaN        True
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, found {confidence!r}")
    missing = [c for c in ("person_id", "wave", "scale", "score") if c not in scores.columns]
    if missing:
        raise ValueError(f"scores has no column {', '.join(missing)}; expected the output of score_responses")
    scale_ids = instrument.scale_ids
    scale_code, scale_names = _codes(scores["scale"], scale_ids)
    unknown = [s for s in scale_names if s not in set(scale_ids)]
    if unknown and (np.isin(scale_code, [scale_names.index(u) for u in unknown])).any():
        raise ValueError(f"scores has scale(s) {', '.join(unknown)} that instrument {instrument.id} does not have")
    wave_code, wave_names = _codes(scores["wave"], waves)
    if isinstance(scores["person_id"].dtype, pd.CategoricalDtype):
        person_code = scores["person_id"].cat.codes.to_numpy(dtype="int64")
        people = scores["person_id"].cat.categories
    else:
        person_code, people = pd.factorize(scores["person_id"].to_numpy(dtype=object))
    value = scores["score"].to_numpy(dtype="float64", na_value=np.nan)
    n_scales, n_waves = len(scale_ids), len(wave_names)
    favourable = np.array([instrument.scale(s).scoring == "percent_favorable" for s in scale_ids])
    threshold = instrument.favorable_threshold
    usable = ~np.isnan(value) & (scale_code >= 0) & (wave_code >= 0) & (person_code >= 0)
    # percentage scales aggregate the 0/1 indicator "scale mean is favourable"; others the score itself
    is_share = favourable[np.maximum(scale_code, 0)]
    measured = np.where(is_share, (value >= threshold - 1e-9).astype("float64"), value)
    frames = []
    for names, per_person in group_codes(pd.Index(people, dtype=object), participants, groups):
        n_groups = len(names)
        if n_groups == 0:
            continue
        group = per_person[np.maximum(person_code, 0)]
        keep = usable & (group >= 0)
        key = ((scale_code * n_waves + wave_code) * n_groups + group)[keep]
        x = measured[keep]
        size = n_scales * n_waves * n_groups
        count = np.bincount(key, minlength=size).astype("float64")
        total = np.bincount(key, weights=x, minlength=size)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = total / count
            squares = np.bincount(key, weights=(x - mean[key]) ** 2, minlength=size)
            sd = np.sqrt(squares / (count - 1))
        present = np.flatnonzero(count > 0)
        s_idx, rest = np.divmod(present, n_waves * n_groups)
        w_idx, g_idx = np.divmod(rest, n_groups)
        frames.append(pd.DataFrame({
            "_scale": s_idx, "_wave": w_idx, "_dimension": len(frames), "_group": g_idx,
            "n": count[present].astype("int64"), "mean": mean[present], "sd": sd[present],
            "group": np.array(names, dtype=object)[g_idx],
        }))
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object if c in ("scale", "scoring", "wave", "group") else "float64")
                             for c in WAVES_COLUMNS}).astype({"n": "int64"})
    table = pd.concat(frames, ignore_index=True).sort_values(["_scale", "_wave", "_dimension", "_group"], kind="stable")
    share = favourable[table["_scale"].to_numpy()]
    n = table["n"].to_numpy()
    mean = table["mean"].to_numpy()
    sd = table["sd"].to_numpy()
    t_low, t_high = mean_ci(mean, sd, n, confidence)
    w_low, w_high = wilson_ci(np.rint(mean * n), n, confidence)
    out = pd.DataFrame({
        "scale": np.array(scale_ids, dtype=object)[table["_scale"].to_numpy()],
        "scoring": np.array([instrument.scale(s).scoring for s in scale_ids], dtype=object)[table["_scale"].to_numpy()],
        "wave": np.array(wave_names, dtype=object)[table["_wave"].to_numpy()],
        "group": table["group"].to_numpy(dtype=object),
        "n": n,
        "value": np.where(share, mean * 100, mean),
        "sd": np.where(share, np.nan, sd),
        "ci_low": np.where(share, w_low * 100, t_low),
        "ci_high": np.where(share, w_high * 100, t_high),
    })
    out = out.reset_index(drop=True)
    if suppress:
        out = suppress_small_groups(out, min_group_size, keys=("scale", "wave"), columns=("value", "sd", "ci_low", "ci_high"))
    return out
