"""Every board opens on a cohort just made with ``rmkit init`` and six typed-in participants (before the fix the
check-in board showed Voilà's "There was an error when executing cell"). The check-in board is opened in the
browser here; every board's widgets are also built on every drawn cohort in tests/runs/test_new_cohorts.py (the
phase notebooks in the dashboard mode), which a browser would only add start-up time to."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..helpers.browser import CHROMIUM_ARGS, PageWatch, assert_clean_page, require_chromium, served
from ..runs.test_new_cohorts import make_cohort


@pytest.mark.browser
@pytest.mark.slow
def test_every_board_opens_on_a_new_cohort(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    cohort = make_cohort(tmp_path / "newco", {})
    expected = {"checkins": "No pair to judge yet"}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=require_chromium(), args=CHROMIUM_ARGS)
        for board, text in expected.items():
            with served(board, cohort) as url:
                page = browser.new_page(viewport={"width": 1366, "height": 1600})
                watch = PageWatch()
                watch.attach(page)
                page.goto(url, timeout=90_000)
                page.wait_for_selector(".rmkit-board", timeout=90_000)
                page.wait_for_function(f"document.querySelector('.rmkit-board').innerText.includes({text!r})", timeout=30_000)
                page.screenshot(path=str(tmp_path / f"{board}.png"))
                assert "There was an error" not in page.inner_text("body")
                assert_clean_page(page, watch)
                page.close()
        browser.close()
