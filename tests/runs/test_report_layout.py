"""The report, summary.html and a brief as a sponsor opens them: Chromium at 1366×768 and 1920×1080, nothing wider
than the window, no tick labels on top of each other (bounding boxes of the SVG tick texts), no label cut short."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ..helpers.browser import CHROMIUM_ARGS, require_chromium
from ..helpers.layout import VIEWPORTS, assert_readable_layout, screenshot_dir

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.notebook]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory, example_dir: Path) -> Path:
    from rmkit.runs.cohort_run import run_cohort

    result = run_cohort(example_dir, out=tmp_path_factory.mktemp("layout") / "run")
    assert result.ok, result.failures
    return result.run_dir


def test_report_and_summary_fit_the_window_and_their_ticks_do_not_overlap(run_dir: Path) -> None:
    from playwright.sync_api import sync_playwright

    keep = screenshot_dir()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=require_chromium(), args=CHROMIUM_ARGS)
        for width, height in VIEWPORTS:
            page = browser.new_page(viewport={"width": width, "height": height})
            for name in ("report.html", "summary.html"):
                page.goto((run_dir / name).as_uri())
                found = assert_readable_layout(page, f"{name} at {width}×{height}")
                if name == "report.html":
                    assert found["axisGroups"] >= 20  # every chart's axes were looked at
                    top = page.inner_text("body")[:400]
                    assert "Executive summary" in top and "Objectives met" in page.inner_text("body")[:2000]
                if keep:
                    page.screenshot(path=str(keep / f"{Path(name).stem}-{width}x{height}.png"))
            page.close()
        browser.close()
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert html.index('id="summary"') < html.index('id="phase-01"')  # the report opens with the summary
    for raw in ("True</td>", "False</td>", "00:00:00", "-0.00<", "mentor_id</th>", "mean_change</th>"):
        assert raw not in html, raw
    assert not re.search(r"p = 0\.00?(?!\d)|p = 0\.000", html)  # p < 0.001 style, never p = 0.00


def test_the_checks_find_overlapping_cut_and_wide_content(tmp_path: Path) -> None:
    """Not vacuous: a chart whose 30 long tick labels are forced onto 300 px, and a table wider than the window."""
    import altair as alt
    import pandas as pd
    from playwright.sync_api import sync_playwright

    from rmkit import charts

    from ..helpers.layout import check_layout

    frame = pd.DataFrame({"label": [f"a rather long label number {k}" for k in range(30)], "v": range(30)})
    crowded = alt.Chart(frame).mark_bar().encode(
        x=alt.X("label:N", axis=alt.Axis(labelAngle=0, labelOverlap=False, labelLimit=0)), y="v:Q").properties(width=300)
    cut = alt.Chart(frame).mark_bar().encode(y=alt.Y("label:N", axis=alt.Axis(labelLimit=40)), x="v:Q")
    page_html = (f"<html><body>{charts.to_svg(crowded)}{charts.to_svg(cut)}"
                 "<table><tr><td style='min-width:3000px'>wide</td></tr></table></body></html>")
    path = tmp_path / "bad.html"
    path.write_text(page_html, encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=require_chromium(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto(path.as_uri())
        found = check_layout(page)
        browser.close()
    assert found["overlaps"] and found["cut"] and found["wide"] and found["overflow"] > 0
