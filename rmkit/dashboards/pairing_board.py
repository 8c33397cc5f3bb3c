"""The pairing board: the facilitator reviews proposed pairs and why, locks, forbids, swaps and publishes.

Every decision is appended to the cohort's ``decisions.csv`` the moment it is made (under the file lock of
:mod:`rmkit.cohort.publishing`), then the log is read back and the cohort re-solved with it. So a reload, a crashed kernel or
a second facilitator's tab loses nothing: the board always shows the pairing the whole log implies.

State lives in traitlets (``strategy``, ``department``, ``below_only``, ``view``, ``page``); the controls only change
state or record decisions, and :meth:`PairingBoard.refresh` redraws, so tests drive the board exactly as clicks do.
Names are shown here (this is the facilitator's view); every file written uses ``person_id`` only.

A lock that would contradict another (a mentee locked with a second mentor, a mentor locked beyond capacity) or a
forbid that would leave no pair possible is refused before it is written, under the same file lock, so two tabs
cannot together write a contradiction either. A log that contradicts itself anyway (edited by hand) or rules that
allow no pair do not stop the board from opening: it says what is wrong, and the *decisions* view lists every
standing lock and forbid with a button to undo it.

A cohort folder that cannot be written (a read-only share) opens read-only: it says so; buttons that write are disabled.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
import pandas as pd
import traitlets
from ipywidgets.widgets.widget_string import HTMLStyle

from ..cohort import Cohort, read_decisions
from ..cohort.publishing import Publication, append_decision, cohort_read_only, decisions_lock, publish_pairs
from ..errors import InfeasibleError, ReadOnlyError, RmkitError
from ..pairing import STRATEGIES, PairingResult, PublishedChanges, prepare_pairing
from ..pairing.rules import standing_decisions
from ..pairing.swaps import SwapSuggestion, suggest_swaps
from .checkin_board import display_names
from .decided_by import DecidedBy, DecisionsBy
from .fragile_pairs import FragilePairs
from .style import CSS, esc, read_only_notice, score_bar, tile
from .swap_panel import SwapPanel

__all__ = ["PairingBoard"]

PAGE_SIZE = 12
VIEWS = ("pairs", "unmatched", "decisions")


class PairingBoard(SwapPanel, DecisionsBy, FragilePairs, widgets.VBox):
    """Proposed pairs with score bars and reasons; filters; lock / forbid / swap per pair; a strategy switch; the
    unmatched with why; publish.

    Parameters
    ----------
    cohort : Cohort
        The cohort (its folder receives ``decisions.csv`` rows and, on publish, ``pairs.csv``).
    by : str
        The initial "Your name" (recorded with each decision; the browser tab remembers what is typed). The phase
        notebook passes ``""``: decisions are refused until a facilitator types their name.
    page_size : int
        Pairs per page (the board stays usable for cohorts of hundreds).
    """

    strategy = traitlets.Unicode("optimal")
    department = traitlets.Unicode("all")
    below_only = traitlets.Bool(False)
    view = traitlets.Unicode("pairs")
    page = traitlets.Int(0)

    def __init__(self, cohort: Cohort, *, by: str = "facilitator", page_size: int = PAGE_SIZE, **kwargs: Any):
        super().__init__(**kwargs)
        self.cohort = cohort
        self.folder = cohort.path
        self.page_size = page_size
        self.names = display_names(cohort.participants)
        self.departments = cohort.participants.set_index("person_id")["department"].to_dict()
        self._base = prepare_pairing(cohort)  # compatibility, rules, preferences and history; no decisions
        self.problem = self._base
        self.strategy = cohort.program.pairing.strategy
        #: the pairing the rules and the decision log imply; None when they allow none (see ``problem_error``)
        self.result: PairingResult | None = None
        self.problem_error = ""
        self.standing = standing_decisions(None)
        self.swaps: list[SwapSuggestion] = []
        self.swap_for: tuple[str, str] | None = None
        self.message = ""
        self.read_only = cohort_read_only(self.folder)  # why decisions cannot be saved here (None: they can)
        self.fragile_first = self.fragile_first_on_open(len(self._base.mentors), len(self._base.mentees))
        self.reload()
        self.add_class("rmkit-board")

        self._tiles = widgets.HTML()
        self._strategy = widgets.ToggleButtons(options=list(STRATEGIES), value=self.strategy, description="Strategy", style={"description_width": "initial"},
                                               tooltips=["most pairs, then the highest total", "most pairs, then the best worst pair",
                                                         "no two people who would both rather be together"])
        departments = sorted({d for d in self.departments.values() if isinstance(d, str) and d})
        self._department = widgets.Dropdown(options=["all", *departments], value="all", description="Department",
                                            style={"description_width": "initial"})
        self._below = widgets.Checkbox(value=False, description=f"only pairs below {cohort.program.pairing.threshold:g}", indent=False)
        cheap = self.fragile_first_on_open(len(self.problem.mentors), len(self.problem.mentees))
        self._fragile = widgets.Checkbox(value=self.fragile_first, indent=False, description="fragile pairs first"
                                         + ("" if cheap else " (slow here: 300 re-solves after each decision)"))
        self._view = widgets.ToggleButtons(options=[("proposed pairs", "pairs"), ("unmatched", "unmatched"),
                                                    ("decisions (undo)", "decisions")], value="pairs")
        # A fixed pool of row widgets, updated in place: a click changes a few values instead of building new widgets
        # (each costs a round trip to the browser). Layouts and styles are shared: each model is one more message.
        self._button_layout = widgets.Layout(width="110px", min_width="110px")  # never squeezed to "Fo…"
        self._button_style = widgets.ButtonStyle()
        self._text_layout = widgets.Layout(flex="1 1 auto", min_width="0")  # the text wraps; the buttons keep their width
        self._row_layout = widgets.Layout(border_bottom="1px solid #cfcfcf", padding="6px 0", align_items="center")
        self._plain_layout = widgets.Layout()
        self._buttons_layout = widgets.Layout(flex="0 0 auto")
        self._html_style = HTMLStyle()
        self._pair_rows = [self._new_pair_row(k) for k in range(page_size)]
        self._bound: list[tuple[str, str] | None] = [None] * page_size
        self._unmatched = widgets.HTML(style=self._html_style)  # the unmatched need no buttons: one widget for the page
        self._unmatched.add_class("rmkit-unmatched-list")
        self._empty = widgets.HTML('<p class="rmkit-muted">Nothing matches these filters.</p>', style=self._html_style)
        self._rows = widgets.VBox([*self._pair_rows, self._unmatched, self._empty])
        self._prev = widgets.Button(description="◀ previous", layout=widgets.Layout(width="150px"))
        self._next = widgets.Button(description="next ▶", layout=widgets.Layout(width="150px"))
        self._page_label = widgets.Label()
        self._swap_panel = widgets.VBox()
        self._publish = widgets.Button(description="Publish pairs", button_style="success", icon="",
                                       layout=widgets.Layout(width="220px", height="44px"))
        self._status = widgets.HTML()
        self._by = DecidedBy(value=by)
        self._note = widgets.Text(placeholder="optional: why (recorded with the next decision)", description="Note",
                                  layout=widgets.Layout(width="520px", margin="0 0 0 24px"), style={"description_width": "initial"})
        self._review = widgets.VBox()
        self.pending: PublishedChanges | None = None  # the changes :meth:`review_publish` asks to confirm

        self._strategy.observe(lambda change: self.set_strategy(change["new"]), names="value")
        self._department.observe(lambda change: self.set_department(change["new"]), names="value")
        self._below.observe(lambda change: self.set_below_only(change["new"]), names="value")
        self._fragile.observe(lambda change: self.set_fragile_first(change["new"]), names="value")
        self._view.observe(lambda change: self.set_view(change["new"]), names="value")
        self._prev.on_click(lambda _: self.turn_page(-1))
        self._next.on_click(lambda _: self.turn_page(+1))
        self._publish.on_click(self._guarded(self.review_publish))

        self.children = [
            widgets.HTML(CSS + "<h2>Pairing board</h2>"),
            widgets.HBox([self._by, self._note], layout=widgets.Layout(align_items="center")),
            self._tiles,
            self._strategy,
            widgets.HBox([self._department, self._below, self._fragile]),
            self._view,
            self._rows,
            widgets.HBox([self._prev, self._page_label, self._next]),
            self._swap_panel,
            widgets.HBox([self._publish, self._status]),
            self._review,
        ]
        self.refresh()

    # -- the decision log -------------------------------------------------------------------------------

    def _refuse_if_read_only(self) -> None:
        if self.read_only is not None:
            raise ReadOnlyError(f"not recorded: decisions cannot be saved here: {self.read_only}")

    def _read_log(self) -> pd.DataFrame:
        with decisions_lock(self.folder, shared=True):
            return read_decisions(self.folder)

    def _check(self, log: pd.DataFrame) -> None:
        """Raise InfeasibleError if ``log`` contradicts itself or leaves no pair possible."""
        self._base.with_decisions(log).check_feasible()

    def decide(self, action: str, mentor_id: str, mentee_id: str, *, note: str = "") -> dict[str, str]:
        """Record a decision in ``decisions.csv`` now, re-read the whole log (a colleague's decisions included) and
        re-solve. Returns the row written.

        Raises
        ------
        InfeasibleError
            For a lock or forbid the log cannot take (nothing is written); undoing is always recorded.
        """
        self._refuse_if_read_only()
        refusable = action in ("lock", "forbid")
        checked: dict[str, Any] = {}

        def check(log: pd.DataFrame) -> None:
            # the log as it will be, read under the lock (a colleague's decisions in it): solved from here on, with
            # no second read; an undo is recorded even while the log still contradicts itself
            checked["log"], checked["problem"] = log, None
            try:
                checked["problem"] = self._base.with_decisions(log)
                if refusable:
                    checked["problem"].check_feasible()
            except InfeasibleError:
                if refusable:
                    raise

        by, note = self.decided_by(), note or self._note.value.strip()
        try:
            row = append_decision(self.folder, action, mentor_id, mentee_id, by=by, note=note, check=check)
        except InfeasibleError as exc:
            self.reload()  # show what the log holds now (a colleague's decisions too), then say why
            self.refresh()
            taken = self.standing[(self.standing["action"] == "lock") & (self.standing["mentee_id"] == mentee_id)
                                  & (self.standing["mentor_id"] != mentor_id)]
            if action == "lock" and len(taken):
                other = taken["mentor_id"].iloc[0]
                raise InfeasibleError(f"not recorded: {self.names.get(mentee_id, mentee_id)} is already locked with "
                                      f"{self.names.get(other, other)}; unlock that pair first") from None
            raise InfeasibleError(f"not recorded: {exc}") from None
        self.standing = standing_decisions(checked["log"])
        self.swaps, self.swap_for = [], None
        if checked["problem"] is None:
            self._solve(checked["log"])
        else:
            self.problem = checked["problem"]
            self._solve()
        self.message = f"{action} {self.names.get(mentor_id, mentor_id)} → {self.names.get(mentee_id, mentee_id)} recorded"
        self._note.value = ""
        self.refresh()
        return row

    def reload(self) -> None:
        """Re-read the decision log from disk and re-solve (keeping the strategy)."""
        log = self._read_log()
        self.standing = standing_decisions(log)
        self.swaps, self.swap_for = [], None
        self._solve(log)

    def _solve(self, log: pd.DataFrame | None = None) -> None:
        try:
            if log is not None:
                self.problem = self._base  # stays the problem without decisions if the log contradicts itself
                self.problem = self._base.with_decisions(log)
            # from the last proposal when it provably stays optimal (a lock of a proposed pair): no solve
            self.result, self.problem_error = self.problem.solve(self.strategy, previous=self.result), ""
        except InfeasibleError as exc:
            self.result, self.problem_error = None, str(exc)

    def lock(self, mentor_id: str, mentee_id: str) -> dict[str, str]:
        return self.decide("lock", mentor_id, mentee_id)

    def unlock(self, mentor_id: str, mentee_id: str) -> dict[str, str]:
        return self.decide("unlock", mentor_id, mentee_id)

    def forbid(self, mentor_id: str, mentee_id: str) -> dict[str, str]:
        return self.decide("forbid", mentor_id, mentee_id)

    def unforbid(self, mentor_id: str, mentee_id: str) -> dict[str, str]:
        return self.decide("unforbid", mentor_id, mentee_id)

    def suggest(self, mentor_id: str, mentee_id: str, *, limit: int = 3) -> list[SwapSuggestion]:
        """Show the best re-pairings of a pair that looks off (nothing is recorded until one is applied)."""
        self.swaps = suggest_swaps(self.result, mentor_id, mentee_id, limit=limit)
        self.swap_for = (mentor_id, mentee_id)
        self._draw_swaps()
        return self.swaps

    def apply_swap(self, suggestion: SwapSuggestion) -> None:
        """Apply a swap: forbid the pair that looked off and lock the new pairs, each logged as a decision."""
        self._refuse_if_read_only()
        if self.swap_for is None:
            raise ValueError("no swap was asked for")
        mentor_id, mentee_id = self.swap_for
        by, why = self.decided_by(), self._note.value.strip()
        append_decision(self.folder, "forbid", mentor_id, mentee_id, by=by, note="; ".join(filter(None, ["swapped", why])))
        try:
            for new_mentor, new_mentee, _ in suggestion.add:  # refused if a colleague locked one of them meanwhile
                append_decision(self.folder, "lock", new_mentor, new_mentee, by=by,
                                note="; ".join(filter(None, ["from a swap", why])), check=self._check)
        except InfeasibleError as exc:
            self.reload()
            self.refresh()
            raise InfeasibleError(f"the swap was only partly recorded (the old pair is forbidden): {exc}") from None
        self.reload()
        self._note.value = ""
        self.message = f"swap applied: {suggestion.description}"
        self.refresh()

    def publish(self, *, note: str = "") -> Publication:
        """Publish the pairs shown as the cohort's ``pairs.csv`` (atomically, keeping the earlier one): the
        board's **Confirm** after :meth:`review_publish`."""
        self._refuse_if_read_only()
        if self.result is None:
            raise InfeasibleError(f"nothing to publish: {self.problem_error}")
        note = "; ".join(filter(None, [note or self._note.value.strip(), f"{self.strategy} strategy, from the pairing board"]))
        publication = publish_pairs(self.folder, self.result.pairs_table(), by=self.decided_by(), note=note)
        self._cancel_publish()
        kept = f"; the earlier version is kept as {publication.history_path.name}" if publication.history_path else ""
        self.message = f"published {len(self.result.pairs)} pairs to {publication.pairs_path.name}{kept}"
        self.refresh()
        return publication

    # -- filters and views ------------------------------------------------------------------------------

    def set_strategy(self, strategy: str) -> None:
        if strategy not in STRATEGIES:
            raise ValueError(f"unknown strategy {strategy!r}; allowed: {', '.join(STRATEGIES)}")
        self.strategy, self.page = strategy, 0
        self.swaps, self.swap_for = [], None
        self._solve()
        if self._strategy.value != strategy:
            self._strategy.value = strategy
        self.refresh()

    def set_department(self, department: str) -> None:
        self.department, self.page = department, 0
        self.refresh()

    def set_below_only(self, below: bool) -> None:
        self.below_only, self.page = bool(below), 0
        self.refresh()

    def set_view(self, view: str) -> None:
        if view not in VIEWS:
            raise ValueError(f"unknown view {view!r}; allowed: {', '.join(VIEWS)}")
        self.view, self.page = view, 0
        self.refresh()

    def turn_page(self, step: int) -> None:
        last = max(0, (len(self.visible()) - 1) // self.page_size)
        self.page = min(last, max(0, self.page + step))
        self.refresh()

    def visible(self) -> pd.DataFrame:
        """The rows the filters let through: pairs (lowest scores first), the unmatched, or the standing decisions
        (locks first, then forbids, latest first)."""
        if self.view == "decisions":
            table = self.standing.sort_values(["action", "at"], ascending=[False, False], kind="stable")
            if self.department != "all":
                keep = (table["mentor_id"].map(self.departments) == self.department) | (table["mentee_id"].map(self.departments) == self.department)
                table = table[keep]
            return table.reset_index(drop=True)
        if self.result is None:
            return pd.DataFrame()
        if self.view == "unmatched":
            table = self.result.unmatched
            if self.department != "all":
                table = table[table["person_id"].map(self.departments) == self.department]
            return table
        # the pairs without their words (quick at any size); a page is explained when it is drawn
        table = self._fragile_order(self.result.brief.sort_values(["locked", "score"], ascending=[False, True], kind="stable"))
        if self.department != "all":
            keep = (table["mentor_id"].map(self.departments) == self.department) | (table["mentee_id"].map(self.departments) == self.department)
            table = table[keep]
        if self.below_only:
            table = table[table["below_threshold"]]
        return table

    # -- drawing ----------------------------------------------------------------------------------------

    def draw(self) -> None:
        mentees = len(self.problem.mentees)
        forbids = int((self.standing["action"] == "forbid").sum())
        if self.result is None:
            self._tiles.value = '<div class="rmkit-tiles">' + "".join([
                tile(f"of {mentees} mentees paired", 0, "at risk"),
                tile("locks in force", int((self.standing["action"] == "lock").sum())),
                tile("forbids in force", forbids),
            ]) + "</div>"
        else:
            summary = self.result.summary()
            self._tiles.value = '<div class="rmkit-tiles">' + "".join([
                tile(f"of {mentees} mentees paired", summary["matched"], "on track" if summary["matched"] == mentees else "needs check-in"),
                tile("mean compatibility", f"{summary['mean']:.2f}"),
                tile("worst pair", f"{summary['worst']:.2f}", "at risk" if summary["below_threshold"] else None),
                tile("locked pairs", int(self.result.brief["locked"].sum())),
                tile("unmatched people", len(self.result.unmatched)),
            ]) + "</div>"
        rows = self.visible()
        page = rows.iloc[self.page * self.page_size:(self.page + 1) * self.page_size]
        if self.view == "pairs" and len(page):
            page = self._with_words(page)
        records = list(page.itertuples())
        with_rows = self.view in ("pairs", "decisions")
        shown = [records[k] if with_rows and k < len(records) else None for k in range(len(self._pair_rows))]
        # Rows that change pair lose their old pair's class first (the browser applies updates in order), so no
        # two rows ever carry the same pair's class, even for a moment.
        for k, r in enumerate(shown):
            if self._bound[k] is not None and (r is None or self._bound[k] != (r.mentor_id, r.mentee_id)):
                self._set_classes(self._pair_rows[k], hidden="rmkit-hidden" in self._pair_rows[k]._dom_classes)
        for k, r in enumerate(shown):
            self._show_pair(k, r)
        self._show_unmatched(records if self.view == "unmatched" else [])
        self._set_classes(self._empty, hidden=not page.empty)
        pages = max(1, -(-len(rows) // self.page_size))
        noun = {"pairs": "pairs", "unmatched": "people", "decisions": "decisions in force"}[self.view]
        self._page_label.value = f"page {self.page + 1} of {pages} · {len(rows)} {noun}"
        self._prev.disabled = self.page == 0
        self._next.disabled = self.page >= pages - 1
        self._publish.disabled = self.result is None or self.read_only is not None
        if self.read_only is not None:
            self._status.value = read_only_notice(self.read_only, "" if self.result else self.problem_error)
        elif self.result is None:
            undo = " Undo a lock or a forbid under “decisions (undo)”." if len(self.standing) else ""
            self._status.value = (f'<div class="rmkit-error" style="white-space:pre-line;font-size:18px;line-height:1.4">No pairing is possible: '
                                  f"{esc(self.problem_error)}</div><div style='font-size:18px'>{undo}</div>")
        else:
            self._status.value = f'<span class="rmkit-ok" style="font-size:18px">{esc(self.message)}</span>' if self.message else ""
        self._draw_swaps()

    def _guarded(self, action: Callable[[], Any]) -> Callable[[Any], None]:
        """A click handler that shows a refused action (a contradicting lock, swapping a locked pair, publishing
        nothing) on the board instead of raising where no one sees it."""

        def click(_: Any) -> None:
            try:
                action()
            except (RmkitError, ValueError) as exc:
                self.message = ""
                self._status.value = f'<span class="rmkit-error" style="white-space:pre-line;font-size:18px;line-height:1.4">{esc(exc)}</span>'

        return click

    def _button(self, label: str, action: Callable[[], Any], style: str = "") -> widgets.Button:
        button = widgets.Button(description=label, button_style=style, layout=self._button_layout, style=self._button_style)
        button.on_click(self._guarded(action))
        return button

    def _new_pair_row(self, k: int) -> widgets.HBox:
        text = widgets.HTML(layout=self._text_layout, style=self._html_style)
        buttons = [self._button("Lock", lambda k=k: self._row_action(k, "lock"), "info"),
                   self._button("Forbid", lambda k=k: self._row_action(k, "forbid"), "danger"),
                   self._button("Swap…", lambda k=k: self._row_action(k, "swap"))]
        row = widgets.HBox([text, widgets.HBox(buttons, layout=self._buttons_layout)], layout=self._row_layout)
        row.add_class("rmkit-pair")
        return row

    @staticmethod
    def _set_classes(widget: widgets.DOMWidget, *, hidden: bool, pair: tuple[str, str] | None = None) -> None:
        """Show or hide a pooled widget (with a CSS class: its layout is shared with other rows) and name the pair it
        shows, in one update: the browser never sees a row without its pair class or half re-bound."""
        keep = [c for c in widget._dom_classes if c != "rmkit-hidden" and not c.startswith("rmkit-pair-")]
        classes = [*keep, *(["rmkit-hidden"] if hidden else []), *([f"rmkit-pair-{pair[0]}-{pair[1]}"] if pair else [])]
        if list(widget._dom_classes) != classes:
            widget._dom_classes = tuple(classes)

    def _row_action(self, k: int, action: str) -> None:
        bound = self._bound[k]
        if bound is None:
            return
        mentor, mentee = bound
        label = self._pair_rows[k].children[1].children[0].description
        if action == "lock":
            {"Unlock": self.unlock, "Unforbid": self.unforbid}.get(label, self.lock)(mentor, mentee)
        elif action == "forbid":
            self.forbid(mentor, mentee)
        else:
            self.suggest(mentor, mentee)

    def _show_pair(self, k: int, r: Any | None) -> None:
        row = self._pair_rows[k]
        if r is None:
            self._bound[k] = None
            self._set_classes(row, hidden=True)
            return
        m, e = r.mentor_id, r.mentee_id
        self._bound[k] = (m, e)
        lock, forbid, swap = row.children[1].children
        for button in (forbid, swap):
            self._set_classes(button, hidden=self.view == "decisions")
        if self.view == "decisions":
            self._show_decision(row, r)
            self._set_classes(row, hidden=False, pair=(m, e))
            return
        lock_label = '<span class="rmkit-badge" style="color:#8a5a00;background:#fdebc8">locked</span> ' if r.locked else ""
        row.children[0].value = (
            f"<div style='font-size:19px'><b>{esc(self.names[m])}</b> → <b>{esc(self.names[e])}</b> "
            f"&nbsp; {score_bar(r.score)} {lock_label}{self._robustness_badge(r)}{self._ranks_badge(r)}<span class='rmkit-muted'>"
            f"{esc(self.departments.get(m) or '')} / {esc(self.departments.get(e) or '')}</span></div>"
            f"<div class='rmkit-muted' style='font-size:16px'>{esc(r.reasons)}</div>")
        with lock.hold_sync():  # one message per widget, not one per attribute
            lock.description = "Unlock" if r.locked else "Lock"
            lock.button_style = "warning" if r.locked else "info"
        swap.disabled = bool(r.locked) or self.read_only is not None  # a locked pair stays; unlock it first
        lock.disabled = forbid.disabled = self.read_only is not None
        self._set_classes(row, hidden=False, pair=(m, e))

    def _show_decision(self, row: widgets.HBox, r: Any) -> None:
        """A standing lock or forbid, with the button that undoes it."""
        m, e = r.mentor_id, r.mentee_id
        locked = r.action == "lock"
        badge = ('<span class="rmkit-badge" style="color:#8a5a00;background:#fdebc8">locked</span>' if locked else
                 '<span class="rmkit-badge" style="color:#ffffff;background:#b23b00">forbidden</span>')
        when = f"{r.at:%d %b %Y %H:%M} UTC" if isinstance(r.at, pd.Timestamp) and not pd.isna(r.at) else "no time recorded"
        who = f" by {r.by}" if isinstance(r.by, str) and r.by else ""
        note = f" · {r.note}" if isinstance(r.note, str) and r.note else ""
        row.children[0].value = (
            f"<div style='font-size:19px'><b>{esc(self.names.get(m, m))}</b> → <b>{esc(self.names.get(e, e))}</b> &nbsp; {badge}</div>"
            f"<div class='rmkit-muted' style='font-size:16px'>{esc(when + who + note)}</div>")
        lock = row.children[1].children[0]
        with lock.hold_sync():
            lock.description = "Unlock" if locked else "Unforbid"
            lock.button_style = "warning"
            lock.disabled = self.read_only is not None

    def _show_unmatched(self, records: list[Any]) -> None:
        self._set_classes(self._unmatched, hidden=not records)
        self._unmatched.value = "".join(
            f"<div class='rmkit-unmatched' style='border-bottom:1px solid #cfcfcf;padding:6px 0'>"
            f"<div style='font-size:19px'><b>{esc(self.names.get(r.person_id, r.person_id))}</b> "
            f"<span class='rmkit-muted'>({esc(r.role)}, {esc(self.departments.get(r.person_id) or 'no department')})</span></div>"
            f"<div style='font-size:16px'>{esc(r.reason)}</div></div>" for r in records)
