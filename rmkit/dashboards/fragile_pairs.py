"""What the pairing board says about each pair besides its score: its robustness — the share of re-solves with
perturbed weights that keep it (:func:`rmkit.pairing.pair_robustness`), fragile pairs first and flagged — and, when
the cohort has ``preferences.csv``, the rank each side gave the other. A mixin of
:class:`rmkit.dashboards.pairing_board.PairingBoard`, kept apart so the board stays one screen of concerns; it also
puts the words (names, reasons) on the page's rows only, so a click costs the same at 40 or 4,000 people.

The robustness is computed once per proposal (the same 300 seeded draws as the pairing phase's report, so the
board and the report agree) and only while "fragile pairs first" is ticked. It is 300 solves: ticked when the board
opens only for cohorts of up to :data:`ROBUST_ON_OPEN` mentor × mentee cells (about a second or two here); on a
larger cohort the box starts unticked and says what ticking it costs."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import traitlets

from ..pairing import FRAGILE_BELOW, pair_robustness
from ..pairing.preferences import ordinal
from .style import esc

__all__ = ["FragilePairs", "ROBUST_ON_OPEN"]

ROBUST_ON_OPEN = 150 * 150
"""Mentor × mentee cells up to which "fragile pairs first" is ticked when the board opens."""


class FragilePairs(traitlets.HasTraits):
    """Adds ``fragile_first`` (a traitlet) and the robustness of ``self.result`` to the board's pairs."""

    fragile_first = traitlets.Bool(True)
    _robustness_of: tuple[Any, pd.DataFrame] | None = None

    @staticmethod
    def fragile_first_on_open(n_mentors: int, n_mentees: int) -> bool:
        """Whether the robustness is cheap enough to compute when the board opens (see :data:`ROBUST_ON_OPEN`)."""
        return n_mentors * n_mentees <= ROBUST_ON_OPEN

    def set_fragile_first(self, on: bool) -> None:
        self.fragile_first, self.page = bool(on), 0
        self.refresh()

    def robustness(self) -> pd.DataFrame | None:
        """mentor_id, mentee_id, robustness of the current proposal (None without one), computed once per proposal;
        while :meth:`refresh` draws a decision's result at once, the previous proposal's figures."""
        result = getattr(self, "result", None)
        if result is None:
            return None
        if self._robustness_of is None or self._robustness_of[0] is not result:
            if self._previous_robustness_ok and self._robustness_of is not None:
                return self._robustness_of[1]
            self._robustness_of = (result, pair_robustness(result))
        return self._robustness_of[1]

    _previous_robustness_ok = False

    def refresh(self) -> None:
        """Draw the board. After a decision (a new proposal) whose robustness is not computed yet, draw it first with
        the previous proposal's robustness — the click's result reaches the page at once — then compute the 300
        re-solves and draw again with the new figures (a Lock at 200 people went from 0.87 s to the click's own
        cost; ``benchmarks/bench_dashboard.py``)."""
        stale = (self.fragile_first and self._robustness_of is not None
                 and self._robustness_of[0] is not getattr(self, "result", None))
        if stale:
            self._previous_robustness_ok = True
            try:
                self.draw()  # type: ignore[attr-defined]
            finally:
                self._previous_robustness_ok = False
        self.draw()  # type: ignore[attr-defined]

    def _fragile_order(self, table: pd.DataFrame) -> pd.DataFrame:
        """The pairs with ``robustness``: locked first (as before), then the fragile ones, least robust first."""
        if not self.fragile_first or table.empty:
            return table
        share = self.robustness()
        if share is None:
            return table
        keyed = share.set_index(["mentor_id", "mentee_id"])["robustness"]
        out = table.copy()
        out["robustness"] = keyed.reindex(pd.MultiIndex.from_arrays([out["mentor_id"], out["mentee_id"]])).to_numpy()
        out["_fragile"] = out["robustness"] < FRAGILE_BELOW
        out["_rank"] = out["robustness"].where(out["_fragile"], 1.0)
        ordered = out.sort_values(["locked", "_fragile", "_rank", "score"], ascending=[False, False, True, True], kind="stable")
        return ordered.drop(columns=["_fragile", "_rank"])

    def _with_words(self, page: pd.DataFrame) -> pd.DataFrame:
        """A page of :attr:`PairingResult.brief` rows with their reasons (first names) and, with stated
        preferences, ``mentee_rank`` (the rank the mentee gave the mentor) and ``mentor_rank`` (0: not ranked)."""
        result = self.result
        named = result.named_pairs(page.index.to_numpy())
        out = page.assign(reasons=named["reasons"].to_numpy())
        ranks = result.problem.ranks
        if ranks is not None and ranks.any:
            i, j = result.assignment.mentor[page.index.to_numpy()], result.assignment.mentee[page.index.to_numpy()]
            out["mentee_rank"] = np.asarray(ranks.by_mentee[i, j], dtype=np.int64)
            out["mentor_rank"] = np.asarray(ranks.by_mentor[i, j], dtype=np.int64)
        return out

    def _ranks_badge(self, r: Any) -> str:
        """Each side's rank of the other, in first names ("Uma ranks Nikolai 1st · Nikolai: not ranked")."""
        if getattr(r, "mentee_rank", None) is None:
            return ""
        names = getattr(self, "names", {})
        mentor, mentee = (esc(str(names.get(pid, pid)).split(" ")[0]) for pid in (r.mentor_id, r.mentee_id))
        words = [f"{who} ranks {whom} {ordinal(int(rank))}" if rank else f"{who}: {whom} not ranked"
                 for who, whom, rank in ((mentee, mentor, r.mentee_rank), (mentor, mentee, r.mentor_rank))]
        return (f'<span class="rmkit-badge rmkit-ranks" style="color:#23415e;background:#dde9f5" '
                f'title="ranks stated in preferences.csv (1 = first choice)">{" · ".join(words)}</span> ')

    @staticmethod
    def _robustness_badge(r: Any) -> str:
        value = getattr(r, "robustness", None)
        if value is None or pd.isna(value):
            return ""
        if value < FRAGILE_BELOW:
            return (f'<span class="rmkit-badge rmkit-fragile" style="color:#8a1c1c;background:#f9dcdc" '
                    f'title="kept by {value:.0%} of re-solves with the weights perturbed">fragile · {value:.0%}</span> ')
        return (f'<span class="rmkit-badge" style="color:#3b4a5a;background:#e6ebf0" '
                f'title="kept by {value:.0%} of re-solves with the weights perturbed">robust · {value:.0%}</span> ')
