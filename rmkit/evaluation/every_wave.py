"""The every-wave evidence of a cohort as the evaluation shows it: the mixed models of
:mod:`rmkit.evaluation.mixed_model` and the attrition tables of :mod:`rmkit.evaluation.attrition`, under the
confidentiality rule, with the ``mixed:<scale>`` rows of the metrics table.

Confidentiality: a mixed-model row is hidden when a group in it has fewer than ``min_group_size`` people in the
model, or fewer than ``min_group_size`` respondents at the first wave or at the row's wave (the estimate at a wave
rests on the people scored there). A model estimate is not a sum of people's scores, so no published figure
subtracted from it gives a person's answers back; the complementary rule of the breakdowns does not apply to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .attrition import (
    ATTRITION_COLUMNS,
    BASELINE_COLUMNS,
    RESPONDENT_COLUMNS,
    attrition_summary,
    baseline_by_retention,
    differential_attrition,
    respondents_by_wave,
)
from .mixed_model import MIXED_FIT_COLUMNS, mixed_fits, mixed_role_effects

__all__ = ["EveryWaveEvidence", "every_wave_evidence", "mixed_metric_rows", "MIXED_CAUTION"]

_HIDDEN = ["estimate", "ci_low", "ci_high", "p", "se"]

#: what the mixed model adds, and what it assumes, in plain words (shown with its table)
MIXED_CAUTION = (
    "The mixed model uses every answer of every wave: someone who skipped the middle or the last survey still counts "
    "with the answers they gave, where the first-to-last change leaves them out. It assumes that whether someone "
    "answered does not depend on the score they would have given, once their other answers are known (missing at "
    "random); if the people who left were those who gained least, every estimate here is too high. The attrition "
    "table below shows who left and how they started.")


def _empty_mixed() -> pd.DataFrame:
    return pd.DataFrame(columns=[*MIXED_FIT_COLUMNS, "suppressed"])


@dataclass
class EveryWaveEvidence:
    """``mixed`` (the effect at each wave after the first per scale, :data:`MIXED_FIT_COLUMNS` and
    ``suppressed``), ``mixed_roles`` (mentors' and mentees' change and their difference, the same columns),
    ``respondents``, ``attrition`` and ``differential_attrition`` (percentage points, NaN without both groups),
    ``baseline`` (first-wave scores of stayers and leavers), and ``note`` (why the model is absent, or "")."""

    mixed: pd.DataFrame = field(default_factory=_empty_mixed)
    mixed_roles: pd.DataFrame = field(default_factory=_empty_mixed)
    respondents: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=RESPONDENT_COLUMNS))
    attrition: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ATTRITION_COLUMNS))
    differential_attrition: float = float("nan")
    baseline: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=BASELINE_COLUMNS))
    note: str = ""


def _wave_counts(frame: pd.DataFrame) -> dict[tuple[object, str, str], int]:
    """(scale, wave, group label) -> respondents; group labels ``participant``, ``comparison``, ``role=…``."""
    answered = frame[frame["score"].notna()].assign(wave=lambda f: f["wave"].astype(str))
    counts: dict[tuple[object, str, str], int] = {}
    for (scale, wave, group), n in answered.groupby(["scale", "wave", "group"])["person_id"].nunique().items():
        counts[(scale, wave, str(group))] = int(n)
    if "role" in answered.columns:
        ours = answered[answered["group"] == "participant"]
        for (scale, wave, role), n in ours.groupby(["scale", "wave", "role"])["person_id"].nunique().items():
            counts[(scale, wave, f"role={role}")] = int(n)
    return counts


def _hide(table: pd.DataFrame, small: np.ndarray) -> pd.DataFrame:
    out = table.assign(suppressed=small)
    for column in _HIDDEN:
        out[column] = out[column].astype("float64").where(~out["suppressed"])
    return out


def _suppress_mixed(table: pd.DataFrame, counts: dict[tuple[object, str, str], int], k: int) -> pd.DataFrame:
    if table.empty:
        return _empty_mixed()
    small = []
    for row in table.itertuples(index=False):
        if row.group == "participant":
            sides = ["participant", "comparison"]
            sizes = [row.n_participant, row.n_comparison]
        elif row.group == "all":
            sides, sizes = ["participant"], [row.n_participant]
        elif row.group == "mentee-mentor":
            sides, sizes = ["role=mentor", "role=mentee"], []
        else:
            sides, sizes = [str(row.group)], [row.n_participant]
        at_waves = [counts.get((row.scale, w, side), 0) for side in sides for w in (row.first_wave, row.wave)]
        small.append(min([*sizes, *at_waves]) < k)
    return _hide(table, np.array(small, dtype=bool))


def every_wave_evidence(frame: pd.DataFrame | None, *, waves: Sequence[str] | None, min_group_size: int,
                        confidence: float = 0.95) -> EveryWaveEvidence:
    """The mixed models and attrition tables of a cohort's score frame
    (:func:`rmkit.evaluation.comparison.survey_scores`), suppressed."""
    if frame is None or frame.empty:
        return EveryWaveEvidence(note="No survey responses: no mixed model and no attrition.")
    k = min_group_size
    counts = _wave_counts(frame)
    mixed = _suppress_mixed(mixed_fits(frame, waves=waves, confidence=confidence), counts, k)
    roles = _suppress_mixed(mixed_role_effects(frame, waves=waves, confidence=confidence), counts, k)
    summary = attrition_summary(frame, waves=waves, min_group_size=k)
    note = ""
    if mixed.empty:
        note = "The participants answered a single wave: the mixed model needs the first and a later wave."
    elif not mixed["converged"].all():
        note = ("The mixed model did not converge for some scales (their rows are empty): too few people or too "
                "little variation to split between persons and waves.")
    return EveryWaveEvidence(
        mixed=mixed.reset_index(drop=True), mixed_roles=roles.reset_index(drop=True),
        respondents=respondents_by_wave(frame, waves=waves, min_group_size=k), attrition=summary,
        differential_attrition=differential_attrition(summary) if not summary.empty else float("nan"),
        baseline=baseline_by_retention(frame, waves=waves, min_group_size=k), note=note)


def mixed_metric_rows(mixed: pd.DataFrame) -> pd.DataFrame:
    """The ``mixed:<scale>`` rows of the metrics table: group ``participant`` (the interaction with the comparison
    group) or ``all`` (the participants' change), one row per wave after the first, ``n`` = people in the model,
    value and CI from the model, with the evidence's suppression."""
    columns = ["metric", "group", "wave", "n", "value", "ci_low", "ci_high", "suppressed"]
    if mixed.empty:
        return pd.DataFrame(columns=columns)
    return pd.DataFrame({
        "metric": "mixed:" + mixed["scale"].astype(str), "group": mixed["group"].to_numpy(),
        "wave": mixed["wave"].to_numpy(), "n": mixed["n_people"].to_numpy(),
        "value": mixed["estimate"].to_numpy(dtype="float64"), "ci_low": mixed["ci_low"].to_numpy(dtype="float64"),
        "ci_high": mixed["ci_high"].to_numpy(dtype="float64"), "suppressed": mixed["suppressed"].astype(bool).to_numpy(),
    })


# --------------------------------------------------------------------------------------------- views for people

_COMPARED = {"participant": "participants − comparison", "all": "participants", "role=mentor": "mentors",
             "role=mentee": "mentees", "mentee-mentor": "mentees − mentors"}


def _interval(estimate: float, low: float, high: float) -> str:
    if estimate is None or pd.isna(estimate):
        return "–"

    def two(x: float) -> str:
        return f"{0.0 if abs(x) < 0.005 else x:.2f}"

    text = f"{'+' if estimate >= 0.005 else ''}{two(estimate)}"
    return text + (f" ({two(low)} to {two(high)})" if pd.notna(low) and pd.notna(high) else "")


def mixed_view(evidence: EveryWaveEvidence, labels: dict[str, str], *, roles: bool = False) -> pd.DataFrame:
    """The mixed model's effects for people: ``scale`` (label), ``scale_id``, ``wave``, ``since`` (the first wave),
    ``compared`` (plain words), ``estimate``, ``ci_low``, ``ci_high`` (numbers, empty where hidden), ``effect``
    (text: estimate and 95% CI, or why it is empty), ``n_people``, ``n_obs``, ``suppressed``. ``roles`` gives the
    wave × role model instead."""
    table = evidence.mixed_roles if roles else evidence.mixed
    columns = ["scale", "scale_id", "wave", "since", "compared", "estimate", "ci_low", "ci_high", "effect", "n_people",
               "n_obs", "suppressed"]
    if table.empty:
        return pd.DataFrame(columns=columns)
    effect = []
    for row in table.itertuples(index=False):
        if row.suppressed:
            effect.append("suppressed (a group is under the minimum size)")
        elif not row.converged:
            effect.append("no estimate (the model did not converge)")
        else:
            effect.append(_interval(row.estimate, row.ci_low, row.ci_high))
    out = pd.DataFrame({
        "scale": table["scale"].map(lambda s: labels.get(s, s)), "scale_id": table["scale"], "wave": table["wave"],
        "since": table["first_wave"], "compared": table["group"].map(_COMPARED).fillna(table["group"]),
        "estimate": table["estimate"], "ci_low": table["ci_low"], "ci_high": table["ci_high"], "effect": effect,
        "n_people": table["n_people"], "n_obs": table["n_obs"], "suppressed": table["suppressed"].astype(bool)})
    return out[columns].reset_index(drop=True)


def attrition_view(evidence: EveryWaveEvidence) -> pd.DataFrame:
    """Attrition for people: ``group`` (participants, comparison group, overall), ``first_wave``, ``last_wave``,
    ``n_first``, ``n_last``, ``attrition`` (text, % of the first wave's respondents who did not answer the last),
    then a row ``differential`` (percentage points between the two groups, as the WWC reports it)."""
    summary = evidence.attrition
    columns = ["group", "first_wave", "last_wave", "n_first", "n_last", "attrition"]
    if summary.empty:
        return pd.DataFrame(columns=columns)
    names = {"participant": "participants", "comparison": "comparison group", "overall": "overall (both groups)"}
    out = pd.DataFrame({
        "group": summary["group"].map(names), "first_wave": summary["first_wave"], "last_wave": summary["last_wave"],
        "n_first": summary["n_first"].astype(object), "n_last": summary["n_last"].astype(object),
        "attrition": [f"suppressed (n = {n})" if s else f"{a:.1f}%"
                      for a, s, n in zip(summary["attrition"], summary["suppressed"], summary["n_first"], strict=True)]})
    if "comparison" in set(summary["group"]):
        d = evidence.differential_attrition
        out.loc[len(out)] = {"group": "differential (participants vs comparison)", "first_wave": summary["first_wave"].iloc[0],
                             "last_wave": summary["last_wave"].iloc[0], "n_first": "", "n_last": "",
                             "attrition": "–" if pd.isna(d) else f"{d:.1f} points"}
    return out[columns]


def baseline_view(evidence: EveryWaveEvidence, labels: dict[str, str]) -> pd.DataFrame:
    """First-wave scores of stayers and leavers for people: ``scale`` (label), ``group``, ``n_stayed``,
    ``mean_stayed``, ``n_left``, ``mean_left``, ``difference``, ``suppressed``."""
    table = evidence.baseline
    if table.empty:
        return pd.DataFrame(columns=BASELINE_COLUMNS)
    groups = {"participant": "participants", "comparison": "comparison group"}
    return table.assign(scale=table["scale"].map(lambda s: labels.get(s, s)),
                        group=table["group"].map(groups)).reset_index(drop=True)


__all__ += ["mixed_view", "attrition_view", "baseline_view"]
