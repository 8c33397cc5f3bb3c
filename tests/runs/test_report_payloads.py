"""The report opened in Debian's Chromium, for a cohort whose every text cell carries an XSS or CSS-exfiltration
payload (tests/helpers/payloads.py): no dialog fires, no request leaves the page, and the text is shown as text.

The page is opened twice: as written (with its Content-Security-Policy), and with that policy removed, so the test
proves the escaping and the sanitizer on their own and not only the policy that backs them up.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rmkit.runs.cohort_run import run_cohort
from rmkit.runs.sanitize import CONTENT_SECURITY_POLICY, external_references

from ..helpers.browser import CHROMIUM_ARGS, require_chromium
from ..helpers.payloads import PAYLOADS, SHOWN, hostile_cohort

pytestmark = [pytest.mark.browser, pytest.mark.notebook, pytest.mark.slow]


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory: pytest.TempPathFactory, example_dir: Path) -> Path:
    root = tmp_path_factory.mktemp("payloads")
    cohort = hostile_cohort(example_dir, root / "hostile")
    result = run_cohort(cohort, out=root / "run")
    assert result.ok, [str(f) for f in result.failures]
    return result.report


def _open(path: Path) -> tuple[list[str], list[str], str]:
    """Open ``path`` in Chromium; return the dialogs raised, every request the page made (routed and aborted, so
    nothing reaches a network), and the page's visible text."""
    from playwright.sync_api import sync_playwright

    dialogs: list[str] = []
    requests: list[str] = []

    def route(r) -> None:
        if r.request.url == path.as_uri():
            r.continue_()
        else:
            requests.append(r.request.url)
            r.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=require_chromium(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.on("dialog", lambda d: (dialogs.append(f"{d.type}: {d.message}"), d.dismiss()))
            page.on("request", lambda r: None if r.url in (path.as_uri(), "about:blank") or r.url.startswith("data:")
                    else requests.append(r.url))
            page.route("**/*", route)
            page.goto(path.as_uri())
            # hover and click over the page too: handlers such as onmouseover or a formaction need a user
            page.mouse.move(200, 200)
            for link in page.locator("a, button, summary").all()[:50]:
                link.click(timeout=1000, no_wait_after=True, trial=False, force=True) if link.is_visible() else None
            page.wait_for_timeout(1000)
            text = page.inner_text("body")
        finally:
            browser.close()
    return dialogs, sorted(set(requests)), text


def test_the_payloads_reached_the_report(hostile_report: Path) -> None:
    """The test means something only if the payloads are in the report (escaped), in every phase."""
    html = hostile_report.read_text(encoding="utf-8")
    assert f'content="{CONTENT_SECURITY_POLICY}"' in html
    assert external_references(html) == []
    reached = [p for p in PAYLOADS if p.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in html]
    assert len(reached) >= len(PAYLOADS) // 2, f"only {len(reached)} of {len(PAYLOADS)} payloads reached the report"
    assert html.count("attacker.example") > 20


@pytest.mark.parametrize("policy", ["with its policy", "without its policy"])
def test_no_dialog_no_request_and_the_text_is_shown(hostile_report: Path, tmp_path: Path, policy: str) -> None:
    path = hostile_report
    if policy == "without its policy":
        path = tmp_path / "report-without-policy.html"
        html = hostile_report.read_text(encoding="utf-8")
        stripped = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html)
        assert stripped != html
        path.write_text(stripped, encoding="utf-8")
    dialogs, requests, text = _open(path)
    assert dialogs == []
    assert requests == []
    for where, payload in SHOWN.items():
        assert payload in text, f"the {where} payload is not shown as text"
