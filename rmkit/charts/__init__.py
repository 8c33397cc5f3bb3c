"""Charts: one function per chart, a tidy DataFrame in, an ``alt.Chart`` out, one registered theme.

The ``rmkit`` theme is made for a projector: large type, strong contrast, a colour-blind-safe palette (Okabe–Ito).
Charts render **offline** everywhere: in the dashboards as interactive ``alt.JupyterChart``
(its JavaScript ships with anywidget, no CDN), elsewhere — papermill runs, reports, JupyterLab — as static SVG made by
vl-convert, so executed notebooks and the HTML report show them with no network. :func:`show` picks the right one.

Modules: :mod:`~rmkit.charts.theme` (the theme and offline rendering), :mod:`~rmkit.charts.participation`
(intake, pairing, check-ins), :mod:`~rmkit.charts.evidence` (evaluation) with
:mod:`~rmkit.charts.wave_effects` (the change at each wave), :mod:`~rmkit.charts.forest` (pooled
cohorts), :mod:`~rmkit.charts.power_curve` (power by simulation) and :mod:`~rmkit.charts.limits` (what a chart can
draw: big data reduced in pandas first, and a note under
the chart saying what it left out); every chart is also here, as ``rmkit.charts.<name>``. Altair is imported lazily
(it costs ~2 s): importing :mod:`rmkit` never imports it; this
package does.

Import rule: charts import :mod:`rmkit.cohort` (to write files) and :mod:`rmkit.resources` only; the core never
imports charts.

Examples
--------
>>> import pandas as pd
>>> chart = health_chart(pd.DataFrame({"status": ["on track", "at risk"], "pairs": [30, 5]}))
>>> spec = chart.to_dict()
>>> spec["mark"]["type"], spec["encoding"]["y"]["field"]
('bar', 'status')
"""

from __future__ import annotations

from ..resources import in_dashboard
from .evidence import change_chart, retention_chart, roi_chart, waves_chart
from .participation import (
    composition_chart,
    health_chart,
    pulse_trend_chart,
    score_distribution_chart,
    strategy_comparison_chart,
    supply_demand_chart,
    tenure_chart,
    timeline_chart,
)
from .theme import PALETTE, ROLE_COLORS, STATUS_COLORS, THEME, save_svg, show, theme_config, to_svg
from .wave_effects import wave_effects_chart

__all__ = [
    "THEME",
    "PALETTE",
    "STATUS_COLORS",
    "ROLE_COLORS",
    "theme_config",
    "show",
    "to_svg",
    "save_svg",
    "in_dashboard",
    "composition_chart",
    "tenure_chart",
    "supply_demand_chart",
    "health_chart",
    "timeline_chart",
    "pulse_trend_chart",
    "score_distribution_chart",
    "strategy_comparison_chart",
    "waves_chart",
    "change_chart",
    "retention_chart",
    "roi_chart",
    "wave_effects_chart",
]
