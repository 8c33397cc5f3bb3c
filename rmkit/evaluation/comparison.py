"""The comparison-group evidence of a cohort, as the evaluation shows it: the score frame of participants and
comparison people, the effect tables of :mod:`rmkit.evaluation.effects` joined per scale and group, the baseline
balance, all under the confidentiality rule; and, when a section cannot be computed, the plain reason why.

Confidentiality (the README, "Scoring and metrics"): an effect row is hidden when either group has fewer than
``min_group_size`` people, when the participants' change it contains is hidden (the comparison group's change is
shown beside it, so the difference would give that change back), and, within the ``role=…`` breakdown, by the
complementary rule of :func:`rmkit.evaluation.confidentiality.suppress` (the participants' side is the breakdown;
the comparison group is the same in every row).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..cohort import Cohort
from .confidentiality import suppress
from .effects import BALANCE_COLUMNS, COVARIATES, adjusted_did, ancova, balance_table, did

__all__ = ["EFFECT_COLUMNS", "ComparisonEvidence", "survey_scores", "people_table", "comparison_evidence"]

EFFECT_COLUMNS = [
    "scale", "group", "first_wave", "last_wave", "n", "n_participant", "n_comparison", "participant_change",
    "comparison_change", "estimate", "ci_low", "ci_high", "p_value", "ancova", "ancova_ci_low", "ancova_ci_high",
    "ancova_p", "adjusted", "adjusted_ci_low", "adjusted_ci_high", "adjusted_for", "suppressed",
]
_HIDDEN = ["participant_change", "comparison_change", "estimate", "se", "ci_low", "ci_high", "p_value", "ancova",
           "ancova_ci_low", "ancova_ci_high", "ancova_p", "adjusted", "adjusted_ci_low", "adjusted_ci_high"]


@dataclass
class ComparisonEvidence:
    """``effects`` (DiD, ANCOVA and the covariate-adjusted DiD per scale and participant group, suppressed),
    ``balance`` (baseline balance, suppressed) and ``note`` (why there is nothing to show, or "")."""

    effects: pd.DataFrame
    balance: pd.DataFrame
    note: str = ""
    comparison_respondents: int = 0


def survey_scores(cohort: Cohort, scores: pd.DataFrame, comparison_scores: pd.DataFrame | None) -> pd.DataFrame:
    """The score frame of :mod:`rmkit.evaluation.effects` (``person_id, wave, scale, score, group, role``) from
    the participants' scores and the comparison people's (both from
    :func:`rmkit.evaluation.scoring.score_responses`)."""
    roles = cohort.participants.drop_duplicates("person_id").set_index("person_id")["role"]
    ours = scores.assign(group="participant", role=scores["person_id"].map(roles).to_numpy())
    parts = [ours[["person_id", "wave", "scale", "score", "group", "role"]]]
    if comparison_scores is not None and not comparison_scores.empty:
        parts.append(comparison_scores.assign(group="comparison", role=None)[["person_id", "wave", "scale", "score",
                                                                             "group", "role"]])
    frame = pd.concat(parts, ignore_index=True)
    return frame.astype({"person_id": object, "wave": object, "scale": object, "group": object, "role": object})


def people_table(cohort: Cohort) -> pd.DataFrame:
    """``person_id, group, role`` and the covariates (department, level, generation, tenure_years): participants
    from ``participants.csv``, comparison people from ``outcomes.csv``."""
    people = cohort.participants.drop_duplicates("person_id")
    ours = pd.DataFrame({"person_id": people["person_id"].to_numpy(), "group": "participant",
                         "role": people["role"].to_numpy()})
    for column in COVARIATES:
        ours[column] = people[column].to_numpy() if column in people.columns else None
    parts = [ours]
    outcomes = cohort.outcomes
    if outcomes is not None and not outcomes.empty:
        others = outcomes[(outcomes["group"] == "comparison") & ~outcomes["person_id"].isin(set(ours["person_id"]))]
        theirs = pd.DataFrame({"person_id": others["person_id"].to_numpy(), "group": "comparison", "role": None})
        for column in COVARIATES:
            theirs[column] = others[column].to_numpy() if column in others.columns else None
        parts.append(theirs)
    table = pd.concat(parts, ignore_index=True)
    table["tenure_years"] = pd.to_numeric(table["tenure_years"], errors="coerce")
    return table


def _joined(frame: pd.DataFrame, people: pd.DataFrame, first: str, last: str, confidence: float) -> pd.DataFrame:
    effects = did(frame, first=first, last=last, confidence=confidence)
    if effects.empty:
        return pd.DataFrame(columns=EFFECT_COLUMNS)
    keys = ["scale", "group"]
    other = ancova(frame, first=first, last=last, confidence=confidence)
    other = other[[*keys, "estimate", "ci_low", "ci_high", "p_value"]].rename(columns={
        "estimate": "ancova", "ci_low": "ancova_ci_low", "ci_high": "ancova_ci_high", "p_value": "ancova_p"})
    adjusted = adjusted_did(frame, people, first=first, last=last, confidence=confidence)
    adjusted = adjusted[[*keys, "estimate", "ci_low", "ci_high", "covariates"]].rename(columns={
        "estimate": "adjusted", "ci_low": "adjusted_ci_low", "ci_high": "adjusted_ci_high", "covariates": "adjusted_for"})
    return effects.merge(other, on=keys, how="left").merge(adjusted, on=keys, how="left")


def comparison_evidence(cohort: Cohort, frame: pd.DataFrame, change: pd.DataFrame | None, *, first: str | None,
                        last: str | None, min_group_size: int, confidence: float = 0.95) -> ComparisonEvidence:
    """The comparison-group evidence of a cohort, suppressed.

    Parameters
    ----------
    frame : pandas.DataFrame
        :func:`survey_scores`.
    change : pandas.DataFrame or None
        The participants' paired change as the evaluation publishes it (with ``suppressed``), whose hidden rows
        hide their effect rows too.
    first, last : str or None
        The waves of the change (the first and last with participants' responses).
    """
    k = min_group_size
    respondents = int(frame.loc[frame["group"] == "comparison", "person_id"].nunique())
    empty = ComparisonEvidence(pd.DataFrame(columns=EFFECT_COLUMNS), pd.DataFrame(columns=[*BALANCE_COLUMNS, "suppressed"]),
                               comparison_respondents=respondents)
    if respondents == 0:
        empty.note = ("No comparison group answered the survey, so the program's effect cannot be told apart from "
                      "what happened to everyone that year (Phillips asks for at least one way to isolate it). To add "
                      "one, put the answers of non-participants into responses.csv, each with a person_id that "
                      "outcomes.csv lists with group comparison.")
        return empty
    if first is None or last is None:
        empty.note = ("The participants answered a single wave: the effect against the comparison group needs the "
                      "first and a later wave.")
        return empty
    people = people_table(cohort)
    effects = _joined(frame, people, first, last, confidence)
    if effects.empty or not (effects["n_comparison"] > 0).any():
        empty.note = (f"No comparison person was scored at both {first} and {last}, so no change of theirs can be "
                      "set against the participants'.")
        return empty
    flag = (effects["n_participant"] < k) | (effects["n_comparison"] < k)
    if change is not None and not change.empty and "suppressed" in change.columns:
        hidden = change.loc[change["suppressed"].astype(bool), ["scale", "group"]]
        hidden_keys = set(zip(hidden["scale"], hidden["group"], strict=True))
        flag |= pd.Series([(s, g) in hidden_keys for s, g in zip(effects["scale"], effects["group"], strict=True)],
                          index=effects.index)
    shown = suppress(effects.assign(_n=effects["n_participant"], suppressed=flag.to_numpy()), k, keys=("scale",),
                     n="_n", columns=[c for c in _HIDDEN if c in effects.columns]).drop(columns="_n")
    balance = balance_table(frame, people, first=first, last=last)
    small = (balance["n_participant"] < k) | (balance["n_comparison"] < k)
    overall = shown[shown["group"] == "all"].set_index("scale")["suppressed"]
    small |= balance["kind"].eq("scale") & balance["variable"].map(overall).fillna(False).astype(bool)
    balance = balance.assign(suppressed=small.to_numpy())
    for column in ("participant", "sd_participant", "comparison", "sd_comparison", "smd"):
        balance[column] = balance[column].astype("float64").where(~balance["suppressed"])
    balance.loc[balance["suppressed"], "equivalence"] = ""
    note = ""
    if shown["suppressed"].all():
        note = (f"Every effect is suppressed: a group has fewer than {k} people scored at both {first} and {last} "
                "(see the confidentiality rule).")
    return ComparisonEvidence(shown[EFFECT_COLUMNS].reset_index(drop=True), balance.reset_index(drop=True), note,
                              respondents)


def did_metric_rows(effects: pd.DataFrame) -> pd.DataFrame:
    """The ``did:<scale>`` rows of the metrics table (group ``participant``: all participants against the
    comparison group; ``n`` = people in both groups), with the effects' suppression."""
    overall = effects[effects["group"] == "all"]
    return pd.DataFrame({
        "metric": "did:" + overall["scale"].astype(str), "group": "participant", "wave": overall["last_wave"],
        "n": (overall["n_participant"] + overall["n_comparison"]).to_numpy(),
        "value": overall["estimate"].to_numpy(dtype="float64"), "ci_low": overall["ci_low"].to_numpy(dtype="float64"),
        "ci_high": overall["ci_high"].to_numpy(dtype="float64"),
        "suppressed": overall["suppressed"].astype(bool).to_numpy(),
        "at_risk": np.minimum(overall["n_participant"], overall["n_comparison"]).to_numpy(dtype="float64"),
    })


__all__ += ["did_metric_rows"]
