"""Reading and writing tables at the edge: CSV in any encoding a spreadsheet saves, XLSX, safe exports, atomic writes.

Reading never modifies a file. Every cell is read as text (spreadsheet rows keep their numbering: the header is
row 1), so that validation can say exactly which cell is wrong before anything is converted.

Writing neutralizes cells a spreadsheet would run as a formula (a leading ``=``, ``+``, ``-``, ``@``, tab or
carriage return that is not part of a number gets a leading apostrophe), and replaces the target atomically.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import Problem, shown

__all__ = [
    "RawTable",
    "read_raw_table",
    "decode_text",
    "split_list",
    "join_list",
    "neutralize_formula",
    "neutralize_frame",
    "write_table",
    "atomic_write",
    "timestamp_for_filename",
]

LIST_SEPARATOR = ";"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?%?$")


@dataclass
class RawTable:
    """A table read as text: ``frame`` holds stripped strings ('' for an empty cell), ``rows`` the spreadsheet
    row number of each record (header = 1), ``problems`` what went wrong while reading."""

    file: str
    frame: pd.DataFrame
    rows: list[int] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    original_columns: dict[str, str] = field(default_factory=dict)


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode bytes saved by a spreadsheet: UTF-8 (with or without BOM), else Windows-1252.

    Returns the text and the encoding used. Raises ``UnicodeDecodeError`` when neither fits.

    Examples
    --------
    >>> decode_text("Zoë".encode("utf-8-sig"))
    ('Zoë', 'utf-8-sig')
    >>> decode_text("Zoë".encode("cp1252"))
    ('Zoë', 'cp1252')
    """
    try:
        return data.decode("utf-8-sig"), "utf-8-sig"
    except UnicodeDecodeError:
        return data.decode("cp1252"), "cp1252"


def _sniff_delimiter(first_line: str) -> str:
    """Comma unless the header line clearly uses semicolons (Excel in many European locales) or tabs."""
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    if counts[","] == 0 and counts["\t"] > 0:
        return "\t"
    if counts[","] == 0 and counts[";"] > 0:
        return ";"
    return ","


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    return str(value)


