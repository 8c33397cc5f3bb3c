"""Change (Kirkpatrick level 2, learning): the paired change of each scale from the first to the last survey wave,
with the paired t-test's confidence interval, Cohen's d_z, Hedges' g and the Wilcoxon signed-rank test; both
directions of learning (mentees' and mentors' scales, by role); and the program's objectives judged against their
``target_change``.

"First" and "last" are the first and the last of ``program.waves`` that have responses (see :func:`change_waves`).
Only people with a score at both waves count (a paired design); a scale nobody answered at the first wave (post-only
scales such as ``relationship_quality``) has no change. For a ``percent_favorable`` scale the change is that of the
person's scale mean (the paired t-test needs a per-person score); for ``sum`` and ``pomp`` scales it is in their units.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..cohort.config import Instrument, Objective
from .groups import group_codes

__all__ = [
    "CHANGE_COLUMNS",
    "change_waves",
    "paired_statistics",
    "wilcoxon_signed_rank",
    "paired_change",
    "two_way_learning",
    "Evidence",
    "judge_objectives",
]

CHANGE_COLUMNS = [
    "scale", "group", "first_wave", "last_wave", "n", "mean_before", "mean_after", "mean_change", "sd_change",
    "ci_low", "ci_high", "t", "dof", "p_value", "cohen_dz", "hedges_g", "wilcoxon_w", "wilcoxon_p",
]


def change_waves(present: Sequence[object], waves: Sequence[str] | None = None) -> tuple[str | None, str | None]:
    """The first and the last wave of ``waves`` (the program's order) that occur in ``present``.

    Without ``waves`` the order of first appearance in ``present`` is used. ``(None, None)`` when fewer than two
    waves are present: there is no change to measure.

    Examples
    --------
    >>> change_waves(["month6", "baseline", "month6"], ["baseline", "month6", "month12"])
    ('baseline', 'month6')
    >>> change_waves(["baseline"], ["baseline", "month6"])
    (None, None)
    """
    seen = list(dict.fromkeys(str(w) for w in present if w is not None and not (isinstance(w, float) and math.isnan(w))))
    order = [w for w in (waves or []) if w in seen] + [w for w in seen if w not in set(waves or [])]
    if len(order) < 2:
        return None, None
    return order[0], order[-1]


def paired_statistics(before: np.ndarray, after: np.ndarray, *, confidence: float = 0.95) -> dict[str, float]:
    """The paired comparison of ``after`` with ``before`` (same people, same order).

    Returns
    -------
    dict
        ``n``, ``mean_before``, ``mean_after``, ``mean_change`` (after − before), ``sd_change``, ``ci_low``,
        ``ci_high`` (the paired t-interval), ``t``, ``dof``, ``p_value`` (two-sided), ``cohen_dz``, ``hedges_g``,
        ``wilcoxon_w`` and ``wilcoxon_p`` (NaN where undefined: n < 2, no variance, all differences zero).

    Notes
    -----
    With differences :math:`d_i = after_i - before_i`, their mean :math:`\\bar d` and SD :math:`s_d`:

    .. math::

        t = \\frac{\\bar d}{s_d/\\sqrt n}, \\quad CI = \\bar d \\pm t_{(1+c)/2,\\,n-1}\\,\\frac{s_d}{\\sqrt n}, \\quad
        d_z = \\frac{\\bar d}{s_d}, \\quad
        g = \\frac{\\bar d}{\\sqrt{(s_{before}^2 + s_{after}^2)/2}}\\left(1 - \\frac{3}{4(2n) - 9}\\right)

    Hedges' g is pingouin's definition for paired samples: Cohen's :math:`d_{av}` (the mean difference over the
    average of the two variances; Cumming, 2012) with the small-sample correction for :math:`n_x + n_y = 2n`.
    The Wilcoxon signed-rank test is :func:`scipy.stats.wilcoxon` with its defaults (zero differences dropped).

    References
    ----------
    .. [1] Lakens, D. (2013). Calculating and reporting effect sizes to facilitate cumulative science.
           Frontiers in Psychology 4, 863.
    .. [2] Cumming, G. (2012). Understanding the New Statistics. Routledge.

    Examples
    --------
    >>> stats = paired_statistics(np.array([3.0, 2.5, 4.0, 3.0]), np.array([3.5, 3.5, 4.0, 4.0]))
    >>> stats["n"], stats["mean_change"], round(stats["cohen_dz"], 3)  # d = 0.5, 1, 0, 1: mean 0.625, sd 0.479
    (4, 0.625, 1.306)
    """
    from scipy import stats

    before = np.asarray(before, dtype="float64")
    after = np.asarray(after, dtype="float64")
    diff = after - before
    n = int(diff.size)
    nan = float("nan")
    out: dict[str, float] = {
        "n": n, "mean_before": nan, "mean_after": nan, "mean_change": nan, "sd_change": nan, "ci_low": nan,
        "ci_high": nan, "t": nan, "dof": nan, "p_value": nan, "cohen_dz": nan, "hedges_g": nan,
        "wilcoxon_w": nan, "wilcoxon_p": nan,
    }
    if n == 0:
        return out
    out.update(mean_before=float(before.mean()), mean_after=float(after.mean()), mean_change=float(diff.mean()))
    if n < 2:
        return out
    sd = float(diff.std(ddof=1))
    out["sd_change"] = sd
    out["dof"] = n - 1
    if sd > 0:
        se = sd / math.sqrt(n)
        half = float(stats.t.ppf((1 + confidence) / 2, n - 1)) * se
        t = out["mean_change"] / se
        out.update(ci_low=out["mean_change"] - half, ci_high=out["mean_change"] + half, t=t,
                   p_value=float(2 * stats.t.sf(abs(t), n - 1)), cohen_dz=out["mean_change"] / sd)
    elif out["mean_change"] == 0:
        out.update(ci_low=0.0, ci_high=0.0)
    average_sd = math.sqrt((before.var(ddof=1) + after.var(ddof=1)) / 2)
    if average_sd > 0:
        out["hedges_g"] = out["mean_change"] / average_sd * (1 - 3 / (4 * (2 * n) - 9))
    if np.any(diff != 0):
        out["wilcoxon_w"], out["wilcoxon_p"] = wilcoxon_signed_rank(diff)
    return out


def wilcoxon_signed_rank(diff: np.ndarray) -> tuple[float, float]:
    """The two-sided Wilcoxon signed-rank test of paired differences: ``(W, p)`` as :func:`scipy.stats.wilcoxon`
    gives them with its defaults (zero differences dropped; W = the smaller of the rank sums).

    scipy's default method is exact without ties or zeros (n ≤ 50), the normal approximation with continuity
    correction for larger or tied samples, and for tied samples of at most 13 a permutation test over all
    :math:`2^n` sign flips. That last case is computed here by enumerating the sign flips with NumPy, which gives
    the same p-value as scipy's (deterministic) permutation test without its per-permutation overhead; the others
    are delegated to scipy.

    Examples
    --------
    >>> wilcoxon_signed_rank(np.array([0.5, 1.0, -0.25, 2.0, 0.75, 1.5]))  # scipy: W = 1, exact p = 0.0625
    (1.0, 0.0625)
    """
    from scipy import stats

    d = np.asarray(diff, dtype="float64")
    nonzero = d[d != 0]
    if nonzero.size == 0:
        return float("nan"), float("nan")
    ties = np.unique(np.abs(nonzero)).size < nonzero.size
    zeros = nonzero.size < d.size
    if (ties or zeros) and d.size <= 13:
        ranks = stats.rankdata(np.abs(nonzero))
        r_plus = float(ranks[nonzero > 0].sum())
        r_minus = float(ranks[nonzero < 0].sum())
        flips = (np.arange(2**nonzero.size)[:, None] >> np.arange(nonzero.size)) & 1
        null = flips @ ranks
        gamma = abs(np.finfo("float64").eps * 100 * r_plus)
        p = 2 * min(np.mean(null <= r_plus + gamma), np.mean(null >= r_plus - gamma))
        return min(r_plus, r_minus), float(min(p, 1.0))
    method = "exact" if not (ties or zeros) and d.size <= 50 else "asymptotic"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy warns that it uses the normal approximation for ties or zeros
        result = stats.wilcoxon(d, method=method)
    return float(result.statistic), float(result.pvalue)


def paired_change(scores: pd.DataFrame, participants: pd.DataFrame, instrument: Instrument, *,
                  waves: Sequence[str] | None = None, first: str | None = None, last: str | None = None,
                  groups: Sequence[str] | None = None, confidence: float = 0.95) -> pd.DataFrame:
    """The paired change of every scale from the first to the last wave, per group.

    Parameters
    ----------
    scores : pandas.DataFrame
        ``person_id``, ``wave``, ``scale``, ``score`` (:func:`rmkit.evaluation.scoring.score_responses`).
    participants : pandas.DataFrame
        ``person_id`` and the grouping columns (``role``, ``department``).
    instrument : rmkit.cohort.config.Instrument
        The scales, in the order of the output.
    waves : sequence of str, optional
        The program's waves, in order; ``first`` and ``last`` default to the first and last of them present in
        ``scores`` (:func:`change_waves`).
    first, last : str, optional
        The waves to compare, when given explicitly.
    groups : sequence of str, optional
        ``"all"`` and columns of ``participants`` (default: all, role, department).
    confidence : float
        Confidence level of the interval of the mean change.

    Returns
    -------
    pandas.DataFrame
        One row per scale and group with at least one person scored at both waves, with :data:`CHANGE_COLUMNS`:
        ``scale``, ``group``, ``first_wave``, ``last_wave`` and the columns of :func:`paired_statistics`.

    Examples
    --------
    >>> from rmkit.cohort import load_cohort
    >>> from rmkit.resources import example_cohort_dir
    >>> from rmkit.evaluation.scoring import score_responses
    >>> cohort = load_cohort(example_cohort_dir())
    >>> scores = score_responses(cohort.responses, cohort.instrument)
    >>> change = paired_change(scores, cohort.participants, cohort.instrument, waves=cohort.program.waves)
    >>> row = change[(change.scale == "digital_confidence") & (change.group == "role=mentee")].iloc[0]
    >>> row.first_wave, row.last_wave, bool(row.ci_low > 0)
    ('baseline', 'month12', True)
    """
    if first is None or last is None:
        auto_first, auto_last = change_waves(scores["wave"].astype(object).unique().tolist(), waves)
        first, last = first or auto_first, last or auto_last
    rows: list[dict[str, object]] = []
    if first is None or last is None or first == last:
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    wave = scores["wave"].astype(str).to_numpy()
    scale = scores["scale"].astype(str).to_numpy()
    person = scores["person_id"].astype(str).to_numpy()
    value = scores["score"].to_numpy(dtype="float64", na_value=np.nan)
    for scale_id in instrument.scale_ids:
        mask = (scale == scale_id) & ~np.isnan(value)
        before = pd.Series(value[mask & (wave == first)], index=person[mask & (wave == first)])
        after = pd.Series(value[mask & (wave == last)], index=person[mask & (wave == last)])
        before = before[~before.index.duplicated()]
        after = after[~after.index.duplicated()]
        paired = pd.concat({"before": before, "after": after}, axis=1, join="inner")
        if paired.empty:
            continue
        ids = paired.index.to_numpy(dtype=object)
        for names, codes in group_codes(ids, participants, groups):
            for k, name in enumerate(names):
                members = codes == k
                if not members.any():
                    continue
                stats = paired_statistics(paired["before"].to_numpy()[members], paired["after"].to_numpy()[members],
                                          confidence=confidence)
                rows.append({"scale": scale_id, "group": name, "first_wave": first, "last_wave": last, **stats})
    table = pd.DataFrame(rows, columns=CHANGE_COLUMNS)
    return table.astype({"n": "int64"}) if not table.empty else table


def two_way_learning(change: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """Both directions of learning: for every scale whose ``audience`` is ``mentee`` or ``mentor``, its change in
    that role's group (the mentees' learning from their mentors, and the mentors' learning from their mentees).

    Parameters
    ----------
    change : pandas.DataFrame
        The output of :func:`paired_change` (with ``role=…`` groups).
    instrument : rmkit.cohort.config.Instrument
        The scales' audiences and labels.

    Returns
    -------
    pandas.DataFrame
        ``learner`` (mentee or mentor), ``taught_by`` (the other role), ``scale``, ``label``, ``kirkpatrick``,
        ``n``, ``mean_change``, ``ci_low``, ``ci_high``, ``p_value``, ``cohen_dz``, ``hedges_g``; mentees first.

    Examples
    --------
    >>> from rmkit.cohort import load_cohort
    >>> from rmkit.resources import example_cohort_dir
    >>> from rmkit.evaluation.scoring import score_responses
    >>> cohort = load_cohort(example_cohort_dir())
    >>> scores = score_responses(cohort.responses, cohort.instrument)
    >>> change = paired_change(scores, cohort.participants, cohort.instrument, waves=cohort.program.waves)
    >>> two_way_learning(change, cohort.instrument)[["learner", "taught_by", "scale"]]
      learner taught_by               scale
    0  mentee    mentor  digital_confidence
    1  mentor    mentee    business_insight
    """
    columns = ["learner", "taught_by", "scale", "label", "kirkpatrick", "n", "mean_change", "ci_low", "ci_high",
               "p_value", "cohen_dz", "hedges_g"]
    rows = []
    for learner, teacher in (("mentee", "mentor"), ("mentor", "mentee")):
        for scale in instrument.scales:
            if scale.audience != learner:
                continue
            match = change[(change["scale"] == scale.id) & (change["group"] == f"role={learner}")]
            if match.empty:
                continue
            row = match.iloc[0]
            rows.append({"learner": learner, "taught_by": teacher, "scale": scale.id, "label": scale.title,
                         "kirkpatrick": scale.kirkpatrick, **{c: row[c] for c in columns[5:]}})
    return pd.DataFrame(rows, columns=columns)


class Evidence(NamedTuple):
    """An estimate that an objective is judged on: a program metric such as ``retention_12m`` or ``roi_percent``."""

    estimate: float
    ci_low: float = float("nan")
    ci_high: float = float("nan")
    n: float = float("nan")
    p_value: float = float("nan")
    unit: str = ""


def _two(x: float) -> str:
    """Two decimals, never ``-0.00``."""
    return f"{0.0 if abs(x) < 0.005 else x:.2f}"


def _p_text(p: float) -> str:
    """APA style: ``p < 0.001`` or ``p = 0.042``."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _signed(x: float, unit: str = "") -> str:
    return f"{x:+.2f}{unit}" if np.isfinite(x) else "n/a"


