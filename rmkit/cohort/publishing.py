"""Writing the facilitator's pairing decisions into the cohort folder: the decision log and published pairs.

These are the only writes rmkit makes into a cohort folder, and only on an explicit action (the dashboard's buttons,
``rmkit pair --publish``):

- :func:`append_decision` adds one row to ``decisions.csv`` (creating it with the contract's header when absent);
- :func:`publish_pairs` replaces ``pairs.csv`` atomically, first keeping the previous one as
  ``pairs.<timestamp>.csv`` (``<timestamp>`` = the UTC moment it was superseded, ``20260220T101500Z``; a counter
  is added when that name exists, so no history file is ever overwritten), and logs a ``publish`` decision.

Both hold an exclusive lock (``fcntl.flock``; ``msvcrt.locking`` on Windows) on ``.decisions.lock`` in the cohort
folder while they write, so several processes (dashboard tabs, a terminal) can append at once without losing or
interleaving rows. ``at`` is an ISO 8601 UTC timestamp taken inside the lock, so the file's order is the time order.
Every cell is formula-neutralized (see :func:`rmkit.cohort.tables.neutralize_formula`). An existing ``decisions.xlsx`` or
``pairs.xlsx`` stays XLSX; a CSV keeps its delimiter, line ending and column order.

Writes cannot tear. A decision is appended as one write of the whole row, flushed and synced; if that fails (a full
disk), the file is cut back to its previous length under the lock, so it holds the whole row or nothing. A
publication writes the new pairs to a temporary file, the copy of the earlier pairs, and the ``publish`` row, and
only then moves the new file into place; a failure at any step removes what that publication wrote, and the
earlier state stays as it was. Such a failure is a :class:`~rmkit.errors.WriteError` (exit 1) naming the file and
the reason. A folder that cannot be written at all (a read-only share, a snapshot) is found before anything is
tried (:func:`cohort_read_only`) and is a :class:`~rmkit.errors.ReadOnlyError` (exit 2).
"""

from __future__ import annotations

import csv
import datetime as dt
import errno
import io
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import ReadOnlyError, UsageError, WriteError
from .tables import atomic_write, neutralize_formula, neutralize_frame, timestamp_for_filename

__all__ = ["DECISION_COLUMNS", "PAIRS_COLUMNS", "Publication", "append_decision", "publish_pairs", "decisions_lock",
           "cohort_read_only"]

#: errno values that mean "this folder cannot be written here", as opposed to a failure while writing
_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}

DECISION_COLUMNS = ("at", "by", "action", "mentor_id", "mentee_id", "note")
PAIRS_COLUMNS = ("mentor_id", "mentee_id", "score", "locked", "reasons")
ACTIONS = ("lock", "forbid", "unlock", "unforbid", "publish")
LOCK_FILE = ".decisions.lock"


@dataclass(frozen=True)
class Publication:
    """What :func:`publish_pairs` wrote: the pairs file, the earlier version kept (if any) and the logged decision."""

    pairs_path: Path
    history_path: Path | None
    decision: dict[str, str]


def _folder(cohort_dir: str | os.PathLike[str]) -> Path:
    folder = Path(cohort_dir)
    if not folder.is_dir():
        raise UsageError(f"{folder}: no such cohort folder")
    return folder


def cohort_read_only(cohort_dir: str | os.PathLike[str]) -> str | None:
    """Why decisions and pairs cannot be saved in this cohort folder, or ``None`` when they can.

    Tried, not guessed from permission bits (which do not bind an administrator, nor tell a read-only mount): the
    lock file (or, before there is one, a file made and removed at once) must open for writing, and
    ``decisions.csv`` and ``pairs.csv``, where they exist, must be writable; nothing is left behind.
    Any error opening them is a reason (a board still opens, read-only); none is raised.

    Examples
    --------
    >>> import tempfile
    >>> cohort_read_only(tempfile.mkdtemp()) is None
    True
    """
    folder = _folder(cohort_dir)
    try:
        if (folder / LOCK_FILE).exists():
            os.close(os.open(folder / LOCK_FILE, os.O_RDWR))
        else:  # a file made and removed at once: asking changes nothing in the folder
            fd, probe = tempfile.mkstemp(prefix=".rmkit-write-test-", dir=folder)
            os.close(fd)
            os.unlink(probe)
    except OSError as exc:
        return f"the cohort folder {folder} cannot be written ({exc.strerror or exc})"
    for name in ("decisions", "pairs"):
        path = _table_file(folder, name)
        if path is not None:
            try:
                os.close(os.open(path, os.O_WRONLY | os.O_APPEND))
            except OSError as exc:
                return f"{path.name} in {folder} cannot be written ({exc.strerror or exc})"
    return None


