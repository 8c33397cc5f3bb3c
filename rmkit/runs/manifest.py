"""``manifest.json``: what a run used and what it produced, so that a run can be checked and reproduced.

The manifest of a run folder holds (keys in this order):

- ``format`` (1), ``rmkit``: rmkit's version, ``status``: ``running`` → ``ok``, ``failed`` or ``interrupted``
  (or ``crashed``, written by ``rmkit batch`` when the process running it died);
- ``cohort``: ``{"id", "program", "path"}``;
- ``parameters``: what each phase notebook was given (``cohort_dir``, ``output_dir``), the phases selected, the
  kernel and the per-cell timeout;
- ``started``, ``finished`` (ISO 8601, UTC) and ``duration_s``;
- ``versions``: Python and the key packages (``null`` for one that is not installed), and ``platform``;
- ``inputs``: every input file read from the cohort folder, its path relative to the folder → its sha256;
  ``instrument``: the survey instrument used (``id``, ``path``, ``sha256``) when it is not one of those files;
- ``validation_warnings``: the warnings validation printed;
- ``phases``: one entry per phase notebook found, in phase order: ``number``, ``name``, ``status``
  (``ok``, ``failed``, ``skipped``; ``pending`` and ``running`` while the run goes on), ``reason`` (why skipped), ``notebook`` (the executed notebook), ``started``,
  ``duration_s``, ``kernel_attempts``, ``kernel`` (``slot``: the phase worker whose kernel ran it; ``fresh``: false
  when that kernel was kept from an earlier phase), ``tables`` and ``figures`` (the files it wrote) and ``error`` (``phase``,
  ``cell_index``, ``execution_count``, ``source_line``, ``ename``, ``evalue``) when it failed;
- ``tables``, ``figures``: every file under ``tables/`` and ``figures/``, relative path → sha256;
- ``report``: ``report.html`` once written; ``summary``: ``summary.html``; ``workbook``: ``tables.xlsx``; ``warnings``: anything the run noticed (an input that changed, names
  found in notebook outputs and replaced in the report).

Paths inside the run folder are relative to it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..cohort import Cohort
    from .results import PhaseResult, RunResult

__all__ = [
    "KEY_PACKAGES",
    "sha256_file",
    "hash_files",
    "package_versions",
    "input_hashes",
    "new_manifest",
    "save_manifest",
    "phase_json",
    "write_manifest",
    "read_manifest",
]

FORMAT = 1

KEY_PACKAGES = (
    "pandas", "numpy", "scipy", "pandera", "pydantic", "pyyaml", "openpyxl", "altair", "vl-convert-python",
    "papermill", "nbclient", "nbformat", "nbconvert", "ipykernel", "jupyter_client", "ipywidgets", "voila",
)


def sha256_file(path: str | os.PathLike[str]) -> str:
    """The hex sha256 of a file's bytes, read in blocks.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> _ = p.write_bytes(b"abc")
    >>> sha256_file(p)[:16]
    'ba7816bf8f01cfea'
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def hash_files(paths: Iterable[Path], root: Path) -> dict[str, str]:
    """``{path relative to root (with /): sha256}`` for each file, sorted by path."""
    return {p.relative_to(root).as_posix(): sha256_file(p) for p in sorted(paths)}


def package_versions() -> dict[str, str | None]:
    """The versions of Python, rmkit and :data:`KEY_PACKAGES`, read from the installed metadata (nothing is imported).

    Examples
    --------
    >>> versions = package_versions()
    >>> versions["python"] == platform.python_version(), "papermill" in versions
    (True, True)
    """
    from importlib.metadata import PackageNotFoundError, version

    from .._version import __version__

    found: dict[str, str | None] = {"python": platform.python_version(), "rmkit": __version__}
    for name in KEY_PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = None
    return found


def new_manifest(result: RunResult, cohort: Cohort, *, cell_timeout: float | None,
                 selected: list[str]) -> dict[str, Any]:
    """The manifest of a run that is starting: what it uses (inputs hashed now), nothing produced yet."""
    from .._version import __version__
    from ..cohort import resolve_instrument
    from .execute import KERNEL_NAME

    inputs = input_hashes(cohort)
    instrument = None
    path = resolve_instrument(cohort.program.instrument, cohort.path)
    if path is not None and relative_path(path.resolve(), result.cohort_dir) not in inputs:
        instrument = {"id": cohort.instrument.id, "path": str(path), "sha256": sha256_file(path)}
    return {
        "format": FORMAT,
        "rmkit": __version__,
        "status": "running",
        "cohort": {"id": result.cohort, "program": result.program, "path": str(result.cohort_dir)},
        "parameters": {"cohort_dir": str(result.cohort_dir), "output_dir": str(result.run_dir), "phases": selected,
                       "kernel_name": KERNEL_NAME, "cell_timeout_s": cell_timeout},
        "started": iso(result.started),
        "finished": None,
        "duration_s": None,
        "versions": package_versions(),
        "platform": platform.platform(),
        "inputs": inputs,
        "instrument": instrument,
        "validation_warnings": result.validation_warnings,
        "phases": [],
        "tables": {},
        "figures": {},
        "report": None,
        "summary": None,
        "workbook": None,
        "warnings": [],
    }


