"""The comparison group in a cohort: its answers in responses.csv, the effect tables of the evaluation, the did rows
of the metrics table, objectives judged on the DiD, confidentiality, and cohorts that have no comparison group."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rmkit.cohort import load_cohort, validate_cohort
from rmkit.cohort.templates import init_cohort
from rmkit.evaluation.effects import did
from rmkit.evaluation.metrics_table import evaluate, metrics_table
from tests.helpers.cohort_builder import write_tiny_cohort


@pytest.fixture(scope="module")
def example():
    from rmkit.resources import example_cohort_dir

    cohort = load_cohort(example_cohort_dir())
    return cohort, evaluate(cohort)


def _keep_responses(folder: Path, keep) -> None:
    path = folder / "responses.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame[keep(frame)].to_csv(path, index=False)


def test_comparison_answers_are_valid_and_apart_from_the_participants(example) -> None:
    cohort, _ = example
    participants = set(cohort.participants.person_id)
    assert set(cohort.responses.person_id) <= participants
    comparison = cohort.comparison_responses
    assert len(comparison) > 0 and not set(comparison.person_id) & participants
    groups = cohort.outcomes.set_index("person_id").group
    assert (groups.reindex(comparison.person_id) == "comparison").all()
    assert len(cohort.rows["responses"]) == len(cohort.responses)
    assert len(cohort.rows["comparison_responses"]) == len(comparison)


def test_a_respondent_who_is_neither_participant_nor_comparison_is_an_error(tmp_path: Path) -> None:
    folder = write_tiny_cohort(tmp_path / "tiny")
    with (folder / "responses.csv").open("a") as handle:
        handle.write("c1,baseline,2026-01-03,3,3,3\nzz,baseline,2026-01-03,3,3,3\ne1x,baseline,2026-01-03,3,3,3\n")
    with (folder / "outcomes.csv").open("a") as handle:
        handle.write("e1x,participant,2026-01-05,,\n")  # listed as a participant, but not in participants.csv
    report = validate_cohort(folder)
    errors = [str(p) for p in report.errors]
    assert errors == [
        "responses.csv:8:person_id: found 'zz'; it is not a person_id of participants.csv, nor a comparison person "
        "of outcomes.csv",
        "responses.csv:9:person_id: found 'e1x'; it is not a person_id of participants.csv, nor a comparison person "
        "of outcomes.csv",
    ]


def test_what_reads_responses_still_means_the_participants(example, cohort_copy: Path) -> None:
    """waves, alpha and change are those of the participants: removing the comparison group's answers changes only
    the did rows and the mixed-model rows (which become the participants' own change, group all)."""
    _, result = example
    _keep_responses(cohort_copy, lambda f: ~f.person_id.str.startswith("c"))
    alone = metrics_table(load_cohort(cohort_copy))
    assert not alone.metric.str.startswith("did:").any()
    assert set(alone.loc[alone.metric.str.startswith("mixed:"), "group"]) == {"all"}
    against = ("did:", "mixed:")
    ours = result.metrics[~result.metrics.metric.str.startswith(against)].reset_index(drop=True)
    pd.testing.assert_frame_equal(ours, alone[~alone.metric.str.startswith(against)].reset_index(drop=True))
    assert alone.equals(metrics_table(load_cohort(cohort_copy)))


def test_example_has_did_rows_from_the_effects_table(example) -> None:
    cohort, result = example
    rows = result.metrics[result.metrics.metric.str.startswith("did:")]
    assert set(rows.group) == {"participant"} and set(rows.wave) == {result.last_wave}
    overall = result.effects[result.effects.group == "all"].set_index("scale")
    for row in rows.itertuples():
        scale = row.metric.removeprefix("did:")
        assert row.n == overall.loc[scale, "n_participant"] + overall.loc[scale, "n_comparison"]
        if not row.suppressed:
            assert row.value == pytest.approx(overall.loc[scale, "estimate"])
    # the satisfaction change is hidden (65 people at both waves against 66 at the last): so is its DiD
    assert rows.set_index("metric").loc["did:satisfaction", "suppressed"]
    assert not rows.set_index("metric").loc["did:collaboration", "suppressed"]
    assert result.effects_note == ""


def test_evaluation_matches_the_pure_estimator(example) -> None:
    from rmkit.evaluation.comparison import survey_scores
    from rmkit.evaluation.scoring import score_responses

    cohort, result = example
    waves = list(cohort.program.waves)
    frame = survey_scores(cohort, score_responses(cohort.responses, cohort.instrument, waves=waves),
                          score_responses(cohort.comparison_responses, cohort.instrument, waves=waves))
    direct = did(frame, waves=waves).set_index(["scale", "group"])
    shown = result.effects[~result.effects.suppressed].set_index(["scale", "group"])
    assert np.allclose(shown.estimate, direct.loc[shown.index, "estimate"])


def test_objectives_are_judged_on_the_did_and_say_so(example) -> None:
    _, result = example
    objectives = result.objectives.set_index("objective")
    assert set(objectives.judged_by) == {"difference-in-differences"}
    row = objectives.loc["digital_fluency"]
    mentees = result.effects.set_index(["scale", "group"]).loc[("digital_confidence", "role=mentee")]
    assert row.estimate == pytest.approx(mentees.estimate)
    assert row.evidence.startswith("mentees' change minus the comparison group's: digital_confidence")
    from rmkit.evaluation.views import objectives_view

    assert "judged_by" in objectives_view(result).columns


def test_a_comparison_group_too_small_to_show_falls_back_to_the_paired_change(cohort_copy: Path) -> None:
    _keep_responses(cohort_copy, lambda f: ~f.person_id.str.startswith("c") | f.person_id.isin(["c002", "c003"]))
    result = evaluate(load_cohort(cohort_copy))
    assert result.effects.suppressed.all() and result.effects.estimate.isna().all()
    assert result.effects.comparison_change.isna().all()
    did_rows = result.metrics[result.metrics.metric.str.startswith("did:")]
    assert did_rows.suppressed.all() and did_rows.value.isna().all()
    objectives = result.objectives.set_index("objective")
    assert set(objectives.judged_by) == {"paired change"}
    assert "the comparison group is too small to judge against (n = 2 < 5)" in objectives.loc["collaboration", "evidence"]
    assert objectives.loc["collaboration", "estimate"] == pytest.approx(
        result.change.set_index(["scale", "group"]).loc[("collaboration", "all"), "mean_change"])
    balance = result.balance
    assert balance.suppressed.all() and balance.smd.isna().all()


def test_a_small_role_hides_the_other_role_too(cohort_copy: Path) -> None:
    """Three mentors at the last wave: their DiD is hidden, and the mentees' too (with every participant's DiD and
    the same comparison group shown, the mentors' would follow by subtraction)."""
    people = pd.read_csv(cohort_copy / "participants.csv", dtype=str)
    mentors = set(people.person_id[people.role == "mentor"])
    kept = sorted(mentors)[:3]
    _keep_responses(cohort_copy, lambda f: ~(f.person_id.isin(mentors - set(kept)) & (f.wave == "month12")))
    result = evaluate(load_cohort(cohort_copy))
    effects = result.effects.set_index(["scale", "group"])
    assert effects.loc[("collaboration", "role=mentor"), "suppressed"]
    assert effects.loc[("collaboration", "role=mentee"), "suppressed"]
    assert np.isnan(effects.loc[("collaboration", "role=mentee"), "estimate"])
    assert not effects.loc[("collaboration", "all"), "suppressed"]


def test_a_new_cohort_says_why_there_is_no_comparison_evidence(tmp_path: Path) -> None:
    folder = tmp_path / "new"
    init_cohort(folder)
    (folder / "participants.csv").write_text(
        "person_id,role,offers,wants\np1,mentor,AI tools,strategy\np2,mentee,strategy,AI tools\n", encoding="utf-8")
    result = evaluate(load_cohort(folder))
    assert result.effects.empty and result.balance.empty
    assert result.effects_note.startswith("No comparison group answered the survey")
    items = ",".join(load_cohort(folder).instrument.item_ids)
    (folder / "responses.csv").write_text(f"person_id,wave,{items}\np1,baseline" + ",3" * len(items.split(",")) + "\n",
                                          encoding="utf-8")
    (folder / "outcomes.csv").write_text("person_id,group,start_date\nc1,comparison,2026-03-02\n", encoding="utf-8")
    with (folder / "responses.csv").open("a") as handle:
        handle.write("c1,baseline" + ",4" * len(items.split(",")) + "\n")
    result = evaluate(load_cohort(folder))
    assert "a single wave" in result.effects_note
    assert not result.metrics.metric.str.startswith("did:").any()


def test_outcomes_covariates_and_expected_sd_are_validated(tmp_path: Path) -> None:
    folder = write_tiny_cohort(tmp_path / "tiny")
    (folder / "outcomes.csv").write_text("person_id,group,start_date,department,level,generation,tenure_years\n"
                                         "c1,comparison,2026-01-05,IT,Associate,Gen Z,-2\n"
                                         "c2,comparison,2026-01-05,HR,Director,Gen X,many\n", encoding="utf-8")
    text = (folder / "program.yaml").read_text().replace(
        "{id: grow, measure: skills, target_change: 0.5}",
        "{id: grow, measure: skills, target_change: 0.5, expected_sd: -1}\n  - {id: more, measure: skills, expected_sd: lots}")
    (folder / "program.yaml").write_text(text)
    errors = [str(p) for p in validate_cohort(folder).errors]
    assert "outcomes.csv:2:tenure_years: found -2; must be 0 or more" in errors
    assert "outcomes.csv:3:tenure_years: found 'many'; expected a number (at least 0)" in errors
    assert "program.yaml:objectives[0].expected_sd: found -1; must be > 0.0" in errors
    assert any(e.startswith("program.yaml:objectives[1].expected_sd: found 'lots'") for e in errors)
    (folder / "program.yaml").write_text(text.replace("expected_sd: -1", "expected_sd: 0.8").replace(
        "\n  - {id: more, measure: skills, expected_sd: lots}", ""))
    (folder / "outcomes.csv").write_text("person_id,group,start_date,tenure_years\nc1,comparison,2026-01-05,4.5\n")
    cohort = load_cohort(folder)
    assert cohort.program.objectives[0].expected_sd == 0.8
    assert cohort.outcomes.tenure_years.tolist() == [4.5] and cohort.outcomes.level.isna().all()


def test_synth_writes_comparison_respondents_with_more_attrition(tmp_path: Path) -> None:
    from rmkit.cohort.synthetic import generate_cohort, write_cohort

    cohort = generate_cohort(n_mentors=60, n_mentees=60, seed=4, comparison_respondents=100,
                             comparison_attrition=0.2)
    responses = cohort.tables["responses"]
    theirs = responses[responses.person_id.str.startswith("c")]
    ours = responses[responses.person_id.str.startswith("p")]
    assert theirs.person_id.nunique() == 100
    waves = ["baseline", "month6", "month12"]
    kept_theirs = theirs.groupby("wave").person_id.nunique().reindex(waves)
    kept_ours = ours.groupby("wave").person_id.nunique().reindex(waves)
    assert kept_theirs.iloc[-1] / kept_theirs.iloc[0] < kept_ours.iloc[-1] / kept_ours.iloc[0]
    outcomes = cohort.tables["outcomes"]
    comparison = outcomes[outcomes.group == "comparison"]
    assert comparison[["department", "level", "generation", "tenure_years"]].notna().all().all()
    assert outcomes[outcomes.group == "participant"].level.isna().all()
    none = generate_cohort(n_mentors=6, n_mentees=6, seed=4, comparison_respondents=0)
    assert none.tables["responses"].person_id.str.startswith("p").all()
    # the participants' tables do not depend on the comparison group
    pd.testing.assert_frame_equal(none.tables["participants"], generate_cohort(n_mentors=6, n_mentees=6, seed=4).tables["participants"])
    folder = write_cohort(cohort, tmp_path / "c")
    assert load_cohort(folder).comparison_responses.person_id.nunique() == 100

