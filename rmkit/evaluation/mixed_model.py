"""Every wave at once: a linear mixed model per scale (REML, a random intercept per person).

The first-to-last change (:mod:`rmkit.evaluation.change`) and the DiD (:mod:`rmkit.evaluation.effects`) keep only
the people scored at both ends and ignore the waves in between. The mixed model uses every score of every person:
someone who missed the middle or the last wave still counts, under the assumption that whether a score is missing
does not depend on the score itself once the person's other scores are known (missing at random, Rubin 1976).

For each scale, with :math:`t` the waves in the program's order (the first is the reference) and :math:`P_i` = 1
for participants, 0 for comparison people:

.. math:: y_{it} = \\beta_0 + \\sum_{t>0} \\beta_t W_t + \\gamma P_i + \\sum_{t>0} \\delta_t (W_t \\times P_i)
          + u_i + e_{it},\\quad u_i \\sim N(0, \\tau^2),\\ e_{it} \\sim N(0, \\sigma^2)

fitted by REML. When comparison people answered the survey, the effect at wave *t* is :math:`\\delta_t`, the
participants' change since the first wave minus the comparison group's (group ``participant``); without them, the
model has no group terms and the effect is :math:`\\beta_t`, the participants' change (group ``all``).
:func:`mixed_role_effects` fits the same model within participants with role in place of group (mentors'
change, mentees' change, and their difference).

- :func:`mixed_effects`: the effect at each wave after the first, per scale (the fixed interface a power
  simulation calls; columns :data:`MIXED_COLUMNS`);
- :func:`mixed_fits`: the same rows with the counts per group and the standard error (what the evaluation shows);
- :func:`mixed_role_effects`: mentors and mentees within participants;
- :func:`fit_random_intercept`: the model builder (numbers in, one fit out), pinned to lme4's ``sleepstudy`` fit.

Speed: the design matrix is built with numpy (no formula parsing), and the REML fit is profiled down to the variance
ratio and computed from per-person sums (:func:`_profile_reml`), so a fit costs about as much as one least-squares
solve: at 4,000 people the 16 fits of a cohort took 70 s with statsmodels' ``MixedLM`` and take under a second.

Examples
--------
>>> scores = pd.DataFrame({
...     "person_id": [p for p in "abcdefgh" for _ in range(3)], "wave": ["w0", "w1", "w2"] * 8, "scale": "s",
...     "score": [3.0, 3.6, 4.1, 2.0, 2.9, 3.2, 3.1, 3.3, 4.0, 2.4, 3.3, 3.9,
...               3.0, 3.1, 3.3, 2.2, 2.1, 2.6, 3.3, 3.2, 3.5, 2.6, 2.9, 2.8],
...     "group": ["participant"] * 12 + ["comparison"] * 12})
>>> table = mixed_effects(scores, waves=["w0", "w1", "w2"])
>>> table[["scale", "wave", "group", "n_people", "n_obs"]]
  scale wave        group  n_people  n_obs
0     s   w1  participant         8     24
1     s   w2  participant         8     24
>>> round(float(table.estimate[1]), 3)  # complete data: the DiD of the mean changes, (1.175) - (0.275)
0.9
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["MIXED_COLUMNS", "MIXED_FIT_COLUMNS", "InterceptFit", "fit_random_intercept", "mixed_effects",
           "mixed_fits", "mixed_role_effects"]

MIXED_COLUMNS = ["scale", "wave", "group", "estimate", "ci_low", "ci_high", "p", "n_people", "n_obs", "converged"]
MIXED_FIT_COLUMNS = [*MIXED_COLUMNS[:3], "first_wave", *MIXED_COLUMNS[3:7], "se", *MIXED_COLUMNS[7:9],
                     "n_participant", "n_comparison", "converged"]

MIN_PEOPLE = 3  # fewer people leave no residual variance to split between persons and waves


@dataclass(frozen=True)
class InterceptFit:
    """One REML fit of a random-intercept model.

    ``params`` are the fixed effects (the columns of the design, in order), ``cov`` their covariance (the inverse
    of the observed information), ``person_variance`` :math:`\\tau^2`, ``residual_variance`` :math:`\\sigma^2`,
    ``converged`` whether the optimiser converged (to an interior or a boundary optimum) with a usable covariance.
    """

    params: np.ndarray
    cov: np.ndarray
    person_variance: float
    residual_variance: float
    converged: bool


def _failed(k: int) -> InterceptFit:
    nan = np.full(k, np.nan)
    return InterceptFit(nan, np.full((k, k), np.nan), float("nan"), float("nan"), False)


def _start_ratio(y: np.ndarray, design: np.ndarray, person: np.ndarray) -> float:
    """A moment estimate of τ²/σ² from OLS residuals (within-person and between-person variance), as a start."""
    beta, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ beta
    counts = np.bincount(person).astype("float64")
    present = counts > 0
    means = np.bincount(person, weights=resid)[present] / counts[present]
    within_df = len(y) - int(present.sum())
    if within_df <= 0:
        return 1.0
    within = float(((resid - (np.bincount(person, weights=resid) / np.maximum(counts, 1))[person]) ** 2).sum()) / within_df
    if not within > 0:
        return 1.0
    between = float(np.var(means, ddof=1)) - within * float(np.mean(1.0 / counts[present])) if means.size > 1 else 0.0
    return float(np.clip(between / within, 0.01, 100.0))


def fit_random_intercept(y: np.ndarray, design: np.ndarray, person: np.ndarray) -> InterceptFit:
    """Fit :math:`y = X\\beta + u_{person} + e` by REML (a random intercept per person; see :func:`_profile_reml`).

    Parameters
    ----------
    y : array of float
        The outcome, one value per observation.
    design : 2-D array of float
        The fixed-effects design :math:`X` (include the constant column yourself).
    person : array
        The person (cluster) of each observation; any hashable labels.

    Returns
    -------
    InterceptFit
        NaN everywhere and ``converged`` False when the design is not of full rank, there are fewer than
        :data:`MIN_PEOPLE` people or no more observations than parameters, or the optimiser fails. Warnings of the
        optimiser are caught, never shown: a failure to converge is reported by ``converged``.

    Examples
    --------
    >>> fit = fit_random_intercept(np.array([1.0, 2.0, 2.0, 3.5, 3.0, 4.0, 1.5, 2.0]),
    ...                            np.column_stack([np.ones(8), np.tile([0.0, 1.0], 4)]),
    ...                            np.repeat(["a", "b", "c", "d"], 2))
    >>> [round(float(b), 3) for b in fit.params], fit.converged  # balanced data: the fixed effects are OLS's
    ([1.875, 1.0], True)
    """
    y = np.asarray(y, dtype="float64")
    design = np.asarray(design, dtype="float64")
    _, codes = np.unique(np.asarray(person).astype(str), return_inverse=True)
    k = design.shape[1]
    n_people = int(codes.max()) + 1 if codes.size else 0
    if (n_people < MIN_PEOPLE or len(y) <= k + 1 or not np.isfinite(y).all()
            or np.linalg.matrix_rank(design) < k):
        return _failed(k)
    try:
        return _profile_reml(y, design, codes, n_people)
    except (np.linalg.LinAlgError, ValueError, ZeroDivisionError, OverflowError, FloatingPointError):
        return _failed(k)


def _profile_reml(y: np.ndarray, design: np.ndarray, codes: np.ndarray, people: int) -> InterceptFit:
    r"""REML of the random-intercept model from per-person sums, profiled down to one parameter.

    With :math:`\gamma = \tau^2/\sigma^2`, person *i*'s covariance is :math:`\sigma^2 (I + \gamma 11^T)`, whose
    inverse is :math:`(I - w_i 11^T)/\sigma^2` with :math:`w_i = \gamma / (1 + n_i \gamma)`. So
    :math:`X^T V^{-1} X`, :math:`X^T V^{-1} y` and the weighted residual sum of squares :math:`Q(\gamma)` need only
    :math:`X^TX`, :math:`X^Ty`, :math:`y^Ty` and each person's column sums: :math:`O(N p^2)` once, then
    :math:`O(G p^2)` per value of :math:`\gamma`. Profiling out :math:`\beta` (GLS) and :math:`\sigma^2 = Q/(N-p)`,
    the REML criterion is :math:`(N-p)\log(Q/(N-p)) + \sum_i \log(1 + n_i\gamma) + \log|X^T W X|`, minimised
    over :math:`\log\gamma` by bounded Brent (Harville 1977; the profiled form lme4 uses, Bates et al. 2015).
    The fixed effects' covariance is :math:`\sigma^2 (X^T W X)^{-1}`, as lme4 reports it. At 4,000 people the
    16 fits of a cohort took 70 s with statsmodels' ``MixedLM`` (a Python loop over people per iteration), and take
    well under a second this way; the two agree (the tests compare them).
    """
    from scipy.optimize import minimize_scalar

    n_obs, k = design.shape
    sizes = np.bincount(codes, minlength=people).astype("float64")
    sums_x = np.zeros((people, k))
    np.add.at(sums_x, codes, design)
    sums_y = np.bincount(codes, weights=y, minlength=people)
    xtx, xty, yty = design.T @ design, design.T @ y, float(y @ y)
    dof = n_obs - k
    tiny = 1e-12 * float(((y - y.mean()) ** 2).sum() + 1e-300)

    def solve(ratio: float) -> tuple[np.ndarray, np.ndarray, float]:
        w = ratio / (1.0 + sizes * ratio)
        a = xtx - (sums_x * w[:, None]).T @ sums_x
        b = xty - sums_x.T @ (w * sums_y)
        beta = np.linalg.solve(a, b)
        return a, beta, yty - float(w @ (sums_y * sums_y)) - float(b @ beta)

    def criterion(log_ratio: float) -> float:
        ratio = float(np.exp(log_ratio))
        try:
            a, _, q = solve(ratio)
        except np.linalg.LinAlgError:
            return float("inf")
        sign, logdet = np.linalg.slogdet(a)
        if sign <= 0 or not q > tiny:  # no residual variance left: nothing to split between persons and waves
            return float("inf")
        return dof * float(np.log(q / dof)) + float(np.log1p(sizes * ratio).sum()) + float(logdet)

    start = float(np.log(_start_ratio(y, design, codes)))
    lower, upper = np.log(1e-10), np.log(1e8)  # the lower end is the boundary: no variance between persons
    if not np.ptp(y) > 0:
        return _failed(k)
    found = minimize_scalar(criterion, bounds=(lower, upper), method="bounded", options={"xatol": 1e-10})
    best = float(found.x) if criterion(float(found.x)) <= criterion(start) else start
    a, beta, q = solve(float(np.exp(best)))
    residual = q / dof
    cov = residual * np.linalg.inv(a)
    usable = bool(np.isfinite(beta).all() and np.isfinite(np.diag(cov)).all() and (np.diag(cov) > 0).all()
                  and np.isfinite(criterion(best)))
    return InterceptFit(params=beta, cov=cov, person_variance=float(np.exp(best)) * residual,
                        residual_variance=float(residual), converged=bool(found.success) and usable)


def _wave_order(scores: pd.DataFrame, waves: Sequence[str] | None) -> list[str]:
    seen = list(dict.fromkeys(scores["wave"].astype(str)))
    return [w for w in (waves or []) if w in seen] + [w for w in seen if w not in set(waves or [])]


def _wald(estimate: float, variance: float, confidence: float) -> tuple[float, float, float, float]:
    """se, CI and two-sided p of a Wald z test (statsmodels' MixedLM summary uses the normal distribution)."""
    from scipy import stats

    if not (np.isfinite(estimate) and np.isfinite(variance) and variance > 0):
        return float("nan"), float("nan"), float("nan"), float("nan")
    se = float(np.sqrt(variance))
    half = float(stats.norm.ppf((1 + confidence) / 2)) * se
    return se, estimate - half, estimate + half, float(2 * stats.norm.sf(abs(estimate / se)))


def _sample(scores: pd.DataFrame, scale: object) -> pd.DataFrame:
    frame = scores[(scores["scale"] == scale) & scores["score"].notna()]
    frame = frame.assign(wave=frame["wave"].astype(str), person_id=frame["person_id"].astype(str))
    return frame.drop_duplicates(["person_id", "wave"])


def _design(wave_index: np.ndarray, n_waves: int, indicator: np.ndarray | None) -> np.ndarray:
    """Constant, one column per later wave, and (with an indicator) the indicator and its product with each."""
    dummies = (wave_index[:, None] == np.arange(1, n_waves)[None, :]).astype("float64")
    columns = [np.ones((len(wave_index), 1)), dummies]
    if indicator is not None:
        columns += [indicator[:, None], dummies * indicator[:, None]]
    return np.hstack(columns)


def _rows_for(frame: pd.DataFrame, order: list[str], indicator_column: str | None, indicator_value: str | None,
              outputs: Sequence[tuple[str, str]], confidence: float) -> list[dict[str, object]]:
    """Fit one model and return a row per later wave and requested output.

    ``outputs`` are (group label, kind), kind ``base`` (the wave's coefficient: the change of the reference
    level, or of everyone without an indicator), ``interaction`` (wave × indicator) or ``sum`` (base +
    interaction: the change of the indicated level).
    """
    wave_index = frame["wave"].map({w: i for i, w in enumerate(order)}).to_numpy()
    indicator = None
    if indicator_column is not None:
        indicator = (frame[indicator_column].astype(str) == indicator_value).to_numpy(dtype="float64")
    n_waves = len(order)
    design = _design(wave_index, n_waves, indicator)
    fit = fit_random_intercept(frame["score"].to_numpy(dtype="float64"), design, frame["person_id"].to_numpy())
    n_people = int(frame["person_id"].nunique())
    counts = {"n_people": n_people, "n_obs": len(frame)}
    if indicator_column == "group":
        people = frame.drop_duplicates("person_id")
        counts["n_participant"] = int((people["group"] == "participant").sum())
        counts["n_comparison"] = int((people["group"] == "comparison").sum())
    else:
        counts["n_participant"], counts["n_comparison"] = n_people, 0
    rows: list[dict[str, object]] = []
    for label, kind in outputs:
        for t in range(1, n_waves):
            weights = np.zeros(design.shape[1])
            if kind in ("base", "sum"):
                weights[t] = 1.0
            if kind in ("interaction", "sum"):
                weights[n_waves + t] = 1.0
            estimate = float(weights @ fit.params) if fit.converged else float("nan")
            se, low, high, p = _wald(estimate, float(weights @ fit.cov @ weights), confidence)
            rows.append({"scale": frame["scale"].iloc[0], "wave": order[t], "group": label, "first_wave": order[0],
                         "estimate": estimate, "ci_low": low, "ci_high": high, "p": p, "se": se, **counts,
                         "converged": fit.converged})
    return rows


def _check(scores: pd.DataFrame) -> None:
    missing = [c for c in ("person_id", "wave", "scale", "score", "group") if c not in scores.columns]
    if missing:
        raise ValueError(f"scores has no column {', '.join(missing)}; expected person_id, wave, scale, score, group")
    unknown = set(scores["group"].dropna().astype(str)) - {"participant", "comparison"}
    if unknown:
        raise ValueError(f"group holds {', '.join(sorted(unknown))}; allowed: participant, comparison")


def mixed_fits(scores: pd.DataFrame, *, waves: Sequence[str] | None = None,
               confidence: float = 0.95) -> pd.DataFrame:
    """:func:`mixed_effects` with more columns: :data:`MIXED_FIT_COLUMNS` (adds ``first_wave``, ``se``,
    ``n_participant`` and ``n_comparison``, the people of each group in the model)."""
    _check(scores)
    rows: list[dict[str, object]] = []
    for scale in dict.fromkeys(scores["scale"]):
        frame = _sample(scores, scale)
        participants = frame[frame["group"] == "participant"]
        order = _wave_order(participants, waves)
        if len(order) < 2:
            continue
        frame = frame[frame["wave"].isin(order)]
        comparison = frame[frame["group"] == "comparison"]
        compared_waves = [w for w in order if w in set(comparison["wave"])]
        if order[0] in compared_waves and len(compared_waves) >= 2:
            order = compared_waves  # the waves both groups answered: an interaction needs both at each
            frame = frame[frame["wave"].isin(order)]
            rows += _rows_for(frame, order, "group", "participant", [("participant", "interaction")], confidence)
        else:
            rows += _rows_for(participants, order, None, None, [("all", "base")], confidence)
    return _frame(rows)


def _frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=MIXED_FIT_COLUMNS)
    for column in ("n_people", "n_obs", "n_participant", "n_comparison"):
        table[column] = table[column].astype("int64")
    table["converged"] = table["converged"].astype(bool)
    return table


