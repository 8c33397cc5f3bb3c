"""The evaluation board: groups, suppression shown (not hidden), and the page in a real browser."""

from __future__ import annotations

from pathlib import Path

import pytest

from rmkit.cohort import load_cohort
from rmkit.dashboards.evaluation_board import TABS, EvaluationBoard

from ..helpers.browser import CHROMIUM_ARGS, PageWatch, assert_clean_page, require_chromium, served


@pytest.fixture(scope="module")
def board(example_dir: Path) -> EvaluationBoard:
    return EvaluationBoard(load_cohort(example_dir))


def test_tabs_and_summary(board: EvaluationBoard) -> None:
    assert [board.tabs.get_title(k) for k in range(len(TABS))] == list(TABS)
    summary = board.tabs.children[0].value
    assert "Objectives" in summary and "Kirkpatrick" in summary and "digital fluency" in summary


def test_small_groups_are_shown_as_suppressed(board: EvaluationBoard) -> None:
    small = [g for g in board._group.options if g.startswith("department=")]
    sizes = board.evaluation.waves.groupby("group")["n"].max()
    tiny = next(g for g in small if sizes[g] < board.evaluation.min_group_size)  # the example's Legal department
    board.set_group(tiny)
    assert "suppressed (n = " in board._waves_table.value
    assert board._waves_chart.children == ()  # nothing drawn for it
    board.set_group("role=mentee")
    assert "suppressed" not in board._waves_table.value and len(board._waves_chart.children) == 1
    with pytest.raises(ValueError, match="unknown group"):
        board.set_group("department=Nowhere")


def test_learning_retention_roi(board: EvaluationBoard) -> None:
    learning, retention, roi = (board.tabs.children[TABS.index(t)] for t in ("Learning", "Retention", "ROI"))
    assert "Both directions of learning" in learning.children[0].value
    assert "comparison" in retention.children[0].value
    assert "ROI" in roi.children[0].value and "Intangible" in roi.children[0].value


@pytest.mark.browser
def test_board_in_the_browser(example_dir: Path) -> None:
    from playwright.sync_api import sync_playwright

    with served("evaluation", example_dir) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=require_chromium(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 2400})
        watch = PageWatch()
        watch.attach(page)
        page.goto(url, timeout=180_000)  # a loaded shared machine can take longer than the default 30 s
        page.wait_for_selector(".rmkit-board .lm-TabBar, .rmkit-board .jupyter-widgets.widget-tab", timeout=90_000)
        assert "What the program achieved" in page.inner_text(".rmkit-board")
        page.get_by_role("tab", name="Every wave").click()
        page.wait_for_function("document.querySelector('.rmkit-board').innerText.includes('Attrition, first to last')",
                               timeout=30_000)
        page.locator(".rmkit-board .vega-embed svg >> visible=true").first.wait_for(timeout=30_000)
        page.get_by_role("tab", name="Reliable change").click()
        page.wait_for_function("document.querySelector('.rmkit-board').innerText.includes('Who changed, person by person')", timeout=15_000)
        page.get_by_role("tab", name="Pairing & learning").click()
        page.wait_for_function("document.querySelector('.rmkit-board').innerText.includes('correlation, not causation')", timeout=15_000)
        page.get_by_role("tab", name="Across waves").click()
        page.locator(".rmkit-board .vega-embed svg >> visible=true").first.wait_for(timeout=30_000)
        page.get_by_role("combobox").select_option("department=Legal")
        page.wait_for_function("document.querySelector('.rmkit-board').innerText.includes('suppressed (n = ')", timeout=15_000)
        assert_clean_page(page, watch)
        browser.close()


def test_every_wave_tab_shows_the_mixed_model_and_attrition(board: EvaluationBoard) -> None:
    tab = board.tabs.children[TABS.index("Every wave")]
    text = " ".join(child.value for child in tab.children if hasattr(child, "value") and isinstance(child.value, str))
    assert "participants − comparison" in text and "Mentors and mentees, at the last wave" in text
    assert "What Works Clearinghouse" in text and "differential (participants vs comparison)" in text
    assert "How those who stayed and those who left had started" in text and "missing at random" in text
    assert len(tab.children) == 3  # the table, the chart of the change at each wave, attrition


def test_reliable_change_and_pairing_tabs(board: EvaluationBoard) -> None:
    reliable = board.tabs.children[TABS.index("Reliable change")].value
    assert "Who changed, person by person" in reliable and "reliably improved (95% CI)" in reliable
    shown = board.evaluation.reliable_change.table
    first = shown[(shown.group == "role=mentee") & ~shown.suppressed].iloc[0]
    assert f"{first.improved:.0f}% (" in reliable
    pairing = board.tabs.children[TABS.index("Pairing & learning")].value
    assert "Does the pairing matter?" in pairing and "correlation, not causation" in pairing
    assert "per 0.1 of score" in pairing and "clustered by mentor" in pairing


def test_a_new_cohort_says_why_the_new_tabs_are_empty(tmp_path: Path) -> None:
    """``rmkit init`` with six participants: no responses, no pairs, no check-ins."""
    from ..runs.test_new_cohorts import make_cohort

    cohort = load_cohort(make_cohort(tmp_path / "newco", {}))
    fresh = EvaluationBoard(cohort)
    reliable = fresh.tabs.children[TABS.index("Reliable change")].value
    assert "No survey responses: no reliable change." in reliable and "Nothing to show" in reliable
    pairing = fresh.tabs.children[TABS.index("Pairing & learning")].value
    assert "No published pairs" in pairing
