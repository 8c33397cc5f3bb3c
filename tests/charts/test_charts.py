"""Charts are asserted on their spec (as altair's own tests do), and render offline to SVG."""

from __future__ import annotations

import altair as alt
import pandas as pd
import pytest

from rmkit import charts


def test_theme_is_registered_and_enabled() -> None:
    assert alt.theme.active == charts.THEME
    config = charts.theme_config()["config"]
    assert config["axis"]["labelFontSize"] >= 14 and config["title"]["fontSize"] >= 20  # readable on a projector
    assert config["range"]["category"] == charts.PALETTE


CASES = {
    "composition_chart": pd.DataFrame({"attribute": ["department"] * 2, "value": ["IT", "HR"], "role": ["mentor", "mentee"], "n": [3, 2]}),
    "supply_demand_chart": pd.DataFrame({"skill": ["AI tools"], "direction": ["digital"], "wanted_by": [5], "offered_by": [2]}),
    "health_chart": pd.DataFrame({"status": ["on track", "needs check-in", "at risk"], "pairs": [20, 3, 2]}),
    "score_distribution_chart": pd.DataFrame({"score": [0.2, 0.5, 0.8]}),
    "strategy_comparison_chart": pd.DataFrame({"strategy": ["optimal", "fair"], "mean": [0.6, 0.55], "worst": [0.1, 0.3], "matched": [10, 10]}),
    "timeline_chart": pd.DataFrame({"pair": ["m1 → e1"], "date": pd.to_datetime(["2026-01-05"]), "pulse": [4], "status": ["on track"], "status_rank": [2]}),
    "pulse_trend_chart": pd.DataFrame({"period": pd.to_datetime(["2026-01-01"]), "mean": [4.0], "low": [3.5], "high": [4.5], "n": [8]}),
    "waves_chart": pd.DataFrame({"scale": ["Collaboration"] * 2, "wave": ["baseline", "month6"], "value": [3.2, 3.8], "ci_low": [3.0, 3.6], "ci_high": [3.4, 4.0], "group": ["all"] * 2, "n": [20, 18]}),
    "change_chart": pd.DataFrame({"scale": ["Collaboration"], "group": ["all"], "mean_change": [0.5], "ci_low": [0.2], "ci_high": [0.8], "target": [0.3]}),
    "retention_chart": pd.DataFrame({"group": ["participant"] * 2, "months": [0, 12], "survival": [100, 92], "ci_low": [100, 85], "ci_high": [100, 97]}),
    "roi_chart": pd.DataFrame({"kind": ["cost", "benefit"], "item": ["time", "training avoided"], "amount": [1000, 1500]}),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_chart_builds_a_valid_spec_and_renders_offline(name: str) -> None:
    chart = getattr(charts, name)(CASES[name])
    spec = chart.to_dict()  # validates against the Vega-Lite schema
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    svg = charts.to_svg(chart)
    assert svg.lstrip().startswith("<svg") and "http://" not in svg.replace("http://www.w3.org", "")


def test_health_chart_uses_the_status_colours() -> None:
    spec = charts.health_chart(CASES["health_chart"]).to_dict()
    scale = spec["encoding"]["color"]["scale"]
    assert dict(zip(scale["domain"], scale["range"], strict=True)) == charts.STATUS_COLORS


def test_score_distribution_marks_the_threshold() -> None:
    spec = charts.score_distribution_chart(CASES["score_distribution_chart"], threshold=0.3).to_dict()
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["bar", "rule"]


def test_suppressed_waves_are_not_drawn() -> None:
    waves = CASES["waves_chart"].copy()
    waves.loc[1, ["value", "ci_low", "ci_high"]] = None
    spec = charts.waves_chart(waves).to_dict()
    values = next(iter(spec["datasets"].values()))
    assert [row["wave"] for row in values] == ["baseline"]


def test_show_is_static_svg_outside_dashboards(monkeypatch) -> None:
    monkeypatch.delenv("RMKIT_DASHBOARD", raising=False)
    monkeypatch.delenv("VOILA_APP_PORT", raising=False)
    shown = charts.show(charts.health_chart(CASES["health_chart"]))
    assert shown.data.lstrip().startswith("<svg")


def test_show_is_an_offline_widget_in_dashboards(monkeypatch) -> None:
    monkeypatch.setenv("RMKIT_DASHBOARD", "1")
    widget = charts.show(charts.health_chart(CASES["health_chart"]))
    assert isinstance(widget, alt.JupyterChart)
