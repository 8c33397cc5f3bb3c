"""Opening the dashboards in Debian's Chromium under Voilà with Playwright (browsers cannot be downloaded here)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = os.environ.get("RMKIT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def require_chromium() -> str:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        raise RuntimeError("Debian's chromium is needed for the browser tests: apt-get install -y chromium")
    return CHROMIUM


@dataclass
class PageWatch:
    """What a page did that it should not: script errors, console errors, requests leaving 127.0.0.1."""

    errors: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)

    def attach(self, page) -> None:
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)
        page.on("request", lambda req: self.external.append(req.url)
                if req.url.startswith(("http://", "https://")) and not req.url.startswith("http://127.0.0.1") else None)


@contextmanager
def served(board: str, cohort: Path) -> Iterator[str]:
    """Serve ``board`` for ``cohort`` exactly as ``rmkit dashboard`` does; yield its URL."""
    from rmkit.dashboards.serve import start_dashboard

    server = start_dashboard(board, cohort, timeout=90)
    try:
        yield server.url
    finally:
        server.stop()


def assert_clean_page(page, watch: PageWatch) -> None:
    """No code, no traceback or error on the page, nothing fetched from the internet."""
    text = page.inner_text("body")
    assert "Traceback" not in text and "Error" not in text.replace("rmkit-error", ""), text[:2000]
    assert page.locator(".jp-InputArea-editor:visible, .jp-CodeMirrorEditor:visible").count() == 0
    assert "import " not in text and "phase = start_phase" not in text
    assert watch.errors == [], watch.errors
    assert watch.external == [], watch.external