def mixed_effects(scores: pd.DataFrame, *, waves: Sequence[str] | None = None,
                  confidence: float = 0.95) -> pd.DataFrame:
    """The effect at each wave after the first, per scale, from a random-intercept mixed model over all waves.

    Parameters
    ----------
    scores : pandas.DataFrame
        ``person_id, wave, scale, score, group`` (``participant`` / ``comparison``), optionally ``role``; rows with
        a missing score are ignored, and a person needs no particular wave to count.
    waves : sequence of str, optional
        The program's waves in order; by default the order of first appearance. The first wave at which
        participants were scored is the reference.
    confidence : float
        Confidence level of the Wald intervals.

    Returns
    -------
    pandas.DataFrame
        :data:`MIXED_COLUMNS`, one row per scale and wave after the first: ``scale``, ``wave``, ``group``
        (``participant`` when comparison people were scored at the first wave and at least one later wave — the
        estimate is then the wave × group interaction, participants' change since the first wave minus the
        comparison group's, over the waves both groups answered; ``all`` otherwise — the participants' change
        since the first wave), ``estimate``, ``ci_low``, ``ci_high``, ``p`` (Wald z), ``n_people`` and ``n_obs``
        (people and scores in the model), ``converged``. A scale that participants answered at fewer than two
        waves has no row; a scale too small to fit (fewer than three people, or a design without full rank) has
        NaN estimates and ``converged`` False, as has a fit that did not converge. It never raises on a
        well-formed frame.

    Notes
    -----
    On complete, balanced data the interaction equals the difference-in-differences of the mean changes exactly
    (the fixed effects of a balanced random-intercept model are the OLS estimates), and its standard error is the
    one of the paired difference; with missing waves, the model weights each person's scores by how much they
    tell, and people scored once still inform the person-level variance.

    References
    ----------
    .. [1] Laird, N. M., & Ware, J. H. (1982). Random-effects models for longitudinal data. Biometrics 38(4),
           963–974.
    .. [2] Bates, D., Mächler, M., Bolker, B., & Walker, S. (2015). Fitting linear mixed-effects models using lme4.
           Journal of Statistical Software 67(1).
    """
    return mixed_fits(scores, waves=waves, confidence=confidence)[MIXED_COLUMNS]


