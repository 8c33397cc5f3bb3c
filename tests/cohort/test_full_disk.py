"""Writes that cannot tear, on a real full disk (a 1 MiB tmpfs) and on a read-only folder (a tmpfs remounted
read-only): the decision log holds whole rows or nothing, a publication completes or leaves the earlier state, an
OSError is a clear error (exit 1) and never "internal error", no temporary file is left behind.

Mounting needs root (CI and these machines run as root); where it is impossible the tests are skipped, saying so.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from rmkit.cohort import load_cohort, publishing, validate_cohort
from rmkit.cohort.publishing import append_decision, cohort_read_only, publish_pairs
from rmkit.errors import ReadOnlyError, WriteError

from ..helpers.cohort_builder import write_tiny_cohort


def _mount(folder: Path, options: str) -> str | None:
    folder.mkdir(parents=True, exist_ok=True)
    if not shutil.which("mount"):
        return "no mount command on this machine"
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True, text=True)
    return None if done.returncode == 0 else f"cannot mount a tmpfs here ({done.stderr.strip() or done.returncode})"


def _umount(folder: Path) -> None:
    subprocess.run(["umount", "-l", str(folder)], capture_output=True)


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB file system."""
    disk = tmp_path / "disk"
    reason = _mount(disk, "size=1m")
    if reason:
        pytest.skip(reason)
    try:
        yield disk
    finally:
        _umount(disk)


def _fill(disk: Path) -> None:
    """Fill ``disk`` up: big blocks, then single bytes, until nothing more fits."""
    with open(disk / "filler.bin", "wb", buffering=0) as handle:
        for size in (65536, 4096, 1):
            while True:
                try:
                    handle.write(b"\0" * size)
                except OSError as exc:
                    assert exc.errno == errno.ENOSPC
                    break


def _state(folder: Path) -> dict[str, str]:
    """Every file's hash, but the empty lock file that any write creates (documented, holds nothing)."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())
            if p.is_file() and p.name != publishing.LOCK_FILE}


def _leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp") or ".tmp" in p.name]


def test_a_decision_on_a_full_disk_is_whole_or_absent(tiny_disk: Path) -> None:
    cohort = write_tiny_cohort(tiny_disk / "tiny")
    _fill(tiny_disk)
    before = _state(cohort)
    # a note longer than a memory page: the row would be cut where the disk ran out
    with pytest.raises(WriteError, match="No space left on device; nothing was changed"):
        append_decision(cohort, "forbid", "m1", "e2", note="x" * 9000)
    assert _state(cohort) == before and _leftovers(cohort) == []
    assert validate_cohort(cohort).ok  # validate, pair and the board still read the log


def test_publishing_on_a_full_disk_leaves_the_earlier_state(tiny_disk: Path, run_rmkit) -> None:
    cohort = write_tiny_cohort(tiny_disk / "tiny")
    _fill(tiny_disk)
    before = _state(cohort)
    result = run_rmkit("pair", cohort, "--publish")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "could not write" in result.stderr and "No space left on device" in result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert _state(cohort) == before and _leftovers(cohort) == []
    (tiny_disk / "filler.bin").unlink()  # room again: the same command publishes
    assert run_rmkit("pair", cohort, "--publish").returncode == 0
    assert any(p.name.startswith("pairs.2") for p in cohort.iterdir())


@pytest.mark.parametrize("step", ["new pairs", "copy of the earlier pairs", "publish row", "final move"])
def test_a_publication_failing_at_any_step_is_undone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str) -> None:
    """A full disk reported at each step of a publication (each step's data is synced: the first, second or third
    fsync fails, after the data was written; or the final move fails): afterwards the folder is exactly as before."""
    cohort = write_tiny_cohort(tmp_path / "tiny")
    before = _state(cohort)
    failing = {"new pairs": 1, "copy of the earlier pairs": 2, "publish row": 3}.get(step)
    calls = {"fsync": 0}
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        calls["fsync"] += 1
        if calls["fsync"] == failing:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    def replace(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", fsync)
    if failing is None:
        monkeypatch.setattr(os, "replace", replace)
    pairs = pd.DataFrame({"mentor_id": ["m3"], "mentee_id": ["e2"], "score": [0.5]})
    with pytest.raises(WriteError, match="the published pairs and the decision log are as they were"):
        publish_pairs(cohort, pairs)
    monkeypatch.undo()
    assert _state(cohort) == before and _leftovers(cohort) == []


@pytest.fixture
def read_only_cohort(tmp_path: Path) -> Iterator[Path]:
    """The tiny cohort on a tmpfs remounted read-only (root ignores permission bits, not a read-only mount)."""
    disk = tmp_path / "ro"
    reason = _mount(disk, "size=4m")
    if reason:
        pytest.skip(reason)
    try:
        cohort = write_tiny_cohort(disk / "tiny")
        done = subprocess.run(["mount", "-o", "remount,ro", str(disk)], capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"cannot remount read-only here ({done.stderr.strip()})")
        yield cohort
    finally:
        _umount(disk)


def test_a_read_only_cohort_refuses_to_publish_with_the_reason(read_only_cohort: Path, run_rmkit) -> None:
    assert "Read-only file system" in (cohort_read_only(read_only_cohort) or "")
    result = run_rmkit("pair", read_only_cohort, "--publish")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "cannot publish pairs" in result.stderr and "Read-only file system" in result.stderr
    assert "internal error" not in result.stderr
    with pytest.raises(ReadOnlyError):
        append_decision(read_only_cohort, "lock", "m1", "e1")


def test_the_pairing_board_opens_read_only(read_only_cohort: Path) -> None:
    from rmkit.dashboards.pairing_board import PairingBoard

    board = PairingBoard(load_cohort(read_only_cohort))
    assert board.result is not None and board.read_only is not None
    assert "Decisions cannot be saved here" in board._status.value and "Read-only file system" in board._status.value
    assert board._publish.disabled
    rows = [row for row in board._pair_rows if "rmkit-hidden" not in row._dom_classes]
    assert rows and all(button.disabled for row in rows for button in row.children[1].children)
    with pytest.raises(ReadOnlyError):
        board.lock("m1", "e1")
    board._publish.click()  # a click shows the refusal, it does not raise where no one sees it
    assert "cannot be saved" in board._status.value
    assert not os.path.exists(read_only_cohort / "decisions.csv.tmp")
