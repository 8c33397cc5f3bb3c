"""The command line as users meet it: help, version, init, validate, and the exit-code and no-traceback rules."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from rmkit import __version__

from ..conftest import file_hashes
from ..helpers.cohort_builder import set_cell, write_tiny_cohort


def test_version_and_help(run_rmkit) -> None:
    result = run_rmkit("--version")
    assert (result.returncode, result.stdout.strip()) == (0, f"rmkit {__version__}")
    result = run_rmkit("--help")
    assert result.returncode == 0
    for command in ("init", "validate"):
        assert command in result.stdout
    assert "exit codes" in result.stdout


def test_no_command_prints_help_and_exits_2(run_rmkit) -> None:
    result = run_rmkit()
    assert result.returncode == 2 and "usage: rmkit" in result.stdout


def test_bad_flag_is_a_usage_error(run_rmkit) -> None:
    result = run_rmkit("validate", "--no-such-flag", "x")
    assert result.returncode == 2
    assert "unrecognized arguments" in result.stderr and "Traceback" not in result.stderr


def test_validate_example_cohort(run_rmkit, example_dir: Path) -> None:
    result = run_rmkit("validate", example_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "valid (40 mentors, 40 mentees" in result.stdout


def test_validate_missing_folder(run_rmkit, tmp_path: Path) -> None:
    result = run_rmkit("validate", tmp_path / "nope")
    assert result.returncode == 2
    assert result.stderr.strip() == f"{tmp_path / 'nope'}: no such cohort folder"


def test_validate_invalid_cohort_prints_every_problem(run_rmkit, tmp_path: Path) -> None:
    folder = write_tiny_cohort(tmp_path / "tiny")
    set_cell(folder, "participants", 3, "role", "boss")
    set_cell(folder, "costs", 3, "confidence", "2")
    before = file_hashes(folder)
    result = run_rmkit("validate", folder)
    assert result.returncode == 2
    lines = result.stdout.splitlines()
    assert "participants.csv:3:role: found 'boss'; allowed: mentor, mentee" in lines
    assert "costs.csv:3:confidence: found 2; allowed: 0 to 1" in lines
    assert lines[-1].endswith("invalid: 2 errors in 2 files, 0 warnings")
    assert "Traceback" not in result.stdout + result.stderr
    assert file_hashes(folder) == before


def test_validate_quiet_prints_errors_only(run_rmkit, tmp_path: Path) -> None:
    folder = write_tiny_cohort(tmp_path / "tiny")
    set_cell(folder, "participants", 6, "wants", "")  # a warning
    set_cell(folder, "costs", 2, "kind", "fee")  # an error
    result = run_rmkit("validate", "-q", folder)
    assert (result.returncode, result.stdout.splitlines()) == (2, ["costs.csv:2:kind: found 'fee'; allowed: cost, benefit"])


def test_unreadable_file_is_bad_input(tmp_path: Path, monkeypatch, capsys) -> None:
    from rmkit.cli import main

    folder = write_tiny_cohort(tmp_path / "tiny")
    real = Path.read_bytes

    def deny(self: Path) -> bytes:
        if self.name == "costs.csv":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", deny)
    assert main(["validate", str(folder)]) == 2
    assert "costs.csv: cannot be read: Permission denied" in capsys.readouterr().out


def test_init_creates_a_cohort_and_refuses_to_overwrite(run_rmkit, tmp_path: Path) -> None:
    target = tmp_path / "new-cohort"
    result = run_rmkit("init", target)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in target.iterdir()) == [
        "agreements.csv", "checkins.csv", "costs.csv", "outcomes.csv", "participants.csv", "program.yaml", "responses.csv"
    ]
    assert "cohort: new-cohort" in (target / "program.yaml").read_text()
    before = file_hashes(target)
    again = run_rmkit("init", target)
    assert again.returncode == 2 and "not empty" in again.stderr
    assert file_hashes(target) == before


def test_init_xlsx(run_rmkit, tmp_path: Path) -> None:
    target = tmp_path / "x"
    assert run_rmkit("init", "--xlsx", target).returncode == 0
    assert (target / "participants.xlsx").is_file()
    assert pd.ExcelFile(target / "participants.xlsx").sheet_names == ["participants", "README"]


def test_init_then_fill_in_the_example_rows_is_valid(run_rmkit, tmp_path: Path, example_dir: Path) -> None:
    target = tmp_path / "filled"
    assert run_rmkit("init", target).returncode == 0
    for path in target.glob("*.csv"):
        header = pd.read_csv(path, dtype=str, nrows=0).columns.tolist()
        rows = pd.read_csv(example_dir / path.name, dtype=str, keep_default_na=False)
        filled = pd.DataFrame({c: rows[c] if c in rows.columns else "" for c in header})
        filled.to_csv(path, index=False)
    shutil.copyfile(example_dir / "program.yaml", target / "program.yaml")
    result = run_rmkit("validate", target)
    assert result.returncode == 0, result.stdout


def test_empty_template_cohort_says_what_is_missing(run_rmkit, tmp_path: Path) -> None:
    target = tmp_path / "blank"
    run_rmkit("init", target)
    result = run_rmkit("validate", target)
    assert result.returncode == 2
    assert "participants.csv: has no participants (only a header)" in result.stdout.splitlines()


def test_python_dash_m_is_the_same_command(tmp_path: Path, example_dir: Path) -> None:
    import subprocess
    import sys

    from ..conftest import rmkit_env

    result = subprocess.run([sys.executable, "-m", "rmkit", "validate", str(example_dir)], capture_output=True, text=True, env=rmkit_env())
    assert result.returncode == 0