def _decode_mixed(data: bytes, file: str) -> tuple[str, list[Problem]]:
    """Decode a CSV's bytes, saying which rows do not decode in the encoding chosen.

    UTF-16 with a byte-order mark (Excel's "Unicode text") is read. Otherwise the file is UTF-8 when any line
    holds valid multi-byte UTF-8; then each line that is not UTF-8 (pasted from a Windows-1252 file) is an error
    at ``FILE:ROW``, and is decoded as Windows-1252 only so that the rest can be checked. A file without valid UTF-8
    in it is Windows-1252 as a whole, as older Excel saves it."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError:
            return "", [Problem(file, None, None, "starts as UTF-16 text but cannot be decoded as UTF-16; save it as CSV UTF-8")]
    if b"\x00" in data:
        head = data[:400]
        odd, even = head[1::2], head[0::2]
        if len(head) >= 8 and any(a.count(0) >= 0.8 * len(a) and b.count(0) == 0 for a, b in ((odd, even), (even, odd))):
            return "", [Problem(file, None, None, "is UTF-16 text without a byte-order mark, which rmkit cannot tell "
                                "apart reliably; save it as CSV UTF-8 (or Unicode text, with its mark)")]
        return "", [Problem(file, None, None, "is not a text table (it contains binary data); save it as CSV or XLSX")]
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    utf8, problems, out = False, [], []
    for number, line in enumerate(lines, start=1):
        try:
            text = line.decode("utf-8-sig" if number == 1 else "utf-8")
            utf8 = utf8 or any(ord(ch) > 127 for ch in text)
            out.append((number, text, None))
        except UnicodeDecodeError:
            out.append((number, None, line))
    if not utf8:
        try:
            return data.decode("cp1252"), []
        except UnicodeDecodeError:
            return "", [Problem(file, None, None, "cannot be decoded as UTF-8 or Windows-1252 text; save it as CSV UTF-8")]
    texts = []
    for number, text, line in out:
        if text is None:
            guess = line.decode("cp1252", errors="replace")
            problems.append(Problem(file, number, None, "is not UTF-8, as the rest of the file is (Windows-1252 pasted in? "
                                    f"read as {guess.strip()[:60]!r}); save the file again as CSV UTF-8"))
            text = guess
        texts.append(text)
    return "\n".join(texts), problems


def _records_from_csv(data: bytes, file: str) -> tuple[list[list[str]], list[Problem]]:
    text, decoding = _decode_mixed(data, file)
    if decoding and not text:
        return [], decoding
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(first_line))
    try:
        return [list(r) for r in reader], decoding
    except csv.Error as exc:
        return [], [Problem(file, reader.line_num or None, None, f"is not a readable CSV table: {exc}")]


def _records_from_xlsx(path: Path, file: str) -> tuple[list[list[str]], list[Problem]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, IndexError) as exc:
        return [], [Problem(file, None, None, f"is not a readable XLSX workbook ({exc.__class__.__name__}: {exc})")]
    except Exception as exc:  # openpyxl raises a wide variety of errors on damaged files
        return [], [Problem(file, None, None, f"is not a readable XLSX workbook ({exc.__class__.__name__})")]
    try:
        sheets = [ws for ws in workbook.worksheets if ws.title.strip().casefold() not in {"readme", "read me"}
                  and getattr(ws, "sheet_state", "visible") == "visible"]
        if not sheets:
            return [], [Problem(file, None, None, "has no visible data sheet (only a README sheet, or hidden sheets)")]
        sheet = sheets[0]
        records = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        problems = [Problem(file, None, None, f"the sheet {other.title!r} holds data too; only the first visible "
                            f"sheet, {sheet.title!r}, is read", "warning")
                    for other in sheets[1:] if any(any(v not in (None, "") for v in row) for row in other.iter_rows(values_only=True))]
        return records, problems + _uncached_formulas(path, file, sheet.title, records)
    except Exception as exc:
        return [], [Problem(file, None, None, f"is not a readable XLSX workbook ({exc.__class__.__name__})")]
    finally:
        workbook.close()


def _uncached_formulas(path: Path, file: str, title: str, records: list[list[str]]) -> list[Problem]:
    """Cells that hold a formula but no saved value (a file written by a program that does not calculate, such as
    a script with openpyxl): their value is unknown, not empty."""
    if not any(cell == "" for row in records for cell in row):
        return []
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=False)
    try:
        problems = []
        for r, row in enumerate(workbook[title].iter_rows(values_only=True), start=1):
            for c, value in enumerate(row):
                cached = records[r - 1][c] if r - 1 < len(records) and c < len(records[r - 1]) else ""
                if isinstance(value, str) and value.startswith("=") and cached == "":
                    problems.append(Problem(file, r, _column_letter(c), f"holds the formula {value[:40]!r} with no saved value; "
                                            "open the file in Excel or LibreOffice and save it, so the value is stored", "warning"))
        return problems
    finally:
        workbook.close()


def read_raw_table(path: str | os.PathLike[str], *, file: str | None = None, aliases: dict[str, str] | None = None,
                   duplicates: str = "error") -> RawTable:
    """Read a CSV or XLSX table as stripped text, one record per non-empty spreadsheet row.

    Parameters
    ----------
    path : path-like
        A ``.csv`` (UTF-8, UTF-8 with BOM or Windows-1252; comma, semicolon or tab separated) or ``.xlsx`` file.
    file : str, optional
        The name used in problems (defaults to the file's name).
    aliases : dict, optional
        Lower-case header → canonical column name; headers that match case-insensitively are renamed.
    duplicates : {"error", "rename"}
        A header that appears twice is an error (the cohort's tables), or every copy is named by its spreadsheet
        column, ``X (F)`` and ``X (G)`` (survey exports, whose grids repeat a statement under several questions).

    Returns
    -------
    RawTable
        Short rows are padded with empty cells; a row with more cells than the header is a problem.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_bytes("Person_ID ,role\\nm1, mentor \\n\\n".encode("utf-8-sig"))
    >>> t = read_raw_table(p, aliases={"person_id": "person_id", "role": "role"})
    >>> t.frame.to_dict("records"), t.rows
    ([{'person_id': 'm1', 'role': 'mentor'}], [2])
    """
    if duplicates not in ("error", "rename"):
        raise ValueError(f"unknown duplicates mode {duplicates!r}; allowed: 'error', 'rename'")
    path = Path(path)
    file = file or path.name
    try:
        if path.suffix.lower() == ".xlsx":
            records, problems = _records_from_xlsx(path, file)
        else:
            data = path.read_bytes()
            fast = _plain_csv_table(data, file, aliases or {})
            if fast is not None:
                return fast
            records, problems = _records_from_csv(data, file)
    except OSError as exc:
        return RawTable(file, pd.DataFrame(), problems=[Problem(file, None, None, f"cannot be read: {exc.strerror or exc}")])
    if any(p.severity == "error" and p.row is None for p in problems):
        return RawTable(file, pd.DataFrame(), problems=problems)
    read_problems = problems
    while records and not any(str(c).strip() for c in records[0]):
        records.pop(0)  # blank lines above the header are not the header
    if not records:
        return RawTable(file, pd.DataFrame(), problems=[Problem(file, None, None, "is empty: it has no header row")])
    header = [str(c).strip().lstrip("\ufeff").strip() for c in records[0]]
    while header and header[-1] == "":
        header.pop()
    aliases = aliases or {}
    columns: list[str] = []
    original: dict[str, str] = {}
    problems = list(read_problems)
    repeated = {n for n in header if n and sum(1 for h in header if aliases.get(h.casefold(), h) == aliases.get(n.casefold(), n)) > 1}
    for k, name in enumerate(header):
        canonical = aliases.get(name.casefold(), name)
        if duplicates == "rename" and name in repeated:
            canonical = f"{canonical} ({_column_letter(k)})"
        if name == "":
            problems.append(Problem(file, 1, _column_letter(k), "a column has no header; name it or delete it"))
            canonical = f"column {_column_letter(k)}"
        if canonical in columns:
            problems.append(Problem(file, 1, canonical, f"the column {shown(canonical)} appears twice"))
            canonical = f"{canonical} ({_column_letter(k)})"
        columns.append(canonical)
        original[canonical] = name
    body: list[list[str]] = []
    rows: list[int] = []
    for number, record in enumerate(records[1:], start=2):
        cells = [str(c).strip() for c in record]
        for k, cell in enumerate(cells):
            if "\ufeff" in cell:  # a byte-order mark inside a cell: files pasted together
                cells[k] = cell.replace("\ufeff", "").strip()
                where = columns[k] if k < len(columns) else _column_letter(k)
                problems.append(Problem(file, number, where, "held an invisible byte-order mark (U+FEFF), removed; "
                                        "the file was probably pasted together from several files", "warning"))
        if not any(cells):
            continue
        if len(cells) > len(columns):
            used = max(k for k, c in enumerate(cells) if c) + 1
            if used > len(columns):
                problems.append(
                    Problem(file, number, None, f"has {used} cells but the header has {len(columns)} columns; "
                            "a value lies outside every column (an unquoted separator?)")
                )
            cells = cells[: len(columns)]
        cells += [""] * (len(columns) - len(cells))
        body.append(cells)
        rows.append(number)
    frame = pd.DataFrame(body, columns=columns, dtype=object) if columns else pd.DataFrame(index=range(len(body)))
    return RawTable(file, frame, rows, problems, original)


_EDGE_SPACE = "(?:^|[{d}\n])[^\\S\n]|[^\\S\n](?:[{d}\n]|$)"


def _plain_csv_table(data: bytes, file: str, aliases: dict[str, str]) -> RawTable | None:
    """:func:`read_raw_table` by pandas' C parser for the common case, else ``None``: UTF-8 (BOM or not), no quote,
    no CR outside CRLF, no stray BOM, a header of unique names as wide as its rows; one record per line, so the
    result (stripped cells, spreadsheet rows, no problem) is what the general path gives."""
    if b'"' in data or b"\x00" in data or data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            return None
    if "\ufeff" in text:
        return None
    first, newline, body = text.partition("\n")
    delimiter = _sniff_delimiter(first)
    header = [cell.strip() for cell in first.split(delimiter)]
    canonical = [aliases.get(name.casefold(), name) for name in header]
    if not all(header) or len(set(canonical)) < len(canonical) or not newline or not body.strip():
        return None
    try:
        frame = pd.read_csv(io.StringIO(body), sep=delimiter, header=None, dtype=object, keep_default_na=False,
                            na_filter=False, skip_blank_lines=False, quoting=csv.QUOTE_NONE, engine="c",
                            index_col=False)
    except (pd.errors.ParserError, ValueError):  # a row wider than the first one, and the like
        return None
    if frame.shape[1] != len(header):
        return None  # a row wider than the header: the general path says which
    frame = frame.fillna("").astype(object)
    ascii_spaces = " \t\x0b\x0c\x1c\x1d\x1e\x1f"  # a quick scan first: most big files are ASCII, many without a space
    if (not body.isascii() or any(c in body for c in ascii_spaces)) and re.search(_EDGE_SPACE.format(d=re.escape(delimiter)), body):
        frame = frame.apply(lambda column: column.str.strip())
    filled = (frame != "").any(axis=1).to_numpy()
    rows = (np.flatnonzero(filled) + 2).tolist()
    frame = frame[filled].reset_index(drop=True)
    frame.columns = canonical
    return RawTable(file, frame, rows, [], dict(zip(canonical, header, strict=True)))


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def split_list(cell: object) -> list[str]:
    """Split a list-valued cell on ``;``, trimming each entry and dropping empty ones.

    Examples
    --------
    >>> split_list(" social media; AI tools ;;")
    ['social media', 'AI tools']
    >>> split_list(None)
    []
    """
    if cell is None or (isinstance(cell, float) and pd.isna(cell)) or cell is pd.NA:
        return []
    if isinstance(cell, list | tuple):
        return [str(c).strip() for c in cell if str(c).strip()]
    return [part.strip() for part in str(cell).split(LIST_SEPARATOR) if part.strip()]


def join_list(values: object) -> str:
    """The inverse of :func:`split_list` for writing: ``['a', 'b'] -> 'a; b'``."""
    if isinstance(values, list | tuple):
        return "; ".join(str(v) for v in values)
    if values is None or (isinstance(values, float) and pd.isna(values)):
        return ""
    return str(values)


def neutralize_formula(value: object) -> object:
    """Make a text cell safe to open in a spreadsheet: one that would run as a formula gets a leading apostrophe.

    Numbers (including text that is a plain number such as ``-3.5``) are left alone.

    Examples
    --------
    >>> neutralize_formula("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralize_formula("-3.5"), neutralize_formula("@SUM(A1)"), neutralize_formula(-2)
    ('-3.5', "'@SUM(A1)", -2)
    >>> neutralize_formula("- a bullet")
    "'- a bullet"
    """
    if not isinstance(value, str) or not value.startswith(_FORMULA_START):
        return value
    if _NUMBER.match(value.strip()):
        return value
    return "'" + value


def neutralize_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and column names) are safe for spreadsheets: :func:`neutralize_formula`
    of every cell (lists joined first), computed once per distinct value of a column."""
    out = frame.copy()
    for column in out.columns:
        dtype = out[column].dtype
        if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype):
            values = out[column].astype(object) if isinstance(dtype, pd.CategoricalDtype) else out[column]
            safe = _neutralized_column(values)
            if safe is not None:
                out[column] = safe
            elif isinstance(dtype, pd.CategoricalDtype):
                out[column] = values
    out.columns = [neutralize_formula(str(c)) for c in out.columns]
    return out


def _neutralized_column(values: pd.Series) -> pd.Series | None:
    """``values`` with every cell through :func:`neutralize_formula` (lists joined), or ``None`` when no cell
    changes."""
    try:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    except TypeError:  # unhashable cells (lists)
        codes, uniques = None, [()]
    if codes is None or (pd.api.types.infer_dtype(uniques, skipna=True) not in {"string", "empty"}
                         and any(isinstance(v, list | tuple) for v in uniques)):  # lists: cell by cell
        return values.map(lambda v: neutralize_formula(join_list(v) if isinstance(v, list | tuple) else v))
    fixed = [neutralize_formula(v) for v in uniques]
    changed = [k for k, (a, b) in enumerate(zip(uniques, fixed, strict=True)) if a is not b]
    if not changed:
        return None
    table = np.asarray(uniques, dtype=object).copy()
    table[changed] = [fixed[k] for k in changed]
    result = values.to_numpy(dtype=object, copy=True)
    present = codes >= 0
    result[present] = table[codes[present]]
    return pd.Series(result, index=values.index, dtype=object, name=values.name)


@contextmanager
def atomic_write(path: str | os.PathLike[str], mode: str = "w", **kwargs: object) -> Iterator[io.IOBase]:
    """Write to a temporary file beside ``path`` and move it into place only when writing succeeded.

    The file gets the permissions of the file it replaces, or those of a newly created file (not the owner-only
    permissions of a temporary file)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        try:
            permissions = path.stat().st_mode & 0o7777
        except OSError:
            umask = os.umask(0o022)
            os.umask(umask)
            permissions = 0o666 & ~umask
        if hasattr(os, "fchmod"):
            os.fchmod(fd, permissions)
        with os.fdopen(fd, mode, **kwargs) as handle:  # type: ignore[call-overload]
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_table(frame: pd.DataFrame, path: str | os.PathLike[str], *, sheet_name: str = "data") -> Path:
    """Write a table for users (CSV in UTF-8 or XLSX by the suffix), formula-safe and atomically.

    List cells are joined with ``;``. Returns the path written.
    """
    path = Path(path)
    safe = neutralize_frame(frame)
    if path.suffix.lower() == ".xlsx":
        with atomic_write(path, "wb") as handle:
            safe.to_excel(handle, index=False, sheet_name=sheet_name)
    else:
        with atomic_write(path, "w", encoding="utf-8", newline="") as handle:
            safe.to_csv(handle, index=False, lineterminator="\n")
    return path


def timestamp_for_filename(when: dt.datetime | None = None) -> str:
    """A sortable UTC timestamp safe in file names on every OS: ``20261123T101500Z``."""
    when = when or dt.datetime.now(dt.UTC)
    return when.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
