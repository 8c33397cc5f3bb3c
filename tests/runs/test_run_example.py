"""End to end with rmkit's own phase notebooks: ``rmkit demo`` on the bundled example cohort."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from rmkit.phases.registry import find_phases
from rmkit.runs.report import external_references

from ..conftest import file_hashes, rmkit_env

pytestmark = [pytest.mark.notebook, pytest.mark.slow]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, example_dir: Path):
    cwd = tmp_path_factory.mktemp("demo")
    before = file_hashes(example_dir)
    result = subprocess.run([sys.executable, "-m", "rmkit", "demo"], cwd=cwd, env=rmkit_env(), capture_output=True,
                            text=True, timeout=900)
    run_dir = next((cwd / "runs" / "acme-2025-spring").iterdir())
    return result, run_dir, before


def test_demo_runs_every_phase(demo, example_dir: Path) -> None:
    result, run_dir, _ = demo
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "ok"
    assert [p["name"] for p in manifest["phases"]] == [p.name for p in find_phases()]
    assert all(p["status"] == "ok" and (run_dir / p["notebook"]).is_file() for p in manifest["phases"])
    playground = run_dir / "example-cohort"  # a writable copy for the dashboards, never the bundled original
    assert file_hashes(playground) == file_hashes(example_dir)
    for board in ("pairing", "checkins", "evaluation"):
        assert f"rmkit dashboard {board} runs/acme-2025-spring/{run_dir.name}/example-cohort" in result.stdout
    assert f"report:   runs/acme-2025-spring/{run_dir.name}/report.html" in result.stdout
    assert (run_dir / "summary.html").is_file() and (run_dir / "tables.xlsx").is_file()
    assert manifest["summary"] == "summary.html" and manifest["workbook"] == "tables.xlsx"


def test_manifest_hashes_match_and_inputs_are_unchanged(demo, example_dir: Path) -> None:
    _, run_dir, before = demo
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["inputs"] == before == file_hashes(example_dir)
    assert manifest["tables"], "the phases write tables"
    for name, digest in {**manifest["tables"], **manifest["figures"]}.items():
        assert hashlib.sha256((run_dir / name).read_bytes()).hexdigest() == digest
    written = {name for phase in manifest["phases"] for name in phase["tables"] + phase["figures"]}
    assert written == set(manifest["tables"]) | set(manifest["figures"])
    assert manifest["warnings"] == []


def test_report_has_the_figures_and_nothing_it_must_not(demo, example_dir: Path) -> None:
    _, run_dir, _ = demo
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert external_references(html) == [] and "<script" not in html.lower()
    for code in ("start_phase(", "from rmkit", "phase.chart(", "cohort_dir = "):
        assert code not in html
    people = pd.read_csv(example_dir / "participants.csv")
    lowered = html.casefold()
    leaks = [v for v in [*people["name"], *people["email"]] if v.casefold() in lowered]
    assert leaks == []
    figures = sorted((run_dir / "figures").glob("*.svg"))
    assert figures and html.count("<figure><svg") >= len(figures)
    for figure in figures:  # each chart's longest label (usually its title) is in the report
        labels = re.findall(r">([^<>]{3,})</text>", figure.read_text(encoding="utf-8"))
        assert max(labels, key=len) in html, figure.name
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "charts keep their own clip paths and gradients"
    for phase in find_phases():
        assert f'id="phase-{phase.number:02d}"' in html
    assert "40 mentors" in html and "Acme reverse mentoring" in html


def test_report_says_the_health_date_and_that_pairs_are_published(demo) -> None:
    """The report carries the check-ins phase's judging date and source, and the pairing phase's word on the
    published pairs.csv (the example's published pairs are its own proposal)."""
    _, run_dir, _ = demo
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    # the example sets no as_of: judged as of today, capped at the planned end 2025-03-03 + 24 weeks = 2025-08-18
    assert "as of 18 August 2025 (the planned end of the program: start_date + duration_weeks), 168 days after the start" in html
    assert "is already published, and this proposal is the same 39 pairs: publishing it changes nothing" in html
