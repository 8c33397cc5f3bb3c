"""The pairing board's swap panel: the best re-pairings of a pair that looks off, each with an **Apply** button
(disabled on a read-only cohort), drawn from the board's ``swaps`` and ``swap_for``. A mixin of
:class:`rmkit.dashboards.pairing_board.PairingBoard`, kept apart so the board stays one screen of concerns."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from .style import esc

__all__ = ["SwapPanel"]


class SwapPanel:
    """Draws ``self.swaps`` for ``self.swap_for`` into ``self._swap_panel`` (attributes of the board)."""

    swaps: list[Any]
    swap_for: tuple[str, str] | None

    def _draw_swaps(self) -> None:
        if self.swap_for is None:
            self._swap_panel.children = ()
            return
        m, e = self.swap_for
        head = widgets.HTML(f"<h3>Swap {esc(self.names[m])} → {esc(self.names[e])}</h3>")
        if not self.swaps:
            self._swap_panel.children = (head, widgets.HTML("<p>No other pairing is possible under the rules.</p>"))
            return
        items: list[widgets.Widget] = [head]
        for suggestion in self.swaps:
            changes = "; ".join(f"{self.names.get(c.person_id, c.person_id)} {c.change:+.2f}" for c in suggestion.changes.itertuples())
            new_pairs = ", ".join(f"{self.names.get(a, a)} → {self.names.get(b, b)} ({s:.2f})" for a, b, s in suggestion.add)
            text = (f"<div style='font-size:17px'><b>{esc(new_pairs) or 'leave both unpaired'}</b> · total {suggestion.total_change:+.2f} · "
                    f"{suggestion.other_pairs_changed} other pair(s) changed</div><div class='rmkit-muted'>{esc(changes)}</div>")
            apply = self._button("Apply", lambda s=suggestion: self.apply_swap(s), "success")
            apply.disabled = self.read_only is not None
            items.append(widgets.HBox([widgets.HTML(text, layout=widgets.Layout(flex="1 1 auto")), apply]))
        close = self._button("Close", self._close_swaps)
        items.append(close)
        self._swap_panel.children = tuple(items)

    def _close_swaps(self) -> None:
        self.swaps, self.swap_for = [], None
        self._draw_swaps()
