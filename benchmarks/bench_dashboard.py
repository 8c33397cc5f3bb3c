"""How fast the pairing board is in a real browser, at the sizes a facilitator meets (default 200, 1,000 and 4,000
people: mentors = mentees = PEOPLE / 2).

Measures, in Debian's Chromium under Voilà (preheated kernel, as `rmkit dashboard` serves it):
  - open: from page.goto to an interactive board (the first pair row with its Lock button shown);
  - lock: from the click on Lock to the updated board (that row's button says Unlock);
  - forbid: from the click on Forbid to the row being replaced.
Reference measured in the same run, in this process: one plain ``scipy.optimize.linear_sum_assignment`` on the
same cohort's compatibility matrix (what a full re-solve costs at least). Targets (issues): lock <= 0.3 s;
open <= 3 s at 200 people. ``benchmarks/bench_board_python.py`` times the same board without a browser.

    python benchmarks/bench_dashboard.py [--people 200 1000 4000] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from rmkit.cohort.synthetic import generate_cohort, write_cohort  # noqa: E402
from tests.helpers.browser import CHROMIUM_ARGS, require_chromium, served  # noqa: E402

NAME_FIELD = "input[aria-label^='Your name']"  # as the board's tests find it


def pair_classes(page) -> list[tuple[str, str]]:
    out = []
    for row in page.locator(".rmkit-pair:not(.rmkit-hidden)").all():
        if row.get_by_role("button", name="Lock", exact=True).count():
            classes = [c for c in (row.get_attribute("class") or "").split() if c.startswith("rmkit-pair-")]
            out.extend(tuple(c.split("-")[2:4]) for c in classes)  # none while the row is being re-bound
    return out


def reference_solve(folder: Path) -> float:
    """Seconds of one linear_sum_assignment on the cohort's compatibility matrix (best of 3)."""
    from scipy.optimize import linear_sum_assignment

    from rmkit.cohort import load_cohort
    from rmkit.pairing import propose_pairs

    score = propose_pairs(load_cohort(folder)).problem.score
    times = []
    for _ in range(3):
        start = time.perf_counter()
        linear_sum_assignment(score, maximize=True)
        times.append(time.perf_counter() - start)
    return min(times)


def measure(people: int, runs: int, browser) -> None:
    half = people // 2
    folder = Path(tempfile.mkdtemp()) / f"bench-{people}"
    write_cohort(generate_cohort(n_mentors=half, n_mentees=half, seed=11, name=folder.name), folder)
    reference = reference_solve(folder)
    opens, locks, forbids = [], [], []
    with served("pairing", folder) as url:
        for run in range(runs):
            time.sleep(8)  # let Voilà preheat the next kernel, as it does between a facilitator's page loads
            page = browser.new_page(viewport={"width": 1366, "height": 2600})
            start = time.perf_counter()
            page.goto(url, timeout=600_000)
            page.locator(".rmkit-pair:not(.rmkit-hidden)").first.get_by_role("button", name="Forbid").wait_for(timeout=600_000)
            opens.append(time.perf_counter() - start)
            page.fill(NAME_FIELD, "Bench Facilitator")  # every decision is refused without a name
            page.keyboard.press("Tab")
            mentor, mentee = pair_classes(page)[0]
            row = page.locator(f".rmkit-pair-{mentor}-{mentee}")
            start = time.perf_counter()
            row.get_by_role("button", name="Lock", exact=True).click(no_wait_after=True)
            row.get_by_role("button", name="Unlock").wait_for(timeout=120_000)
            locks.append(time.perf_counter() - start)
            mentor, mentee = pair_classes(page)[0]
            start = time.perf_counter()
            page.locator(f".rmkit-pair-{mentor}-{mentee}").get_by_role("button", name="Forbid").click(no_wait_after=True)
            page.wait_for_selector(f".rmkit-pair-{mentor}-{mentee}", state="detached", timeout=300_000)
            forbids.append(time.perf_counter() - start)
            page.close()
            print(f"{people} people, run {run + 1}: open {opens[-1]:.2f} s, lock {locks[-1]:.3f} s, "
                  f"forbid {forbids[-1]:.3f} s", flush=True)
    print(f"{people} people: one linear_sum_assignment {reference:.3f} s (the reference)")
    for label, values, target in (("open to interactive board", opens, 3.0 if people <= 200 else None),
                                  ("lock click to updated board", locks, 0.3),
                                  ("forbid click to replaced row", forbids, None)):
        median = statistics.median(values)
        line = (f"  {label}: median {median:.3f} s (best {min(values):.3f}, worst {max(values):.3f}); "
                f"{median / reference:.2f} x the reference")
        if target:
            line += f"; target {target} s: median/target = {median / target:.2f}"
        print(line, flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, nargs="+", default=[200, 1000, 4000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=require_chromium(), args=CHROMIUM_ARGS)
        try:
            for people in args.people:
                measure(people, args.runs, browser)
        finally:
            browser.close()


if __name__ == "__main__":
    main()
