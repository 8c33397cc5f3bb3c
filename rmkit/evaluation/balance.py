"""Baseline balance of participants and the comparison group: scale scores and covariates at the first wave, with
standardised mean differences read as the What Works Clearinghouse reads them. Part of the estimators of
:mod:`rmkit.evaluation.effects` (the same score frame)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .score_frame import check_scores, paired_scores, wave_ends

__all__ = ["BALANCE_COLUMNS", "COVARIATES", "balance_table", "wwc_equivalence"]

COVARIATES = ("department", "level", "generation", "tenure_years")
BALANCE_COLUMNS = ["variable", "kind", "category", "n_participant", "participant", "sd_participant", "n_comparison",
                   "comparison", "sd_comparison", "smd", "equivalence"]


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

    The sample is the analysis sample of :func:`rmkit.evaluation.effects.did`: per scale, the people scored at both waves; for the
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
    check_scores(scores)
    first, last = wave_ends(scores, first, last, waves)
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
