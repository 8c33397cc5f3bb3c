"""Several cohorts at once: random-effects meta-analysis of the metrics that cohorts share.

:func:`pooled_metrics` takes each cohort's metrics table (:func:`rmkit.evaluation.metrics_table.metrics_table`) and
pools, across cohorts, every metric at least two of them publish:

- ``change:<scale>`` for the group ``all`` (the paired change first → last wave);
- ``did:<scale>`` for the group ``participant`` (the change against the comparison group), where a cohort has it.

Suppressed rows and rows without an interval do not take part. Each cohort's standard error is recovered from its
95 % interval: both metrics' intervals are Student's t intervals with ``n − 1`` degrees of freedom (the paired t-test
over ``n`` people; the person-clustered OLS with ``G = n`` clusters), so
:math:`SE = (ci_{high} - ci_{low}) / (2\\, t_{0.975,\\,n-1})` gives back exactly the SE they were made from.

The pooling (:func:`random_effects`) is DerSimonian–Laird, through statsmodels'
``combine_effects(..., method_re="dl")``, with τ² truncated at 0 as metafor's ``rma(method="DL")`` does (statsmodels
can return a negative τ² on homogeneous effects; the estimate is then the fixed-effect one), and I² = max(0,
(Q − df) / Q) in percent. The interval is the normal one, estimate ± z₀.₉₇₅ × SE, as metafor's default.
statsmodels and scipy are imported inside the functions.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..cohort import Cohort

__all__ = ["POOLED_COLUMNS", "INPUT_COLUMNS", "METHOD", "random_effects", "se_from_ci", "pool_inputs",
           "pooled_metrics", "PooledCohorts", "pool_cohorts", "side_by_side"]

POOLED_COLUMNS = ["metric", "k", "n", "estimate", "ci_low", "ci_high", "tau2", "i2", "method"]
INPUT_COLUMNS = ["metric", "cohort", "n", "estimate", "ci_low", "ci_high", "se"]
METHOD = "random effects (DerSimonian-Laird)"
POOLED_GROUPS = {"change": "all", "did": "participant"}


def random_effects(estimates: Sequence[float], variances: Sequence[float], *, confidence: float = 0.95) -> dict[str, float]:
    """DerSimonian–Laird random-effects pooling of ``estimates`` with sampling ``variances``.

    Returns
    -------
    dict
        ``k``, ``estimate``, ``se``, ``ci_low``, ``ci_high`` (normal interval), ``tau2`` (≥ 0), ``i2`` (percent,
        ≥ 0), ``q`` (Cochran's Q).

    Notes
    -----
    With :math:`w_i = 1/v_i`, :math:`Q = \\sum w_i (y_i - \\bar y_w)^2`, :math:`C = \\sum w_i - \\sum w_i^2 / \\sum w_i`:
    :math:`\\tau^2 = \\max(0, (Q - (k-1)) / C)`, :math:`\\mu = \\sum w_i^* y_i / \\sum w_i^*` with
    :math:`w_i^* = 1/(v_i + \\tau^2)`, :math:`SE(\\mu) = (\\sum w_i^*)^{-1/2}`, :math:`I^2 = \\max(0, (Q-(k-1))/Q)`.

    References
    ----------
    .. [1] DerSimonian, R., & Laird, N. (1986). Meta-analysis in clinical trials. Controlled Clinical Trials 7, 177–188.
    .. [2] Viechtbauer, W. (2010). Conducting meta-analyses in R with the metafor package. J. Stat. Softw. 36(3).

    Examples
    --------
    >>> out = random_effects([0.2, 0.2], [0.01, 0.04])  # identical effects: tau2 = 0, the fixed-effect estimate
    >>> round(out["estimate"], 3), out["tau2"], out["i2"]
    (0.2, 0.0, 0.0)
    """
    from scipy import stats
    from statsmodels.stats.meta_analysis import combine_effects

    y = np.asarray(estimates, dtype="float64")
    v = np.asarray(variances, dtype="float64")
    if y.size < 2 or y.size != v.size or not np.all(np.isfinite(y)) or not np.all(v > 0):
        raise ValueError("random_effects needs at least two finite estimates with positive variances")
    with np.errstate(invalid="ignore"):  # a negative DL tau2 makes statsmodels take a square root of it
        res = combine_effects(y, v, method_re="dl", use_t=False)
    q, df = float(res.q), y.size - 1
    if float(res.tau2) > 0:
        tau2, estimate, se = float(res.tau2), float(res.mean_effect_re), float(res.sd_eff_w_re)
    else:  # truncated at 0 (metafor): the random-effects estimate is the fixed-effect one
        tau2, estimate, se = 0.0, float(res.mean_effect_fe), float(res.sd_eff_w_fe)
    z = float(stats.norm.ppf((1 + confidence) / 2))
    i2 = max(0.0, (q - df) / q) * 100 if q > 0 else 0.0
    return {"k": int(y.size), "estimate": estimate, "se": se, "ci_low": estimate - z * se,
            "ci_high": estimate + z * se, "tau2": tau2, "i2": i2, "q": q}


def se_from_ci(ci_low: float, ci_high: float, n: int, *, confidence: float = 0.95) -> float:
    """The standard error behind a Student's t interval on ``n − 1`` degrees of freedom (NaN if it cannot be had).

    Examples
    --------
    >>> round(se_from_ci(-0.2, 0.6, 20), 4)  # (0.6 + 0.2) / (2 × 2.0930)
    0.1911
    """
    from scipy import stats

    if n is None or not n >= 2 or not (math.isfinite(ci_low) and math.isfinite(ci_high)) or ci_high <= ci_low:
        return float("nan")
    return (ci_high - ci_low) / (2 * float(stats.t.ppf((1 + confidence) / 2, int(n) - 1)))


def pool_inputs(metrics: Mapping[str, pd.DataFrame], *, confidence: float = 0.95) -> pd.DataFrame:
    """Each cohort's contribution to the pooling: ``metric``, ``cohort``, ``n``, ``estimate``, ``ci_low``,
    ``ci_high``, ``se`` (from the interval, see the module), for the ``change:`` rows of group ``all`` and the
    ``did:`` rows of group ``participant`` that are not suppressed and have an interval; in the order of the
    cohorts given, then of the metrics as they first appear."""
    rows = []
    for cohort, table in metrics.items():
        if table is None or table.empty:
            continue
        prefix = table["metric"].astype(str).str.partition(":")[0]
        wanted = prefix.map(POOLED_GROUPS).eq(table["group"].astype(str))
        suppressed = table["suppressed"].astype("boolean").fillna(False).astype(bool)
        for row in table[wanted & ~suppressed].itertuples(index=False):
            n = None if pd.isna(row.n) else int(row.n)
            low, high, value = (float(x) if pd.notna(x) else float("nan") for x in (row.ci_low, row.ci_high, row.value))
            se = se_from_ci(low, high, n, confidence=confidence) if n is not None else float("nan")
            if not (math.isfinite(value) and math.isfinite(se) and se > 0):
                continue
            rows.append({"metric": str(row.metric), "cohort": str(cohort), "n": n, "estimate": value,
                         "ci_low": low, "ci_high": high, "se": se})
    frame = pd.DataFrame(rows, columns=INPUT_COLUMNS)
    if frame.empty:
        return frame
    order = {m: i for i, m in enumerate(dict.fromkeys(frame["metric"]))}
    kind = frame["metric"].str.partition(":")[0].map({"change": 0, "did": 1})
    frame = frame.assign(_kind=kind, _order=frame["metric"].map(order))
    return frame.sort_values(["_kind", "_order"], kind="stable").drop(columns=["_kind", "_order"]).reset_index(drop=True)


def pooled_metrics(metrics: Mapping[str, pd.DataFrame], *, confidence: float = 0.95) -> pd.DataFrame:
    """The random-effects pooling of every metric that at least two cohorts share.

    Parameters
    ----------
    metrics : mapping
        Cohort id → its metrics table (columns ``metric, group, wave, n, value, ci_low, ci_high, suppressed``).

    Returns
    -------
    pandas.DataFrame
        Exactly :data:`POOLED_COLUMNS`: ``metric``, ``k`` (cohorts pooled), ``n`` (their people, summed),
        ``estimate``, ``ci_low``, ``ci_high``, ``tau2`` (between-cohort variance), ``i2`` (percent of the
        variation due to heterogeneity) and ``method``; ``change:`` metrics first, then ``did:``.

    Examples
    --------
    >>> table = lambda v: pd.DataFrame({"metric": ["change:x"], "group": ["all"], "wave": ["end"], "n": [30],
    ...                                 "value": [v], "ci_low": [v - 0.2], "ci_high": [v + 0.2], "suppressed": [False]})
    >>> pooled_metrics({"a": table(0.3), "b": table(0.3)})[["metric", "k", "n", "estimate", "tau2"]]
         metric  k   n  estimate  tau2
    0  change:x  2  60       0.3   0.0
    """
    inputs = pool_inputs(metrics, confidence=confidence)
    rows = []
    for metric, part in inputs.groupby("metric", sort=False):
        if len(part) < 2:
            continue
        out = random_effects(part["estimate"], part["se"] ** 2, confidence=confidence)
        rows.append({"metric": metric, "k": out["k"], "n": int(part["n"].sum()), "estimate": out["estimate"],
                     "ci_low": out["ci_low"], "ci_high": out["ci_high"], "tau2": out["tau2"], "i2": out["i2"],
                     "method": METHOD})
    table = pd.DataFrame(rows, columns=POOLED_COLUMNS)
    return table.astype({"k": "int64", "n": "int64"}) if not table.empty else table


@dataclass
class PooledCohorts:
    """What ``rmkit pool`` and the portfolio notebook show: each cohort's metrics table, the inputs of the pooling,
    the pooled table, and ``notes`` (metrics left unpooled and why)."""

    cohorts: list[str]
    metrics: dict[str, pd.DataFrame]
    inputs: pd.DataFrame
    pooled: pd.DataFrame
    labels: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _scale_units(cohort: Cohort) -> dict[str, tuple[str, int, int]]:
    rs = cohort.instrument.response_scale
    return {s.id: (s.scoring, rs.min, rs.max) for s in cohort.instrument.scales}


def pool_cohorts(cohorts: Sequence[Cohort], *, confidence: float = 0.95) -> PooledCohorts:
    """Pool the shared metrics of several loaded cohorts (:func:`pooled_metrics` on their metrics tables).

    A scale is pooled only where every cohort that reports it scores it the same way (scoring and response range):
    otherwise its changes are in different units, and it is left out with a note.

    Raises
    ------
    ValueError
        If two cohorts have the same id (a cohort given twice would count twice).
    """
    from .metrics_table import metrics_table

    names = [c.name for c in cohorts]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"cohort {twice[0]!r} is given twice; each cohort may be pooled once")
    metrics = {c.name: metrics_table(c, confidence=confidence) for c in cohorts}
    units = {c.name: _scale_units(c) for c in cohorts}
    labels: dict[str, str] = {}
    for c in cohorts:
        for s in c.instrument.scales:
            labels.setdefault(s.id, s.title)
    notes = []
    scales = dict.fromkeys(s for u in units.values() for s in u)
    for scale in scales:
        kinds = {units[n][scale] for n in names if scale in units[n]}
        if len(kinds) > 1:
            notes.append(f"{scale} is scored differently across the cohorts "
                         f"({'; '.join(sorted(f'{k[0]} {k[1]}-{k[2]}' for k in kinds))}), so it is not pooled")
            for name in names:
                table = metrics[name]
                metrics[name] = table[~table["metric"].isin([f"change:{scale}", f"did:{scale}"])]
    inputs = pool_inputs(metrics, confidence=confidence)
    pooled = pooled_metrics(metrics, confidence=confidence)
    for metric, part in inputs.groupby("metric", sort=False):
        if len(part) < 2:
            notes.append(f"{metric}: only {part['cohort'].iloc[0]} publishes it (not suppressed, with an interval), "
                         "so there is nothing to pool")
    contributing = set(inputs["cohort"]) if not inputs.empty else set()
    for name in names:
        if name not in contributing:
            notes.append(f"{name}: no change or comparison result it could share (none measured at two waves, or "
                         "every one suppressed by its min_group_size), so it adds nothing to the pooling")
    return PooledCohorts(names, metrics, inputs, pooled, labels, notes)


def side_by_side(metrics: Mapping[str, pd.DataFrame], *, groups: Sequence[str] = ("all", "participant")) -> pd.DataFrame:
    """The cohorts' headline metrics next to each other: one row per ``metric`` and ``group`` (the change and
    DiD rows, retention and ROI), one column per cohort with the value and its interval as text (``suppressed
    (n = 3)`` where hidden, empty where the cohort has no such row).

    Examples
    --------
    >>> one = pd.DataFrame({"metric": ["change:x"], "group": ["all"], "wave": ["end"], "n": [30], "value": [0.25],
    ...                     "ci_low": [0.05], "ci_high": [0.45], "suppressed": [False]})
    >>> side_by_side({"a": one, "b": one.assign(suppressed=True, n=3)}).iloc[0].tolist()
    ['change:x', 'all', '0.25 [0.05, 0.45] (n = 30)', 'suppressed (n = 3)']
    """
    wanted = ("change:", "did:", "retention_12m", "roi_percent", "bcr")
    cells: dict[tuple[str, str], dict[str, str]] = {}
    for cohort, table in metrics.items():
        if table is None or table.empty:
            continue
        keep = table["metric"].astype(str).str.startswith(wanted) & table["group"].isin(list(groups))
        for row in table[keep].itertuples(index=False):
            n = "" if pd.isna(row.n) else f" (n = {int(row.n)})"
            if bool(row.suppressed):
                text = f"suppressed{n}"
            elif pd.isna(row.value):
                text = f"not available{n}"
            elif pd.notna(row.ci_low) and pd.notna(row.ci_high):
                text = f"{row.value:.2f} [{row.ci_low:.2f}, {row.ci_high:.2f}]{n}"
            else:
                text = f"{row.value:.2f}{n}"
            cells.setdefault((str(row.metric), str(row.group)), {})[str(cohort)] = text
    columns = ["metric", "group", *map(str, metrics)]
    rows = [{"metric": m, "group": g, **values} for (m, g), values in cells.items()]
    return pd.DataFrame(rows, columns=columns).fillna("")
