"""The tables of the cohort folder, declared once: columns, types, allowed values and one-line descriptions.

The declarations drive three things: converting text cells into typed columns (with a problem for every cell that
does not convert), the pandera schemas that check values lazily (every failure at once, with its row and column),
and the blank templates with their column descriptions (``rmkit init``, ``data/templates/``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..errors import Problem
from .survey_exports import zone_name_hint
from .tables import split_list

__all__ = ["Column", "TableSpec", "TABLES", "convert_table", "check_table", "value_check"]

Kind = Literal["id", "text", "choice", "number", "integer", "date", "datetime", "bool", "list"]


@dataclass(frozen=True)
class Column:
    """One column of a contract table."""

    name: str
    kind: Kind
    description: str
    required: bool = False  # the column must be present (bold in the design's table)
    nonempty: bool = False  # every row must have a value
    choices: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    unique: bool = False
    default: Any = None
    example: str = ""


@dataclass(frozen=True)
class TableSpec:
    """One table of the cohort folder."""

    name: str  # file stem: participants, responses, ...
    description: str
    columns: tuple[Column, ...]
    required: bool = False
    needed_for: str = ""
    unique_together: tuple[str, ...] = ()

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec(
            "participants",
            "One row per person in the cohort: mentors (junior, bringing digital skills) and mentees (senior).",
            (
                Column("person_id", "id", "pseudonymous key used in every report instead of names", True, True, unique=True, example="p001"),
                Column("role", "choice", "mentor (the junior who teaches digital skills) or mentee (the senior leader)", True, True, choices=("mentor", "mentee"), example="mentor"),
                Column("name", "text", "display name, shown only in the facilitator's dashboard", example="Amira Testfield"),
                Column("email", "text", "e-mail, used only to match survey exports to person_id", example="amira@example.org"),
                Column("department", "text", "department or business unit", example="Marketing"),
                Column("location", "text", "office or city", example="Leeds"),
                Column("timezone", "number", "UTC offset in hours, e.g. 1 or -5", min=-12, max=14, example="1"),
                Column("generation", "text", "e.g. Gen Z, Millennial, Gen X, Baby Boomer", example="Gen Z"),
                Column("tenure_years", "number", "years with the organisation", min=0, example="2"),
                Column("level", "text", "grade or level, e.g. Associate, Director", example="Associate"),
                Column("offers", "list", "skills this person can teach, separated by ;", True, example="social media; AI tools"),
                Column("wants", "list", "skills this person wants to learn, separated by ;", True, example="strategy; negotiation"),
                Column("interests", "list", "interests, separated by ;", example="sustainability; running"),
                Column("work_style", "text", "e.g. introvert, extrovert, ambivert", example="introvert"),
                Column("availability", "list", "time slots this person can meet, separated by ; (e.g. Mon AM; Thu PM)", example="Mon AM; Thu PM"),
                Column("capacity", "integer", "mentors only: how many mentees they can take (default 1)", min=0, example="1"),
                Column("manager_id", "id", "person_id of this person's line manager, if known", example=""),
            ),
            required=True,
        ),
        TableSpec(
            "preferences",
            "One row per ranking a person gives someone of the other role (after a coffee chat or speed-mentoring "
            "round); used by the stable strategy.",
            (
                Column("person_id", "id", "who ranks (a person_id of participants.csv)", True, True, example="p041"),
                Column("ranks", "id", "whom they rank: a person_id of the other role", True, True, example="p001"),
                Column("rank", "integer", "1 = first choice, 2 = second, …; each rank once per person", True, True,
                       min=1, example="1"),
            ),
            needed_for="stable pairing on stated preferences",
            unique_together=("person_id", "ranks"),
        ),
        TableSpec(
            "responses",
            "One row per person and survey wave; one column per item id of the instrument, answers as numbers.",
            (
                Column("person_id", "id", "who answered: a person_id of participants.csv, or of a comparison person of outcomes.csv", True, True, example="p001"),
                Column("wave", "text", "survey wave, one of program.yaml's waves", True, True, example="baseline"),
                Column("submitted_at", "datetime", "when the answers were submitted (YYYY-MM-DD or ISO date-time)", example="2026-03-02"),
            ),
            needed_for="scoring and evaluation",
            unique_together=("person_id", "wave"),
        ),
        TableSpec(
            "checkins",
            "One row per meeting of a pair (or pulse rating).",
            (
                Column("mentor_id", "id", "the pair's mentor (a person_id with role mentor)", True, True, example="p001"),
                Column("mentee_id", "id", "the pair's mentee (a person_id with role mentee)", True, True, example="p041"),
                Column("date", "date", "date of the meeting, YYYY-MM-DD", True, True, example="2026-03-10"),
                Column("duration_min", "number", "length of the meeting in minutes", min=0, example="45"),
                Column("pulse", "number", "how well it went, 1 (poorly) to 5 (very well)", min=1, max=5, example="4"),
                Column("topics", "list", "topics covered, separated by ;", example="LinkedIn; AI tools"),
                Column("note", "text", "free note (kept out of reports)", example=""),
                Column("reported_by", "choice", "who reported this row: mentor or mentee (empty: the pair together); "
                       "a meeting both report has two rows", choices=("mentor", "mentee"), example="mentee"),
            ),
            needed_for="check-in health",
        ),
        TableSpec(
            "agreements",
            "One row per goal a pair agreed in its mentoring agreement, with its progress.",
            (
                Column("mentor_id", "id", "the pair's mentor (a person_id with role mentor)", True, True, example="p001"),
                Column("mentee_id", "id", "the pair's mentee (a person_id with role mentee)", True, True, example="p041"),
                Column("goal", "text", "the goal in a few words", True, True, example="post weekly on LinkedIn"),
                Column("side", "choice", "whose goal it is: mentor or mentee (empty: a goal of the pair)",
                       choices=("mentor", "mentee"), example="mentee"),
                Column("target_date", "date", "when it should be done, YYYY-MM-DD", example="2026-05-01"),
                Column("status", "choice", "open, done or dropped (default open)", choices=("open", "done", "dropped"),
                       default="open", example="open"),
            ),
            needed_for="goals and agreements (Kirkpatrick level 3)",
        ),
        TableSpec(
            "outcomes",
            "One row per person, participants and a comparison group, for retention (and, for comparison people who "
            "answer the survey, their covariates).",
            (
                Column("person_id", "id", "a participant's person_id, or any pseudonymous id for the comparison group", True, True, unique=True, example="p001"),
                Column("group", "choice", "participant or comparison", True, True, choices=("participant", "comparison"), example="participant"),
                Column("start_date", "date", "start of observation (usually the program start), YYYY-MM-DD", True, True, example="2026-03-01"),
                Column("end_date", "date", "date the person left the organisation; empty if still employed", example=""),
                Column("end_reason", "text", "e.g. resigned, dismissed, retired", example=""),
                Column("department", "text", "comparison people: department (participants take theirs from participants.csv)", example=""),
                Column("level", "text", "comparison people: grade or level", example=""),
                Column("generation", "text", "comparison people: e.g. Gen Z, Millennial, Gen X, Baby Boomer", example=""),
                Column("tenure_years", "number", "comparison people: years with the organisation", min=0, example=""),
            ),
            needed_for="retention, and the comparison group of the survey",
        ),
        TableSpec(
            "costs",
            "One row per cost or monetised benefit, for Phillips ROI.",
            (
                Column("kind", "choice", "cost or benefit", True, True, choices=("cost", "benefit"), example="cost"),
                Column("item", "text", "what it is, e.g. facilitator time, recruitment avoided", True, True, example="facilitator time"),
                Column("amount", "number", "amount in the program's currency (not negative)", True, True, min=0, example="12000"),
                Column("attribution", "number", "share of a benefit caused by the program, 0–1 (default 1)", min=0, max=1, default=1.0, example="0.5"),
                Column("confidence", "number", "estimator's confidence in a benefit, 0–1 (default 1)", min=0, max=1, default=1.0, example="0.8"),
                Column("note", "text", "how the figure was estimated", example=""),
            ),
            needed_for="ROI",
        ),
        TableSpec(
            "pairs",
            "One row per published pair (written by publishing; keep earlier versions).",
            (
                Column("mentor_id", "id", "the mentor's person_id", True, True, example="p001"),
                Column("mentee_id", "id", "the mentee's person_id", True, True, example="p041"),
                Column("score", "number", "compatibility score, 0–1", example="0.72"),
                Column("locked", "bool", "true if the facilitator locked the pair", default=False, example="false"),
                Column("reasons", "text", "why the pair was proposed, in plain words", example=""),
            ),
            needed_for="check-ins (the published pairs)",
        ),
        TableSpec(
            "decisions",
            "One row per facilitator decision, appended by the pairing dashboard; the latest decision on a pair wins.",
            (
                Column("at", "datetime", "when (ISO date-time)", example="2026-02-20T10:15:00+00:00"),
                Column("by", "text", "who decided (a name or role)", example="facilitator"),
                Column("action", "choice", "lock, forbid, unlock, unforbid or publish", False, True, choices=("lock", "forbid", "unlock", "unforbid", "publish"), example="lock"),
                Column("mentor_id", "id", "the mentor's person_id (empty for publish)", example="p001"),
                Column("mentee_id", "id", "the mentee's person_id (empty for publish)", example="p041"),
                Column("note", "text", "why the decision was made (free text)", example=""),
            ),
            needed_for="pairing (facilitator decisions)",
        ),
    )
}


# --------------------------------------------------------------------------------------------- conversion

_KIND_EXPECTED = {
    "number": "a number",
    "integer": "a whole number",
    "date": "a date as YYYY-MM-DD",
    "datetime": "a date (YYYY-MM-DD) or an ISO date-time (YYYY-MM-DDTHH:MM)",
    "bool": "true or false",
}
_TRUE = {"true", "yes", "y", "1", "t", "x"}
_FALSE = {"false", "no", "n", "0", "f"}
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_DATETIME_TEXT = r"^\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$"


def _found(value: object) -> str:
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float | np.floating):
        return f"{float(value):g}"
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    text = str(value)
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _to_numbers(text: pd.Series) -> pd.Series:
    """Numbers from text; a decimal comma (``3,5``) is read as a decimal point. The column is converted at once;
    only the cells that do not convert are looked at again for a decimal comma."""
    numbers = pd.to_numeric(text, errors="coerce").astype("float64")
    retry = numbers.isna() & (text != "")
    if retry.any():
        again = text[retry]
        comma = again.str.match(_DECIMAL_COMMA, na=False)
        if comma.any():
            fixed = again[comma].str.replace(",", ".", regex=False)
            numbers.loc[fixed.index] = pd.to_numeric(fixed, errors="coerce").astype("float64")
    return numbers


def convert_column(column: Column, text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Convert a text column; return the typed column and a boolean mask of cells that failed to convert.

    Numbers, dates and booleans are converted once per distinct text (a column of a million answers holds a
    handful: ``1`` to ``5`` and empty), then spread back to the cells: the same result as cell by cell."""
    kind = column.kind
    if kind in {"number", "integer", "date", "datetime", "bool"} and len(text) > _DISTINCT_FROM:
        codes, uniques = pd.factorize(text.to_numpy(dtype=object), use_na_sentinel=False)
        if len(uniques) < len(text) // 2:
            values, bad = _convert_text(column, pd.Series(uniques, dtype=text.dtype))
            return (pd.Series(values.to_numpy()[codes] if not isinstance(values.dtype, pd.api.extensions.ExtensionDtype)
                              else values.array.take(codes), index=text.index, name=text.name),
                    pd.Series(bad.to_numpy()[codes], index=text.index))
    return _convert_text(column, text)


