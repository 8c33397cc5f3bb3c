"""Who dropped out: respondents per wave and group, attrition as the What Works Clearinghouse (WWC) defines it, and
the first-wave scores of those who stayed against those who left.

The input is the score frame of :mod:`rmkit.evaluation.effects` (``person_id, wave, scale, score, group``); a
person **responded** at a wave when they have at least one scale score there. The sample is the people who
responded at the first wave; a person **stayed** when they also responded at the last wave, and **left** otherwise
(whatever they did in between).

WWC definitions (Standards Handbook, version 4.1, 2020, section II.A "Attrition"): **overall attrition** is the share of the sample
not in the analysis (here: first-wave respondents without a last-wave response), over both groups together;
**differential attrition** is the absolute difference between the attrition rates of the intervention group
(participants) and the comparison group, in percentage points. The WWC judges the pair against a boundary that
depends on both figures; rmkit reports the figures and leaves that judgement to the reader.

- :func:`respondents_by_wave`: respondents per wave and group, and the share of the first wave's still answering;
- :func:`attrition_summary`: attrition first → last per group, overall and differential;
- :func:`baseline_by_retention`: first-wave mean scores of stayers and leavers per scale and group.

Confidentiality: an attrition rate is a share of people, shown only when its group had at least
``min_group_size`` first-wave respondents; a stayers-vs-leavers row is shown only when both stayers and leavers
number at least ``min_group_size`` (the group's first-wave mean is published elsewhere, so one mean and the total
would give the other away).

Examples
--------
>>> scores = pd.DataFrame({"person_id": ["a", "a", "b", "c", "c"], "wave": ["w0", "w1", "w0", "w0", "w1"],
...                        "scale": "s", "score": [3.0, 4.0, 2.0, 3.0, 3.5], "group": "participant"})
>>> attrition_summary(scores, min_group_size=1)[["group", "n_first", "n_last", "attrition"]]
         group  n_first  n_last  attrition
0  participant        3       2  33.333333
1      overall        3       2  33.333333
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["RESPONDENT_COLUMNS", "ATTRITION_COLUMNS", "BASELINE_COLUMNS", "respondents_by_wave",
           "attrition_summary", "differential_attrition", "baseline_by_retention"]

RESPONDENT_COLUMNS = ["wave", "group", "n", "n_from_first", "retained"]
ATTRITION_COLUMNS = ["group", "first_wave", "last_wave", "n_first", "n_last", "n_lost", "attrition", "suppressed"]
BASELINE_COLUMNS = ["scale", "group", "n_stayed", "mean_stayed", "n_left", "mean_left", "difference", "suppressed"]
GROUPS = ("participant", "comparison")


def _respondents(scores: pd.DataFrame, waves: Sequence[str] | None) -> tuple[pd.DataFrame, list[str]]:
    answered = scores[scores["score"].notna()]
    answered = answered.assign(wave=answered["wave"].astype(str), person_id=answered["person_id"].astype(str))
    people = answered.drop_duplicates(["person_id", "wave"])[["person_id", "wave", "group"]]
    seen = list(dict.fromkeys(people.loc[people["group"] == "participant", "wave"]))
    order = [w for w in (waves or []) if w in seen] + [w for w in seen if w not in set(waves or [])]
    return people[people["wave"].isin(order)], order


def respondents_by_wave(scores: pd.DataFrame, *, waves: Sequence[str] | None = None,
                        min_group_size: int = 5) -> pd.DataFrame:
    """Respondents per wave (the program's order of the waves participants answered) and group.

    Returns
    -------
    pandas.DataFrame
        :data:`RESPONDENT_COLUMNS`: ``wave``, ``group`` (``participant``, ``comparison``), ``n`` (respondents),
        ``n_from_first`` (of them, first-wave respondents), ``retained`` (``n_from_first`` as a percentage of the
        first wave's respondents; empty when the group's first wave had fewer than ``min_group_size``).
    """
    people, order = _respondents(scores, waves)
    rows = []
    for group in GROUPS:
        mine = people[people["group"] == group]
        if mine.empty:
            continue
        first = set(mine.loc[mine["wave"] == order[0], "person_id"]) if order else set()
        for wave in order:
            here = set(mine.loc[mine["wave"] == wave, "person_id"])
            kept = len(here & first)
            share = 100.0 * kept / len(first) if len(first) >= max(min_group_size, 1) else np.nan
            rows.append({"wave": wave, "group": group, "n": len(here), "n_from_first": kept, "retained": share})
    return pd.DataFrame(rows, columns=RESPONDENT_COLUMNS)


def attrition_summary(scores: pd.DataFrame, *, waves: Sequence[str] | None = None,
                      min_group_size: int = 5) -> pd.DataFrame:
    """Attrition from the first to the last wave per group, and overall (both groups together).

    Returns
    -------
    pandas.DataFrame
        :data:`ATTRITION_COLUMNS`, rows ``participant``, ``comparison`` (when comparison people responded at the
        first wave) and ``overall``: ``n_first`` (first-wave respondents), ``n_last`` (of them, last-wave
        respondents), ``n_lost``, ``attrition`` (``n_lost`` / ``n_first`` in %), ``suppressed`` (``n_first`` under
        ``min_group_size``: the rate is empty). No rows with fewer than two waves.
    """
    people, order = _respondents(scores, waves)
    if len(order) < 2:
        return pd.DataFrame(columns=ATTRITION_COLUMNS)
    first, last = order[0], order[-1]
    rows = []
    at_first = people[people["wave"] == first]
    at_last = set(people.loc[people["wave"] == last, "person_id"])
    for group in (*GROUPS, "overall"):
        sample = at_first if group == "overall" else at_first[at_first["group"] == group]
        if sample.empty and group != "overall":
            continue
        n_first = int(sample["person_id"].nunique())
        n_last = int(sample["person_id"].isin(at_last).sum())
        small = n_first < min_group_size or n_first == 0
        rows.append({"group": group, "first_wave": first, "last_wave": last, "n_first": n_first, "n_last": n_last,
                     "n_lost": n_first - n_last, "attrition": np.nan if small else 100.0 * (n_first - n_last) / n_first,
                     "suppressed": small})
    return pd.DataFrame(rows, columns=ATTRITION_COLUMNS)


def differential_attrition(summary: pd.DataFrame) -> float:
    """The WWC's differential attrition from :func:`attrition_summary`: |participants' rate − comparison's rate|
    in percentage points; NaN without both (or when either is suppressed).

    Examples
    --------
    >>> summary = pd.DataFrame({"group": ["participant", "comparison", "overall"], "attrition": [17.5, 21.25, 19.4]})
    >>> round(differential_attrition(summary), 2)
    3.75
    """
    rates = summary.set_index("group")["attrition"]
    if not {"participant", "comparison"} <= set(rates.index):
        return float("nan")
    return float(abs(rates["participant"] - rates["comparison"]))


def baseline_by_retention(scores: pd.DataFrame, *, waves: Sequence[str] | None = None,
                          min_group_size: int = 5) -> pd.DataFrame:
    """First-wave mean scores of those who stayed (responded at the last wave) and those who left, per
    scale and group.

    Returns
    -------
    pandas.DataFrame
        :data:`BASELINE_COLUMNS`: ``scale``, ``group``, ``n_stayed``, ``mean_stayed``, ``n_left``, ``mean_left``,
        ``difference`` (stayed − left), ``suppressed`` (either count under ``min_group_size``: the means are
        empty). A clear difference says the people who stayed are not a random half of those who started: the
        first-to-last change describes the stayers, and the mixed model's missing-at-random assumption matters.
    """
    people, order = _respondents(scores, waves)
    if len(order) < 2:
        return pd.DataFrame(columns=BASELINE_COLUMNS)
    first, last = order[0], order[-1]
    stayed = set(people.loc[people["wave"] == last, "person_id"])
    base = scores[(scores["wave"].astype(str) == first) & scores["score"].notna()]
    base = base.assign(person_id=base["person_id"].astype(str)).drop_duplicates(["scale", "person_id"])
    rows = []
    for scale in dict.fromkeys(base["scale"]):
        for group in GROUPS:
            sample = base[(base["scale"] == scale) & (base["group"] == group)]
            if sample.empty:
                continue
            kept = sample["person_id"].isin(stayed).to_numpy()
            values = sample["score"].to_numpy(dtype="float64")
            n_stayed, n_left = int(kept.sum()), int((~kept).sum())
            small = min(n_stayed, n_left) < max(min_group_size, 1)
            mean_stayed = np.nan if small else float(values[kept].mean())
            mean_left = np.nan if small else float(values[~kept].mean())
            rows.append({"scale": scale, "group": group, "n_stayed": n_stayed, "mean_stayed": mean_stayed,
                         "n_left": n_left, "mean_left": mean_left, "difference": mean_stayed - mean_left,
                         "suppressed": small})
    return pd.DataFrame(rows, columns=BASELINE_COLUMNS)
