"""The cohort at a glance (the intake phase): who is in it, by role, without names."""

from __future__ import annotations

import pandas as pd

__all__ = ["composition", "tenure_summary", "ATTRIBUTES"]

ATTRIBUTES = ("department", "generation", "level", "location", "work_style")


def composition(participants: pd.DataFrame, *, attributes: tuple[str, ...] = ATTRIBUTES) -> pd.DataFrame:
    """People per value of each attribute, by role: ``attribute``, ``value``, ``role``, ``n`` (tidy; an attribute
    nobody filled in is left out; an empty cell counts as "not given").

    Examples
    --------
    >>> people = pd.DataFrame({"role": ["mentor", "mentor", "mentee"], "department": ["IT", "HR", "IT"]})
    >>> composition(people, attributes=("department",)).to_dict("records")
    [{'attribute': 'department', 'value': 'HR', 'role': 'mentor', 'n': 1}, {'attribute': 'department', 'value': 'IT', 'role': 'mentee', 'n': 1}, {'attribute': 'department', 'value': 'IT', 'role': 'mentor', 'n': 1}]
    """
    frames = []
    for attribute in attributes:
        if attribute not in participants.columns or participants[attribute].isna().all():
            continue
        values = participants[attribute].fillna("not given").astype(str)
        counts = values.groupby([values.rename("value"), participants["role"]]).size().rename("n").reset_index()
        counts.insert(0, "attribute", attribute)
        frames.append(counts)
    if not frames:
        return pd.DataFrame(columns=["attribute", "value", "role", "n"])
    return pd.concat(frames, ignore_index=True).sort_values(["attribute", "value", "role"], kind="stable").reset_index(drop=True)


def tenure_summary(participants: pd.DataFrame) -> pd.DataFrame:
    """Tenure by role: ``role``, ``people``, ``median``, ``q1``, ``q3``, ``min``, ``max`` (years)."""
    grouped = participants.dropna(subset=["tenure_years"]).groupby("role")["tenure_years"]
    out = pd.DataFrame({
        "people": participants.groupby("role").size(),
        "median": grouped.median(), "q1": grouped.quantile(0.25), "q3": grouped.quantile(0.75),
        "min": grouped.min(), "max": grouped.max(),
    })
    return out.reset_index().round(1)
