"""Confidentiality of aggregates: no result for a group of fewer than ``min_group_size`` people, and no result that
can be recovered by subtraction (the README, "Scoring and metrics": confidentiality).

The rules, applied to any tidy table with a group column and an ``n`` column:

1. **Primary suppression.** A row whose ``n`` is below ``min_group_size`` keeps its ``n`` but loses its value and
   interval (they become empty) and is marked ``suppressed``. A row without an ``n`` (a program figure such as ROI,
   which describes no respondents) is never suppressed.
2. **Suppression that subtraction cannot undo.** The groups of one breakdown (``role=…``, ``department=…``: the
   text before ``=``) that share the same keys (metric and wave) add up to the total (``all``), with the people
   who have no value for that breakdown (no department) as one more, unnamed group: ``n`` of ``all`` minus the
   groups' ``n``. From the total and the groups shown, the combined value of everything hidden follows — the
   suppressed groups and that unnamed rest. So within each breakdown the hidden groups must **together number at
   least** ``min_group_size`` **people, or none is hidden**: while they are fewer, the next smallest group shown
   (smallest ``n``; ties in table order) is suppressed too. The unnamed rest is never shown, so it always counts
   as hidden: two people without a department make a department hidden too; seven people without one protect a
   small department on their own. Groups outside a breakdown (``all``, ``participant``, ``comparison``) are not part of this
   rule.
3. A row already marked ``suppressed`` (by another rule, e.g. :func:`suppress_subsets`) counts as hidden; what it
   protects is given by an optional ``at_risk`` column (people whose result it would reveal; default its ``n``).

:func:`suppress_subsets` covers the figures of two tables of one run that describe nested populations: the change
from the first to the last wave is measured on the people who answered both, a subset of each wave's respondents;
when they differ by 1 to ``min_group_size - 1`` people, the change (with the wave values) would reveal those
people's answers, so the change row is suppressed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .groups import group_dimension

__all__ = ["SUPPRESSED_VALUE_COLUMNS", "suppress", "suppress_subsets"]

SUPPRESSED_VALUE_COLUMNS = ("value", "ci_low", "ci_high")


def suppress(table: pd.DataFrame, min_group_size: int, *, keys: Sequence[str] = ("metric", "wave"),
             group: str = "group", n: str = "n", columns: Sequence[str] = SUPPRESSED_VALUE_COLUMNS,
             complementary: bool = True, explain: bool = False) -> pd.DataFrame:
    """Hide the values of small groups, and of as many more groups of their breakdown as it takes for the hidden ones
    to number at least ``min_group_size`` people together.

    Parameters
    ----------
    table : pandas.DataFrame
        A tidy table with ``group``, ``n``, the ``keys`` columns and the ``columns`` to hide; optionally
        ``suppressed`` (rows already hidden) and ``at_risk`` (for those rows, the people they protect).
    min_group_size : int
        Groups of fewer people are suppressed (``program.yaml: min_group_size``).
    keys : sequence of str
        The columns that identify one breakdown's cell (default: ``metric`` and ``wave``); the ones the table lacks
        are ignored.
    group, n : str
        The names of the group and the count columns.
    columns : sequence of str
        The columns emptied on suppressed rows (default: ``value``, ``ci_low``, ``ci_high``; those present).
    complementary : bool
        Apply rule 2 of this module (default); ``False`` applies the size rule only.
    explain : bool
        Add a ``suppression`` column: ``""``, ``"small group"`` or ``"complementary"``.

    Returns
    -------
    pandas.DataFrame
        A copy of ``table`` with the ``columns`` emptied (NaN) where suppressed and a boolean ``suppressed`` column
        (an existing ``suppressed`` column is kept true where it was true). Row order and every other column are
        unchanged.

    Examples
    --------
    Legal (3 people) is under the threshold of 5; with the total published it would be recoverable from the other
    departments, so the next smallest department (HR, 7) is hidden too: together 10 people.

    >>> table = pd.DataFrame({
    ...     "metric": "collaboration", "wave": "baseline",
    ...     "group": ["all", "department=HR", "department=IT", "department=Legal", "department=Sales"],
    ...     "n": [40, 7, 12, 3, 18], "value": [3.4, 3.1, 3.6, 2.9, 3.5]})
    >>> suppress(table, 5, explain=True)[["group", "n", "value", "suppressed", "suppression"]]
                  group   n  value  suppressed    suppression
    0               all  40    3.4       False
    1     department=HR   7    NaN        True  complementary
    2     department=IT  12    3.6       False
    3  department=Legal   3    NaN        True    small group
    4  department=Sales  18    3.5       False

    Two small departments of 2 and 2 people are hidden, but together they are still 4 people, whose combined value
    is the total minus the rest: a third department is hidden.

    >>> table = pd.DataFrame({"group": ["all", "department=A", "department=B", "department=C", "department=D"],
    ...                       "n": [40, 2, 2, 16, 20], "value": [3.0, 2.0, 4.0, 3.5, 2.8]})
    >>> suppress(table, 5)["suppressed"].tolist()
    [False, True, True, True, False]
    """
    if min_group_size < 1:
        raise ValueError(f"min_group_size must be at least 1, found {min_group_size}")
    for column in (group, n):
        if column not in table.columns:
            raise ValueError(f"the table has no {column!r} column; columns: {', '.join(map(str, table.columns))}")
    out = table.copy()
    counts = pd.to_numeric(out[n], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    small = np.nan_to_num(counts, nan=np.inf) < min_group_size
    primary = small.copy()
    if "suppressed" in out.columns:
        primary |= out["suppressed"].fillna(False).to_numpy(dtype=bool)
    at_risk = np.where(np.isnan(counts), 0.0, counts)
    if "at_risk" in out.columns:
        given = pd.to_numeric(out["at_risk"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        at_risk = np.where(primary & ~small & ~np.isnan(given), given, at_risk)
    extra = np.zeros(len(out), dtype=bool)
    if complementary:
        extra = _complementary(out, keys, group, counts, primary, primary & ~small, at_risk, min_group_size)
    hidden = primary | extra
    for column in columns:
        if column in out.columns:
            values = out[column].astype("float64") if pd.api.types.is_numeric_dtype(out[column]) else out[column]
            out[column] = values.where(~hidden)
    out["suppressed"] = hidden
    if explain:
        out["suppression"] = np.where(primary, "small group", np.where(extra, "complementary", ""))
    return out


def _complementary(out: pd.DataFrame, keys: Sequence[str], group: str, counts: np.ndarray, primary: np.ndarray,
                   flagged: np.ndarray, at_risk: np.ndarray, k: int) -> np.ndarray:
    """Rule 2: the rows to hide so that, in every breakdown, the hidden people number 0 or at least ``k`` (and a
    row hidden for another reason than its size, ``flagged``, is never the only one hidden: the total would give
    it back)."""
    extra = np.zeros(len(out), dtype=bool)
    dimension = [group_dimension(g) for g in out[group].to_numpy(dtype=object)]
    block = [tuple(v) for v in zip(*[out[c].astype(object).where(out[c].notna(), "\x00").to_numpy()
                                      for c in keys if c in out.columns], strict=True)] if any(
        c in out.columns for c in keys) else [()] * len(out)
    totals: dict[tuple, float] = {}
    for position, name in enumerate(out[group].to_numpy(dtype=object)):
        if name == "all" and not np.isnan(counts[position]):
            totals.setdefault(block[position], counts[position])
    members: dict[tuple, list[int]] = {}
    for position, dim in enumerate(dimension):
        if dim is not None:
            members.setdefault((*block[position], "\x01" + dim), []).append(position)
    for key, rows in members.items():
        total = totals.get(key[:-1])
        known = [r for r in rows if not np.isnan(counts[r])]
        rest = 0.0 if total is None else max(0.0, total - sum(counts[r] for r in known))
        hidden_rest = rest > 0  # never shown: it is one more hidden group
        hidden_people = sum(at_risk[r] for r in rows if primary[r]) + rest
        units = sum(1 for r in rows if primary[r] and (at_risk[r] > 0 or flagged[r])) + hidden_rest  # 0 people: no unit
        alone = any(flagged[r] for r in rows) and units < 2
        for r in sorted((r for r in known if not primary[r]), key=lambda r: counts[r]):  # stable: table order
            if units == 0 or (hidden_people >= k and not alone):
                break
            extra[r] = True
            hidden_people += counts[r]
            units += 1
            alone = alone and units < 2
    return extra


def suppress_subsets(subset: pd.DataFrame, full: pd.DataFrame, min_group_size: int, *, on: Sequence[str],
                     n: str = "n") -> pd.DataFrame:
    """Mark the rows of ``subset`` whose people are a subset of a row of ``full`` that differs from it by 1 to
    ``min_group_size - 1`` people: published together, the two would reveal those few people's result.

    Parameters
    ----------
    subset : pandas.DataFrame
        The table measured on part of the people (the paired change: people at both waves), with ``on`` and ``n``.
    full : pandas.DataFrame
        The table of the whole populations (the waves table at the first and at the last wave), with ``on`` and
        ``n``; several rows may match one row of ``subset``.
    on : sequence of str
        The columns that pair the rows (``scale``, ``group``, and the wave).

    Returns
    -------
    pandas.DataFrame
        ``subset`` with ``suppressed`` set where a difference is between 1 and ``min_group_size - 1``, and
        ``at_risk`` (the smallest such difference) for :func:`suppress`.

    Examples
    --------
    Eleven mentees answered both waves, twelve the first: the twelfth mentee's first answers would follow.

    >>> change = pd.DataFrame({"scale": "s", "group": ["all", "role=mentee"], "n": [30, 11]})
    >>> waves = pd.DataFrame({"scale": "s", "group": ["all", "role=mentee", "all", "role=mentee"],
    ...                       "wave": ["first", "first", "last", "last"], "n": [40, 12, 30, 11]})
    >>> suppress_subsets(change, waves, 5, on=["scale", "group"])[["group", "suppressed", "at_risk"]]
             group  suppressed  at_risk
    0          all       False      NaN
    1  role=mentee        True      1.0
    """
    out = subset.copy()
    if out.empty or full is None or full.empty:
        out["suppressed"] = out.get("suppressed", pd.Series(False, index=out.index)).fillna(False).astype(bool)
        out["at_risk"] = np.nan
        return out
    reference = full[[*on, n]].rename(columns={n: "_full_n"})
    merged = out[[*on, n]].reset_index().merge(reference, on=list(on), how="left")
    merged["_gap"] = pd.to_numeric(merged["_full_n"], errors="coerce") - pd.to_numeric(merged[n], errors="coerce")
    risky = merged[(merged["_gap"] > 0) & (merged["_gap"] < min_group_size)]
    smallest = risky.groupby("index")["_gap"].min()
    flagged = out.index.isin(smallest.index)
    before = out["suppressed"].fillna(False).astype(bool) if "suppressed" in out.columns else False
    out["suppressed"] = flagged | before
    out["at_risk"] = smallest.reindex(out.index).astype("float64")
    return out
