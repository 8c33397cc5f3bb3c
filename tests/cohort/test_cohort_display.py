"""A cohort in a notebook cell shows counts, never names or e-mails (before, ``print(cohort)`` and a bare
``cohort`` dumped every table with names and e-mails)."""

from __future__ import annotations

from pathlib import Path

from rmkit.cohort import load_cohort


def test_repr_str_and_html_are_counts_only(example_dir: Path) -> None:
    cohort = load_cohort(example_dir)
    people = cohort.participants
    private = [*people["name"].dropna(), *people["email"].dropna()]
    for shown in (repr(cohort), str(cohort), cohort._repr_html_()):
        assert not [p for p in private if p in shown]
        assert len(shown) < 2000
    assert repr(cohort).startswith("Cohort 'acme-2025-spring': 80 participants (40 mentors, 40 mentees), 3 waves, ")
    assert f"{len(cohort.checkins)} check-ins" in repr(cohort) and "39 published pairs" in repr(cohort)
    assert "<table>" in cohort._repr_html_() and ">participants<" in cohort._repr_html_()


def test_absent_files_are_said_so(tmp_path: Path) -> None:
    from ..runs.test_new_cohorts import make_cohort

    cohort = load_cohort(make_cohort(tmp_path / "newco", {"responses": "absent"}))
    assert "no responses.csv" in repr(cohort) and "0 check-ins" in repr(cohort) and "no pairs.csv" in repr(cohort)