def _require_writable(folder: Path, what: str) -> None:
    reason = cohort_read_only(folder)
    if reason is not None:
        raise ReadOnlyError(f"cannot {what}: {reason}; nothing was changed. Work on a copy of the cohort in a "
                            "folder you can write to, or ask for write access")


@contextmanager
def decisions_lock(cohort_dir: str | os.PathLike[str], *, shared: bool = False) -> Iterator[None]:
    """Hold the cohort's exclusive write lock (``.decisions.lock`` beside ``decisions.csv``) while in the block.

    ``shared=True`` is for reading: a shared lock, and in a folder nobody can write (no lock file can be made
    there) no lock at all, since no one can append meanwhile either.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> with decisions_lock(folder):
    ...     pass  # read, decide and write here without another process appending in between
    >>> (Path(folder) / ".decisions.lock").exists()
    True
    """
    path = _folder(cohort_dir) / LOCK_FILE
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        if not shared or exc.errno not in _READ_ONLY:
            raise
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            yield  # a read-only folder without a lock file: nobody can write, nothing to wait for
            return
    try:
        try:
            import fcntl
        except ImportError:  # Windows
            import msvcrt

            while True:
                try:
                    msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
                    break
                except OSError:
                    continue
            try:
                yield
            finally:
                os.lseek(fd, 0, os.SEEK_SET)
                msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
            return
        fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _table_file(folder: Path, name: str) -> Path | None:
    from .folder import find_table

    path, _ = find_table(folder, name)
    return path


