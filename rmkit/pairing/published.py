"""A proposal against the pairs already published: which running pairs it keeps, ends and adds.

Publishing replaces ``pairs.csv``, the pairs a running program is working with. Before anything is written the
facilitator (the pairing board's confirmation) and the analyst (``rmkit pair --publish``) see what changes, and a
replacement of more than :data:`MAX_REPLACED_SHARE` of the running pairs needs an explicit ``--replace`` on the
command line (or the board's confirmation): a re-run of the pairing that quietly re-pairs a whole program is the
mistake this guards against, while a swap or two stays one step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

__all__ = ["MAX_REPLACED_SHARE", "PublishedChanges", "compare_with_published"]

#: More than this share of the running pairs ended by one publication needs ``--replace`` (a quarter: in a
#: 40-pair program up to 10 pairs may change at once; a small program's single swap already ends 2 of 6).
MAX_REPLACED_SHARE = 0.25

_KEYS = ["mentor_id", "mentee_id"]


@dataclass(frozen=True)
class PublishedChanges:
    """The proposal against the published pairs: ``kept``, ``ended`` (published, not proposed) and ``new``
    (proposed, not published), each a frame of ``mentor_id``, ``mentee_id``."""

    kept: pd.DataFrame
    ended: pd.DataFrame
    new: pd.DataFrame
    published: int

    @property
    def first_publication(self) -> bool:
        """True when no pair is published yet (nothing running can be replaced)."""
        return self.published == 0

    @property
    def unchanged(self) -> bool:
        return self.ended.empty and self.new.empty

    @property
    def replaced_share(self) -> float:
        """The share (0–1) of the running pairs the proposal ends; 0 when none is published."""
        return len(self.ended) / self.published if self.published else 0.0

    @property
    def needs_replace(self) -> bool:
        """True when publishing would end more than :data:`MAX_REPLACED_SHARE` of the running pairs."""
        return self.replaced_share > MAX_REPLACED_SHARE

    def headline(self) -> str:
        """One sentence: what publishing this proposal would do to the published pairs.

        Examples
        --------
        >>> published = pd.DataFrame({"mentor_id": ["m1", "m2"], "mentee_id": ["e1", "e2"]})
        >>> proposed = pd.DataFrame({"mentor_id": ["m1", "m2"], "mentee_id": ["e1", "e3"]})
        >>> compare_with_published(published, proposed).headline()
        'against the 2 published pairs: 1 kept, 1 ended, 1 new (50% of the running pairs replaced)'
        >>> compare_with_published(None, proposed).headline()
        'no pairs are published yet: all 2 pairs are new'
        """
        if self.first_publication:
            return f"no pairs are published yet: all {len(self.new)} pairs are new"
        if self.unchanged:
            return f"the proposal is the {self.published} published pairs, unchanged"
        return (f"against the {self.published} published pairs: {len(self.kept)} kept, {len(self.ended)} ended, "
                f"{len(self.new)} new ({100 * self.replaced_share:.0f}% of the running pairs replaced)")

    def phase_note(self) -> str:
        """The pairing phase's (and so the report's) sentence about the published pairs, in Markdown.

        Examples
        --------
        >>> proposed = pd.DataFrame({"mentor_id": ["m1"], "mentee_id": ["e1"]})
        >>> compare_with_published(proposed, proposed).phase_note()
        '`pairs.csv` is already published, and this proposal is the same 1 pairs: publishing it changes nothing.'
        """
        if self.first_publication:
            return "No `pairs.csv` is published yet: publishing this proposal starts the program."
        if self.unchanged:
            return f"`pairs.csv` is already published, and this proposal is the same {self.published} pairs: publishing it changes nothing."
        refuse = (f" `rmkit pair --publish` refuses this without `--replace` (more than {100 * MAX_REPLACED_SHARE:.0f}% of the "
                  "running pairs would end)." if self.needs_replace else "")
        return (f"**`pairs.csv` is already published: the program is running with {self.published} pairs.** This proposal "
                f"keeps {len(self.kept)}, ends {len(self.ended)} and adds {len(self.new)} "
                f"({100 * self.replaced_share:.0f}% of the running pairs replaced); the table below lists what would change."
                + refuse)

    def lines(self, names: Mapping[str, str] | None = None, *, limit: int | None = None) -> list[str]:
        """The headline, then the ended and the new pairs, by ``names`` (``person_id`` -> display name) or by id.

        Examples
        --------
        >>> published = pd.DataFrame({"mentor_id": ["m1", "m2"], "mentee_id": ["e1", "e2"]})
        >>> proposed = pd.DataFrame({"mentor_id": ["m1", "m2"], "mentee_id": ["e1", "e3"]})
        >>> print("\\n".join(compare_with_published(published, proposed).lines({"m2": "Ben"})))
        against the 2 published pairs: 1 kept, 1 ended, 1 new (50% of the running pairs replaced)
          ended: Ben → e2
          new:   Ben → e3
        """
        lines = [self.headline()]
        if self.first_publication:
            return lines
        for label, frame in (("ended", self.ended), ("new", self.new)):
            rows = list(frame.itertuples(index=False))
            shown = rows if limit is None else rows[:limit]
            lines += [f"  {label + ':':<6} {_name(names, r.mentor_id)} → {_name(names, r.mentee_id)}" for r in shown]
            if len(rows) > len(shown):
                lines.append(f"  … and {len(rows) - len(shown)} more {label}")
        return lines

    def to_frame(self) -> pd.DataFrame:
        """``change`` (kept / ended / new), ``mentor_id``, ``mentee_id``: one row per pair of either side."""
        parts = [frame.assign(change=change) for change, frame in (("kept", self.kept), ("ended", self.ended), ("new", self.new))]
        return pd.concat(parts, ignore_index=True)[["change", *_KEYS]]


def _name(names: Mapping[str, str] | None, person_id: str) -> str:
    return names.get(person_id, person_id) if names else person_id


def compare_with_published(published: pd.DataFrame | None, proposed: pd.DataFrame) -> PublishedChanges:
    """Compare a proposal (``mentor_id``, ``mentee_id``) with the published ``pairs.csv`` (``None`` or empty when
    nothing is published). Pairs are in the order of each table.

    Examples
    --------
    >>> published = pd.DataFrame({"mentor_id": ["m1", "m2", "m3"], "mentee_id": ["e1", "e2", "e3"]})
    >>> proposed = pd.DataFrame({"mentor_id": ["m1", "m2", "m3"], "mentee_id": ["e1", "e3", "e2"]})
    >>> changes = compare_with_published(published, proposed)
    >>> len(changes.kept), len(changes.ended), len(changes.new), changes.needs_replace
    (1, 2, 2, True)
    """
    proposed = proposed[_KEYS].drop_duplicates().reset_index(drop=True)
    if published is None or published.empty:
        empty = proposed.iloc[0:0]
        return PublishedChanges(kept=empty, ended=empty, new=proposed, published=0)
    published = published[_KEYS].drop_duplicates().reset_index(drop=True)
    marked = published.merge(proposed, on=_KEYS, how="outer", indicator=True, sort=False)
    kept = published.merge(proposed, on=_KEYS, how="inner")
    ended = marked[marked["_merge"] == "left_only"][_KEYS].reset_index(drop=True)
    new = proposed.merge(published, on=_KEYS, how="left", indicator=True)
    new = new[new["_merge"] == "left_only"][_KEYS].reset_index(drop=True)
    return PublishedChanges(kept=kept, ended=ended, new=new, published=len(published))