_PROGRAM_METHODS = {"retention_12m": "participants against the comparison group", "goals_done": "the agreements' goals",
                    "roi_percent": "Phillips ROI", "bcr": "Phillips ROI"}


def _effect_row(effects: pd.DataFrame | None, scale: str, group: str) -> pd.Series | None:
    """The effect row of a scale and group whose comparison side has people, or None."""
    if effects is None or effects.empty:
        return None
    match = effects[(effects["scale"] == scale) & (effects["group"] == group) & (effects["n_comparison"] > 0)]
    return None if match.empty else match.iloc[0]


def judge_objectives(objectives: Sequence[Objective], change: pd.DataFrame, instrument: Instrument, *,
                     evidence: Mapping[str, Evidence] | None = None, min_group_size: int = 1,
                     effects: pd.DataFrame | None = None) -> pd.DataFrame:
    """Judge each objective met or not against its ``target_change``, with the evidence.

    Parameters
    ----------
    objectives : sequence of rmkit.cohort.config.Objective
        ``program.objectives``.
    change : pandas.DataFrame
        The output of :func:`paired_change`.
    instrument : rmkit.cohort.config.Instrument
        The scales' audiences: a scale's objective is judged in the group whose learning it measures
        (``role=mentee`` for an ``audience: mentee`` scale, ``all`` for ``audience: all``).
    evidence : mapping, optional
        Estimates of program metrics by measure name: ``retention_12m`` (the difference participant − comparison in
        percentage points, with its CI), ``roi_percent``, ``bcr``.
    min_group_size : int
        An estimate from fewer people is not shown, and the objective is not judged.
    effects : pandas.DataFrame, optional
        The effect against the comparison group (:func:`rmkit.evaluation.comparison.comparison_evidence`, with
        ``suppressed``): when it has a row for a scale objective's group, the objective is judged on that
        difference-in-differences instead of the paired change — unless the comparison group is too small, in which
        case the paired change judges it and the sentence says why.

    Returns
    -------
    pandas.DataFrame
        ``objective``, ``description``, ``measure``, ``group``, ``target``, ``estimate``, ``ci_low``, ``ci_high``,
        ``n``, ``p_value``, ``met`` (True, False, or empty when it cannot be judged), ``evidence`` (a sentence) and
        ``judged_by`` (which evidence judged it: "difference-in-differences", "paired change", or the program
        metric's method).

    Notes
    -----
    A target of zero or more is **met** when the estimate reaches it *and* the 95% interval lies above zero (the
    change is real, not noise); a negative target (a decrease wanted) mirrors this. ``roi_percent`` and ``bcr``
    have no sampling interval (their inputs are already discounted by attribution × confidence): they are met when
    the value reaches the target.

    Examples
    --------
    >>> from rmkit.cohort.config import parse_instrument, Objective
    >>> inst, _ = parse_instrument("id: t\\nresponse_scale: {min: 1, max: 5}\\nscales: [{id: s}]\\nitems: [{id: a, scale: s}]")
    >>> change = pd.DataFrame([{"scale": "s", "group": "all", "n": 30, "mean_change": 0.62, "ci_low": 0.31,
    ...                         "ci_high": 0.93, "p_value": 0.0004}])
    >>> goal = Objective(id="g", measure="s", target_change=0.5)
    >>> judge_objectives([goal], change, inst)[["objective", "estimate", "met"]]
      objective  estimate   met
    0         g      0.62  True
    """
    evidence = dict(evidence or {})
    rows = []
    for objective in objectives:
        target = objective.target_change
        measure = objective.measure
        group = ""
        found: Evidence | None = None
        hidden = False
        judged_by, prefix = _PROGRAM_METHODS.get(measure, "its measure"), ""
        if measure in instrument.scale_ids:
            audience = instrument.scale(measure).audience
            group = "all" if audience == "all" else f"role={audience}"
            judged_by = "paired change"
            match = change[(change["scale"] == measure) & (change["group"] == group)] if not change.empty else change
            versus = _effect_row(effects, measure, group)
            if versus is not None and not (versus["n_comparison"] < min_group_size <= versus["n_participant"]):
                judged_by = "difference-in-differences"
                who = {"all": "participants'", "role=mentee": "mentees'", "role=mentor": "mentors'"}[group]
                prefix = f"{who} change minus the comparison group's: "
                n = float(versus["n_participant"] + versus["n_comparison"])
                if bool(versus["suppressed"]):
                    hidden, found = True, Evidence(float("nan"), n=n)
                else:
                    found = Evidence(float(versus["estimate"]), float(versus["ci_low"]), float(versus["ci_high"]), n,
                                     float(versus["p_value"]))
            elif not match.empty and bool(match.iloc[0].get("suppressed", False)):
                hidden, found = True, Evidence(float("nan"), n=float(match.iloc[0]["n"]))
            elif not match.empty:
                r = match.iloc[0]
                found = Evidence(float(r["mean_change"]), float(r["ci_low"]), float(r["ci_high"]), float(r["n"]),
                                 float(r["p_value"]))
            if versus is not None and judged_by == "paired change":
                prefix = (f"the comparison group is too small to judge against (n = {int(versus['n_comparison'])} < "
                          f"{min_group_size}), so the paired change judges it: ")
        else:
            found = evidence.get(measure)
        met: bool | None = None
        if found is None:
            sentence = f"no data for {measure}: the objective cannot be judged"
            found = Evidence(float("nan"))
        elif hidden:
            sentence = "suppressed to protect small groups (see the confidentiality rule): not reported"
        elif np.isfinite(found.n) and found.n < min_group_size:
            sentence = f"fewer than {min_group_size} people: not reported"
            found = Evidence(float("nan"), n=found.n)
        elif target is None:
            sentence = f"{measure} {_signed(found.estimate, found.unit)}; no target_change: the objective cannot be judged"
        else:
            has_interval = np.isfinite(found.ci_low) and np.isfinite(found.ci_high)
            if target >= 0:
                reached = found.estimate >= target
                real = found.ci_low > 0 if has_interval else True
            else:
                reached = found.estimate <= target
                real = found.ci_high < 0 if has_interval else True
            met = bool(reached and real) if np.isfinite(found.estimate) else None
            parts = [f"{measure} {_signed(found.estimate, found.unit)}"]
            if has_interval:
                parts.append(f"(95% CI {_two(found.ci_low)} to {_two(found.ci_high)}")
                parts[-1] += f", n = {int(found.n)}" if np.isfinite(found.n) else ""
                parts[-1] += f", {_p_text(found.p_value)})" if np.isfinite(found.p_value) else ")"
            parts.append(f"against a target of {_signed(target, found.unit)}:")
            if met is None:
                parts.append("cannot be judged")
            elif met:
                parts.append("met")
            elif reached:
                parts.append("not met: the target is reached but the interval includes no change")
            else:
                parts.append("not met")
            sentence = " ".join(parts)
        sentence = prefix + sentence if prefix and found is not None and not hidden else sentence
        rows.append({
            "objective": objective.id, "description": objective.description, "measure": measure, "group": group,
            "target": float("nan") if target is None else float(target), "estimate": found.estimate,
            "ci_low": found.ci_low, "ci_high": found.ci_high, "n": found.n, "p_value": found.p_value,
            "met": met, "evidence": sentence, "judged_by": judged_by,
        })
    columns = ["objective", "description", "measure", "group", "target", "estimate", "ci_low", "ci_high", "n",
               "p_value", "met", "evidence", "judged_by"]
    table = pd.DataFrame(rows, columns=columns)
    table["met"] = table["met"].astype("boolean")
    table["n"] = table["n"].astype("Float64").round().astype("Int64") if not table.empty else table["n"]
    return table
