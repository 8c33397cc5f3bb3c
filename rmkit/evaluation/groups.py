"""The groups every aggregate is broken down by: ``all``, ``role=<role>``, ``department=<name>`` (or any other column
of ``participants.csv``), named as in the README, "Scoring and metrics".

Order, used by every table rmkit reports: ``all``, then ``role=mentor``, ``role=mentee``, then each other dimension's
values sorted by name. A person without a value for a dimension (no department) counts in ``all`` only.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["DEFAULT_GROUPS", "group_dimension", "resolve_groups", "group_codes", "person_groups"]

DEFAULT_GROUPS = ("all", "role", "department")
_ROLE_ORDER = ("mentor", "mentee")


def group_dimension(group: object) -> str | None:
    """The breakdown a group belongs to: ``"department"`` for ``department=Legal``; ``None`` for ``all`` and for
    groups outside a breakdown (``participant``, ``comparison``).

    Examples
    --------
    >>> group_dimension("department=Legal"), group_dimension("all"), group_dimension("participant")
    ('department', None, None)
    """
    if not isinstance(group, str) or "=" not in group:
        return None
    return group.split("=", 1)[0]


def _check_groups(participants: pd.DataFrame, groups: Sequence[str]) -> None:
    unknown = [g for g in groups if g != "all" and g not in participants.columns]
    if unknown:
        raise ValueError(f"cannot group by {', '.join(unknown)}: not a column of participants; "
                         f"allowed: all, {', '.join(map(str, participants.columns))}")


def _values(participants: pd.DataFrame, dimension: str) -> list[str]:
    present = {str(v) for v in pd.unique(participants[dimension].dropna()) if str(v).strip()}
    if dimension == "role":
        return [r for r in _ROLE_ORDER if r in present] + sorted(present - set(_ROLE_ORDER))
    return sorted(present, key=lambda v: (v.casefold(), v))


def resolve_groups(participants: pd.DataFrame, groups: Sequence[str] | None) -> list[str]:
    """``groups`` checked against the columns of ``participants``; ``None`` means the default breakdowns
    (``all``, ``role``, ``department``) that ``participants`` has columns for.

    Examples
    --------
    >>> resolve_groups(pd.DataFrame({"person_id": ["a"], "role": ["mentor"]}), None)
    ['all', 'role']
    """
    if groups is None:
        return [g for g in DEFAULT_GROUPS if g == "all" or g in participants.columns]
    if isinstance(groups, str):
        groups = [groups]
    _check_groups(participants, groups)
    return list(dict.fromkeys(groups))


def group_codes(person_ids: Sequence[object] | pd.Index, participants: pd.DataFrame,
                groups: Sequence[str] | None = None) -> list[tuple[list[str], np.ndarray]]:
    """For each dimension of ``groups`` (see :func:`resolve_groups`): the group names and, for each of
    ``person_ids``, the index of its group (-1 when the person has no value or is not in ``participants``).

    This is the vectorized form of :func:`person_groups` used by the aggregations.

    Examples
    --------
    >>> people = pd.DataFrame({"person_id": ["a", "b", "c"], "role": ["mentee", "mentor", "mentor"]})
    >>> group_codes(["c", "a", "x"], people, ["all", "role"])
    [(['all'], array([0, 0, 0])), (['role=mentor', 'role=mentee'], array([ 0,  1, -1]))]
    """
    dimensions = resolve_groups(participants, groups)
    index = pd.Index(list(person_ids) if not isinstance(person_ids, pd.Index) else person_ids, dtype=object)
    people = participants.drop_duplicates("person_id")
    position = pd.Index(people["person_id"].to_numpy(dtype=object)).get_indexer(index)
    out: list[tuple[list[str], np.ndarray]] = []
    for dimension in dimensions:
        if dimension == "all":
            out.append((["all"], np.zeros(len(index), dtype="int64")))
            continue
        values = _values(people, dimension)
        column = people[dimension]
        text = column.astype(str).where(column.notna())
        per_person = np.append(pd.Categorical(text, categories=values).codes.astype("int64"), -1)
        out.append(([f"{dimension}={v}" for v in values], per_person[position]))  # position -1 picks the last (-1)
    return out


def person_groups(participants: pd.DataFrame, groups: Sequence[str] | None = None) -> pd.DataFrame:
    """Every person's groups, one row per person and group.

    Parameters
    ----------
    participants : pandas.DataFrame
        ``person_id`` and the columns named in ``groups``.
    groups : sequence of str, optional
        ``"all"`` and/or columns of ``participants`` (default: all, role and department where present).

    Returns
    -------
    pandas.DataFrame
        ``person_id`` and ``group`` (``all``, ``role=mentor``, ``department=Legal``, ...), in group order.

    Examples
    --------
    >>> people = pd.DataFrame({"person_id": ["a", "b"], "role": ["mentee", "mentor"], "department": ["IT", None]})
    >>> person_groups(people)
      person_id        group
    0         a          all
    1         b          all
    2         b  role=mentor
    3         a  role=mentee
    4         a  department=IT
    """
    ids = participants.drop_duplicates("person_id")["person_id"].to_numpy(dtype=object)
    rows_person: list[object] = []
    rows_group: list[str] = []
    for names, codes in group_codes(ids, participants, groups):
        for k, name in enumerate(names):
            members = ids[codes == k]
            rows_person += list(members)
            rows_group += [name] * len(members)
    return pd.DataFrame({"person_id": pd.Series(rows_person, dtype=object), "group": pd.Series(rows_group, dtype=object)})
