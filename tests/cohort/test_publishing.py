"""Publishing pairs and appending decisions: history never overwritten, formula-safe cells, several processes at once."""

from __future__ import annotations

import csv
import multiprocessing
import stat
from pathlib import Path

import pandas as pd
import pytest

from rmkit.cohort import load_cohort, publishing
from rmkit.cohort.publishing import DECISION_COLUMNS, append_decision, publish_pairs
from rmkit.pairing import propose_pairs, standing_decisions

from ..conftest import file_hashes


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_append_creates_the_log_with_the_contract_header(tmp_path: Path) -> None:
    row = append_decision(tmp_path, "lock", "p01", "p41", by="Ann", note="asked to work together")
    rows = _rows(tmp_path / "decisions.csv")
    assert list(rows[0]) == list(DECISION_COLUMNS)
    assert rows == [row]
    assert pd.Timestamp(row["at"]).tz is not None and pd.Timestamp(row["at"]).utcoffset().total_seconds() == 0


def test_cells_are_formula_neutralized(tmp_path: Path) -> None:
    append_decision(tmp_path, "forbid", "p01", "p41", by="@admin", note="=HYPERLINK(\"http://x\")")
    (row,) = _rows(tmp_path / "decisions.csv")
    assert row["by"] == "'@admin" and row["note"].startswith("'=")


def test_bad_decisions_are_refused_before_writing(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown action"):
        append_decision(tmp_path, "veto", "p01", "p41")
    with pytest.raises(ValueError, match="names both"):
        append_decision(tmp_path, "lock", "p01", None)
    assert not (tmp_path / "decisions.csv").exists()


def test_append_keeps_an_existing_files_layout(tmp_path: Path) -> None:
    (tmp_path / "decisions.csv").write_bytes("\ufeffAction;Mentor_ID;Mentee_ID;note;at\r\nlock;p01;p41;;\r\n".encode())
    append_decision(tmp_path, "unlock", "p01", "p41", note="changed our mind")
    text = (tmp_path / "decisions.csv").read_bytes().decode("utf-8-sig")
    lines = text.split("\r\n")
    assert lines[2].startswith("unlock;p01;p41;changed our mind;20") and text.endswith("\r\n")


def test_append_to_an_xlsx_log(tmp_path: Path) -> None:
    pd.DataFrame({"at": ["2026-01-01T10:00:00+00:00"], "by": ["x"], "action": ["lock"], "mentor_id": ["p01"],
                  "mentee_id": ["p41"], "note": [""]}).to_excel(tmp_path / "decisions.xlsx", index=False)
    append_decision(tmp_path, "forbid", "p02", "p42")
    table = pd.read_excel(tmp_path / "decisions.xlsx", dtype=str)
    assert table["action"].tolist() == ["lock", "forbid"] and not (tmp_path / "decisions.csv").exists()


def _append_many(folder: str, worker: int, count: int, barrier: object) -> None:
    barrier.wait(30)  # type: ignore[attr-defined]  # start together, so the appends really contend
    for k in range(count):
        append_decision(folder, "forbid", f"m{worker}", f"e{k}", by=f"worker {worker}", note=f"{worker}-{k}, with a comma")


def test_several_processes_append_without_losing_rows(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(4)
    workers = [context.Process(target=_append_many, args=(str(tmp_path), w, 25, barrier)) for w in range(4)]
    for p in workers:
        p.start()
    for p in workers:
        p.join(60)
        assert p.exitcode == 0
    rows = _rows(tmp_path / "decisions.csv")
    assert len(rows) == 100
    assert sorted(r["note"] for r in rows) == sorted(f"{w}-{k}, with a comma" for w in range(4) for k in range(25))
    assert all(len(r) == len(DECISION_COLUMNS) and r["action"] == "forbid" for r in rows)
    # the file's order is the time order (the time is taken inside the lock)
    times = [pd.Timestamp(r["at"]) for r in rows]
    assert times == sorted(times)
    # each worker's rows keep their own order
    for w in range(4):
        mine = [int(r["note"].split("-")[1].split(",")[0]) for r in rows if r["by"] == f"worker {w}"]
        assert mine == list(range(25))


def test_publish_keeps_every_earlier_version(cohort_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cohort = load_cohort(cohort_copy)
    result = propose_pairs(cohort)
    original = (cohort_copy / "pairs.csv").read_bytes()
    (cohort_copy / "pairs.csv").chmod(0o640)  # a shared folder's permissions survive publishing
    before = file_hashes(cohort_copy)
    monkeypatch.setattr(publishing, "timestamp_for_filename", lambda: "20260220T101500Z")  # three publishes "in one second"
    first = publish_pairs(cohort_copy, result.pairs_table(), by="Ann", note="kick-off")
    second_bytes = (cohort_copy / "pairs.csv").read_bytes()
    second = publish_pairs(cohort_copy, result.pairs_table())
    third = publish_pairs(cohort_copy, result.pairs_table().iloc[:3])
    assert [p.history_path.name for p in (first, second, third)] == [
        "pairs.20260220T101500Z.csv", "pairs.20260220T101500Z-2.csv", "pairs.20260220T101500Z-3.csv"]
    assert first.history_path.read_bytes() == original
    assert stat.S_IMODE((cohort_copy / "pairs.csv").stat().st_mode) == 0o640
    assert second.history_path.read_bytes() == second_bytes
    # nothing else of the cohort changed but pairs.csv and decisions.csv
    after = file_hashes(cohort_copy)
    changed = {name for name in before if before[name] != after.get(name)}
    assert changed == {"pairs.csv", "decisions.csv"}
    log = _rows(cohort_copy / "decisions.csv")
    assert [r["note"] for r in log[-3:]] == [f"{result.matched} pairs; kick-off", f"{result.matched} pairs", "3 pairs"]
    assert log[-3]["by"] == "Ann" and all(r["action"] == "publish" for r in log[-3:])
    # the cohort is still valid and reads the published pairs back exactly
    again = load_cohort(cohort_copy)
    assert again.pairs[["mentor_id", "mentee_id"]].values.tolist() == result.pairs[["mentor_id", "mentee_id"]].values[:3].tolist()
    # publish rows do not change the standing decisions
    assert standing_decisions(again.decisions).equals(standing_decisions(cohort.decisions))


def test_publish_writes_contract_columns_only(tmp_path: Path) -> None:
    pairs = pd.DataFrame({"mentor_id": ["p01"], "mentee_id": ["p41"], "mentor_name": ["Amira"], "score": [0.5],
                          "locked": [False], "reasons": ["=cmd"]})
    publication = publish_pairs(tmp_path, pairs)
    (row,) = _rows(publication.pairs_path)
    assert list(row) == ["mentor_id", "mentee_id", "score", "locked", "reasons"] and row["reasons"] == "'=cmd"
    with pytest.raises(ValueError, match="one mentor"):
        publish_pairs(tmp_path, pd.DataFrame({"mentor_id": ["p01", "p02"], "mentee_id": ["p41", "p41"]}))
