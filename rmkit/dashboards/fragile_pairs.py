"""The pairing board's robustness: each pair's share of re-solves with perturbed weights that keep it
(:func:`rmkit.pairing.pair_robustness`), fragile pairs first and flagged. A mixin of
:class:`rmkit.dashboards.pairing_board.PairingBoard`, kept apart so the board stays one screen of concerns.

The robustness is computed once per proposal (the same 300 seeded draws as the pairing phase's report, so the
board and the report agree) and only while "fragile pairs first" is ticked: untick it on a large cohort for the
quickest clicks."""

from __future__ import annotations

from typing import Any

import pandas as pd
import traitlets

from ..pairing import FRAGILE_BELOW, pair_robustness

__all__ = ["FragilePairs"]


class FragilePairs(traitlets.HasTraits):
    """Adds ``fragile_first`` (a traitlet) and the robustness of ``self.result`` to the board's pairs."""

    fragile_first = traitlets.Bool(True)
    _robustness_of: tuple[Any, pd.DataFrame] | None = None

    def set_fragile_first(self, on: bool) -> None:
        self.fragile_first, self.page = bool(on), 0
        self.refresh()

    def robustness(self) -> pd.DataFrame | None:
        """mentor_id, mentee_id, robustness of the current proposal (None without one), computed once per proposal."""
        result = getattr(self, "result", None)
        if result is None:
            return None
        if self._robustness_of is None or self._robustness_of[0] is not result:
            self._robustness_of = (result, pair_robustness(result))
        return self._robustness_of[1]

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