_DISTINCT_FROM = 1000
"""Columns longer than this are converted by distinct value (:func:`convert_column`)."""


def _convert_text(column: Column, text: pd.Series) -> tuple[pd.Series, pd.Series]:
    present = text != ""
    kind = column.kind
    if kind in {"id", "text"}:
        values = text.astype(object).where(present, None)
        return values, pd.Series(False, index=text.index)
    if kind == "choice":
        values = text.str.casefold().astype(object).where(present, None)
        return values, pd.Series(False, index=text.index)
    if kind == "list":
        return text.map(split_list).astype(object), pd.Series(False, index=text.index)
    if kind in {"number", "integer"}:
        numbers = _to_numbers(text)
        bad = present & (numbers.isna() | ~np.isfinite(numbers.fillna(0)))
        if kind == "integer":
            bad |= present & numbers.notna() & (numbers % 1 != 0)
        numbers = numbers.where(~bad)
        if kind == "integer":
            return numbers.astype("Int64"), bad
        return numbers, bad
    if kind == "date":
        date_part = text.str.extract(r"^(\d{4}-\d{1,2}-\d{1,2})(?:[ T]00:00(?::00)?)?$", expand=False)
        dates = pd.to_datetime(date_part, format="%Y-%m-%d", errors="coerce")
        return dates, present & dates.isna()
    if kind == "datetime":
        iso_like = text.str.match(_DATETIME_TEXT, na=False)
        parsed = pd.to_datetime(text.where(iso_like), format="ISO8601", utc=True, errors="coerce")
        return parsed, present & parsed.isna()
    if kind == "bool":
        low = text.str.casefold()
        values = pd.Series(pd.NA, index=text.index, dtype="boolean")
        values[low.isin(_TRUE)] = True
        values[low.isin(_FALSE)] = False
        bad = present & values.isna()
        return values, bad
    raise ValueError(f"unknown column kind {kind!r}")


