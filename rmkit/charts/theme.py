"""The ``rmkit`` chart theme and offline rendering: static SVG through vl-convert, or an interactive
``alt.JupyterChart`` in a dashboard (:func:`show` picks the right one).

The ``rmkit`` theme is made for a projector: large type, strong contrast, a colour-blind-safe palette (Okabe–Ito).
Charts render **offline** everywhere: in the dashboards as interactive ``alt.JupyterChart`` (its JavaScript ships
with anywidget, no CDN), elsewhere — papermill runs, reports, JupyterLab — as static SVG made by vl-convert, so
executed notebooks and the HTML report show them with no network. Altair's default renderer would load Vega from a
CDN, which fails offline and at a workshop without internet.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import altair as alt

from ..resources import in_dashboard

__all__ = ["THEME", "PALETTE", "STATUS_COLORS", "ROLE_COLORS", "theme_config", "show", "to_svg", "save_svg"]

THEME = "rmkit"
# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision deficiency.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
STATUS_COLORS = {"on track": "#009E73", "needs check-in": "#E69F00", "at risk": "#D55E00"}
ROLE_COLORS = {"mentor": "#0072B2", "mentee": "#E69F00"}
_FONT = "Helvetica Neue, Helvetica, Arial, sans-serif"


def theme_config() -> dict[str, Any]:
    """The ``rmkit`` theme: readable from the back of a workshop room."""
    return {
        "config": {
            "font": _FONT,
            "background": "#ffffff",
            "view": {"continuousWidth": 560, "continuousHeight": 320, "stroke": None},
            "title": {"fontSize": 22, "fontWeight": "bold", "anchor": "start", "color": "#111111", "offset": 12},
            "axis": {
                "labelFontSize": 15, "titleFontSize": 16, "titleFontWeight": "bold", "labelColor": "#222222",
                "titleColor": "#111111", "gridColor": "#d9d9d9", "domainColor": "#444444", "tickColor": "#444444",
                "labelLimit": 420,
            },
            "legend": {"labelFontSize": 15, "titleFontSize": 16, "symbolSize": 180, "labelLimit": 420},
            "header": {"labelFontSize": 16, "titleFontSize": 17},
            "range": {"category": PALETTE},
            "bar": {"cornerRadiusEnd": 2},
            "line": {"strokeWidth": 3},
            "point": {"size": 90, "filled": True},
            "text": {"fontSize": 15},
        }
    }


@alt.theme.register(THEME, enable=True)
def _rmkit_theme() -> alt.theme.ThemeConfig:
    return theme_config()  # type: ignore[return-value]


# --------------------------------------------------------------------------------------------- rendering


def to_svg(chart: alt.TopLevelMixin) -> str:
    """Render a chart to SVG offline with vl-convert."""
    import vl_convert as vlc

    return vlc.vegalite_to_svg(chart.to_dict())


def save_svg(chart: alt.TopLevelMixin, path: str | os.PathLike[str]) -> Path:
    """Write a chart as a static SVG file (for reports and slides)."""
    from ..cohort.tables import atomic_write

    path = Path(path)
    with atomic_write(path, "w", encoding="utf-8") as handle:
        handle.write(to_svg(chart))
    return path


_offline_ready = False


def show(chart: alt.TopLevelMixin, *, interactive: bool | None = None) -> None:
    """Display a chart offline: interactive in a dashboard, static SVG elsewhere (papermill, reports, JupyterLab).

    Returns nothing, so that ``charts.show(chart)`` as the last line of a cell draws the chart once (a returned
    object would be displayed a second time). Use :func:`to_svg` or ``alt.JupyterChart(chart)`` to keep one.
    """
    global _offline_ready
    from IPython.display import SVG, display

    if interactive is None:
        interactive = in_dashboard()
    if interactive:
        if not _offline_ready:
            alt.JupyterChart.enable_offline()
            _offline_ready = True
        display(alt.JupyterChart(chart, embed_options={"renderer": "svg", "actions": False}))  # SVG: testable, crisp
        return
    display(SVG(to_svg(chart)))
