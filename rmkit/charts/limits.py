"""What a chart can draw, and what it says when it draws less than its data.

A chart embeds its rows in its spec (and in the SVG or the page that shows it): altair refuses more than
:data:`MAX_ROWS` rows (``MaxRowsError``), and a chart of 14,000 meetings or 2,000 pairs is unreadable long before
that. rmkit's charts therefore reduce big data in pandas first, in one of two ways:

- **exactly**, when the chart shows an aggregate anyway (a histogram is counts per bin: the bins are counted here
  instead of in the browser); nothing is lost and nothing needs saying;
- **visibly**, when rows must be left out or merged (the most urgent pairs of a timeline, a survival curve drawn at
  evenly spaced times, the smallest cost lines summed as "other"): the chart then carries a note **under** it
  (:func:`with_note`) that says what is shown and where the rest is, in the SVG of the report as on a board.

Rather than raising altair's limit globally (which would embed megabytes of rows into every report), each chart
keeps its own data small; ``tests/charts`` checks every chart at 20,000 rows.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

__all__ = ["MAX_ROWS", "with_note", "count_bins", "step_curve_at", "note_of"]

MAX_ROWS = 5000  # altair's default limit (alt.data_transformers "default", max_rows)
NOTE_COLOR = "#444444"


def with_note(chart: alt.TopLevelMixin, note: str | None, *, width: int = 560) -> alt.TopLevelMixin:
    """``chart`` with a line of text under it (the chart unchanged when ``note`` is empty).

    The note is a text mark of its own view, below the chart, so it is part of the SVG saved for the report and of
    the interactive chart on a board. :func:`note_of` reads it back from the spec (for tests and callers).
    """
    if not note:
        return chart
    text = (
        alt.Chart(pd.DataFrame({"note": [note]}))
        .mark_text(align="left", baseline="top", fontSize=14, fontStyle="italic", color=NOTE_COLOR, limit=width * 2)
        .encode(x=alt.value(0), y=alt.value(0), text="note:N")
        .properties(width=width, height=20, view=alt.ViewConfig(stroke=None))
    )
    return alt.vconcat(chart, text, spacing=8).properties(usermeta={"rmkit_note": note})


def note_of(chart: alt.TopLevelMixin) -> str | None:
    """The note :func:`with_note` put under ``chart``, if any."""
    usermeta = chart.to_dict().get("usermeta") or {}
    return usermeta.get("rmkit_note")


def count_bins(values: pd.Series, *, step: float, start: float | None = None, stop: float | None = None,
               by: pd.Series | None = None) -> pd.DataFrame:
    """Counts per bin of width ``step``: ``bin_start``, ``bin_end``, ``count`` (and ``by``'s column when given),
    non-empty bins only, as Vega-Lite's ``bin`` counts them: a bin holds ``[bin_start, bin_end)``; with ``stop``,
    the last bin also holds ``stop``. Bins start at ``start`` (default: the smallest value rounded down to a
    multiple of ``step``).

    Examples
    --------
    >>> count_bins(pd.Series([0.0, 0.04, 0.05, 1.0]), step=0.05, start=0, stop=1)
       bin_start  bin_end  count
    0       0.00     0.05      2
    1       0.05     0.10      1
    2       0.95     1.00      1
    """
    ok = values.notna().to_numpy()
    x = values[ok].astype(float).to_numpy()
    if start is None:
        start = float(np.floor(x.min() / step) * step) if len(x) else 0.0
    index = np.floor(np.round((x - start) / step, 9)).astype(np.int64)
    if stop is not None:
        index = np.minimum(index, max(0, int(np.ceil(round((stop - start) / step, 9))) - 1))
    name = (by.name or "group") if by is not None else None
    frame = pd.DataFrame({"bin": index} | ({name: by[ok].astype(str).to_numpy()} if by is not None else {}))
    counted = frame.groupby(["bin"] + ([name] if name else []), sort=True).size().rename("count").reset_index()
    bin_start = np.round(start + step * counted["bin"].to_numpy(), 10)
    counted.insert(0, "bin_start", bin_start)
    counted.insert(1, "bin_end", np.round(bin_start + step, 10))
    return counted.drop(columns="bin")


def step_curve_at(curve: pd.DataFrame, x: str, columns: list[str], points: int) -> pd.DataFrame:
    """A right-continuous step curve (``x`` sorted, ``columns`` its values) read at ``points`` evenly spaced
    values of ``x`` from its first to its last, keeping its last row: the curve a ``step-after`` line draws, at a
    resolution of (range / points)."""
    curve = curve.sort_values(x)
    grid = np.round(np.linspace(float(curve[x].iloc[0]), float(curve[x].iloc[-1]), points), 4)
    where = np.searchsorted(curve[x].to_numpy(dtype=float), grid, side="right") - 1
    out = curve.iloc[np.clip(where, 0, len(curve) - 1)][columns].reset_index(drop=True)
    out.insert(0, x, grid)
    return out
