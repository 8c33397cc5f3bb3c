"""The check-in board: which pairs are on track, need a check-in or are at risk, and why; their meetings and pulse.

State lives in traitlets (``status``, ``query``, ``page``, ``selected``); every control only sets state, and
:meth:`CheckinBoard.refresh` redraws from it, so tests drive the board exactly as a click would.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
import pandas as pd
import traitlets

from ..cohort import Cohort
from ..phases.checkins import (
    STATUSES,
    agreement_progress,
    health_counts,
    health_date_note,
    health_dates,
    meeting_timeline,
    pair_health,
    pairs_to_watch,
)
from ..phases.readable import table_html
from .style import CSS, badge, esc, html_table, tile

__all__ = ["CheckinBoard", "display_names"]

PAGE_SIZE = 15


def display_names(participants: pd.DataFrame) -> dict[str, str]:
    """person_id -> "Name (id)" for the facilitator's view (the id alone when there is no name)."""
    names = participants.set_index("person_id")["name"] if "name" in participants.columns else pd.Series(dtype=object)
    return {pid: (f"{names[pid]} ({pid})" if pid in names.index and isinstance(names[pid], str) and names[pid] else pid)
            for pid in participants["person_id"]}


class CheckinBoard(widgets.VBox):
    """Pair health for a facilitator: status tiles, a filterable, paged list with the rule that fired, a pair's
    timeline, and swap suggestions for a pair at risk.

    Parameters
    ----------
    cohort : Cohort
        A cohort with ``checkins.csv`` (pairs are the published ``pairs.csv``, else those met in check-ins).
    suggest_swaps : callable, optional
        ``suggest_swaps(mentor_id, mentee_id) -> DataFrame`` of re-pairings for a pair at risk (from the pairing
        engine); without it the board says where to find swaps.
    page_size : int
        Pairs per page (the board stays usable for cohorts of hundreds of pairs).
    """

    status = traitlets.Unicode("all")
    query = traitlets.Unicode("")
    page = traitlets.Int(0)
    selected = traitlets.Unicode("", allow_none=True)

    def __init__(self, cohort: Cohort, *, suggest_swaps: Callable[[str, str], pd.DataFrame] | None = None,
                 page_size: int = PAGE_SIZE, **kwargs: Any):
        super().__init__(**kwargs)
        self.cohort = cohort
        self.page_size = page_size
        self.suggest_swaps = suggest_swaps
        self.names = display_names(cohort.participants)
        watched = pairs_to_watch(cohort.pairs, cohort.checkins)
        self.as_of = health_dates(cohort.program, cohort.checkins)[1]
        self.health = pair_health(watched, cohort.checkins, cohort.program, participants=cohort.participants)
        self.goals = agreement_progress(watched, cohort.agreements, as_of=self.as_of)
        self.health = self.health.merge(self.goals, on=["mentor_id", "mentee_id"], how="left")
        self.health["pair"] = self.health["mentor_id"] + " → " + self.health["mentee_id"]
        self.timeline = meeting_timeline(self.health, cohort.checkins)
        #: the date health is judged at and why, in words (shown under the title)
        self.date_note = health_date_note(cohort.program, cohort.checkins)

        self._tiles = widgets.HTML()
        self._status = widgets.ToggleButtons(options=["all", *reversed(STATUSES)], value="all", description="Show", style={"description_width": "initial"})
        self._query = widgets.Text(placeholder="name or id", description="Find", continuous_update=False)
        self._table = widgets.HTML()
        self._prev = widgets.Button(description="◀ previous", layout=widgets.Layout(width="150px"))
        self._next = widgets.Button(description="next ▶", layout=widgets.Layout(width="150px"))
        self._page_label = widgets.Label()
        self._pick = widgets.Dropdown(description="Pair", layout=widgets.Layout(width="640px"))
        self._detail = widgets.HTML()
        self._chart_box = widgets.Box()

        self._status.observe(lambda change: self.set_status(change["new"]), names="value")
        self._query.observe(lambda change: self.set_query(change["new"]), names="value")
        self._prev.on_click(lambda _: self.turn_page(-1))
        self._next.on_click(lambda _: self.turn_page(+1))
        self._pick.observe(lambda change: self.select(change["new"]), names="value")

        self.add_class("rmkit-board")
        self.children = [
            widgets.HTML(CSS + "<h2>Check-in health</h2>"
                         + f'<p class="rmkit-asof" style="font-size: 17px">Judged {esc(self.date_note)}.</p>'),
            self._tiles,
            widgets.HBox([self._status, self._query]),
            self._table,
            widgets.HBox([self._prev, self._page_label, self._next]),
            widgets.HTML("<h3>A pair's meetings</h3>"),
            self._pick,
            self._detail,
            self._chart_box,
        ]
        self.refresh()

    # -- state changes (what the controls call) -----------------------------------------------------

    def set_status(self, status: str) -> None:
        if status not in ("all", *STATUSES):
            raise ValueError(f"unknown status {status!r}; allowed: all, {', '.join(STATUSES)}")
        self.status, self.page = status, 0
        self.refresh()

    def set_query(self, query: str) -> None:
        self.query, self.page = query.strip(), 0
        self.refresh()

    def turn_page(self, step: int) -> None:
        last = max(0, (len(self.visible()) - 1) // self.page_size)
        self.page = min(last, max(0, self.page + step))
        self.refresh()

    def select(self, pair: str | None) -> None:
        self.selected = pair or ""
        self._show_detail()

    # -- views ----------------------------------------------------------------------------------------

    def visible(self) -> pd.DataFrame:
        """The pairs the filters let through, most urgent first."""
        table = self.health
        if self.status != "all":
            table = table[table["status"] == self.status]
        if self.query:
            q = self.query.casefold()
            hay = (table["mentor_id"].map(self.names) + " " + table["mentee_id"].map(self.names)).str.casefold()
            table = table[hay.str.contains(q, regex=False)]
        return table

    def page_rows(self) -> pd.DataFrame:
        start = self.page * self.page_size
        return self.visible().iloc[start:start + self.page_size]

    def refresh(self) -> None:
        counts = health_counts(self.health).set_index("status")
        self._tiles.value = '<div class="rmkit-tiles">' + "".join(
            tile(f"{s} ({counts.loc[s, 'percent']:.0f}%)", int(counts.loc[s, "pairs"]), s) for s in reversed(STATUSES)) + "</div>"
        rows = self.page_rows()
        if self.health.empty:
            self._table.value = ('<p class="rmkit-muted">No pair to judge yet: no pairs.csv is published and no meeting '
                                 'is logged in checkins.csv. Publish pairs on the pairing board, then log meetings.</p>')
        elif rows.empty:
            self._table.value = '<p class="rmkit-muted">No pair matches these filters.</p>'
        else:
            self._table.value = html_table(
                ["mentor", "mentee", "status", "why", "meetings", "last met", "pulse (1–5)", "goals done"],
                [[esc(self.names[r.mentor_id]), esc(self.names[r.mentee_id]), badge(r.status), esc(r.rule), str(r.meetings),
                  esc(f"{r.last_meeting.day} {r.last_meeting:%b %Y}" if pd.notna(r.last_meeting) else "never"),
                  esc(_pulse(r)), esc(f"{r.done} of {r.goals}" + (f" ({r.overdue} overdue)" if r.overdue else "")
                                      if r.goals else "none set")] for r in rows.itertuples()],
            )
        pages = max(1, -(-len(self.visible()) // self.page_size))
        self._page_label.value = f"page {self.page + 1} of {pages} · {len(self.visible())} pairs"
        self._prev.disabled = self.page == 0
        self._next.disabled = self.page >= pages - 1
        options = [(f"{self.names[r.mentor_id]} → {self.names[r.mentee_id]} · {r.status}", r.pair) for r in rows.itertuples()]
        self._pick.options = options
        if options and self.selected not in [value for _, value in options]:
            self._pick.value = options[0][1]
        elif not options:
            self.selected = ""
            self._show_detail()

    def _show_detail(self) -> None:
        if not self.selected:
            self._detail.value, self._chart_box.children = "", ()
            return
        row = self.health[self.health["pair"] == self.selected].iloc[0]
        parts = [f"<p>{badge(row['status'])} {esc(row['rule'])}. {row['meetings']} meeting(s)"
                 + (f", adherence {row['adherence']:.0f}% of the cadence" if pd.notna(row["adherence"]) else "") + ".</p>"]
        if pd.notna(row["pulse_mentor"]) or pd.notna(row["pulse_mentee"]):
            parts.append(f"<p>Each side's recent rating (1–5): mentor {esc(_num(row['pulse_mentor']))}, "
                         f"mentee {esc(_num(row['pulse_mentee']))}.</p>")
        if isinstance(row["direction"], str):
            parts.append(f"<p>Learning in the last meetings: <b>{esc(row['direction'])}</b>.</p>")
        if self.cohort.agreements is not None:
            mine = self.cohort.agreements[(self.cohort.agreements["mentor_id"] == row["mentor_id"])
                                          & (self.cohort.agreements["mentee_id"] == row["mentee_id"])]
            if len(mine):
                parts.append("<h3>Goals</h3>" + table_html(mine[["goal", "side", "target_date", "status"]]))
            else:
                parts.append('<p class="rmkit-muted">No goals in agreements.csv for this pair yet.</p>')
        if row["status"] == "at risk":
            parts.append(self._swaps_html(row["mentor_id"], row["mentee_id"]))
        self._detail.value = "".join(parts)
        meetings = self.timeline[(self.timeline["pair"] == self.selected) & self.timeline["date"].notna()]
        if meetings.empty:
            self._chart_box.children = ()
            return
        import altair as alt

        from .. import charts

        alt.JupyterChart.enable_offline()
        self._chart_box.children = (alt.JupyterChart(charts.timeline_chart(meetings, title="Meetings (colour = pulse)"),
                                                     embed_options={"renderer": "svg", "actions": False}),)

    def _swaps_html(self, mentor_id: str, mentee_id: str) -> str:
        if self.suggest_swaps is None:
            return '<p class="rmkit-muted">Swap suggestions are on the pairing board.</p>'
        try:
            swaps = self.suggest_swaps(mentor_id, mentee_id)
        except Exception as exc:  # a suggestion failing must not break the board
            return f'<p class="rmkit-error">No swap suggestion: {esc(exc)}</p>'
        if swaps is None or len(swaps) == 0:
            return '<p class="rmkit-muted">No better re-pairing is possible under the rules.</p>'
        return "<h3>Swap suggestions</h3>" + table_html(swaps)


def _num(value: object) -> str:
    return f"{value:.1f}" if isinstance(value, float) and pd.notna(value) else "–"


def _pulse(row: Any) -> str:
    """The recent pulse; each side's when both rated, so that a gap shows."""
    if pd.notna(row.pulse_mentor) and pd.notna(row.pulse_mentee):
        return f"{row.pulse_recent:.1f} (mentor {row.pulse_mentor:.1f}, mentee {row.pulse_mentee:.1f})"
    return f"{row.pulse_recent:.1f}" if pd.notna(row.pulse_recent) else "–"
