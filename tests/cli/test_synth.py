"""``rmkit synth DIR --mentors N --mentees M --seed S``. Before, ``python -m rmkit.cohort.synthetic`` overwrote an
existing cohort's files and ``… --help`` made a folder called ``--help``."""

from __future__ import annotations

from pathlib import Path

from ..conftest import file_hashes


def test_synth_writes_a_valid_cohort_and_refuses_a_non_empty_folder(run_rmkit, tmp_path: Path, cohort_copy: Path) -> None:
    done = run_rmkit("synth", tmp_path / "small", "--mentors", "5", "--mentees", "4", "--seed", "3", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    from rmkit.cohort import load_cohort

    cohort = load_cohort(tmp_path / "small")
    assert cohort.participants["role"].value_counts().to_dict() == {"mentor": 5, "mentee": 4}
    assert cohort.name == "small"
    before = file_hashes(cohort_copy)
    refused = run_rmkit("synth", cohort_copy, "--mentors", "5", "--mentees", "5")
    assert refused.returncode == 2 and "not empty" in refused.stderr and "Traceback" not in refused.stderr
    assert file_hashes(cohort_copy) == before


def test_synth_help_and_bad_sizes_write_nothing(run_rmkit, tmp_path: Path) -> None:
    assert run_rmkit("synth", "--help", cwd=tmp_path).returncode == 0
    assert run_rmkit("synth", tmp_path / "x", "--mentors", "0", cwd=tmp_path).returncode == 2
    assert run_rmkit("synth", cwd=tmp_path).returncode == 2
    assert list(tmp_path.iterdir()) == []


def test_same_seed_same_folder(tmp_path: Path) -> None:
    from rmkit.cli.synth import generate_folder

    a = generate_folder(tmp_path / "a", mentors=6, mentees=6, seed=1, name="same")
    b = generate_folder(tmp_path / "b", mentors=6, mentees=6, seed=1, name="same")
    assert file_hashes(a) == file_hashes(b)


def test_synth_comparison_respondents_and_their_attrition(run_rmkit, tmp_path: Path) -> None:
    done = run_rmkit("synth", tmp_path / "c", "--mentors", "8", "--mentees", "8", "--seed", "2",
                     "--comparison-respondents", "12", "--comparison-attrition", "0.3", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    from rmkit.cohort import load_cohort

    cohort = load_cohort(tmp_path / "c")
    theirs = cohort.comparison_responses
    assert theirs.person_id.nunique() == 12
    assert theirs.groupby("wave").size().reindex(cohort.program.waves).is_monotonic_decreasing
    refused = run_rmkit("synth", tmp_path / "d", "--comparison-attrition", "0.7", cwd=tmp_path)
    assert refused.returncode == 2 and not (tmp_path / "d").exists()
    none = run_rmkit("synth", tmp_path / "e", "--mentors", "3", "--mentees", "3", "--comparison-respondents", "0",
                     cwd=tmp_path)
    assert none.returncode == 0 and len(load_cohort(tmp_path / "e").comparison_responses) == 0