def convert_table(
    spec: TableSpec, raw: pd.DataFrame, rows: Sequence[int], file: str, *, extra_columns: Iterable[Column] = ()
) -> tuple[pd.DataFrame, list[Problem]]:
    """Typed frame for ``raw`` (text cells) by ``spec``: every contract column present (absent optional columns are
    added empty), defaults filled, one problem per cell that does not convert. Other columns are kept as text."""
    problems: list[Problem] = []
    out = pd.DataFrame(index=raw.index)
    for column in (*spec.columns, *extra_columns):
        if column.name in raw.columns:
            values, bad = convert_column(column, raw[column.name].astype(str))
            for idx in raw.index[bad.to_numpy()]:
                found = raw.at[idx, column.name]
                hint = zone_name_hint(str(found)) if column.name == "timezone" else ""
                problems.append(Problem(file, rows[idx], column.name, f"found {_found(found)}; expected {_expected(column)}{hint}"))
        else:
            values = _empty(column, raw.index)
        if column.default is not None:
            values = values.fillna(column.default) if column.kind != "list" else values
        out[column.name] = values
    for name in raw.columns:
        if name not in out.columns:
            out[name] = raw[name].where(raw[name] != "", None)
    return out, problems


def _expected(column: Column) -> str:
    expected = _KIND_EXPECTED[column.kind]
    if column.min is not None and column.max is not None:
        expected += f" from {column.min:g} to {column.max:g}"
    elif column.min is not None:
        expected += f" (at least {column.min:g})"
    return expected


