"""Each board as a facilitator's laptop or a projector shows it: Chromium at 1366×768 and 1920×1080 under Voilà,
nothing wider than the window, no tick labels on top of each other (bounding boxes of the SVG tick texts), no
label cut short — on every tab of the evaluation board."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ..helpers.browser import CHROMIUM_ARGS, PageWatch, assert_clean_page, require_chromium, served
from ..helpers.layout import VIEWPORTS, assert_readable_layout, screenshot_dir

pytestmark = [pytest.mark.browser, pytest.mark.slow]

READY = {"pairing": ".rmkit-board .rmkit-pair:not(.rmkit-hidden)", "checkins": ".rmkit-board .rmkit-table",
         "evaluation": ".rmkit-board .rmkit-tiles"}


def _look(page, board: str, where: str, keep: Path | None, name: str) -> None:
    page.wait_for_timeout(400)  # let charts lay out after a resize or a tab change
    assert_readable_layout(page, where)
    if keep:
        page.screenshot(path=str(keep / f"{name}.png"))


@pytest.mark.parametrize("board", ["pairing", "checkins", "evaluation"])
def test_board_fits_both_screens(board: str, tmp_path: Path, example_dir: Path) -> None:
    from playwright.sync_api import sync_playwright

    folder = tmp_path / example_dir.name
    shutil.copytree(example_dir, folder)
    keep = screenshot_dir()
    with served(board, folder) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=require_chromium(), args=CHROMIUM_ARGS)
        width, height = VIEWPORTS[0]
        page = browser.new_page(viewport={"width": width, "height": height})
        watch = PageWatch()
        watch.attach(page)
        page.goto(url, timeout=180_000)
        page.wait_for_selector(READY[board], timeout=90_000)
        if board != "pairing":
            page.wait_for_selector(".vega-embed svg", timeout=60_000, state="attached")
        for width, height in VIEWPORTS:
            page.set_viewport_size({"width": width, "height": height})
            _look(page, board, f"{board} board at {width}×{height}", keep, f"{board}-{width}x{height}")
            if board == "evaluation":
                tabs = page.locator(".lm-TabBar-tab")
                for k in range(1, tabs.count()):
                    title = tabs.nth(k).inner_text().strip()
                    tabs.nth(k).click()
                    page.wait_for_timeout(600)
                    _look(page, board, f"evaluation board, {title} tab, at {width}×{height}", keep,
                          f"evaluation-{title.lower().replace(' ', '-')}-{width}x{height}")
                tabs.nth(0).click()
        assert_clean_page(page, watch)
        browser.close()
