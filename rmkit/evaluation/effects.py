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

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .balance import BALANCE_COLUMNS, COVARIATES, balance_table, wwc_equivalence
from .change import paired_change
from .score_frame import SCORE_FRAME_COLUMNS, check_scores, paired_scores, wave_ends

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
    "paired_scores",
]

DID_COLUMNS = ["scale", "group", "first_wave", "last_wave", "n", "n_participant", "n_comparison",
               "participant_change", "comparison_change", "estimate", "se", "ci_low", "ci_high", "dof", "p_value"]
ANCOVA_COLUMNS = ["scale", "group", "n", "n_participant", "n_comparison", "estimate", "se", "ci_low", "ci_high",
                  "dof", "p_value"]
ADJUSTED_COLUMNS = [*ANCOVA_COLUMNS, "covariates"]


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
    check_scores(scores)
    first, last = wave_ends(scores, first, last, waves)
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
    check_scores(scores)
    first, last = wave_ends(scores, first, last, waves)
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
    check_scores(scores)
    first, last = wave_ends(scores, first, last, waves)
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
