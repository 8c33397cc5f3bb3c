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
    "wave_effects_chart": pd.DataFrame({"scale": ["Collaboration"] * 2, "wave": ["month6", "month12"], "since": "baseline",
                                        "estimate": [0.2, 0.4], "ci_low": [0.0, 0.1], "ci_high": [0.4, 0.7]}),
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
    from rmkit.evaluation.every_wave import mixed_view
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
        "wave_effects_chart": [result.every_wave.mixed, mixed_view(result.every_wave, {})],
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


# -- big cohorts: every chart that takes row-level data keeps its spec small, and says what it left out ------------

def _big_frames(n: int = 20_000) -> dict:
    """Row-level frames of a big cohort (2,000 + 2,000 people and more), by the chart that draws them."""
    import numpy as np

    rng = np.random.default_rng(5)
    statuses = np.array(["at risk", "needs check-in", "on track"])
    pair_ids = rng.integers(0, 2000, n)
    rank = pair_ids % 3
    days = np.sort(rng.choice(np.arange(20_000), n, replace=False))  # distinct event times, as Kaplan–Meier's
    return {
        "tenure_chart": pd.DataFrame({"role": rng.choice(["mentor", "mentee"], n), "tenure_years": rng.uniform(0, 35, n).round(1)}),
        "score_distribution_chart": pd.DataFrame({"score": rng.uniform(0, 1, n)}),
        "timeline_chart": pd.DataFrame({"pair": [f"m{p:04d} → e{p:04d}" for p in pair_ids],
                                        "date": pd.Timestamp("2026-01-05") + pd.to_timedelta(rng.integers(0, 180, n), unit="D"),
                                        "pulse": rng.integers(1, 6, n), "status": statuses[rank], "status_rank": rank}),
        "retention_chart": pd.DataFrame({"group": np.repeat(["participant", "comparison"], n // 2),
                                         "months": np.concatenate([days[::2], days[1::2]]) / 30.44,
                                         "survival": np.concatenate([np.linspace(100, 60, n // 2)] * 2),
                                         "ci_low": np.concatenate([np.linspace(100, 55, n // 2)] * 2),
                                         "ci_high": np.concatenate([np.linspace(100, 65, n // 2)] * 2)}),
        "roi_chart": pd.DataFrame({"kind": rng.choice(["cost", "benefit"], n), "item": [f"line {k}" for k in range(n)],
                                   "amount": rng.uniform(10, 1000, n)}),
        "composition_chart": pd.DataFrame({"attribute": "location", "value": [f"site {k // 2}" for k in range(n)],
                                           "role": ["mentor", "mentee"] * (n // 2), "n": rng.integers(1, 9, n)}),
        "supply_demand_chart": pd.DataFrame({"skill": [f"skill {k}" for k in range(n)], "direction": "digital",
                                             "wanted_by": rng.integers(0, 50, n), "offered_by": rng.integers(0, 50, n)}),
    }


def _inline_rows(spec: dict) -> int:
    return sum(len(rows) for rows in spec.get("datasets", {}).values())


@pytest.mark.parametrize("name", sorted(_big_frames(10)))
def test_row_level_charts_draw_twenty_thousand_rows_without_embedding_them(name: str) -> None:
    """Before, timeline_chart raised altair's MaxRowsError from 5,000 meetings and the check-ins phase failed."""
    from rmkit.charts.limits import MAX_ROWS

    chart = getattr(charts, name)(_big_frames()[name])
    spec = chart.to_dict()  # raises MaxRowsError if more than 5,000 rows were embedded
    assert _inline_rows(spec) <= min(MAX_ROWS, 1200)
    assert marks(charts.to_svg(chart)) > 0


def test_binned_histograms_count_what_vega_lite_would() -> None:
    """Reference: numpy.histogram with the same edges (2-year bins from 0; 0.05 bins on [0, 1], 1.0 in the last)."""
    import numpy as np

    frames = _big_frames()
    people = frames["tenure_chart"]
    spec = charts.tenure_chart(people).to_dict()
    rows = pd.DataFrame(next(iter(spec["datasets"].values())))
    for role in ("mentor", "mentee"):
        expected, edges = np.histogram(people.loc[people.role == role, "tenure_years"], bins=np.arange(0, 38, 2))
        got = rows[rows.role == role].set_index("bin_start")["count"].reindex(edges[:-1], fill_value=0)
        assert got.tolist() == expected.tolist()
    scores = pd.Series([0.0, 0.05, 0.3, 0.999, 1.0, None])
    spec = charts.score_distribution_chart(pd.DataFrame({"score": scores})).to_dict()
    rows = pd.DataFrame(next(iter(spec["datasets"].values())))
    expected, edges = np.histogram(scores.dropna(), bins=np.round(np.arange(21) * 0.05, 10))  # edges exactly k × 0.05
    assert rows.set_index("bin_start")["count"].reindex(edges[:-1], fill_value=0).tolist() == expected.tolist()


def test_a_long_timeline_shows_the_most_urgent_pairs_and_says_so() -> None:
    from rmkit.charts.limits import note_of

    meetings = _big_frames()["timeline_chart"]
    chart = charts.timeline_chart(meetings, max_pairs=60)
    rows = pd.DataFrame(next(v for v in chart.to_dict()["datasets"].values() if "pair" in v[0]))
    assert rows["pair"].nunique() == 60 and set(rows["status"]) == {"at risk"}  # at risk first
    assert note_of(chart).startswith("Showing the 60 most urgent of 2,000 pairs")
    assert "Showing the 60 most urgent" in charts.to_svg(chart)  # the note is under the chart in the SVG too
    small = meetings[meetings["pair"].isin(meetings["pair"].unique()[:5])]
    assert note_of(charts.timeline_chart(small)) is None  # nothing left out, nothing said


def test_a_long_survival_curve_is_read_at_even_times_and_says_so() -> None:
    """The thinned curve is the step function itself (value at t = the last step at or before t)."""
    from rmkit.charts.limits import note_of

    curves = _big_frames()["retention_chart"]
    chart = charts.retention_chart(curves, max_points=400)
    rows = pd.DataFrame(next(iter(chart.to_dict()["datasets"].values())))
    assert rows.groupby("group").size().tolist() == [400, 400]
    part = curves[curves.group == "participant"].sort_values("months")
    for _, row in rows[rows.group == "participant"].sample(20, random_state=1).iterrows():
        before = part[part["months"] <= row["months"]]
        assert row["survival"] == pytest.approx(before["survival"].iloc[-1])
    assert "400 evenly spaced times" in note_of(chart)


def test_many_cost_lines_name_the_largest_and_keep_the_totals() -> None:
    from rmkit.charts.limits import note_of

    lines = _big_frames()["roi_chart"]
    chart = charts.roi_chart(lines)
    rows = pd.DataFrame(next(iter(chart.to_dict()["datasets"].values())))
    assert len(rows) <= 10
    assert rows.groupby("kind")["amount"].sum().to_dict() == pytest.approx(lines.groupby("kind")["amount"].sum().to_dict())
    assert "summed per kind" in note_of(chart)
    assert note_of(charts.roi_chart(CASES["roi_chart"])) is None


def test_many_values_and_skills_show_the_largest_and_say_so() -> None:
    from rmkit.charts.limits import note_of

    frames = _big_frames()
    counts = frames["composition_chart"]
    chart = charts.composition_chart(counts, max_values=15)
    rows = pd.DataFrame(next(iter(chart.to_dict()["datasets"].values())))
    assert rows["value"].nunique() == 15 and rows["n"].sum() == counts["n"].sum()  # nobody is lost: "other" holds them
    totals = counts.groupby("value", sort=False)["n"].sum().sort_values(ascending=False, kind="stable")
    assert set(rows["value"]) == set(totals.index[:14]) | {"other (9986 values)"}
    assert note_of(chart).startswith("The 14 largest values of location (10,000 values) are shown")
    skills = frames["supply_demand_chart"]
    chart = charts.supply_demand_chart(skills, max_skills=25)
    rows = pd.DataFrame(next(iter(chart.to_dict()["datasets"].values())))
    assert rows["skill"].nunique() == 25 and rows.loc[rows.side == "wanted by", "people"].min() >= skills["wanted_by"].nlargest(25).min()
    assert "25 most wanted skills of digital (20,000 skills)" in note_of(chart)
    assert note_of(charts.composition_chart(CASES["composition_chart"])) is None


def test_wave_effects_chart_starts_each_scale_at_zero_and_leaves_out_hidden_rows() -> None:
    frame = pd.DataFrame({"scale": ["A", "A", "B", "B"], "wave": ["m6", "m12"] * 2, "since": "base",
                          "estimate": [0.2, 0.4, None, None], "ci_low": [0.0, 0.1, None, None],
                          "ci_high": [0.4, 0.7, None, None]})
    spec = charts.wave_effects_chart(frame, wave_order=["base", "m6", "m12"]).to_dict()
    assert len(spec["concat"]) == 1  # B has no estimate: no panel
    values = next(v for v in spec["datasets"].values() if "wave" in v[0])
    assert [(v["wave"], v["estimate"]) for v in values] == [("base", 0.0), ("m6", 0.2), ("m12", 0.4)]