def _empty(column: Column, index: pd.Index) -> pd.Series:
    if column.kind == "list":
        return pd.Series([[] for _ in index], index=index, dtype=object)
    if column.kind == "number":
        return pd.Series(np.nan, index=index, dtype="float64")
    if column.kind == "integer":
        return pd.Series(pd.NA, index=index, dtype="Int64")
    if column.kind == "date":
        return pd.Series(pd.NaT, index=index, dtype="datetime64[us]")
    if column.kind == "datetime":
        return pd.Series(pd.NaT, index=index, dtype="datetime64[us, UTC]")
    if column.kind == "bool":
        return pd.Series(pd.NA, index=index, dtype="boolean")
    return pd.Series(None, index=index, dtype=object)


# --------------------------------------------------------------------------------------------- value checks


@dataclass(frozen=True)
class ValueCheck:
    """A check on one column: ``test`` maps the column to a boolean Series (True = fine); ``message`` is formatted
    with ``found`` (the failing value) and ``row`` fields of the frame (e.g. ``{role}``)."""

    column: str
    test: Any
    message: str
    severity: Literal["error", "warning"] = "error"
    ignore_na: bool = True


def value_check(column: str, test: Any, message: str, *, severity: Literal["error", "warning"] = "error", ignore_na: bool = True) -> ValueCheck:
    """Declare a check; see :func:`check_table`."""
    return ValueCheck(column, test, message, severity, ignore_na)


def _pandera_schema(spec: TableSpec, checks: Sequence[ValueCheck], frame: pd.DataFrame) -> Any:
    import pandera.pandas as pa

    columns: dict[str, Any] = {}
    for column in spec.columns:
        if column.name not in frame.columns:
            continue
        column_checks = []
        if column.choices:
            column_checks.append(
                pa.Check.isin(column.choices, error=f"found {{found}}; allowed: {', '.join(column.choices)}")
            )
        if column.kind in {"number", "integer"} and column.min is not None and column.max is not None:
            column_checks.append(pa.Check.in_range(column.min, column.max, error=f"found {{found}}; allowed: {column.min:g} to {column.max:g}"))
        elif column.kind in {"number", "integer"} and column.min is not None:
            column_checks.append(pa.Check.ge(column.min, error=f"found {{found}}; must be {column.min:g} or more"))
        columns[column.name] = pa.Column(
            checks=column_checks,
            nullable=not column.nonempty or column.kind == "list",
            unique=column.unique,
            report_duplicates="all",
            required=False,
        )
    for k, check in enumerate(checks):
        if check.column not in frame.columns:
            continue
        existing = columns.setdefault(check.column, pa.Column(nullable=True, required=False))
        existing.checks.append(
            pa.Check(check.test, element_wise=False, ignore_na=check.ignore_na, error=f"custom:{k}", name=f"custom:{k}")
        )
    together = list(spec.unique_together) if all(c in frame.columns for c in spec.unique_together) else None
    return pa.DataFrameSchema(columns, unique=together or None, report_duplicates="all", strict=False, coerce=False)


