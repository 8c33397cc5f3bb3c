"""The templates in data/templates/ are what validation expects, and the default instrument is sound."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from rmkit.cohort.config import parse_instrument, parse_program
from rmkit.cohort.schemas import TABLES
from rmkit.cohort.templates import readme_frame, template_frame, templates_readme
from rmkit.resources import instruments_dir, templates_dir


@pytest.mark.parametrize("name", list(TABLES))
def test_csv_and_xlsx_templates_match_the_contract(name: str) -> None:
    expected = template_frame(TABLES[name]).columns.tolist()
    assert pd.read_csv(templates_dir() / f"{name}.csv", dtype=str).columns.tolist() == expected
    book = pd.read_excel(templates_dir() / f"{name}.xlsx", sheet_name=None, dtype=str)
    assert list(book) == [name, "README"]
    assert book[name].columns.tolist() == expected
    readme = book["README"].fillna("")
    pd.testing.assert_frame_equal(readme, readme_frame(TABLES[name]).fillna("").astype(str), check_dtype=False)
    assert all(readme["description"].str.len() > 10)  # one line per column that says something


def test_templates_readme_is_current() -> None:
    assert (templates_dir() / "README.md").read_text(encoding="utf-8") == templates_readme()


def test_required_columns_are_the_designs_bold_ones() -> None:
    # shared/DESIGN.md, "The cohort folder": the columns in bold.
    required = {name: [c.name for c in spec.columns if c.required] for name, spec in TABLES.items()}
    assert required == {
        "participants": ["person_id", "role", "offers", "wants"],
        "responses": ["person_id", "wave"],
        "checkins": ["mentor_id", "mentee_id", "date"],
        "agreements": ["mentor_id", "mentee_id", "goal"],  # the second round's additions
        "preferences": ["person_id", "ranks", "rank"],  # the second round's additions
        "outcomes": ["person_id", "group", "start_date"],
        "costs": ["kind", "item", "amount"],
        "pairs": ["mentor_id", "mentee_id"],
        "decisions": [],
    }


def test_program_template_is_valid_and_commented() -> None:
    text = (templates_dir() / "program.yaml").read_text(encoding="utf-8")
    config, problems = parse_program(text)
    assert config is not None and problems == []
    assert sum(line.lstrip().startswith("#") or " # " in line for line in text.splitlines()) > 20


def test_rm_core_covers_both_directions_and_the_culture_measures() -> None:
    instrument, problems = parse_instrument((instruments_dir() / "rm-core.yaml").read_text(encoding="utf-8"), file="rm-core.yaml")
    assert problems == [] and instrument is not None
    scales = {s.id: s for s in instrument.scales}
    for needed in ("digital_confidence", "business_insight", "collaboration", "intergenerational", "feeling_valued",
                   "satisfaction", "relationship_quality"):
        assert needed in scales
        assert 3 <= len(instrument.items_of(needed)) <= 5
    assert scales["digital_confidence"].audience == "mentee"  # the seniors' learning
    assert scales["business_insight"].audience == "mentor"  # the juniors' learning
    assert scales["satisfaction"].scoring == "percent_favorable"
    assert any(item.reverse for item in instrument.items)
    assert instrument.response_scale.labels[-1] == "Strongly agree"
    assert len({item.text for item in instrument.items}) == len(instrument.items)


def test_every_cohort_file_name_has_a_template() -> None:
    names = {p.stem for p in Path(templates_dir()).glob("*.csv")}
    assert names == set(TABLES)