def _cell(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    return str(neutralize_formula(str(value).strip()))


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def _decision_row(action: str, mentor_id: Any, mentee_id: Any, by: Any, note: Any) -> dict[str, str]:
    action = str(action).strip().casefold()
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; allowed: {', '.join(ACTIONS)}")
    row = {"at": _now(), "by": _cell(by), "action": action, "mentor_id": _cell(mentor_id), "mentee_id": _cell(mentee_id),
           "note": _cell(note)}
    if action != "publish" and not (row["mentor_id"] and row["mentee_id"]):
        raise ValueError(f"a {action} decision names both mentor_id and mentee_id")
    return row


def _append_csv(path: Path, row: dict[str, str]) -> None:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = None
    if text is None or not text.strip():
        # an empty file, or one saved in a legacy encoding: rewrite it whole as UTF-8 (atomically)
        from .tables import decode_text

        old = decode_text(data)[0] if text is None else ""
        header, delimiter, newline = _csv_layout(old)
        with atomic_write(path, "w", encoding="utf-8", newline="") as handle:
            if old.strip():
                handle.write(old if old.endswith(("\n", "\r")) else old + newline)
            else:
                handle.write(delimiter.join(header) + newline)
            _write_record(handle, header, row, delimiter, newline)
        return
    header, delimiter, newline = _csv_layout(text)
    buffer = io.StringIO()
    if not text.endswith(("\n", "\r")):
        buffer.write(newline)
    _write_record(buffer, header, row, delimiter, newline)
    _append_whole(path, buffer.getvalue().encode("utf-8"))


def _append_whole(path: Path, data: bytes) -> None:
    """Append ``data`` to ``path`` completely or not at all: one unbuffered write loop, then fsync; on any error
    the file is cut back to the length it had (the caller holds the lock, so no one else appended meanwhile)."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    try:
        before = os.fstat(fd).st_size
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        except OSError:
            try:
                os.ftruncate(fd, before)
                os.fsync(fd)
            except OSError:  # pragma: no cover - the truncation itself failing is beyond repair here
                pass
            raise
    finally:
        os.close(fd)


def _csv_layout(text: str) -> tuple[list[str], str, str]:
    """The header (contract names, by case-insensitive match), the delimiter and the line ending of a CSV text."""
    first = text.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
    if not first.strip():
        return list(DECISION_COLUMNS), ",", "\n"
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    delimiter = "\t" if counts[","] == 0 and counts["\t"] else ";" if counts[","] == 0 and counts[";"] else ","
    names = next(csv.reader([first], delimiter=delimiter))
    known = {c.casefold(): c for c in DECISION_COLUMNS}
    header = [known.get(n.strip().casefold(), n.strip()) for n in names]
    newline = "\r\n" if "\r\n" in text[: len(first) + 2] else "\n"
    return header, delimiter, newline


def _write_record(handle: Any, header: list[str], row: dict[str, str], delimiter: str, newline: str) -> None:
    writer = csv.writer(handle, delimiter=delimiter, lineterminator=newline)
    writer.writerow([row.get(column, "") for column in header])


def _append_xlsx(path: Path, row: dict[str, str]) -> None:
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    sheets = [ws for ws in workbook.worksheets if ws.title.strip().casefold() not in {"readme", "read me"}]
    sheet = sheets[0] if sheets else workbook.create_sheet("decisions")
    header = [str(c.value).strip() if c.value is not None else "" for c in sheet[1]] if sheet.max_row >= 1 else []
    if not any(header):
        header = list(DECISION_COLUMNS)
        sheet.append(header)
    known = {c.casefold(): c for c in DECISION_COLUMNS}
    sheet.append([row.get(known.get(h.casefold(), h), "") or None for h in header])
    with atomic_write(path, "wb") as handle:
        workbook.save(handle)


def _append_unlocked(folder: Path, row: dict[str, str]) -> None:
    path = _table_file(folder, "decisions")
    if path is None:
        with atomic_write(folder / "decisions.csv", "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(DECISION_COLUMNS)
            writer.writerow([row[c] for c in DECISION_COLUMNS])
    elif path.suffix.casefold() == ".xlsx":
        _append_xlsx(path, row)
    else:
        _append_csv(path, row)


def append_decision(cohort_dir: str | os.PathLike[str], action: str, mentor_id: str | None = None, mentee_id: str | None = None,
                    *, by: str = "facilitator", note: str = "",
                    check: Callable[[pd.DataFrame], object] | None = None) -> dict[str, str]:
    """Append one decision to the cohort's ``decisions.csv`` (created with the contract header if absent).

    Parameters
    ----------
    cohort_dir : path-like
        The cohort folder.
    action : {"lock", "forbid", "unlock", "unforbid", "publish"}
        The decision.
    mentor_id, mentee_id : str
        The pair (required except for ``publish``).
    by : str
        Who decided.
    note : str
        Why.
    check : callable, optional
        Called with the decision log as it would be with this row appended (read under the lock, so a colleague's
        decisions are in it); if it raises, nothing is written and the exception propagates. The pairing board uses
        it to refuse a lock that contradicts another one.

    Returns
    -------
    dict
        The row as written: ``at`` (ISO 8601, UTC), ``by``, ``action``, ``mentor_id``, ``mentee_id``, ``note``.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> row = append_decision(folder, "forbid", "p01", "p46", note="=same team")
    >>> row["action"], row["note"], row["at"].endswith("+00:00")
    ('forbid', "'=same team", True)
    >>> print(open(f"{folder}/decisions.csv", encoding="utf-8").read().splitlines()[0])
    at,by,action,mentor_id,mentee_id,note
    """
    folder = _folder(cohort_dir)
    _decision_row(action, mentor_id, mentee_id, by, note)  # check the arguments before taking the lock
    _require_writable(folder, "record the decision")
    with decisions_lock(folder):
        row = _decision_row(action, mentor_id, mentee_id, by, note)  # the time is taken inside the lock
        if check is not None:
            from .folder import read_decisions

            log = read_decisions(folder)
            new = pd.DataFrame([{**row, "at": pd.Timestamp(row["at"])}])
            check(pd.concat([log, new], ignore_index=True) if len(log) else new)
        try:
            _append_unlocked(folder, row)
        except OSError as exc:
            raise WriteError(f"the decision to {folder / 'decisions.csv'}", exc) from None
    return row


def _keep_history(path: Path) -> Path:
    """Copy ``path`` to ``<stem>.<timestamp>[-n]<suffix>`` beside it, never overwriting an existing file."""
    stamp = timestamp_for_filename()
    data = path.read_bytes()
    counter = 1
    while True:
        name = f"{path.stem}.{stamp}{'' if counter == 1 else f'-{counter}'}{path.suffix}"
        target = path.with_name(name)
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            counter += 1
            continue
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        except BaseException:
            target.unlink(missing_ok=True)  # never a partial history copy
            raise
        return target


def _stage_table(table: pd.DataFrame, target: Path) -> Path:
    """``table`` written completely (formula-safe, synced) to a temporary file beside ``target``; its path."""
    safe = neutralize_frame(table)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    staged = Path(name)
    try:
        with suppress(AttributeError, OSError):  # the permissions of the file it replaces (no fchmod on Windows)
            os.fchmod(fd, target.stat().st_mode & 0o7777 if target.exists() else 0o644)
        with os.fdopen(fd, "wb") as handle:
            if target.suffix.casefold() == ".xlsx":
                safe.to_excel(handle, index=False, sheet_name="pairs")
            else:
                handle.write(safe.to_csv(index=False, lineterminator="\n").encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    return staged


def _undo_publication(folder: Path, staged: Path | None, history: Path | None, decisions: Path | None,
                      log_size: int | None, log_bytes: bytes | None) -> None:
    """Remove what a failed publication wrote: its staged file, its history copy, a decision row (or a decision log
    it created)."""
    for path in (staged, history):
        if path is not None:
            path.unlink(missing_ok=True)
    current = _table_file(folder, "decisions")
    with suppress(OSError):  # cannot repair further; reading the log reports what is wrong
        if decisions is None and current is not None:
            current.unlink(missing_ok=True)  # the log this publication created
        elif log_size is not None and current is not None and current.stat().st_size != log_size:
            with open(current, "r+b") as handle:  # the row this publication appended
                handle.truncate(log_size)
                os.fsync(handle.fileno())
        elif log_bytes is not None and current is not None and current.read_bytes() != log_bytes:
            with atomic_write(current, "wb") as handle:  # an XLSX log as it was
                handle.write(log_bytes)


def publish_pairs(cohort_dir: str | os.PathLike[str], pairs: pd.DataFrame, *, by: str = "facilitator", note: str = "") -> Publication:
    """Publish ``pairs`` as the cohort's ``pairs.csv``, keeping the previous one, and log a ``publish`` decision.

    Parameters
    ----------
    cohort_dir : path-like
        The cohort folder.
    pairs : pandas.DataFrame
        ``mentor_id``, ``mentee_id`` and optionally ``score``, ``locked``, ``reasons`` (e.g.
        ``result.pairs_table()``); only these contract columns are written, so names never reach the file.
    by, note : str
        Recorded in the ``publish`` decision (the note is prefixed with the number of pairs).

    Returns
    -------
    Publication

    Raises
    ------
    ValueError
        When ``pairs`` lacks ``mentor_id``/``mentee_id`` or gives a mentee two mentors.
    ReadOnlyError
        When the cohort folder cannot be written (nothing is tried).
    WriteError
        When writing fails part-way (a full disk): what this call wrote is removed; the earlier state stays.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> first = publish_pairs(folder, pd.DataFrame({"mentor_id": ["p01"], "mentee_id": ["p41"], "score": [0.5]}))
    >>> second = publish_pairs(folder, pd.DataFrame({"mentor_id": ["p02"], "mentee_id": ["p41"], "score": [0.6]}))
    >>> first.history_path is None, second.history_path.name.startswith("pairs.2"), second.decision["note"]
    (True, True, '1 pairs')
    """
    folder = _folder(cohort_dir)
    missing = [c for c in ("mentor_id", "mentee_id") if c not in pairs.columns]
    if missing:
        raise ValueError(f"pairs need the columns {', '.join(missing)}")
    repeated = sorted(set(pairs.loc[pairs["mentee_id"].duplicated(), "mentee_id"].astype(str)))
    if repeated:
        raise ValueError(f"a mentee has one mentor; repeated: {', '.join(repeated[:5])}")
    table = pairs.loc[:, [c for c in PAIRS_COLUMNS if c in pairs.columns]].copy()
    text = f"{len(table)} pairs" + (f"; {note}" if str(note).strip() else "")
    _require_writable(folder, "publish pairs")
    with decisions_lock(folder):
        existing = _table_file(folder, "pairs")
        target = existing if existing is not None else folder / "pairs.csv"
        staged = history = None
        decisions = _table_file(folder, "decisions")
        log_size = decisions.stat().st_size if decisions is not None and decisions.suffix.casefold() == ".csv" else None
        log_bytes = decisions.read_bytes() if decisions is not None and log_size is None else None
        step = f"the new {target.name}"
        try:
            staged = _stage_table(table, target)  # 1. the new pairs, complete, beside the old file
            step = "the copy of the earlier pairs"
            history = _keep_history(existing) if existing is not None else None  # 2. the earlier pairs kept
            step = f"the publish decision to {decisions.name if decisions is not None else 'decisions.csv'}"
            row = _decision_row("publish", None, None, by, text)
            _append_unlocked(folder, row)  # 3. the decision, whole or not at all
            step = f"the new {target.name}"
            os.replace(staged, target)  # 4. the switch: only now does anyone see the new pairs
            staged = None
        except OSError as exc:
            _undo_publication(folder, staged, history, decisions, log_size, log_bytes)
            raise WriteError(f"{step} in {folder}", exc,
                             kept="the published pairs and the decision log are as they were") from None
    return Publication(target, history, row)
