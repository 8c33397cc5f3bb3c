"""Survey exports into ``responses.csv``: Qualtrics CSV, Microsoft Forms XLSX and Google Forms CSV.

What an import does, for every format:

1. **Columns to items.** Each question column is matched to an item of the instrument by an explicit map
   (``--map``: a YAML mapping ``column: item_id`` or a CSV/XLSX table with ``column`` and ``item`` columns; a column
   mapped to an empty item is ignored), else by its text: the header (or, for Qualtrics, the question text of the
   second header row) normalised — case, accents of quotes, punctuation and spacing ignored — equal to an item id
   or an item's text, or containing an item's text (Qualtrics matrix questions read "Stem - Statement", Google
   grids "Question [Statement]", Microsoft Forms Likert columns "Question.Statement" or the statement alone).
   Unmatched question columns are reported as warnings and left out; two columns matching one item is an error.
   Repeated headers (a statement under several questions, as tools export grids) are kept apart by their
   spreadsheet column, ``X (F)`` and ``X (G)``, which ``--map`` can name.
2. **Answers to numbers.** Whole numbers on the response scale are kept; labels ("Strongly agree") become their
   value through the instrument's labels, ignoring case and spacing. Anything else is an error located as
   ``FILE:ROW:COLUMN`` (the header is row 1; for Qualtrics, data start at row 4).
3. **People.** A ``person_id`` column is used as it is; otherwise e-mail addresses (Qualtrics ``RecipientEmail``,
   Microsoft Forms ``Email``, Google Forms ``Email Address``, or ``email_column``) are mapped to ``person_id``
   through ``participants.csv``, ignoring case. Unknown or missing e-mails are errors. E-mails and names never
   reach the output.
4. **Time.** ``submitted_at`` comes from Qualtrics ``RecordedDate`` (in the time zone its third header row names),
   Microsoft Forms ``Completion time`` or Google Forms ``Timestamp``; zones written in the cell (``GMT±h``, an IANA
   name, an abbreviation such as ``EEST`` looked up in the zone database) are understood
   (:mod:`rmkit.cohort.survey_exports`); other times are read in ``timezone`` (default UTC, which also decides an
   ambiguous abbreviation), and all are written in UTC.

Qualtrics exports in the current layout, the 2016–2017 layout (a Python-style third header row) and the legacy
two-header-row layout are all recognised (:func:`rmkit.cohort.survey_exports.qualtrics_layout`).

Every problem is collected before anything is reported (:class:`~rmkit.errors.ValidationError`); Qualtrics preview,
test and spam responses are skipped with a warning.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import Problem, UsageError, ValidationError, shown
from .config import Instrument, load_yaml
from .survey_exports import parse_export_time, qualtrics_layout
from .tables import read_raw_table

__all__ = ["FORMATS", "ImportResult", "normalize_text", "read_mapping", "match_columns", "import_responses"]

FORMATS = ("qualtrics", "msforms", "google")
_METADATA = {
    "qualtrics": {"startdate", "enddate", "status", "ipaddress", "progress", "duration in seconds", "finished",
                  "recordeddate", "responseid", "recipientlastname", "recipientfirstname", "recipientemail",
                  "externalreference", "externaldatareference", "locationlatitude", "locationlongitude",
                  "distributionchannel", "userlanguage", "q recaptchascore", "q relevantidduplicate",
                  "responseset", "name", "emailaddress"},  # the last three: legacy exports
    "msforms": {"id", "start time", "completion time", "email", "name", "last modified time", "total points",
                "quiz feedback", "grade posted time", "language"},
    "google": {"timestamp", "email address", "score", "username"},
}
_EMAIL = {"qualtrics": ("recipientemail", "emailaddress"), "msforms": ("email",), "google": ("email address", "username")}
_TIME = {"qualtrics": ("recordeddate", "enddate"), "msforms": ("completion time",), "google": ("timestamp",)}
_SKIPPED_STATUS = {"survey preview": "a survey preview", "1": "a survey preview", "survey test": "a survey test",
                   "2": "a survey test", "spam": "flagged as spam", "8": "flagged as spam"}
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})


@dataclass
class ImportResult:
    """A converted export: ``responses`` (person_id, wave, submitted_at, one column per item), the ``mapping``
    used (source column → item id) and the ``warnings``."""

    responses: pd.DataFrame
    mapping: dict[str, str] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)


def normalize_text(text: object) -> str:
    """Text for matching: Unicode-normalised, case-folded, punctuation turned into spaces, spacing collapsed.

    Examples
    --------
    >>> normalize_text("  I feel CONFIDENT using social-media\u2019s tools (Q_1).  ")
    'i feel confident using social media s tools q 1'
    """
    value = unicodedata.normalize("NFKC", str(text)).translate(_QUOTES).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", value).split())


def read_mapping(path: str | os.PathLike[str], instrument: Instrument) -> tuple[dict[str, str | None], list[Problem]]:
    """Read an explicit column map: YAML (``column: item_id``) or a CSV/XLSX table with ``column`` and ``item``.

    Returns the map (normalised column text → item id, or ``None`` for a column to ignore) and its problems (an
    item id the instrument does not have is an error).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from rmkit.cohort.config import parse_instrument
    >>> inst, _ = parse_instrument("id: t\\nresponse_scale: {min: 1, max: 5}\\nscales: [{id: s}]\\nitems: [{id: a, scale: s}]")
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "map.yaml"
    >>> _ = p.write_text("Q1_1: a\\nQ9: \\nQ2: b\\n")
    >>> mapping, problems = read_mapping(p, inst)
    >>> mapping, [str(x) for x in problems]
    ({'q1 1': 'a', 'q9': None}, ["map.yaml:Q2: found 'b'; allowed: an item id of instrument t"])
    """
    path = Path(path)
    file = path.name
    entries: list[tuple[str, object, int | None]] = []
    problems: list[Problem] = []
    if path.suffix.lower() in {".yaml", ".yml"}:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise UsageError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
        data, problems = load_yaml(text, file)
        if isinstance(data, dict) and isinstance(data.get("columns"), dict):
            data = data["columns"]
        if not problems and not isinstance(data, dict):
            problems.append(Problem(file, None, None, "expected a mapping of column → item id"))
        if isinstance(data, dict):
            entries = [(str(k), v, None) for k, v in data.items()]
    else:
        raw = read_raw_table(path, file=file, aliases={"column": "column", "item": "item"})
        problems += raw.problems
        if not raw.problems and not {"column", "item"} <= set(raw.frame.columns):
            problems.append(Problem(file, 1, None, "expected the columns column and item"))
        elif not raw.problems:
            entries = [(c, i, r) for c, i, r in zip(raw.frame["column"], raw.frame["item"], raw.rows, strict=True)]
    known = set(instrument.item_ids)
    mapping: dict[str, str | None] = {}
    for column, item, row in entries:
        item_id = None if item is None or str(item).strip() == "" else str(item).strip()
        if item_id is not None and item_id not in known:
            where = (row, "item") if row is not None else (None, column)
            problems.append(Problem(file, where[0], where[1], f"found {shown(item_id)}; allowed: an item id of instrument {instrument.id}"))
            continue
        mapping[normalize_text(column)] = item_id
    return mapping, problems


def match_columns(columns: list[tuple[str, str]], instrument: Instrument, *, mapping: dict[str, str | None] | None = None,
                  file: str = "export") -> tuple[dict[str, str], list[Problem]]:
    """Match question columns to item ids.

    Parameters
    ----------
    columns : list of (header, question text)
        The question columns; the text is what is matched (for most exports it is the header itself).
    instrument : rmkit.cohort.config.Instrument
        The items and their texts.
    mapping : dict, optional
        An explicit map from :func:`read_mapping` (its keys match a header or a question text).
    file : str
        The export's name, for problems.

    Returns
    -------
    (dict, list of Problem)
        Header → item id, and the problems: an error when two columns match one item or nothing matches, a warning
        for each unmatched column.

    Examples
    --------
    >>> from rmkit.cohort.config import parse_instrument
    >>> inst, _ = parse_instrument('''
    ... id: t
    ... response_scale: {min: 1, max: 5}
    ... scales: [{id: s}]
    ... items: [{id: a, scale: s, text: "I like my team."}, {id: b, scale: s, text: "I like my job."}]
    ... ''')
    >>> found, problems = match_columns([("Q1_1", "How much do you agree? - I like my job"),
    ...                                  ("Q2", "Comments")], inst, file="x.csv")
    >>> found, [str(p) for p in problems]
    ({'Q1_1': 'b'}, ["x.csv:1:Q2: warning: matches no item of instrument t ('Comments'); the column is ignored"])
    """
    mapping = mapping or {}
    by_id = {item.id.casefold(): item.id for item in instrument.items}
    texts = [(normalize_text(item.text), item.id) for item in instrument.items if normalize_text(item.text)]
    found: dict[str, str] = {}
    problems: list[Problem] = []
    for header, text in columns:
        keys = [normalize_text(header), normalize_text(text)]
        explicit = next((k for k in keys if k in mapping), None)
        if explicit is not None:
            if mapping[explicit] is not None:
                found[header] = mapping[explicit]  # type: ignore[assignment]
            continue
        item = by_id.get(header.strip().casefold()) or by_id.get(text.strip().casefold())
        if item is None:
            padded = f" {keys[1]} "
            exact = [i for t, i in texts if t == keys[1]]
            inside = sorted(((len(t), i) for t, i in texts if f" {t} " in padded), reverse=True)
            item = exact[0] if exact else (inside[0][1] if inside else None)
        if item is None:
            problems.append(Problem(file, 1, header, f"matches no item of instrument {instrument.id} ({shown(text)}); "
                                    "the column is ignored", "warning"))
            continue
        found[header] = item
    seen: dict[str, str] = {}
    for header, item in found.items():
        if item in seen:
            problems.append(Problem(file, 1, header, f"matches item {item}, as column {shown(seen[item])} does; "
                                    "give an explicit map (--map) to say which one is the item"))
        seen.setdefault(item, header)
    if not found:
        problems.append(Problem(file, 1, None, f"no column matches an item of instrument {instrument.id}; "
                                "check the instrument or give an explicit map (--map)"))
    return found, problems


def _participants(participants: pd.DataFrame | str | os.PathLike[str] | None) -> tuple[pd.DataFrame | None, list[Problem]]:
    if participants is None or isinstance(participants, pd.DataFrame):
        return participants, []
    path = Path(participants)
    raw = read_raw_table(path, aliases={"person_id": "person_id", "email": "email"})
    problems = list(raw.problems)
    missing = [c for c in ("person_id", "email") if c not in raw.frame.columns]
    if not problems and missing:
        problems.append(Problem(path.name, 1, missing[0], "required column is missing"))
    return (raw.frame if not problems else None), problems


def _answer(cell: str, low: int, high: int, labels: dict[str, int]) -> tuple[int | None, bool]:
    """The numeric answer of a cell and whether it was understood."""
    text = cell.strip()
    if not text:
        return None, True
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        key = " ".join(unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold().split())
        return (labels[key], True) if key in labels else (None, False)
    if number.is_integer() and low <= number <= high:
        return int(number), True
    return None, False


def import_responses(path: str | os.PathLike[str], format: str, instrument: Instrument, *, wave: str,
                     participants: pd.DataFrame | str | os.PathLike[str] | None = None,
                     mapping: str | os.PathLike[str] | dict[str, str | None] | None = None,
                     email_column: str | None = None, timezone: str = "UTC") -> ImportResult:
    """Convert a survey export into ``responses.csv`` rows for one wave.

    Parameters
    ----------
    path : path-like
        The export: a Qualtrics CSV, a Microsoft Forms XLSX or a Google Forms CSV.
    format : {"qualtrics", "msforms", "google"}
        The export's format.
    instrument : rmkit.cohort.config.Instrument
        The items, their texts and the answer labels.
    wave : str
        The wave these answers belong to.
    participants : DataFrame or path-like, optional
        ``participants.csv`` (``person_id`` and ``email``), to map e-mails to ``person_id``.
    mapping : path-like or dict, optional
        An explicit column map (see :func:`read_mapping`).
    email_column : str, optional
        The column holding e-mails, when it is not the format's usual one.
    timezone : str
        The IANA time zone of timestamps written without one (default UTC).

    Returns
    -------
    ImportResult
        ``responses``: ``person_id``, ``wave``, ``submitted_at`` (ISO 8601 UTC text, empty when unknown) and one
        Int64 column per item of the instrument, in the instrument's order (empty for items without a column).

    Raises
    ------
    ValidationError
        With every problem (and warning) found, when there is at least one error.
    ValueError
        If ``format`` is not one of :data:`FORMATS`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from rmkit.cohort.config import parse_instrument
    >>> inst, _ = parse_instrument('''
    ... id: t
    ... response_scale: {min: 1, max: 5, labels: [Strongly disagree, Disagree, Neutral, Agree, Strongly agree]}
    ... scales: [{id: s}]
    ... items: [{id: a, scale: s, text: "I like my team."}, {id: b, scale: s, text: "I like my job."}]
    ... ''')
    >>> export = pathlib.Path(tempfile.mkdtemp()) / "form.csv"
    >>> _ = export.write_text("Timestamp,Email Address,How do you feel? [I like my team],How do you feel? [I like my job]\\n"
    ...                       "2025/02/28 10:15:32 AM GMT+1,Ann@Example.org,Agree,strongly agree\\n")
    >>> people = pd.DataFrame({"person_id": ["p1"], "email": ["ann@example.org"]})
    >>> import_responses(export, "google", inst, wave="baseline", participants=people).responses
      person_id      wave               submitted_at  a  b
    0        p1  baseline  2025-02-28T09:15:32+00:00  4  5
    """
    if format not in FORMATS:
        raise ValueError(f"unknown format {shown(format)}; allowed: {', '.join(FORMATS)}")
    path = Path(path)
    file = path.name
    raw = read_raw_table(path, file=file, duplicates="rename")
    if raw.problems and raw.frame.columns.empty:
        raise ValidationError(raw.problems)
    problems: list[Problem] = list(raw.problems)
    frame, rows = raw.frame, list(raw.rows)
    texts = {str(c): str(c) for c in frame.columns}
    import_ids: dict[str, dict] = {}
    skip_body = 0
    if format == "qualtrics":
        frame, texts, import_ids, skip_body, _ = qualtrics_layout(frame)
    headers = [str(c) for c in frame.columns]
    frame, rows = frame.iloc[skip_body:].reset_index(drop=True), rows[skip_body:]
    norm = {h: normalize_text(h) for h in headers}

    def pick(candidates: tuple[str, ...]) -> str | None:
        return next((h for c in candidates for h in headers if norm[h] == c), None)

    id_column = pick(("person id",))
    wanted_email = normalize_text(email_column) if email_column else None
    email = pick((wanted_email,)) if wanted_email else pick(_EMAIL[format])
    if wanted_email and email is None:
        problems.append(Problem(file, 1, email_column, "no such column for e-mails"))
    if email is None and id_column is None and not wanted_email:
        email = next((h for h in headers if re.search(r"\be ?mail\b", norm[h])), None)
    time_column = pick(_TIME[format])
    if import_ids:
        questions = [h for h in headers if str(import_ids.get(h, {}).get("ImportId", "")).startswith("QID")
                     and h not in (email, id_column)]
    else:
        questions = [h for h in headers if norm[h] not in _METADATA[format] and h not in (email, id_column)
                     and not norm[h].startswith(("points ", "feedback "))]
    if isinstance(mapping, (str, os.PathLike)):
        mapping, more = read_mapping(mapping, instrument)
        problems += more
    found, more = match_columns([(h, str(texts.get(h, h))) for h in questions], instrument, mapping=mapping, file=file)
    problems += more
    people, more = _participants(participants)
    problems += more
    if more:
        raise ValidationError(problems)  # without a readable participants.csv no e-mail can be matched
    lookup: dict[str, str] = {}
    if people is not None:
        for pid, mail in zip(people["person_id"], people.get("email", pd.Series(dtype=object)), strict=False):
            if isinstance(mail, str) and mail.strip():
                lookup.setdefault(mail.strip().casefold(), str(pid).strip())
    known_ids = set(people["person_id"].astype(str).str.strip()) if people is not None else None
    if id_column is None and email is None:
        problems.append(Problem(file, 1, None, "has no person_id column and no e-mail column: cannot tell who answered"))
        raise ValidationError(problems)
    if id_column is None and people is None:
        raise UsageError(f"{file}: answers are identified by e-mail; give the cohort (--cohort) or participants.csv "
                         "(--participants) to map e-mails to person_id")
    low, high = instrument.response_scale.min, instrument.response_scale.max
    labels = {" ".join(k.split()): v for k, v in instrument.label_values().items()}
    allowed = f"a whole number from {low} to {high}" + (
        f" or one of the labels {', '.join(instrument.response_scale.labels)}" if instrument.response_scale.labels else "")
    zone_name = str(import_ids.get(time_column, {}).get("timeZone") or timezone) if time_column else timezone
    records, first_row = [], {}
    for k, row_number in enumerate(rows):
        record = frame.iloc[k]
        status = str(record.get("Status", "")).strip().casefold() if format == "qualtrics" else ""
        if status in _SKIPPED_STATUS:
            problems.append(Problem(file, row_number, "Status", f"{_SKIPPED_STATUS[status]}; the row is skipped", "warning"))
            continue
        person = None
        if id_column is not None:
            person = str(record[id_column]).strip() or None
            if person is None:
                problems.append(Problem(file, row_number, id_column, "is empty; a value is required"))
            elif known_ids is not None and person not in known_ids:
                problems.append(Problem(file, row_number, id_column, f"found {shown(person)}; it is not a person_id of participants.csv"))
        else:
            mail = str(record[email]).strip()
            person = lookup.get(mail.casefold())
            if not mail:
                problems.append(Problem(file, row_number, email, "is empty: the answers cannot be matched to a participant"))
            elif person is None:
                problems.append(Problem(file, row_number, email, f"found {shown(mail)}; it is not an e-mail of participants.csv"))
        if person is not None:
            if person in first_row:
                problems.append(Problem(file, row_number, id_column or email, f"{person} also answered in row "
                                        f"{first_row[person]}; keep one of the two rows"))
            first_row.setdefault(person, row_number)
        submitted = ""
        if time_column is not None and str(record[time_column]).strip():
            stamp, why = parse_export_time(str(record[time_column]), zone_name)
            if stamp is None:
                problems.append(Problem(file, row_number, time_column, f"found {shown(record[time_column])}: {why}; "
                                        "submitted_at is left empty", "warning"))
            else:
                submitted = stamp.isoformat()
        out: dict[str, object] = {"person_id": person, "wave": wave, "submitted_at": submitted}
        for header, item in found.items():
            value, ok = _answer(str(record[header]), low, high, labels)
            if not ok:
                problems.append(Problem(file, row_number, header, f"found {shown(str(record[header]))}; expected {allowed}"))
            out[item] = value
        records.append(out)
    missing = [i for i in instrument.item_ids if i not in set(found.values())]
    if found and missing:
        problems.append(Problem(file, 1, None, f"no column for item(s) {', '.join(missing)}: they count as unanswered",
                                "warning"))
    if any(p.severity == "error" for p in problems):
        raise ValidationError(problems)
    responses = pd.DataFrame(records, columns=["person_id", "wave", "submitted_at"])
    for item in instrument.item_ids:
        responses[item] = pd.array([r.get(item) for r in records], dtype="Int64")
    return ImportResult(responses, dict(found), [p for p in problems if p.severity == "warning"])
