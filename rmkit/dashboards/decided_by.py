"""Who decides and what publishing changes: the pairing board's name field, which the browser remembers for its
session, and the summary shown before pairs are published.

Every page load of a Voilà board starts a new kernel, so the kernel cannot remember who sits at the browser. The
field is a small ``anywidget`` whose front end keeps the typed name in the page's ``sessionStorage`` (per browser
tab, kept across reloads, gone when the tab is closed) and sends it back to the kernel when the page opens again.
The name is recorded as ``by`` in ``decisions.csv`` (formula-neutralized there, like every cell); it is trimmed,
control characters are removed and it is cut at :data:`MAX_NAME` characters.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

import anywidget
import ipywidgets as widgets
import traitlets

from ..cohort.folder import read_published_pairs
from ..errors import InfeasibleError, UsageError
from ..pairing.published import PublishedChanges, compare_with_published

__all__ = ["DecidedBy", "DecisionsBy", "clean_name", "publish_review_html", "MAX_NAME", "STORAGE_KEY"]

MAX_NAME = 80
STORAGE_KEY = "rmkit-decided-by"

_ESM = """
const KEY = "STORAGE_KEY";
function render({ model, el }) {
  const label = document.createElement("label");
  label.className = "rmkit-decided-by";
  label.textContent = "Your name ";
  const input = document.createElement("input");
  input.type = "text";
  input.maxLength = MAX_NAME;
  input.placeholder = "recorded with each decision";
  input.setAttribute("aria-label", "Your name, recorded with each decision");
  label.appendChild(input);
  let stored = null;
  try { stored = window.sessionStorage.getItem(KEY); } catch (e) { stored = null; }
  if (stored && !model.get("value")) { model.set("value", stored); model.save_changes(); }
  input.value = model.get("value") || "";
  input.addEventListener("input", () => {
    model.set("value", input.value);
    model.save_changes();
    try { window.sessionStorage.setItem(KEY, input.value); } catch (e) { /* storage off: the kernel still has it */ }
  });
  model.on("change:value", () => { if (input.value !== model.get("value")) input.value = model.get("value"); });
  el.appendChild(label);
}
export default { render };
""".replace("STORAGE_KEY", STORAGE_KEY).replace("MAX_NAME", str(MAX_NAME))

_CSS = """
.rmkit-decided-by { font-size: 18px; font-weight: bold; }
.rmkit-decided-by input { font-size: 18px; padding: 4px 8px; width: 280px; margin-left: 6px; font-weight: normal; }
"""


def clean_name(text: str) -> str:
    """A name as recorded: control and format characters removed, spaces collapsed, at most ``MAX_NAME`` characters.

    Examples
    --------
    >>> clean_name("  Ana\\u0000  Silva\\u202e ")
    'Ana Silva'
    """
    kept = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    return " ".join(kept.split())[:MAX_NAME]


class DecidedBy(anywidget.AnyWidget):
    """The "Your name" field: ``value`` is what the facilitator typed (remembered by the browser tab)."""

    _esm = _ESM
    _css = _CSS
    value = traitlets.Unicode("").tag(sync=True)

    @property
    def name(self) -> str:
        """The cleaned name (empty when nothing was typed)."""
        return clean_name(self.value)


def publish_review_html(changes: PublishedChanges, names: Mapping[str, str], *, pairs: int, limit: int = 15) -> str:
    """What publishing would change, for the board's confirmation: the headline, then the running pairs that end and
    the new ones, by name (the facilitator's screen)."""
    from .style import esc

    def listing(title: str, frame: Any, colour: str) -> str:
        rows = list(frame.itertuples(index=False))
        items = "".join(f"<li>{esc(names.get(r.mentor_id, r.mentor_id))} → {esc(names.get(r.mentee_id, r.mentee_id))}</li>"
                        for r in rows[:limit])
        more = f"<li>… and {len(rows) - limit} more</li>" if len(rows) > limit else ""
        return f"<div style='flex:1 1 0'><b style='color:{colour}'>{esc(title)} ({len(rows)})</b><ul>{items}{more}</ul></div>"

    head = f"<h3>Publish {pairs} pairs?</h3><p style='font-size:18px'>{esc(changes.headline().capitalize())}.</p>"
    if changes.first_publication or changes.unchanged:
        return head
    warn = ("<p class='rmkit-error' style='font-size:18px'>This ends more than a quarter of the running pairs: "
            "tell the people whose pairs end before you publish.</p>" if changes.needs_replace else "")
    return (head + warn + "<div style='display:flex;gap:24px;font-size:16px'>"
            + listing("running pairs that end", changes.ended, "#b23b00") + listing("new pairs", changes.new, "#006e4f")
            + "</div>")


class DecisionsBy:
    """The pairing board's part about who decides and confirming a publication (a mixin: it uses the board's
    ``_by`` field, ``_review`` box, ``result``, ``folder``, ``names``, ``_button`` and ``publish``)."""

    def decided_by(self) -> str:
        """The name recorded with a decision (the "Your name" field).

        Raises
        ------
        UsageError
            When no name is typed: the click is refused, so that the log says who decided."""
        if not self._by.name:
            raise UsageError("not recorded: type your name in “Your name” first; every decision records who made it")
        return self._by.name

    def review_publish(self) -> PublishedChanges:
        """What **Publish pairs** does first: compare the pairs shown with the published ``pairs.csv`` as it is on
        disk now, and show the running pairs that would end and the new ones, by name, with **Confirm** and
        **Cancel**. Nothing is written until :meth:`publish` (the confirmation)."""
        if self.result is None:
            raise InfeasibleError(f"nothing to publish: {self.problem_error}")
        self.decided_by()  # refuse before the confirmation when no name is typed
        self.pending = compare_with_published(read_published_pairs(self.folder), self.result.pairs_table())
        confirm = self._button("Confirm", lambda: self.publish(), "success")
        confirm.layout = widgets.Layout(width="220px", height="44px")
        confirm.description = f"Confirm: publish {len(self.result.pairs)} pairs"
        self._review.children = (widgets.HTML(publish_review_html(self.pending, self.names, pairs=len(self.result.pairs))),
                                 widgets.HBox([confirm, self._button("Cancel", self._cancel_publish)]))
        self._review.add_class("rmkit-publish-review")
        return self.pending

    def _cancel_publish(self) -> None:
        self.pending, self._review.children, self._note.value = None, (), ""

