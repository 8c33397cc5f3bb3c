"""The program's effect against a comparison group (Phillips: isolating the program's effect), as pure estimators.

Every estimator takes one long frame of **scale scores**, the same for all of them, and returns a tidy frame; none
reads a file, prints or suppresses (the evaluation does that: :mod:`rmkit.evaluation.comparison`). So a simulation
can call them on synthetic cohorts as they are:

========== ==========================================================================================================
column     meaning
========== ==========================================================================================================
person_id  the person
wave       the survey wave (its order is given by ``waves=``, else by first appearance)
scale      the scale id
score      the person's scale score at that wave (NaN rows are ignored)
group      ``participant`` or ``comparison``
role       ``mentor`` / ``mentee`` for participants (empty for comparison people)
========== ==========================================================================================================

- :func:`did`: the difference-in-differences from the first to the last wave, per scale and participant group, among
  the people scored at both waves, with the 95% CI of an OLS on the long data with errors clustered by person;
- :func:`ancova`: the last wave regressed on group and the first wave (the ANCOVA estimate beside the DiD);
- :func:`adjusted_did`: the DiD adjusted for covariates (department, level, generation, tenure) of both groups;
- :func:`balance_table`: baseline scale scores and covariates of both groups with standardised mean differences,
  judged as the What Works Clearinghouse judges baseline equivalence;
- :func:`paired_change` (from :mod:`rmkit.evaluation.change`) is the participants' own change.

``groups`` selects the participant groups compared with the whole comparison group: ``"all"`` (every participant)
and/or ``"role"`` (``role=mentor``, ``role=mentee``). statsmodels is imported when an estimator runs, not before.

Examples
--------
>>> scores = pd.DataFrame({
...     "person_id": ["a", "a", "b", "b", "c", "c", "d", "d"],
...     "wave": ["w0", "w1"] * 4, "scale": "s",
...     "score": [3.0, 4.0, 2.0, 3.5, 3.0, 3.2, 2.5, 2.9],
...     "group": ["participant"] * 4 + ["comparison"] * 4, "role": ["mentee"] * 4 + [None] * 4})
>>> result = did(scores, groups=("all",))
>>> round(float(result.participant_change[0]), 2), round(float(result.comparison_change[0]), 2)
(1.25, 0.3)
>>> round(float(result.estimate[0]), 2)  # 1.25 - 0.30
0.95
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .change import change_waves, paired_change

__all__ = [
    "SCORE_FRAME_COLUMNS",
    "COVARIATES",
    "DID_COLUMNS",
    "ANCOVA_COLUMNS",
    "BALANCE_COLUMNS",
    "did",
    "ancova",
    "adjusted_did",
    "balance_table",
    "wwc_equivalence",
    "paired_change",
]

SCORE_FRAME_COLUMNS = ["person_id", "wave", "scale", "score", "group", "role"]
COVARIATES = ("department", "level", "generation", "tenure_years")
DID_COLUMNS = ["scale", "group", "first_wave", "last_wave", "n", "n_participant", "n_comparison",
               "participant_change", "comparison_change", "estimate", "se", "ci_low", "ci_high", "dof", "p_value"]
ANCOVA_COLUMNS = ["scale", "group", "n", "n_participant", "n_comparison", "estimate", "se", "ci_low", "ci_high",
                  "dof", "p_value"]
ADJUSTED_COLUMNS = [*ANCOVA_COLUMNS, "covariates"]
BALANCE_COLUMNS = ["variable", "kind", "category", "n_participant", "participant", "sd_participant", "n_comparison",
                   "comparison", "sd_comparison", "smd", "equivalence"]


# --------------------------------------------------------------------------------------------- the paired sample


def _check(scores: pd.DataFrame) -> None:
    missing = [c for c in ("person_id", "wave", "scale", "score", "group") if c not in scores.columns]
    if missing:
        raise ValueError(f"scores has no column {', '.join(missing)}; expected {', '.join(SCORE_FRAME_COLUMNS)}")
    unknown = set(scores["group"].dropna().astype(str)) - {"participant", "comparison"}
    if unknown:
        raise ValueError(f"group holds {', '.join(sorted(unknown))}; allowed: participant, comparison")


def _ends(scores: pd.DataFrame, first: str | None, last: str | None, waves: Sequence[str] | None) -> tuple[str | None, str | None]:
    if first is None or last is None:
        participants = scores[scores["group"] == "participant"]
        auto = change_waves(participants["wave"].astype(object).unique().tolist(), waves)
        first, last = first or auto[0], last or auto[1]
    return first, last


def paired_scores(scores: pd.DataFrame, first: str, last: str) -> pd.DataFrame:
    """One row per person and scale scored at both ``first`` and ``last``: ``person_id``, ``scale``, ``group``,
    ``role``, ``before``, ``after``, ``change``, sorted by scale and person.

    Examples
    --------
    >>> scores = pd.DataFrame({"person_id": ["a", "a", "b"], "wave": ["w0", "w1", "w0"], "scale": "s",
    ...                        "score": [3.0, 4.0, 2.0], "group": "participant", "role": "mentee"})
    >>> paired_scores(scores, "w0", "w1")[["person_id", "before", "after", "change"]]
      person_id  before  after  change
    0         a     3.0    4.0     1.0
    """
    frame = scores[scores["wave"].astype(str).isin([first, last]) & scores["score"].notna()]
    frame = frame.assign(wave=frame["wave"].astype(str)).drop_duplicates(["person_id", "scale", "wave"])
    wide = frame.pivot(index=["scale", "person_id"], columns="wave", values="score")
    if first not in wide.columns or last not in wide.columns:
        return pd.DataFrame(columns=["person_id", "scale", "group", "role", "before", "after", "change"])
    wide = wide[[first, last]].dropna()
    people = frame.drop_duplicates("person_id").set_index("person_id")
    out = pd.DataFrame({"person_id": wide.index.get_level_values("person_id"),
                        "scale": wide.index.get_level_values("scale"),
                        "before": wide[first].to_numpy(dtype="float64"), "after": wide[last].to_numpy(dtype="float64")})
    out["group"] = people["group"].reindex(out["person_id"]).to_numpy()
    out["role"] = people["role"].reindex(out["person_id"]).to_numpy() if "role" in people.columns else None
    out["change"] = out["after"] - out["before"]
    return out[["person_id", "scale", "group", "role", "before", "after", "change"]].reset_index(drop=True)


def _participant_groups(paired: pd.DataFrame, groups: Sequence[str]) -> list[tuple[str, np.ndarray]]:
    """(group name, mask of the participants in it) for ``all`` and ``role=…``."""
    groups = [groups] if isinstance(groups, str) else list(groups)
    allowed = {"all", "role"}
    if set(groups) - allowed:
        raise ValueError(f"groups {', '.join(sorted(set(groups) - allowed))} not allowed; allowed: all, role")
    participant = (paired["group"] == "participant").to_numpy()
    out: list[tuple[str, np.ndarray]] = []
    if "all" in groups:
        out.append(("all", participant))
    if "role" in groups and "role" in paired.columns:
        for role in ("mentor", "mentee"):
            mask = participant & (paired["role"] == role).to_numpy()
            if mask.any():
                out.append((f"role={role}", mask))
    return out


def _t_interval(estimate: float, se: float, dof: float, confidence: float) -> tuple[float, float, float]:
    from scipy import stats

    if not (np.isfinite(se) and se > 0 and dof >= 1):
        return float("nan"), float("nan"), float("nan")
    half = float(stats.t.ppf((1 + confidence) / 2, dof)) * se
    return estimate - half, estimate + half, float(2 * stats.t.sf(abs(estimate / se), dof))


# --------------------------------------------------------------------------------------------- DiD


def _did_one(before: np.ndarray, after: np.ndarray, treated: np.ndarray, confidence: float) -> dict[str, float]:
    """The DiD of one sample: OLS of the long data (two rows per person) on post, treated and post × treated,
    standard errors clustered by person (CR1, statsmodels), Student's t on G − 1 degrees of freedom."""
    nan = float("nan")
    n_t, n_c = int(treated.sum()), int((~treated).sum())
    change = after - before
    out = {"n": n_t + n_c, "n_participant": n_t, "n_comparison": n_c,
           "participant_change": float(change[treated].mean()) if n_t else nan,
           "comparison_change": float(change[~treated].mean()) if n_c else nan,
           "estimate": nan, "se": nan, "ci_low": nan, "ci_high": nan, "dof": nan, "p_value": nan}
    if not (n_t and n_c):
        return out
    out["estimate"] = out["participant_change"] - out["comparison_change"]
    if n_t + n_c < 3:
        return out
    import statsmodels.api as sm

    n = n_t + n_c
    y = np.concatenate([before, after])
    post = np.repeat([0.0, 1.0], n)
    group = np.tile(treated.astype("float64"), 2)
    design = np.column_stack([np.ones(2 * n), post, group, post * group])
    clusters = np.tile(np.arange(n), 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a sample without variance gives 0/0 in the sandwich: NaN, reported as such
        fit = sm.OLS(y, design).fit(cov_type="cluster", cov_kwds={"groups": clusters}, use_t=True)
    se = float(np.sqrt(fit.cov_params()[3, 3]))
    dof = n - 1
    low, high, p = _t_interval(float(fit.params[3]), se, dof, confidence)
    out.update(estimate=float(fit.params[3]), se=se, ci_low=low, ci_high=high, dof=float(dof), p_value=p)
    return out


def did(scores: pd.DataFrame, *, first: str | None = None, last: str | None = None,
        waves: Sequence[str] | None = None, groups: Sequence[str] = ("all", "role"),
        confidence: float = 0.95) -> pd.DataFrame:
    """Difference-in-differences per scale: the participants' mean change minus the comparison group's, first to
    last wave, among the people scored at both.

    Parameters
    ----------
    scores : pandas.DataFrame
        The score frame of this module (``person_id, wave, scale, score, group, role``).
    first, last : str, optional
        The waves compared; by default the first and the last of ``waves`` at which participants were scored.
    waves : sequence of str, optional
        The program's waves in order (``program.waves``).
    groups : sequence of str
        Participant groups compared with the comparison group: ``"all"`` and/or ``"role"``.
    confidence : float
        Confidence level of the interval.

    Returns
    -------
    pandas.DataFrame
        :data:`DID_COLUMNS`: ``scale``, ``group`` (``all``, ``role=mentor``, ``role=mentee``), ``first_wave``,
        ``last_wave``, ``n`` (people in both groups), ``n_participant``, ``n_comparison``, ``participant_change``,
        ``comparison_change``, ``estimate`` (their difference), ``se``, ``ci_low``, ``ci_high``, ``dof``, ``p_value``.
        One row per scale and group with at least one participant scored at both waves (the estimate is empty when
        no comparison person was).

    Notes
    -----
    With :math:`y_{it}` the score of person *i* at wave *t* ∈ {first, last}, the model is

    .. math:: y_{it} = \\beta_0 + \\beta_1\\,post_t + \\beta_2\\,P_i + \\delta\\,(post_t \\times P_i) + e_{it}

    fitted by OLS on the 2n rows; with both waves for everyone, :math:`\\hat\\delta` equals the difference of the
    groups' mean changes exactly. Its standard error is the cluster-robust sandwich with clusters = persons and
    the CR1 small-sample factor :math:`\\frac{G}{G-1}\\frac{N-1}{N-K}` (statsmodels' ``cov_type="cluster"``, the
    same as R's ``sandwich::vcovCL(type = "HC1")`` and Stata's ``vce(cluster)``); the interval uses Student's t
    on G − 1 degrees of freedom, as Stata does (Cameron & Miller, 2015).

    References
    ----------
    .. [1] Cameron, A. C., & Miller, D. L. (2015). A practitioner's guide to cluster-robust inference. Journal of
           Human Resources 50(2), 317–372.
    .. [2] Phillips, J. J. (2003). Return on Investment in Training and Performance Improvement Programs (ch. 5,
           isolating the effects of the program: control groups).
    """
    _check(scores)
    first, last = _ends(scores, first, last, waves)
    if first is None or last is None or first == last:
        return pd.DataFrame(columns=DID_COLUMNS)
    paired = paired_scores(scores, first, last)
    rows = []
    for scale, sample in paired.groupby("scale", sort=False):
        comparison = (sample["group"] == "comparison").to_numpy()
        for name, mask in _participant_groups(sample, groups):
            if not mask.any():
                continue
            keep = mask | comparison
            stats = _did_one(sample["before"].to_numpy()[keep], sample["after"].to_numpy()[keep], mask[keep], confidence)
            rows.append({"scale": scale, "group": name, "first_wave": first, "last_wave": last, **stats})
    return _order(pd.DataFrame(rows, columns=DID_COLUMNS), scores)


def _order(table: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """Scales in the order of the score frame, groups all → mentors → mentees."""
    if table.empty:
        return table
    scale_rank = {s: k for k, s in enumerate(dict.fromkeys(scores["scale"]))}
    group_rank = {"all": 0, "role=mentor": 1, "role=mentee": 2}
    key = table["scale"].map(scale_rank).fillna(len(scale_rank)) * 10 + table["group"].map(group_rank).fillna(9)
    table = table.iloc[np.argsort(key.to_numpy(), kind="stable")].reset_index(drop=True)
    for column in ("n", "n_participant", "n_comparison"):
        if column in table.columns:
            table[column] = table[column].astype("int64")
    return table


# --------------------------------------------------------------------------------------------- ANCOVA, adjusted


def _ols(y: np.ndarray, design: np.ndarray, column: int, *, robust: bool, confidence: float) -> dict[str, float]:
    """Coefficient ``column`` of an OLS fit, with classical or HC1 standard errors and Student's t on N − K df."""
    import statsmodels.api as sm

    nan = float("nan")
    n, k = design.shape
    if n <= k or np.linalg.matrix_rank(design) < k:
        return {"estimate": nan, "se": nan, "ci_low": nan, "ci_high": nan, "dof": nan, "p_value": nan}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sm.OLS(y, design).fit(cov_type="HC1" if robust else "nonrobust")
    estimate = float(fit.params[column])
    se = float(np.sqrt(fit.cov_params()[column, column]))
    low, high, p = _t_interval(estimate, se, n - k, confidence)
    return {"estimate": estimate, "se": se, "ci_low": low, "ci_high": high, "dof": float(n - k), "p_value": p}


def ancova(scores: pd.DataFrame, *, first: str | None = None, last: str | None = None,
           waves: Sequence[str] | None = None, groups: Sequence[str] = ("all", "role"),
           confidence: float = 0.95) -> pd.DataFrame:
    """The ANCOVA estimate of the program's effect per scale: OLS of the last wave on group and the first wave,
    among the people scored at both (the same sample as :func:`did`).

    Returns
    -------
    pandas.DataFrame
        :data:`ANCOVA_COLUMNS`: ``scale``, ``group``, ``n``, ``n_participant``, ``n_comparison``, ``estimate`` (the
        group coefficient: participants' last-wave score against comparison people with the same first-wave
        score), ``se`` (classical OLS), ``ci_low``, ``ci_high``, ``dof`` (N − 3), ``p_value``.

    Notes
    -----
    :math:`y_{i,last} = \\beta_0 + \\tau P_i + \\beta_1 y_{i,first} + e_i`. Unlike the DiD, ANCOVA does not assume
    that a baseline difference between the groups would have persisted; when the groups start alike the two agree,
    and when they do not, the DiD is the one to read if the gap is stable, ANCOVA if scores regress to the mean
    (Van Breukelen, 2013).

    References
    ----------
    .. [1] Van Breukelen, G. J. P. (2013). ANCOVA versus change from baseline in nonrandomized studies: the
           difference. Multivariate Behavioral Research 48(6), 895–922.
    """
    _check(scores)
    first, last = _ends(scores, first, last, waves)
    if first is None or last is None or first == last:
        return pd.DataFrame(columns=ANCOVA_COLUMNS)
    paired = paired_scores(scores, first, last)
    rows = []
    for scale, sample in paired.groupby("scale", sort=False):
        comparison = (sample["group"] == "comparison").to_numpy()
        for name, mask in _participant_groups(sample, groups):
            keep = mask | comparison
            treated = mask[keep].astype("float64")
            design = np.column_stack([np.ones(int(keep.sum())), treated, sample["before"].to_numpy()[keep]])
            stats = _ols(sample["after"].to_numpy()[keep], design, 1, robust=False, confidence=confidence)
            rows.append({"scale": scale, "group": name, "n": int(keep.sum()), "n_participant": int(mask.sum()),
                         "n_comparison": int(comparison.sum()), **stats})
    return _order(pd.DataFrame(rows, columns=ANCOVA_COLUMNS), scores)


def _covariate_design(people: pd.DataFrame, covariates: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """Columns for the covariates that every one of ``people`` has and that vary: numbers as they are, text as
    indicators (the first level, by name, left out)."""
    columns, used = [], []
    for name in covariates:
        if name not in people.columns:
            continue
        values = people[name]
        if values.isna().any() or values.astype(str).str.strip().eq("").any():
            continue
        if pd.api.types.is_numeric_dtype(values):
            numbers = values.to_numpy(dtype="float64")
            if np.ptp(numbers) > 0:
                columns.append(numbers[:, None])
                used.append(name)
            continue
        levels = sorted(values.astype(str).unique())
        if len(levels) < 2:
            continue
        text = values.astype(str).to_numpy()
        columns.append(np.column_stack([(text == level).astype("float64") for level in levels[1:]]))
        used.append(name)
    return (np.hstack(columns) if columns else np.empty((len(people), 0))), used


def adjusted_did(scores: pd.DataFrame, people: pd.DataFrame, *, covariates: Sequence[str] = COVARIATES,
                 first: str | None = None, last: str | None = None, waves: Sequence[str] | None = None,
                 groups: Sequence[str] = ("all", "role"), confidence: float = 0.95) -> pd.DataFrame:
    """The DiD adjusted for covariates: OLS of each person's change on group and the covariates (HC1 errors).

    Parameters
    ----------
    people : pandas.DataFrame
        ``person_id`` and the covariate columns, for participants and comparison people alike.
    covariates : sequence of str
        Columns of ``people`` to adjust for (default department, level, generation, tenure_years). A covariate is
        used in a sample only when every person in it has a value and the value varies; text columns enter as
        indicators.

    Returns
    -------
    pandas.DataFrame
        :data:`ANCOVA_COLUMNS` and ``covariates`` (the ones used, comma-separated). The estimate is empty when no
        covariate can be used, or when the covariates leave nothing to compare (every participant in a level
        no comparison person has: group and covariates are collinear).

    Notes
    -----
    :math:`\\Delta y_i = \\alpha + \\delta P_i + x_i'\\gamma + e_i`, the change-score form of the two-wave DiD with
    covariate × wave interactions (the same point estimate as the long regression with those interactions).
    """
    _check(scores)
    first, last = _ends(scores, first, last, waves)
    if first is None or last is None or first == last:
        return pd.DataFrame(columns=ADJUSTED_COLUMNS)
    paired = paired_scores(scores, first, last)
    table = people.drop_duplicates("person_id").set_index("person_id")
    rows = []
    for scale, sample in paired.groupby("scale", sort=False):
        comparison = (sample["group"] == "comparison").to_numpy()
        for name, mask in _participant_groups(sample, groups):
            keep = mask | comparison
            here = table.reindex(sample["person_id"].to_numpy()[keep])
            extra, used = _covariate_design(here.reset_index(), covariates)
            treated = mask[keep].astype("float64")
            base = np.column_stack([np.ones(int(keep.sum())), treated])
            nan = float("nan")
            stats = {"estimate": nan, "se": nan, "ci_low": nan, "ci_high": nan, "dof": nan, "p_value": nan}
            if used and mask.any() and comparison.any():
                design = np.hstack([base, extra])
                without = np.delete(design, 1, axis=1)
                if np.linalg.matrix_rank(design) > np.linalg.matrix_rank(without):  # group not collinear
                    design = _independent_columns(design)
                    stats = _ols(sample["change"].to_numpy()[keep], design, 1, robust=True, confidence=confidence)
            rows.append({"scale": scale, "group": name, "n": int(keep.sum()), "n_participant": int(mask.sum()),
                         "n_comparison": int(comparison.sum()), **stats, "covariates": ", ".join(used)})
    return _order(pd.DataFrame(rows, columns=ADJUSTED_COLUMNS), scores)


def _independent_columns(design: np.ndarray) -> np.ndarray:
    """Drop covariate columns that are linear combinations of earlier ones (the constant and group come first and
    are kept), so that the fit is of full rank."""
    kept = [0, 1]
    for j in range(2, design.shape[1]):
        if np.linalg.matrix_rank(design[:, [*kept, j]]) == len(kept) + 1:
            kept.append(j)
    return design[:, kept]


# --------------------------------------------------------------------------------------------- balance


def wwc_equivalence(smd: float) -> str:
    """The What Works Clearinghouse's reading of a baseline difference in SD units.

    Examples
    --------
    >>> wwc_equivalence(0.03), wwc_equivalence(-0.12), wwc_equivalence(0.4), wwc_equivalence(float("nan"))
    ('equivalent', 'needs adjustment', 'not equivalent', '')
    """
    if smd is None or not math.isfinite(smd):
        return ""
    size = abs(smd)
    return "equivalent" if size <= 0.05 else ("needs adjustment" if size <= 0.25 else "not equivalent")


def _smd(m_t: float, s_t: float, m_c: float, s_c: float) -> float:
    pooled = math.sqrt((s_t**2 + s_c**2) / 2) if np.isfinite(s_t) and np.isfinite(s_c) else float("nan")
    return (m_t - m_c) / pooled if pooled > 0 else float("nan")


def balance_table(scores: pd.DataFrame, people: pd.DataFrame | None = None, *, covariates: Sequence[str] = COVARIATES,
                  first: str | None = None, last: str | None = None, waves: Sequence[str] | None = None) -> pd.DataFrame:
    """Baseline balance of participants and the comparison group: the first-wave scale scores and the covariates,
    with standardised mean differences.

    The sample is the analysis sample of :func:`did`: per scale, the people scored at both waves; for the
    covariates, the people scored at both waves on at least one scale.

    Returns
    -------
    pandas.DataFrame
        :data:`BALANCE_COLUMNS`: ``variable`` (a scale id or a covariate), ``kind`` (``scale`` or ``covariate``),
        ``category`` (for a text covariate: one row per value; empty otherwise), ``n_participant``,
        ``participant`` (mean, or for a category the share in %), ``sd_participant``, ``n_comparison``,
        ``comparison``, ``sd_comparison``, ``smd`` and ``equivalence`` (:func:`wwc_equivalence`).

    Notes
    -----
    For a number, :math:`SMD = (\\bar x_P - \\bar x_C) / \\sqrt{(s_P^2 + s_C^2)/2}`; for a category with shares
    :math:`p_P, p_C`: :math:`(p_P - p_C) / \\sqrt{(p_P(1-p_P) + p_C(1-p_C))/2}` (Austin, 2009). The What Works
    Clearinghouse reads an absolute difference up to 0.05 SD as equivalent, from 0.05 to 0.25 SD as acceptable only
    with a statistical adjustment for it, and above 0.25 SD as not equivalent (WWC Procedures and Standards
    Handbook, version 5.0, 2022).

    References
    ----------
    .. [1] Austin, P. C. (2009). Balance diagnostics for comparing the distribution of baseline covariates between
           treatment groups in propensity-score matched samples. Statistics in Medicine 28, 3083–3107.
    """
    _check(scores)
    first, last = _ends(scores, first, last, waves)
    if first is None or last is None or first == last:
        return pd.DataFrame(columns=BALANCE_COLUMNS)
    paired = paired_scores(scores, first, last)
    rows = []
    for scale, sample in paired.groupby("scale", sort=False):
        rows.append(_numeric_row(scale, "scale", sample["before"], sample["group"] == "participant"))
    if people is not None and not paired.empty:
        who = paired.drop_duplicates("person_id")[["person_id", "group"]]
        table = people.drop_duplicates("person_id").set_index("person_id")
        here = table.reindex(who["person_id"].to_numpy())
        treated = (who["group"] == "participant").to_numpy()
        for name in covariates:
            if name not in here.columns or here[name].isna().all():
                continue
            values = here[name]
            if pd.api.types.is_numeric_dtype(values):
                rows.append(_numeric_row(name, "covariate", values.reset_index(drop=True), pd.Series(treated)))
                continue
            known = values.notna().to_numpy()
            text = values.astype(str).to_numpy()
            for level in sorted(set(text[known]), key=lambda v: (v.casefold(), v)):
                rows.append(_share_row(name, level, text == level, treated, known))
    out = pd.DataFrame(rows, columns=BALANCE_COLUMNS)
    if not out.empty:
        out["equivalence"] = out["smd"].map(wwc_equivalence)
        out[["n_participant", "n_comparison"]] = out[["n_participant", "n_comparison"]].astype("int64")
    return out


def _numeric_row(variable: str, kind: str, values: pd.Series, treated: pd.Series) -> dict[str, object]:
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64")
    mask = np.asarray(treated, dtype=bool)
    t, c = numbers[mask & ~np.isnan(numbers)], numbers[~mask & ~np.isnan(numbers)]
    mean_t, mean_c = (float(t.mean()) if t.size else float("nan")), (float(c.mean()) if c.size else float("nan"))
    sd_t = float(t.std(ddof=1)) if t.size > 1 else float("nan")
    sd_c = float(c.std(ddof=1)) if c.size > 1 else float("nan")
    return {"variable": variable, "kind": kind, "category": "", "n_participant": t.size, "participant": mean_t,
            "sd_participant": sd_t, "n_comparison": c.size, "comparison": mean_c, "sd_comparison": sd_c,
            "smd": _smd(mean_t, sd_t, mean_c, sd_c)}


def _share_row(variable: str, level: str, is_level: np.ndarray, treated: np.ndarray, known: np.ndarray) -> dict[str, object]:
    n_t, n_c = int((treated & known).sum()), int((~treated & known).sum())
    p_t = float(is_level[treated & known].mean()) if n_t else float("nan")
    p_c = float(is_level[~treated & known].mean()) if n_c else float("nan")
    spread = math.sqrt((p_t * (1 - p_t) + p_c * (1 - p_c)) / 2) if n_t and n_c else float("nan")
    smd = (p_t - p_c) / spread if spread and spread > 0 else float("nan")
    return {"variable": variable, "kind": "covariate", "category": level, "n_participant": n_t,
            "participant": 100 * p_t, "sd_participant": float("nan"), "n_comparison": n_c, "comparison": 100 * p_c,
            "sd_comparison": float("nan"), "smd": smd}
