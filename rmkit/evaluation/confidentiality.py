"""Confidentiality of aggregates: no result for a group of fewer than ``min_group_size`` people, and complementary
suppression so that a hidden group cannot be recovered by subtraction (the README, "Scoring and metrics": confidentiality).

The rules, applied to any tidy table with a group column and an ``n`` column:

1. **Primary suppression.** A row whose ``n`` is below ``min_group_size`` keeps its ``n`` but loses its value and
   interval (they become empty) and is marked ``suppressed``. A row without an ``n`` (a program figure such as ROI,
   which describes no respondents) is never suppressed.
2. **Complementary suppression.** Groups of one breakdown (``role=…``, ``department=…``: the text before ``=``) that
   share the same keys (metric and wave) add up to the total (``all``). When exactly one of them is suppressed, its
   value could be recovered from the total and the others, so the next smallest group of that breakdown (smallest
   ``n``; ties in table order) is suppressed too. Groups outside a breakdown (``all``, ``participant``,
   ``comparison``) are not part of this rule.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .groups import group_dimension

__all__ = ["SUPPRESSED_VALUE_COLUMNS", "suppress"]

SUPPRESSED_VALUE_COLUMNS = ("value", "ci_low", "ci_high")


def suppress(table: pd.DataFrame, min_group_size: int, *, keys: Sequence[str] = ("metric", "wave"),
             group: str = "group", n: str = "n", columns: Sequence[str] = SUPPRESSED_VALUE_COLUMNS,
             complementary: bool = True, explain: bool = False) -> pd.DataFrame:
    """Hide the values of small groups, and of the next smallest group where one would be recoverable.

    Parameters
    ----------
    table : pandas.DataFrame
        A tidy table with ``group``, ``n``, the ``keys`` columns and the ``columns`` to hide.
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
        Apply complementary suppression (default); ``False`` applies the size rule only.
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
    Legal (3 people) is under the threshold of 5; with role and the total published, it would be recoverable from
    the other departments, so the next smallest department (HR) is hidden too:

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
    """
    if min_group_size < 1:
        raise ValueError(f"min_group_size must be at least 1, found {min_group_size}")
    for column in (group, n):
        if column not in table.columns:
            raise ValueError(f"the table has no {column!r} column; columns: {', '.join(map(str, table.columns))}")
    out = table.copy()
    counts = pd.to_numeric(out[n], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    primary = np.nan_to_num(counts, nan=np.inf) < min_group_size
    if "suppressed" in out.columns:
        primary |= out["suppressed"].fillna(False).to_numpy(dtype=bool)
    extra = np.zeros(len(out), dtype=bool)
    if complementary and primary.any():
        dimension = out[group].map(group_dimension)
        block_keys = [out[k].astype(object).where(out[k].notna(), "\x00") for k in keys if k in out.columns]
        frame = pd.DataFrame({f"k{i}": key.to_numpy() for i, key in enumerate(block_keys)})
        frame["dimension"] = dimension.to_numpy()
        frame["primary"] = primary
        frame["n"] = counts
        frame = frame[frame["dimension"].notna()]
        for _, block in frame.groupby([c for c in frame.columns if c.startswith("k")] + ["dimension"], sort=False):
            if int(block["primary"].sum()) != 1:
                continue
            candidates = block[~block["primary"] & block["n"].notna()]
            if candidates.empty:
                continue
            smallest = candidates["n"].to_numpy().argmin()  # first of equal sizes, in table order
            extra[candidates.index[smallest]] = True
    hidden = primary | extra
    for column in columns:
        if column in out.columns:
            values = out[column].astype("float64") if pd.api.types.is_numeric_dtype(out[column]) else out[column]
            out[column] = values.where(~hidden)
    out["suppressed"] = hidden
    if explain:
        out["suppression"] = np.where(primary, "small group", np.where(extra, "complementary", ""))
    return out