def check_table(
    spec: TableSpec,
    frame: pd.DataFrame,
    rows: Sequence[int],
    file: str,
    *,
    checks: Sequence[ValueCheck] = (),
    skip: Iterable[tuple[int, str]] = (),
) -> list[Problem]:
    """Check a converted frame against its spec and the extra ``checks`` with pandera, lazily: every failure is
    returned as a :class:`Problem` at its spreadsheet row and column. Cells listed in ``skip`` (index, column) already
    have a conversion problem and are not reported again."""

    if frame.empty:
        return []
    skip = set(skip)
    warning_checks = [c for c in checks if c.severity == "warning"]
    error_checks = [c for c in checks if c.severity == "error"]
    problems: list[Problem] = []
    schema = _pandera_schema(spec, error_checks, frame)
    problems += _run_schema(schema, spec, error_checks, frame, rows, file, skip, "error")
    if warning_checks:
        bare = TableSpec(spec.name, spec.description, ())
        schema = _pandera_schema(bare, warning_checks, frame)
        problems += _run_schema(schema, bare, warning_checks, frame, rows, file, skip, "warning")
    return problems


def _run_schema(schema: Any, spec: TableSpec, checks: Sequence[ValueCheck], frame: pd.DataFrame, rows: Sequence[int],
                file: str, skip: set[tuple[int, str]], severity: str) -> list[Problem]:
    import pandera.pandas as pa

    # pandera looks at the frame as given; list cells are not hashable, so uniqueness checks see tuples.
    view = frame.copy()
    for name in view.columns:
        if view[name].dtype == object and pd.api.types.infer_dtype(view[name], skipna=True) not in {"string", "empty"} \
                and view[name].map(lambda v: isinstance(v, list)).any():
            view[name] = view[name].map(lambda v: tuple(v) if isinstance(v, list) else v)
    try:
        schema.validate(view, lazy=True)
        return []
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    problems: list[Problem] = []
    seen: set[tuple[int, str, str]] = set()
    for case in cases.itertuples(index=False):
        index = case.index
        column = case.column
        check = str(case.check)
        if index is None or (isinstance(index, float) and np.isnan(index)) or column is None or (isinstance(column, float)):
            continue
        index = int(index)
        if (index, column) in skip and check in {"not_nullable"}:
            continue
        key = (index, str(column), check)
        if key in seen:
            continue
        seen.add(key)
        value = frame.at[index, column] if index in frame.index else case.failure_case
        message = _message_for(check, column, value, frame, index, checks, spec, rows)
        if message is None:
            continue
        if check == "multiple_fields_uniqueness" and column != spec.unique_together[0]:
            continue  # one problem per duplicated row, named at the first column of the key
        problems.append(Problem(file, rows[index], str(column), message, severity))  # type: ignore[arg-type]
    return problems


def _message_for(check: str, column: str, value: Any, frame: pd.DataFrame, index: int, checks: Sequence[ValueCheck],
                 spec: TableSpec, rows: Sequence[int]) -> str | None:
    found = _found(value)
    if check == "not_nullable":
        return "is empty; a value is required"
    if check == "field_uniqueness":
        same = [rows[i] for i in frame.index[(frame[column] == value).to_numpy()]]
        return f"found {found} in rows {', '.join(map(str, same))}; each {column} may appear only once"
    if check == "multiple_fields_uniqueness":
        mask = np.logical_and.reduce([(frame[c] == frame.at[index, c]).to_numpy() for c in spec.unique_together])
        same = [rows[i] for i in frame.index[mask]]
        key = ", ".join(f"{c} {_found(frame.at[index, c])}" for c in spec.unique_together)
        return f"{key} appears in rows {', '.join(map(str, same))}; each {' × '.join(spec.unique_together)} may appear only once"
    if check.startswith("custom:"):
        vc = checks[int(check.split(":", 1)[1])]
        fields = {k: _plain(frame.at[index, k]) for k in frame.columns if isinstance(k, str) and k.isidentifier()}
        return vc.message.format(found=found, **fields)
    return check.replace("{found}", found)


def _plain(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return value
