"""The objectives phase's readiness check catches the pitfalls of shared/DOMAIN.md."""

from __future__ import annotations

from pathlib import Path

from rmkit.cohort import load_cohort
from rmkit.phases.objectives import objectives_table, readiness_check, readiness_summary

from ..helpers.cohort_builder import write_tiny_cohort


def statuses(folder: Path) -> dict[str, str]:
    table = readiness_check(load_cohort(folder))
    return dict(zip(table["check"], table["status"], strict=True))


def test_a_bare_program_fails_the_pitfalls(tmp_path: Path) -> None:
    folder = write_tiny_cohort(tmp_path / "t", skip=("outcomes", "responses"))
    (folder / "program.yaml").write_text("program: Bare\ninstrument: tiny.yaml\nwaves: [baseline]\n")
    assert statuses(folder) == {
        "Goals are defined": "missing",
        "Goals are measurable": "missing",
        "Each goal has a measure": "missing",
        "A baseline and a later survey are planned": "missing",
        "Senior sponsorship is recorded": "missing",
        "A meeting cadence is set": "missing",
        "Feedback is planned": "missing",
        "Length and format are fixed": "missing",
        "Enough mentor capacity for every mentee": "ok",  # m1 1 + m2 2 + m3 1 = 4 places for 3 mentees
        "The program's effect can be isolated": "advice",
    }
    summary = readiness_summary(readiness_check(load_cohort(folder)))
    assert summary.startswith("**Not ready yet**: 8 of 10 checks need attention before launch.")
    assert "insufficient organisational support" in summary


def test_a_complete_program_is_ready(tmp_path: Path) -> None:
    folder = write_tiny_cohort(tmp_path / "t")
    path = folder / "program.yaml"
    path.write_text(path.read_text() + "sponsor: COO\nfeedback: pulse after each meeting\ncheckin_every_weeks: 3\nduration_weeks: 24\n")
    found = statuses(folder)
    # three mentees cannot show a change of 0.5: the planning check advises, the rest passes
    assert found.pop("Targets are big enough to detect") == "advice"
    assert set(found.values()) == {"ok"}
    assert readiness_summary(readiness_check(load_cohort(folder))).startswith("**Ready to launch**: 10 of 11")


def test_rare_meetings_and_missing_data_for_a_metric_goal(tmp_path: Path) -> None:
    folder = write_tiny_cohort(tmp_path / "t", skip=("outcomes",))
    path = folder / "program.yaml"
    text = path.read_text().replace("- {id: grow, measure: skills, target_change: 0.5}",
                                    "- {id: grow, measure: skills, target_change: 0.5}\n  - {id: keep, measure: retention_12m, target_change: 5}")
    path.write_text(text + "checkin_every_weeks: 8\n")
    table = readiness_check(load_cohort(folder)).set_index("check")
    assert table.loc["Each goal has a measure", "detail"] == "measured by tiny; keep needs outcomes.csv"
    assert table.loc["A meeting cadence is set", "status"] == "missing"


def test_objectives_table_names_whose_learning(example_dir) -> None:
    table = objectives_table(load_cohort(example_dir)).set_index("objective")
    assert table.loc["digital_fluency", "whose_learning"] == "mentees (seniors)"
    assert table.loc["business_insight", "whose_learning"] == "mentors (juniors)"
