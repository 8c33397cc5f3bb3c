"""The mail-merge table: one row per person and pair, to send each person their brief and first meeting.

**It holds personal data** (names, e-mail addresses): a facilitator-only output, like the briefs. Written through
:func:`rmkit.cohort.tables.write_table`, so a cell a spreadsheet would run as a formula is neutralized.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["MAILMERGE_COLUMNS", "mailmerge_table"]

MAILMERGE_COLUMNS = ["person_id", "name", "email", "role", "partner_id", "partner_name", "partner_email", "brief",
                     "calendar", "first_meeting", "first_meeting_local", "to_confirm"]


def mailmerge_table(rows: list[dict[str, object]]) -> pd.DataFrame:
    """The table from one dict per person and pair (the keys of :data:`MAILMERGE_COLUMNS`), mentors first, then by
    person and partner. A mentor with two mentees has two rows, one per brief.

    Examples
    --------
    >>> table = mailmerge_table([{"person_id": "e1", "name": "Paul", "role": "mentee", "partner_id": "m1"},
    ...                          {"person_id": "m1", "name": "Ana", "role": "mentor", "partner_id": "e1"}])
    >>> table[["person_id", "role", "partner_id"]].values.tolist()
    [['m1', 'mentor', 'e1'], ['e1', 'mentee', 'm1']]
    """
    table = pd.DataFrame(rows, columns=MAILMERGE_COLUMNS)
    order = table["role"].map({"mentor": 0, "mentee": 1}).fillna(2)
    return table.assign(_order=order).sort_values(["_order", "person_id", "partner_id"], kind="stable") \
        .drop(columns="_order").reset_index(drop=True)
