"""What a run shares with its phases through files: which phase wrote which of the run folder's tables and
figures, and the hand-overs in the run's private claim folder (the validated cohort, the executive summary).

Phases run at the same time, so a file under ``tables/`` or ``figures/`` is attributed to the phase whose kernel
listed it in its claim file (``RMKIT_PHASE_FILES``, written by :class:`~rmkit.runs.phase_context.Phase`), else to the
first phase (in numbered order) running when it was written. The claim folder (``.phase-files-*`` in the run folder,
made by :func:`tempfile.mkdtemp`, so only this user can write to it) is removed when the run ends.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any

from .results import PhaseResult

__all__ = ["PhaseFiles", "snapshot", "changed_inputs", "PHASE_FILES_VARIABLE", "SUMMARY_PHASE"]

PHASE_FILES_VARIABLE = "RMKIT_PHASE_FILES"
SUMMARY_PHASE = "evaluation"  # the phase that hands the run its executive summary (it has the evaluation)


class PhaseFiles:
    """Which phase wrote which of the run folder's tables and figures (see the module's docstring): the files each
    phase's kernel lists in its claim file, else the first phase (in numbered order) running when a file was
    written."""

    OUTPUTS = ("tables", "figures")

    def __init__(self, run_dir: Path):
        import tempfile

        self.run_dir = run_dir
        self.before = snapshot(run_dir, only=self.OUTPUTS)
        self.folder = Path(tempfile.mkdtemp(prefix=".phase-files-", dir=run_dir))
        self.windows: dict[int, tuple[int, int | None]] = {}  # phase number -> (start, end) in ns since the epoch
        self.private: Path | None = None  # the hand-over folder of the validated cohort, while the phases run

    @property
    def validated_file(self) -> Path | None:
        """The pickled validation the phases take (:meth:`hand_over_validation`), while there is one."""
        return None if self.private is None else self.private / "validated.pickle"

    def hand_over_validation(self, report: Any, read_as: tuple) -> None:
        """Pickle the validated cohort for the phases: a phase whose cohort files are still as they were read takes
        it instead of validating them again (:func:`~rmkit.runs.phase_context.start_phase`). The pickle goes to a
        private folder of the system's temporary folder (made by :func:`tempfile.mkdtemp`: only this user can
        list or write it, and the temporary folder's sticky bit keeps others from renaming it), never into the run
        folder, which others may be able to write; :meth:`close` removes it. A cohort that cannot be pickled is
        simply not handed over."""
        import pickle
        import tempfile

        try:
            self.private = Path(tempfile.mkdtemp(prefix="rmkit-run-"))
            self.private.joinpath("validated.pickle").write_bytes(pickle.dumps((read_as, report),
                                                                              protocol=pickle.HIGHEST_PROTOCOL))
        except Exception:  # noqa: BLE001 - each phase validates the cohort itself, as in plain papermill
            self.close()

    def close(self) -> None:
        """Remove the private hand-over folder (the claim folder goes with :meth:`attribute`)."""
        import shutil

        if self.private is not None:
            shutil.rmtree(self.private, ignore_errors=True)
            self.private = None

    @property
    def summary_file(self) -> Path:
        """Where the evaluation phase hands over the executive summary (:meth:`Phase.share_summary`)."""
        return self.folder / "summary.json"

    def claim_file(self, phase: PhaseResult) -> Path:
        return self.folder / f"{phase.number:02d}.txt"

    def start(self, phase: PhaseResult) -> Path:
        self.windows[phase.number] = (time.time_ns(), None)
        return self.claim_file(phase)

    def finish(self, phase: PhaseResult) -> None:
        self.windows[phase.number] = (self.windows[phase.number][0], time.time_ns())

    def claimed(self, number: int) -> set[str]:
        try:
            lines = (self.folder / f"{number:02d}.txt").read_text(encoding="utf-8").splitlines()
        except OSError:
            return set()
        found = set()
        for line in filter(None, lines):
            with suppress(ValueError):
                found.add(Path(line).resolve().relative_to(self.run_dir).as_posix())
        return found

    def attribute(self, phases: Sequence[PhaseResult], *, final: bool = True) -> None:
        """Set the ``tables`` and ``figures`` of ``phases``; ``final`` removes the claim files."""
        changed = {path: stamp for path, stamp in snapshot(self.run_dir, only=self.OUTPUTS).items()
                   if self.before.get(path) != stamp}
        claims = {number: self.claimed(number) for number in self.windows}
        owned = set().union(*claims.values())
        for phase in phases:
            mine = claims.get(phase.number, set()) & changed.keys()
            mine |= {path for path, (_, mtime) in changed.items() if path not in owned and self.writer(mtime) == phase.number}
            phase.tables = sorted(p for p in mine if p.startswith("tables/"))
            phase.figures = sorted(p for p in mine if p.startswith("figures/"))
        if final:
            import shutil

            shutil.rmtree(self.folder, ignore_errors=True)

    def writer(self, mtime_ns: int) -> int | None:
        running = [number for number, (start, end) in self.windows.items()
                   if start <= mtime_ns and (end is None or mtime_ns <= end)]
        return min(running) if running else None


def snapshot(root: Path, *, only: Sequence[str] = (), exclude: Path | None = None) -> dict[str, tuple[int, int]]:
    """``{relative path: (size, mtime_ns)}`` of the files under ``root`` (or under its subfolders ``only``)."""
    tops = [root / name for name in only] if only else [root]
    found = {}
    for top in tops:
        for path in top.rglob("*") if top.is_dir() else ():
            if exclude is not None and path.is_relative_to(exclude):
                continue
            if path.is_file():
                stat = path.stat()
                found[path.relative_to(root).as_posix()] = (stat.st_size, stat.st_mtime_ns)
    return found


def changed_inputs(root: Path, before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> list[str]:
    changed = sorted(name for name in before.keys() & after.keys() if before[name] != after[name])
    added, removed = sorted(after.keys() - before.keys()), sorted(before.keys() - after.keys())
    notes = [f"{root / name}: changed during the run" for name in changed]
    notes += [f"{root / name}: created in the cohort folder during the run" for name in added]
    notes += [f"{root / name}: removed from the cohort folder during the run" for name in removed]
    return notes
