"""The check-in board: widget callbacks driven in Python, and the page in a real browser under Voilà."""

from __future__ import annotations

from pathlib import Path

import pytest

from rmkit.cohort import load_cohort
from rmkit.dashboards.checkin_board import CheckinBoard

from ..helpers.browser import CHROMIUM_ARGS, PageWatch, assert_clean_page, require_chromium, served


@pytest.fixture(scope="module")
def cohort(example_dir: Path):
    return load_cohort(example_dir)


def test_filters_and_paging(cohort) -> None:
    board = CheckinBoard(cohort, page_size=10)
    assert board._page_label.value == "page 1 of 4 · 39 pairs"
    board.set_status("at risk")
    assert set(board.page_rows()["status"]) == {"at risk"}
    assert board._next.disabled and board._prev.disabled
    board.set_status("all")
    board.turn_page(+1)
    assert board.page == 1 and board._page_label.value.startswith("page 2 of 4")
    board.turn_page(+10)
    assert board.page == 3  # never past the last page
    with pytest.raises(ValueError, match="unknown status"):
        board.set_status("fine")


def test_search_by_name_and_detail(cohort) -> None:
    board = CheckinBoard(cohort)
    mentor = cohort.pairs["mentor_id"].iloc[5]
    name = cohort.participants.set_index("person_id").loc[mentor, "name"]
    board.set_query(name.split()[0].lower())
    assert mentor in set(board.visible()["mentor_id"])
    board.set_query(mentor)
    assert list(board.visible()["mentor_id"]) == [mentor]
    assert board.selected.startswith(mentor + " → ")
    assert "meeting(s)" in board._detail.value


def test_swap_suggestions_for_a_pair_at_risk(cohort) -> None:
    import pandas as pd

    calls = []

    def suggest(mentor_id: str, mentee_id: str) -> pd.DataFrame:
        calls.append((mentor_id, mentee_id))
        return pd.DataFrame({"new pair": [f"{mentor_id} → x"], "change": [0.1]})

    board = CheckinBoard(cohort, suggest_swaps=suggest)
    board.set_status("at risk")
    assert calls and calls[-1][0] + " → " + calls[-1][1] == board.selected
    assert "Swap suggestions" in board._detail.value


def test_names_are_escaped(cohort) -> None:
    people = cohort.participants.copy()
    people.loc[people.person_id == cohort.pairs["mentor_id"].iloc[0], "name"] = "<script>alert(1)</script>"
    cohort = type(cohort)(**{**cohort.__dict__, "participants": people})
    board = CheckinBoard(cohort, page_size=100)
    assert "<script>alert" not in board._table.value and "&lt;script&gt;" in board._table.value


@pytest.mark.browser
def test_board_in_the_browser(example_dir: Path) -> None:
    from playwright.sync_api import sync_playwright

    require_chromium()
    with served("checkins", example_dir) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=require_chromium(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 2200})
        watch = PageWatch()
        watch.attach(page)
        page.goto(url, timeout=180_000)  # a loaded shared machine can take longer than the default 30 s
        page.wait_for_selector(".rmkit-board .rmkit-table", timeout=90_000)
        page.wait_for_selector(".vega-embed svg, .vega-embed canvas", timeout=30_000)
        assert "Check-in health" in page.inner_text(".rmkit-board")
        assert page.locator(".rmkit-tile").count() == 3
        page.get_by_role("button", name="at risk", exact=True).click()
        page.wait_for_function("document.querySelector('.rmkit-board').innerText.includes('page 1 of 1')")
        statuses = page.locator(".rmkit-table .rmkit-badge").all_inner_texts()
        assert statuses and set(statuses) == {"at risk"}
        assert_clean_page(page, watch)
        browser.close()
