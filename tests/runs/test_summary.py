"""The executive summary, summary.html and tables.xlsx: figures checked against the evaluation's own tables and a
Phillips ROI worked by hand from costs.csv; the page offline, without names, on one printed page."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from rmkit.cohort import load_cohort
from rmkit.runs.report import external_references
from rmkit.runs.summary import executive_summary, summary_page


@pytest.fixture(scope="module")
def summary(example_dir: Path):
    return executive_summary(load_cohort(example_dir))


def test_six_tiles_in_order(summary) -> None:
    assert [t.key for t in summary.tiles] == ["objectives", "learning", "culture", "retention", "roi", "follow_up"]
    assert all(t.figure and t.sentence.endswith(".") for t in summary.tiles)


def test_objectives_and_retention_figures(summary, example_dir: Path) -> None:
    from rmkit.evaluation.metrics_table import evaluate

    result = evaluate(load_cohort(example_dir))
    met = int(result.objectives["met"].fillna(False).sum())
    tiles = {t.key: t for t in summary.tiles}
    assert tiles["objectives"].figure == f"{met} of {len(result.objectives)}"
    # the evidence that judged each objective is named: the example's comparison group answered the survey
    assert set(result.objectives["judged_by"]) == {"difference-in-differences"}
    assert tiles["objectives"].sentence.count("difference-in-differences") == len(result.objectives)
    difference = result.retention_comparison.iloc[0]["difference"]
    assert tiles["retention"].figure == f"{difference:+.1f} points"


def test_roi_range_against_phillips_by_hand(summary, example_dir: Path) -> None:
    costs = pd.read_csv(example_dir / "costs.csv")
    attribution = costs["attribution"].fillna(1.0)
    confidence = costs["confidence"].fillna(1.0)
    spent = costs.loc[costs["kind"] == "cost", "amount"].sum()
    benefit = costs["kind"] == "benefit"
    conservative = (costs.loc[benefit, "amount"] * attribution[benefit] * confidence[benefit]).sum()
    certain = (costs.loc[benefit, "amount"] * attribution[benefit]).sum()
    tile = next(t for t in summary.tiles if t.key == "roi")
    # Phillips: ROI % = (benefits − costs) / costs × 100
    assert tile.figure == f"{(conservative - spent) / spent * 100:.0f}%"
    assert f"to {(certain - spent) / spent * 100:.0f}% if every estimate were certain" in tile.sentence


def test_follow_up_counts_the_pairs_health_flags(summary, example_dir: Path) -> None:
    from rmkit.phases.checkins import pair_health

    cohort = load_cohort(example_dir)
    health = pair_health(cohort.pairs, cohort.checkins, cohort.program, participants=cohort.participants)
    flagged = int((health["status"] != "on track").sum())
    tile = next(t for t in summary.tiles if t.key == "follow_up")
    assert tile.figure == f"{flagged} of {len(health)}"
    assert "far apart" in tile.sentence and "one way" in tile.sentence


def test_the_page_is_offline_escaped_and_names_nobody(summary, example_dir: Path) -> None:
    page = summary_page(summary)
    assert external_references(page) == [] and "<script" not in page.lower()
    assert "default-src 'none'; img-src data:; style-src 'unsafe-inline'" in page
    people = pd.read_csv(example_dir / "participants.csv")
    assert not [n for n in [*people["name"], *people["email"]] if n in page]


def test_markup_in_the_program_name_is_escaped(summary) -> None:
    from dataclasses import replace

    page = summary_page(replace(summary, program="<img src=x onerror=alert(1)>"))
    assert "<img" not in page and "&lt;img" in page


def test_a_bare_cohort_still_has_a_summary(tmp_path: Path) -> None:
    from rmkit.cohort.templates import init_cohort

    folder = tmp_path / "newco"
    init_cohort(folder)
    (folder / "participants.csv").write_text(
        "person_id,role,name,offers,wants\nm1,mentor,Ana,AI tools,strategy\ne1,mentee,Paul,strategy,AI tools\n",
        encoding="utf-8")
    tiles = {t.key: t for t in executive_summary(load_cohort(folder)).tiles}
    assert tiles["retention"].figure == "–" and tiles["roi"].figure == "–"
    assert "not measured" in tiles["learning"].sentence or "No learning" in tiles["learning"].sentence
    # objectives with no evidence yet are not "0 of 3" in red (which a sponsor reads as three objectives missed)
    assert tiles["objectives"].figure == "not judged yet" and tiles["objectives"].tone == "neutral"
    assert "None of the 3 objectives has evidence yet" in tiles["objectives"].sentence


def test_workbook_holds_every_table_readably_and_formula_safe(tmp_path: Path) -> None:
    import openpyxl

    from rmkit.runs.workbook import write_workbook

    tables = tmp_path / "tables"
    tables.mkdir()
    pd.DataFrame({"mentor_id": ["p1"], "adherence": [50.0], "locked": [True], "note": ["=HYPERLINK(\"http://x\")"]}) \
        .to_csv(tables / "pair_health.csv", index=False)
    pd.DataFrame({"metric": ["x"], "value": [1.5]}).to_csv(tables / "metrics.csv", index=False)
    path = write_workbook(tables, tmp_path / "tables.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["About", "Metrics", "Pair health"]
    sheet = book["Pair health"]
    assert [c.value for c in sheet[1]] == ["Mentor", "Adherence (%)", "Locked", "Note"]
    assert [c.value for c in sheet[2]] == ["p1", 50, "yes", "'=HYPERLINK(\"http://x\")"]
    assert book["About"]["B2"].value == "tables/metrics.csv"
    assert write_workbook(tmp_path / "none", tmp_path / "x.xlsx") is None


def test_workbook_lists_a_table_too_large_for_a_sheet_instead_of_copying_it(tmp_path: Path, monkeypatch) -> None:
    """At 2,000 + 2,000 people the compatibility matrix (4 million cells) took minutes to write into tables.xlsx."""
    import openpyxl

    from rmkit.runs import workbook

    tables = tmp_path / "tables"
    tables.mkdir()
    pd.DataFrame({"mentor_id": [f"m{k}" for k in range(30)]} | {f"e{k}": [0.5] * 30 for k in range(20)}) \
        .to_csv(tables / "compatibility_matrix.csv", index=False)
    pd.DataFrame({"metric": ["x"], "value": [1.5]}).to_csv(tables / "metrics.csv", index=False)
    monkeypatch.setattr(workbook, "MAX_SHEET_CELLS", 30 * 21 - 1)
    book = openpyxl.load_workbook(workbook.write_workbook(tables, tmp_path / "tables.xlsx"))
    assert book.sheetnames == ["About", "Metrics"]
    about = [[c.value for c in row] for row in book["About"].iter_rows()]
    assert about[0] == ["Sheet", "File", "Rows", "Note"]
    assert about[1][:3] == ["(not in this workbook)", "tables/compatibility_matrix.csv", 30]
    assert about[1][3] == "30 rows × 21 columns: too large for a sheet here; open the CSV"
    monkeypatch.setattr(workbook, "MAX_SHEET_CELLS", 30 * 21)
    assert "Compatibility matrix" in openpyxl.load_workbook(workbook.write_workbook(tables, tmp_path / "all.xlsx")).sheetnames


def test_workbook_lists_a_table_without_columns(tmp_path: Path) -> None:
    """A notebook of one's own may write an empty frame with no columns: the workbook says so, and is written."""
    import openpyxl

    from rmkit.runs import workbook

    tables = tmp_path / "tables"
    tables.mkdir()
    (tables / "nothing.csv").write_text("\n", encoding="utf-8")
    pd.DataFrame({"metric": ["x"], "value": [1.5]}).to_csv(tables / "metrics.csv", index=False)
    book = openpyxl.load_workbook(workbook.write_workbook(tables, tmp_path / "tables.xlsx"))
    assert book.sheetnames == ["About", "Metrics"]
    about = [[c.value for c in row] for row in book["About"].iter_rows()]
    assert ["(not in this workbook)", "tables/nothing.csv", 0, "no columns and no rows"] in about


@pytest.mark.browser
def test_summary_prints_on_one_page(summary, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    from ..helpers.browser import CHROMIUM_ARGS, require_chromium

    path = tmp_path / "summary.html"
    path.write_text(summary_page(summary, run_name="20260101T000000Z"), encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=require_chromium(), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(path.as_uri())
        for size in ("A4", "Letter"):
            pdf = page.pdf(format=size)
            assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1, size
        browser.close()