def save_manifest(manifest: dict[str, Any], result: RunResult) -> None:
    """Bring ``manifest`` up to date with ``result`` (status, times, phases, files written) and write it."""
    run_dir = result.run_dir
    manifest.update(
        status=result.status,
        finished=iso(result.finished),
        duration_s=None if result.duration_s is None else round(result.duration_s, 3),
        phases=[phase_json(p, run_dir) for p in result.phases],
        tables=hash_files((p for p in (run_dir / "tables").rglob("*") if p.is_file()), run_dir),
        figures=hash_files((p for p in (run_dir / "figures").rglob("*") if p.is_file()), run_dir),
        report=relative_path(result.report, run_dir),
        summary=relative_path(result.summary, run_dir),
        workbook=relative_path(result.workbook, run_dir),
        warnings=result.warnings,
    )
    write_manifest(result.manifest, manifest)


def input_hashes(cohort: Cohort) -> dict[str, str]:
    """The sha256 of every input file read from the cohort folder, by path relative to it."""
    root = cohort.path.resolve()
    files = [p.resolve() for p in cohort.input_files()]
    return hash_files((p for p in files if p.is_relative_to(root)), root)


def phase_json(phase: PhaseResult, run_dir: Path) -> dict[str, Any]:
    """One entry of the manifest's ``phases``."""
    error = None
    if phase.error is not None:
        error = {key: getattr(phase.error, key) for key in
                 ("phase", "cell_index", "execution_count", "source_line", "ename", "evalue")}
    return {
        "number": phase.number,
        "name": phase.name,
        "status": phase.status,
        "reason": phase.reason,
        "notebook": relative_path(phase.notebook, run_dir),
        "started": iso(phase.started),
        "duration_s": None if phase.duration_s is None else round(phase.duration_s, 3),
        "kernel_attempts": phase.kernel_attempts,
        "kernel": {"slot": phase.kernel_slot, "fresh": phase.kernel_fresh},
        "tables": phase.tables,
        "figures": phase.figures,
        "error": error,
    }


def iso(when: dt.datetime | None) -> str | None:
    return None if when is None else when.isoformat(timespec="seconds")


def relative_path(path: Path | None, root: Path) -> str | None:
    if path is None:
        return None
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def write_manifest(path: str | os.PathLike[str], manifest: dict[str, Any]) -> Path:
    """Write ``manifest`` as indented UTF-8 JSON, replacing the file atomically."""
    from ..cohort.tables import atomic_write

    path = Path(path)
    with atomic_write(path, "w", encoding="utf-8") as handle:
        json.dump(manifest, handle, indent=2, ensure_ascii=False)
        handle.write("\n")
    return path


def read_manifest(run_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """The manifest of a run folder."""
    return json.loads((Path(run_dir) / "manifest.json").read_text(encoding="utf-8"))


def earlier_durations(runs_folder: str | os.PathLike[str], *, before: str | None = None) -> dict[str, float]:
    """Seconds per phase name in the newest earlier run under ``runs_folder`` (``runs/<cohort>/``) whose phases
    ran (those that ended ``ok``), or ``{}``; ``before`` leaves that run folder itself out. Used to start the
    longest phases first (:func:`~rmkit.phases.registry.start_order`)."""
    folder = Path(runs_folder)
    with suppress(OSError):
        for run in sorted((p for p in folder.iterdir() if p.is_dir() and p.name != before), reverse=True):
            try:
                phases = json.loads((run / "manifest.json").read_text(encoding="utf-8")).get("phases", [])
            except (OSError, ValueError):
                continue
            durations = {p["name"]: float(p["duration_s"]) for p in phases if isinstance(p, dict)
                         and p.get("status") == "ok" and isinstance(p.get("duration_s"), (int, float))}
            if durations:
                return durations
    return {}
