"""Projector-friendly look shared by the boards: large type, strong contrast, status colours with words."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

__all__ = ["CSS", "badge", "score_bar", "html_table", "esc", "tile", "read_only_notice"]

STATUS_COLORS = {"on track": "#00704f", "needs check-in": "#8a5a00", "at risk": "#b23b00"}
STATUS_BACKGROUNDS = {"on track": "#d9f2e6", "needs check-in": "#fdebc8", "at risk": "#fbd9cc"}

CSS = """
<style>
.rmkit-board { font-size: 18px; line-height: 1.45; color: #111; max-width: 1400px; }
.rmkit-board h2 { font-size: 28px; margin: 8px 0 12px; }
.rmkit-board h3 { font-size: 22px; margin: 12px 0 8px; }
.rmkit-board .widget-button, .rmkit-board .widget-toggle-button { font-size: 17px; height: 38px; }
.rmkit-board .widget-dropdown select, .rmkit-board .widget-text input { font-size: 17px; height: 36px; }
.rmkit-board .widget-label, .rmkit-board .widget-readout, .rmkit-board .widget-checkbox label { font-size: 17px; }
.rmkit-board .lm-TabBar-tab, .rmkit-board .p-TabBar-tab { font-size: 17px; min-height: 34px; line-height: 32px;
  flex: 0 0 auto !important; max-width: none !important; padding: 0 12px; }  /* whole labels, never cut */
.rmkit-board .lm-TabBar-content, .rmkit-board .p-TabBar-content { flex-wrap: wrap; }  /* a second row, not a cut */
.rmkit-table { border-collapse: collapse; width: 100%; font-size: 18px; }
.rmkit-table th { text-align: left; background: #1f2937; color: #fff; padding: 8px 10px; }
.rmkit-table td { padding: 8px 10px; border-bottom: 1px solid #cfcfcf; vertical-align: top; }
.rmkit-table tr:nth-child(even) td { background: #f6f6f6; }
.rmkit-badge { display: inline-block; padding: 2px 10px; border-radius: 12px; font-weight: bold; white-space: nowrap; }
.rmkit-bar { display: inline-block; width: 120px; height: 16px; background: #e5e5e5; border-radius: 3px; vertical-align: middle; }
.rmkit-bar > span { display: block; height: 16px; border-radius: 3px; }
.rmkit-tiles { display: flex; gap: 14px; flex-wrap: wrap; margin: 6px 0 12px; }
.rmkit-tile { padding: 10px 18px; border-radius: 8px; min-width: 170px; font-size: 17px; }
.rmkit-tile b { font-size: 34px; display: block; }
.rmkit-muted { color: #4b4b4b; }
.rmkit-hidden { display: none !important; }
.rmkit-error { color: #b23b00; font-weight: bold; }
.rmkit-ok { color: #00704f; font-weight: bold; }
</style>
"""


def esc(value: object) -> str:
    """HTML-escape any value (every cell shown comes from user files)."""
    if value is None:
        return ""
    return html.escape(str(value))


def badge(status: str) -> str:
    """A coloured status label that also says the status in words (colour is never the only signal)."""
    color = STATUS_COLORS.get(status, "#333")
    background = STATUS_BACKGROUNDS.get(status, "#eee")
    return f'<span class="rmkit-badge" style="color:{color};background:{background}">{esc(status)}</span>'


def score_bar(score: float | None) -> str:
    """A 0–1 score as a bar with its value."""
    if score is None or score != score:
        return '<span class="rmkit-muted">–</span>'
    width = max(0.0, min(1.0, float(score))) * 100
    color = "#0072B2" if score >= 0.5 else ("#E69F00" if score >= 0.3 else "#D55E00")
    return f'<span class="rmkit-bar"><span style="width:{width:.0f}%;background:{color}"></span></span> {score:.2f}'


def tile(label: str, value: object, status: str | None = None) -> str:
    color = STATUS_COLORS.get(status or "", "#111")
    background = STATUS_BACKGROUNDS.get(status or "", "#eef2f7")
    return f'<div class="rmkit-tile" style="background:{background};color:{color}"><b>{esc(value)}</b>{esc(label)}</div>'


def html_table(header: Sequence[str], rows: Iterable[Sequence[str]], *, raw: bool = True) -> str:
    """A table; cells are trusted HTML when ``raw`` (build them with :func:`esc`), escaped otherwise."""
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c if raw else esc(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="rmkit-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def read_only_notice(reason: str, problem: str = "") -> str:
    """What a board says when its cohort folder cannot be written (and, if so, why no pairing is possible)."""
    text = (f'<div class="rmkit-error rmkit-read-only" style="font-size:18px;line-height:1.4">Decisions cannot be '
            f"saved here: {esc(reason)}.</div><div style='font-size:18px'>The board shows the proposal; to lock, "
            "forbid, swap or publish, open a copy of the cohort in a folder you can write to.</div>")
    if problem:
        text += f"<div class='rmkit-error' style='white-space:pre-line;font-size:18px'>No pairing is possible: {esc(problem)}</div>"
    return text
