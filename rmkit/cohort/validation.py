"""Validating a cohort folder (the data contract in the README's "The cohort folder").

:func:`validate_cohort` reads every file and reports **every** problem in one pass (never raising on bad input);
:func:`load_cohort` returns a typed :class:`~rmkit.cohort.folder.Cohort` or raises
:class:`~rmkit.errors.ValidationError` carrying all of them. :mod:`rmkit.cohort.verdict` shows a report to people.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import Problem, UsageError, ValidationError, shown
from .config import (
    PROGRAM_METRIC_MEASURES,
    Instrument,
    ProgramConfig,
    load_yaml,
    parse_instrument,
    parse_program,
)
from .folder import TABLE_NAMES, Cohort, find_table, order_decisions, read_text_file, resolve_instrument
from .schemas import TABLES, Column, TableSpec, check_table, convert_table, value_check
from .tables import read_raw_table

__all__ = ["ValidationReport", "validate_cohort", "load_cohort"]


@dataclass
class ValidationReport:
    """The outcome of :func:`validate_cohort`: all problems (errors and warnings) and the cohort if it is valid."""

    path: Path
    problems: list[Problem]
    cohort: Cohort | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]


# --------------------------------------------------------------------------------------------- validation


def validate_cohort(path: str | os.PathLike[str]) -> ValidationReport:
    """Check every file of a cohort folder and report every problem in one pass.

    Parameters
    ----------
    path : path-like
        The cohort folder.

    Returns
    -------
    ValidationReport
        ``problems`` lists errors and warnings in file order (``program.yaml``, the instrument, then each table),
        each printable as ``FILE:ROW:COLUMN: message``; ``cohort`` is the typed cohort when there is no error.

    Raises
    ------
    UsageError
        If ``path`` is not a folder.

    Examples
    --------
    >>> from rmkit.resources import example_cohort_dir
    >>> report = validate_cohort(example_cohort_dir())
    >>> report.ok, len(report.cohort.mentors) > 0
    (True, True)
    """
    folder = Path(path)
    if not folder.exists():
        raise UsageError(f"{folder}: no such cohort folder")
    if not folder.is_dir():
        raise UsageError(f"{folder}: not a folder; a cohort is a folder holding program.yaml and participants.csv")
    return _Validator(folder).run()


def load_cohort(path: str | os.PathLike[str]) -> Cohort:
    """Read a cohort folder into a typed :class:`Cohort`.

    Raises
    ------
    ValidationError
        With every problem found, if any file has an error.
    UsageError
        If ``path`` is not a folder.

    Examples
    --------
    >>> from rmkit.resources import example_cohort_dir
    >>> cohort = load_cohort(example_cohort_dir())
    >>> sorted(cohort.participants["role"].unique())
    ['mentee', 'mentor']
    """
    report = validate_cohort(path)
    if not report.ok:
        raise ValidationError(report.problems)
    assert report.cohort is not None
    return report.cohort


class _Validator:
    def __init__(self, folder: Path):
        self.folder = folder
        self.problems: list[Problem] = []
        self.files: dict[str, Path] = {}
        self.rows: dict[str, list[int]] = {}
        self.tables: dict[str, pd.DataFrame] = {}
        self.program: ProgramConfig | None = None
        self.instrument: Instrument | None = None
        self.waves: list[str] | None = None
        self.instrument_name: str = "rm-core"
        self.raw_program: Any = None
        self.history: pd.DataFrame | None = None
        self.unmatched_last: frozenset[str] = frozenset()

    def add(self, problems: list[Problem]) -> None:
        self.problems.extend(problems)

    def run(self) -> ValidationReport:
        self.read_program()
        self.read_instrument()
        self.check_objectives()
        # outcomes.csv is read before responses.csv (responses may hold comparison people, whom outcomes names);
        # the problems are still reported in the tables' order
        found: dict[str, list[Problem]] = {}
        for name in sorted(TABLE_NAMES, key=lambda t: (t != "participants", t != "outcomes")):
            start = len(self.problems)
            self.read_table(name)
            found[name] = self.problems[start:]
            del self.problems[start:]
        for name in TABLE_NAMES:
            self.problems += found[name]
        self.check_agreements_against_pairs()
        self.check_pairing_inputs()
        cohort = None
        if not any(p.severity == "error" for p in self.problems):
            cohort = self.build()
        return ValidationReport(self.folder, self.problems, cohort)

    # -- YAML --------------------------------------------------------------------------------------

    def read_program(self) -> None:
        path = self.folder / "program.yaml"
        if not path.is_file():
            alt = self.folder / "program.yml"
            if alt.is_file():
                path = alt
            else:
                self.add([Problem("program.yaml", None, None, "required file is missing; `rmkit init` writes a commented one")])
                return
        self.files["program"] = path
        text, problems = read_text_file(path, path.name)
        self.add(problems)
        if text is None:
            return
        self.program, problems = parse_program(text, file=path.name, default_name=self.folder.name)
        self.add(problems)
        self.raw_program, _ = load_yaml(text, path.name)
        if self.program is not None:
            self.instrument_name = self.program.instrument
            self.waves = list(self.program.waves)
            return
        # Keep checking the tables against what can still be read from a program.yaml with errors.
        raw = self.raw_program
        if isinstance(raw, dict):
            if isinstance(raw.get("instrument"), str):
                self.instrument_name = raw["instrument"].strip()
            if isinstance(raw.get("waves"), list) and all(isinstance(w, str | int) for w in raw["waves"]):
                self.waves = [str(w).strip() for w in raw["waves"]]

    def read_instrument(self) -> None:
        path = resolve_instrument(self.instrument_name, self.folder)
        if path is None:
            self.add([Problem("program.yaml", None, "instrument",
                              f"found {shown(self.instrument_name)}; expected the id of a bundled instrument (rm-core) "
                              "or a YAML file in the cohort folder")])
            return
        try:
            label = str(path.relative_to(self.folder))
            self.files["instrument"] = path
        except ValueError:
            label = path.name
        text, problems = read_text_file(path, label)
        self.add(problems)
        if text is not None:
            self.instrument, problems = parse_instrument(text, file=label)
            self.add(problems)

    def check_objectives(self) -> None:
        """Objectives name a measure the instrument has; checked on the raw YAML so that it is reported even when
        other keys of program.yaml have errors."""
        objectives = self.raw_program.get("objectives") if isinstance(self.raw_program, dict) else None
        if not isinstance(objectives, list):
            return
        file = self.files["program"].name
        scales = self.instrument.scale_ids if self.instrument is not None else None
        for k, objective in enumerate(objectives):
            if not isinstance(objective, dict):
                continue
            key = f"objectives[{k}]"
            measure = objective.get("measure")
            if scales is not None and isinstance(measure, str) and measure.strip() and \
                    measure.strip() not in scales and measure.strip() not in PROGRAM_METRIC_MEASURES:
                allowed = ", ".join([*scales, *PROGRAM_METRIC_MEASURES])
                self.add([Problem(file, None, f"{key}.measure",
                                  f"found {shown(measure)}; allowed: a scale of instrument {self.instrument.id} "  # type: ignore[union-attr]
                                  f"or a program metric ({allowed})")])
            if objective.get("target_change") is None:
                self.add([Problem(file, None, f"{key}.target_change",
                                  "is missing: without a target the objective cannot be judged met", "warning")])

    # -- tables ------------------------------------------------------------------------------------

    def read_table(self, name: str) -> None:
        spec = TABLES[name]
        path, problems = find_table(self.folder, name)
        self.add(problems)
        if path is None:
            if spec.required:
                self.add([Problem(f"{name}.csv", None, None, "required file is missing (a .csv or .xlsx file)")])
            return
        self.files[name] = path
        file = path.name
        aliases = {c.name.casefold(): c.name for c in spec.columns}
        extra = self.extra_columns(name)
        aliases.update({c.name.casefold(): c.name for c in extra})
        raw = read_raw_table(path, file=file, aliases=aliases)
        self.add(raw.problems)
        if raw.frame.columns.empty and raw.problems:
            return
        missing = [c.name for c in spec.columns if c.required and c.name not in raw.frame.columns]
        for column in missing:
            header = ", ".join(raw.original_columns.values()) or "nothing"
            self.add([Problem(file, 1, column, f"required column is missing; the header has: {header}")])
        if missing:
            return
        frame, problems = convert_table(spec, raw.frame, raw.rows, file, extra_columns=extra)
        position = {row: k for k, row in enumerate(raw.rows)}
        bad_cells = {(position[p.row], p.column) for p in problems if p.row is not None}
        full_spec = TableSpec(spec.name, spec.description, (*spec.columns, *extra), spec.required, spec.needed_for, spec.unique_together)
        found = problems + check_table(full_spec, frame, raw.rows, file, checks=self.checks_for(name, frame), skip=bad_cells)
        found += self.table_level_problems(name, frame, raw.rows, file, raw.frame.columns)
        order = {c: k for k, c in enumerate(frame.columns)}
        found.sort(key=lambda p: (p.row or 0, order.get(p.column, len(order))))
        self.add(found)
        self.tables[name] = frame
        self.rows[name] = raw.rows

    def extra_columns(self, name: str) -> list[Column]:
        if name != "responses" or self.instrument is None:
            return []
        scale = self.instrument.response_scale
        return [Column(item, "integer", f"item {item}", min=scale.min, max=scale.max) for item in self.instrument.item_ids]

    def ids(self, role: str | None = None) -> pd.Series | None:
        people = self.tables.get("participants")
        if people is None:
            return None
        if role is None:
            return people["person_id"]
        return people.loc[people["role"] == role, "person_id"]

    def comparison_ids(self) -> set[str]:
        """The person_ids of outcomes.csv with group comparison that are not participants (they may answer the
        survey as a comparison group)."""
        outcomes = self.tables.get("outcomes")
        if outcomes is None or outcomes.empty:
            return set()
        participants = set(self.ids().dropna()) if self.ids() is not None else set()  # type: ignore[union-attr]
        ids = outcomes.loc[outcomes["group"] == "comparison", "person_id"].dropna()
        return set(ids) - participants

    def role_checks(self, column: str, role: str) -> list[Any]:
        everyone, same_role = self.ids(), self.ids(role)
        if everyone is None or same_role is None:
            return []
        people = self.tables["participants"]
        unclear = people.loc[~people["role"].isin(["mentor", "mentee"]), "person_id"]  # already reported there
        known, fitting = set(everyone.dropna()), set(same_role.dropna()) | set(unclear.dropna())
        other = "mentee" if role == "mentor" else "mentor"
        return [
            value_check(column, lambda s, k=known: s.isin(k), "found {found}; it is not a person_id of participants.csv"),
            value_check(column, lambda s, k=known, f=fitting: ~s.isin(k) | s.isin(f),
                        f"found {{found}}; that person is a {other} in participants.csv, not a {role}"),
        ]

    def checks_for(self, name: str, frame: pd.DataFrame) -> list[Any]:
        checks: list[Any] = []
        if name == "participants":
            checks += [
                value_check("manager_id", lambda s, f=frame: s != f.loc[s.index, "person_id"],
                            "found {found}: a person cannot be their own manager"),
                value_check("wants", lambda s, f=frame: (f.loc[s.index, "role"] != "mentee") | (s.map(len) > 0),
                            "mentee {person_id} has no wants: the skill gap cannot be used to pair them", severity="warning"),
                value_check("offers", lambda s, f=frame: (f.loc[s.index, "role"] != "mentor") | (s.map(len) > 0),
                            "mentor {person_id} offers nothing: the skill gap cannot be used to pair them", severity="warning"),
                value_check("capacity", lambda s, f=frame: f.loc[s.index, "role"] != "mentee",
                            "capacity applies to mentors only; it is ignored for mentee {person_id}", severity="warning"),
            ]
            if "email" in frame.columns:
                emails = frame["email"].dropna().str.casefold()
                dupes = set(emails[emails.duplicated(keep=False)])
                checks.append(value_check("email", lambda s, d=dupes: ~s.str.casefold().isin(d),
                                          "{person_id} shares an e-mail address with another person; survey imports match people by e-mail",
                                          severity="warning"))
        elif name == "responses":
            everyone = self.ids()
            if everyone is not None:
                known = set(everyone.dropna()) | self.comparison_ids()
                checks.append(value_check("person_id", lambda s, k=known: s.isin(k),
                                          "found {found}; it is not a person_id of participants.csv, nor a comparison "
                                          "person of outcomes.csv"))
            if self.waves is not None:
                waves = list(self.waves)
                allowed = ", ".join(waves) if waves else "none: program.yaml declares no waves"
                checks.append(value_check("wave", lambda s, w=waves: s.isin(w), f"found {{found}}; allowed: a wave of program.yaml ({allowed})"))
        elif name == "checkins" or name == "agreements":
            checks += self.role_checks("mentor_id", "mentor") + self.role_checks("mentee_id", "mentee")
        elif name == "outcomes":
            checks.append(value_check("end_date", lambda s, f=frame: f.loc[s.index, "start_date"].isna() | (s >= f.loc[s.index, "start_date"]),
                                      "found {found}; end_date must not be before start_date ({start_date})"))
            participants = self.ids()
            if participants is not None:
                known = set(participants.dropna())
                checks.append(value_check("person_id", lambda s, f=frame, k=known: (f.loc[s.index, "group"] != "participant") | s.isin(k),
                                          "participant {found} is not in participants.csv", severity="warning"))
        elif name == "costs":
            for column in ("attribution", "confidence"):
                checks.append(value_check(column, lambda s, f=frame: (f.loc[s.index, "kind"] != "cost") | (s == 1),
                                          f"{column} applies to benefits only; it is ignored on a cost line", severity="warning"))
        elif name == "pairs":
            checks += self.role_checks("mentor_id", "mentor") + self.role_checks("mentee_id", "mentee")
        elif name == "decisions":
            checks += self.role_checks("mentor_id", "mentor") + self.role_checks("mentee_id", "mentee")
            for column in ("mentor_id", "mentee_id"):
                checks.append(value_check(column, lambda s, f=frame: s.notna() | (f.loc[s.index, "action"] == "publish"),
                                          "is empty; a {action} decision names both mentor_id and mentee_id", ignore_na=False))
        return checks

    def table_level_problems(self, name: str, frame: pd.DataFrame, rows: list[int], file: str, columns: pd.Index) -> list[Problem]:
        problems: list[Problem] = []
        if frame.empty and name == "participants":
            problems.append(Problem(file, None, None, "has no participants (only a header)"))
        if name == "participants" and not frame.empty:
            for role in ("mentor", "mentee"):
                if not (frame["role"] == role).any():
                    problems.append(Problem(file, None, "role", f"no {role}s: pairing needs at least one mentor and one mentee", "warning"))
        if name == "responses" and self.instrument is not None:
            items = self.instrument.item_ids
            known = {c.name for c in TABLES["responses"].columns}
            present = [i for i in items if i in columns]
            for column in columns:
                if column not in known and column not in items:
                    problems.append(Problem(file, 1, str(column), f"is not an item of instrument {self.instrument.id}; it is ignored", "warning"))
            if not present:
                problems.append(Problem(file, 1, None, f"has none of the items of instrument {self.instrument.id} "
                                                       f"({', '.join(items[:6])}{', …' if len(items) > 6 else ''})"))
            elif len(present) < len(items):
                absent = [i for i in items if i not in present]
                problems.append(Problem(file, 1, None, f"has no column for item(s) {', '.join(absent)}: they count as unanswered", "warning"))
        if name == "pairs" and not frame.empty:
            mentees = frame["mentee_id"].dropna()
            for mentee in sorted(set(mentees[mentees.duplicated()])):
                where = [rows[i] for i in frame.index[(frame["mentee_id"] == mentee).to_numpy()]]
                for row in where:
                    problems.append(Problem(file, row, "mentee_id", f"mentee {shown(mentee)} appears in rows {', '.join(map(str, where))}; a mentee has one mentor"))
            people = self.tables.get("participants")
            if people is not None:
                capacity = people.drop_duplicates("person_id").set_index("person_id")["capacity"]
                counts = frame["mentor_id"].value_counts()
                for mentor, count in counts.items():
                    cap = capacity.get(mentor)
                    if cap is not None and not pd.isna(cap) and count > cap:
                        row = rows[int(frame.index[(frame["mentor_id"] == mentor).to_numpy()][-1])]
                        problems.append(Problem(file, row, "mentor_id", f"mentor {shown(mentor)} has {count} mentees but capacity {cap}", "warning"))
        return problems

    def check_agreements_against_pairs(self) -> None:
        """A goal of a pair that is not published is worth a warning (read after pairs.csv, which comes later)."""
        goals, published = self.tables.get("agreements"), self.tables.get("pairs")
        if goals is None or published is None or goals.empty or published.empty:
            return
        keys = set(zip(published["mentor_id"], published["mentee_id"], strict=True))
        file = self.files["agreements"].name
        for k, (mentor, mentee) in enumerate(zip(goals["mentor_id"], goals["mentee_id"], strict=True)):
            if mentor is not None and mentee is not None and (mentor, mentee) not in keys:
                self.add([Problem(file, self.rows["agreements"][k], "mentee_id",
                                  f"{mentor} → {mentee} is not a published pair of pairs.csv; its goals are still counted",
                                  "warning")])

    def check_pairing_inputs(self) -> None:
        """Preferences, levels, the manager chain and earlier cycles (see :mod:`rmkit.cohort.pairing_inputs`)."""
        from .pairing_inputs import level_problems, manager_cycle_problems, preference_problems, read_history

        people = self.tables.get("participants")
        if people is not None:
            file, rows = self.files["participants"].name, self.rows["participants"]
            self.add(manager_cycle_problems(people, rows, file) + level_problems(people, rows, file, self.program))
        if "preferences" in self.tables:
            self.add(preference_problems(self.tables["preferences"], self.rows["preferences"],
                                         self.files["preferences"].name, people))
        self.history, self.unmatched_last, problems = read_history(self.folder, self.program)
        self.add(problems)

    # -- result ------------------------------------------------------------------------------------

    def build(self) -> Cohort:
        assert self.program is not None and self.instrument is not None
        tables = dict(self.tables)
        people = tables["participants"]
        people["capacity"] = people["capacity"].astype("Int64")
        people.loc[people["role"] == "mentee", "capacity"] = pd.NA
        people.loc[(people["role"] == "mentor") & people["capacity"].isna(), "capacity"] = 1
        if "pairs" in tables:
            tables["pairs"]["locked"] = tables["pairs"]["locked"].fillna(False).astype(bool)
        if "decisions" in tables:
            log, order = order_decisions(tables["decisions"])
            tables["decisions"] = log
            self.rows["decisions"] = [self.rows["decisions"][i] for i in order]
        responses, comparison_responses = tables.get("responses"), None
        if responses is not None:  # everything that reads responses means the participants; the comparison apart
            ours = responses["person_id"].isin(set(people["person_id"].dropna())).to_numpy()
            comparison_responses = responses[~ours].reset_index(drop=True)
            if not ours.all():
                self.rows["comparison_responses"] = [r for r, mine in zip(self.rows["responses"], ours, strict=True) if not mine]
                self.rows["responses"] = [r for r, mine in zip(self.rows["responses"], ours, strict=True) if mine]
                responses = responses[ours].reset_index(drop=True)
        return Cohort(
            path=self.folder,
            program=self.program,
            instrument=self.instrument,
            participants=people,
            preferences=tables.get("preferences"),
            history=self.history,
            unmatched_last_cycle=self.unmatched_last,
            responses=responses,
            comparison_responses=comparison_responses,
            checkins=tables.get("checkins"),
            agreements=tables.get("agreements"),
            outcomes=tables.get("outcomes"),
            costs=tables.get("costs"),
            pairs=tables.get("pairs"),
            decisions=tables.get("decisions"),
            files=dict(self.files),
            rows=dict(self.rows),
            warnings=[p for p in self.problems if p.severity == "warning"],
        )
