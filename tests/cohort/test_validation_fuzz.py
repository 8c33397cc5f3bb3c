"""Whatever users feed `rmkit validate`, it exits 0 or 2, never prints a traceback and never changes a file."""

from __future__ import annotations

import contextlib
import io
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rmkit.cli import main
from rmkit.cohort.schemas import TABLES

from ..conftest import file_hashes
from ..helpers.cohort_builder import write_tiny_cohort

_TEMPLATE = write_tiny_cohort(Path(tempfile.mkdtemp(prefix="rmkit-fuzz-")) / "tiny")
FILES = ["program.yaml", "tiny.yaml", "participants.csv", "responses.csv", "checkins.csv", "outcomes.csv", "costs.csv", "pairs.csv", "decisions.csv"]
CONTRACT_COLUMNS = sorted({c.name for spec in TABLES.values() for c in spec.columns})

cell = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "mentor", "mentee", "m1", "e1", "2026-02-30", "2026-01-01", "-1", "1e309", "nan", "=1+1", "true", "5", "a;b", '"', ","]),
    st.integers(-10**6, 10**6).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)


def _validate(folder: Path) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["validate", str(folder)])
    return code, out.getvalue() + err.getvalue()


def _check(folder: Path) -> None:
    before = file_hashes(folder)
    code, output = _validate(folder)
    assert code in (0, 2), output
    assert "Traceback" not in output and "internal error" not in output, output
    assert file_hashes(folder) == before


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(FILES + ["participants.xlsx"]), data=st.binary(max_size=400))
def test_random_bytes(name: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(shutil.copytree(_TEMPLATE, Path(tmp) / "c"))
        if name.endswith(".xlsx"):
            (folder / "participants.csv").unlink()
        (folder / name).write_bytes(data)
        _check(folder)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from([f for f in FILES if f.endswith(".csv")]),
    header=st.lists(st.one_of(st.sampled_from(CONTRACT_COLUMNS + ["s1", "s2", "h1"]), st.text(max_size=6)), min_size=0, max_size=8),
    rows=st.lists(st.lists(cell, max_size=9), max_size=6),
    delimiter=st.sampled_from([",", ";", "\t"]),
)
def test_random_malformed_tables(name: str, header: list[str], rows: list[list[str]], delimiter: str) -> None:
    import csv

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(shutil.copytree(_TEMPLATE, Path(tmp) / "c"))
        with open(folder / name, "w", newline="", encoding="utf-8", errors="surrogatepass") as handle:
            writer = csv.writer(handle, delimiter=delimiter)
            writer.writerow(header)
            writer.writerows(rows)
        _check(folder)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    key=st.sampled_from(["strategy", "weights", "rules", "waves", "min_group_size", "objectives", "instrument", "start_date", "as_of", "checkins"]),
    value=st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8)),
                       lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)), max_leaves=6),
)
def test_random_program_values(key: str, value: object) -> None:
    import yaml

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(shutil.copytree(_TEMPLATE, Path(tmp) / "c"))
        program = yaml.safe_load((folder / "program.yaml").read_text())
        if key in {"strategy", "weights", "rules"}:
            program["pairing"][key] = value
        else:
            program[key] = value
        (folder / "program.yaml").write_text(yaml.safe_dump(program, allow_unicode=True))
        _check(folder)


def test_the_real_process_prints_no_traceback(run_rmkit, tmp_path: Path) -> None:
    folder = Path(shutil.copytree(_TEMPLATE, tmp_path / "c"))
    (folder / "participants.csv").write_bytes(b"\xff\xfe\x00garbage\x00")
    (folder / "program.yaml").write_bytes(b"{{{{")
    result = run_rmkit("validate", folder)
    assert result.returncode == 2
    assert "Traceback" not in result.stdout + result.stderr
