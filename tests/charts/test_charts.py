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


def displayed(monkeypatch) -> list:
    import IPython.display

    shown: list = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: shown.append(obj))
    return shown


def test_show_is_static_svg_outside_dashboards(monkeypatch) -> None:
    monkeypatch.delenv("RMKIT_DASHBOARD", raising=False)
    monkeypatch.delenv("VOILA_APP_PORT", raising=False)
    shown = displayed(monkeypatch)
    # returns nothing: as the last line of a cell, a returned SVG was drawn a second time
    assert charts.show(charts.health_chart(CASES["health_chart"])) is None
    assert len(shown) == 1 and shown[0].data.lstrip().startswith("<svg")


def test_show_is_an_offline_widget_in_dashboards(monkeypatch) -> None:
    monkeypatch.setenv("RMKIT_DASHBOARD", "1")
    shown = displayed(monkeypatch)
    assert charts.show(charts.health_chart(CASES["health_chart"])) is None
    assert len(shown) == 1 and isinstance(shown[0], alt.JupyterChart)


def test_show_as_the_last_line_of_a_cell_draws_once() -> None:
    """In a real IPython shell: the cell's value is not displayed again."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    outputs: list = []
    shell.display_pub.publish = lambda data, **kw: outputs.append(data)
    shell.run_cell("import os; os.environ.pop('RMKIT_DASHBOARD', None)\nimport pandas as pd\nfrom rmkit import charts\n"
                   "charts.show(charts.health_chart(pd.DataFrame({'status': ['at risk'], 'pairs': [1]})))")
    results = [o for o in outputs if "image/svg+xml" in o]
    assert len(results) == 1
    InteractiveShell.clear_instance()


# -- every chart on the frames the library produces (not hand-built ones) ----------------------------------------

@pytest.fixture(scope="module")
def library_frames() -> dict:
    """What ``rmkit`` returns for the example cohort, by the chart that draws it."""
    import rmkit
    from rmkit.evaluation.views import learning_view, retention_view, roi_view, waves_view
    from rmkit.pairing import compare_strategies, propose_pairs
    from rmkit.pairing.diagnostics import skill_supply_demand
    from rmkit.phases.checkins import health_counts, meeting_timeline, pair_health, pulse_trend
    from rmkit.phases.intake import composition
    from rmkit.resources import example_cohort_dir

    cohort = rmkit.load_cohort(example_cohort_dir())
    result = rmkit.evaluate(cohort)
    proposal = propose_pairs(cohort)
    health = pair_health(cohort.pairs, cohort.checkins, cohort.program)
    return {
        "composition_chart": [composition(cohort.participants)],
        "tenure_chart": [cohort.participants],
        "supply_demand_chart": [skill_supply_demand(cohort.participants)],
        "score_distribution_chart": [proposal.pairs],
        "strategy_comparison_chart": [compare_strategies(proposal.problem)],
        "health_chart": [health_counts(health)],
        "timeline_chart": [meeting_timeline(health, cohort.checkins).dropna(subset=["date"])],
        "pulse_trend_chart": [pulse_trend(cohort.checkins)],
        "waves_chart": [result.waves, waves_view(result, cohort.instrument)],
        "change_chart": [result.change, result.learning, learning_view(result)],
        "retention_chart": [result.retention_curves, retention_view(result)],
        "roi_chart": [result.roi_lines, roi_view(result)],
    }


def marks(svg: str) -> int:
    """Drawn data marks in a Vega SVG (each mark item carries role graphics-symbol)."""
    return svg.count('role="graphics-symbol"')


@pytest.mark.parametrize("name", sorted(charts.__all__[9:]))
def test_every_chart_draws_the_frames_rmkit_returns(library_frames, name: str) -> None:
    """Before, charts.change_chart(rmkit.evaluate(c).learning) failed: 'Unable to determine data type for the
    field "group"'; retention_chart(retention_curves) drew empty axes."""
    for frame in library_frames[name]:
        svg = charts.to_svg(getattr(charts, name)(frame))
        assert marks(svg) > 0, (name, list(frame.columns))