def mixed_role_effects(scores: pd.DataFrame, *, waves: Sequence[str] | None = None,
                       confidence: float = 0.95) -> pd.DataFrame:
    """Within participants, the wave × role model: mentors' change, mentees' change, and their difference.

    Returns
    -------
    pandas.DataFrame
        :data:`MIXED_FIT_COLUMNS`, per scale and wave after the first, three rows: ``role=mentor`` (mentors'
        change since the first wave), ``role=mentee`` (mentees'), ``mentee-mentor`` (the wave × role interaction).
        Empty without a ``role`` column; a scale needs both roles.
    """
    _check(scores)
    if "role" not in scores.columns:
        return _frame([])
    participants = scores[(scores["group"] == "participant") & scores["role"].isin(["mentor", "mentee"])]
    rows: list[dict[str, object]] = []
    for scale in dict.fromkeys(participants["scale"]):
        frame = _sample(participants, scale)
        order = _wave_order(frame, waves)
        if len(order) < 2 or frame["role"].nunique() < 2:
            continue
        outputs = [("role=mentor", "base"), ("role=mentee", "sum"), ("mentee-mentor", "interaction")]
        people = frame.drop_duplicates("person_id")["role"]
        per_role = {"role=mentor": int((people == "mentor").sum()), "role=mentee": int((people == "mentee").sum())}
        for row in _rows_for(frame, order, "role", "mentee", outputs, confidence):
            row["n_participant"] = per_role.get(str(row["group"]), row["n_participant"])
            rows.append(row)
    table = _frame(rows)
    return table
