"""The YAML side of the data contract: ``program.yaml`` and survey instruments, declared as pydantic models.

``parse_program`` and ``parse_instrument`` turn a YAML text into a model and a list of :class:`~rmkit.errors.Problem`
(every problem at once, located by key path such as ``pairing.strategy`` or ``items[3].scale``). Unknown keys are
reported as warnings, so a typo never passes silently but never blocks a run either.

Decisions where the design leaves room (documented here and in the README):

- every key of ``program.yaml`` is optional; ``program`` and ``cohort`` default to the cohort folder's name;
- when ``pairing.weights`` is given, a component it leaves out weighs 0; when it is absent, the defaults below apply;
- ``pairing.rules`` defaults to ``no_reporting_line: true`` and nothing else;
- an objective's ``measure`` is a scale id of the instrument, or one of the program metrics ``retention_12m``
  (target: percentage points over the comparison group), ``roi_percent``, ``bcr`` or ``goals_done`` (the
  percentage of the agreements' goals done; target: the value to reach);
- ``checkins`` holds the rules of pair health (no first meeting within N days, a gap longer than
  ``overdue_factor`` × the cadence, a low pulse);
- ``as_of`` is the date the data describe (default: today): people still employed are followed up to it;
- ``favorable_at`` defaults to the second-highest response (the "top two boxes" of the field).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import Problem, shown
from .safe_yaml import load_yaml

__all__ = [
    "STRATEGIES",
    "SCORINGS",
    "WEIGHT_COMPONENTS",
    "DEFAULT_WEIGHTS",
    "PROGRAM_METRIC_MEASURES",
    "Objective",
    "PairingRules",
    "PairingWeights",
    "PairingConfig",
    "CheckinRules",
    "CHECKIN_THRESHOLDS",
    "CheckinThreshold",
    "ProgramConfig",
    "ResponseScale",
    "Scale",
    "Item",
    "Instrument",
    "parse_program",
    "parse_instrument",
]

STRATEGIES = ("optimal", "fair", "stable")
SCORINGS = ("mean", "sum", "percent_favorable", "pomp")
WEIGHT_COMPONENTS = ("skill_gap", "reverse_gap", "interests", "work_style", "availability")
DEFAULT_WEIGHTS = {"skill_gap": 0.5, "reverse_gap": 0.2, "interests": 0.15, "work_style": 0.1, "availability": 0.05}
PROGRAM_METRIC_MEASURES = ("retention_12m", "roi_percent", "bcr", "goals_done")
RESERVED_RESPONSE_COLUMNS = ("person_id", "wave", "submitted_at")


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=True, coerce_numbers_to_str=True)


# --------------------------------------------------------------------------------------------- program.yaml


class Objective(_Model):
    """One goal of the program, how it is measured and what counts as success."""

    id: str = Field(min_length=1)
    description: str = ""
    measure: str = Field(min_length=1)
    target_change: float | None = None
    #: the expected SD of individual change on the measure (for planning the sample; optional, positive)
    expected_sd: float | None = Field(default=None, gt=0, allow_inf_nan=False)


class PairingRules(_Model):
    """Hard rules: a pair that breaks one is never proposed."""

    different_department: bool = False
    no_reporting_line: bool = True
    max_timezone_gap: float | None = Field(default=None, ge=0)
    mentor_more_junior: bool = False  # the mentor's level (program.yaml: levels) is below the mentee's
    min_level_gap: int | None = Field(default=None, ge=1)  # the two levels at least this many steps apart
    no_reporting_chain: bool = False  # neither is anywhere above the other in the manager_id chain
    different_generation: bool = False

    @property
    def uses_levels(self) -> bool:
        """Whether a rule compares ``participants.level`` against ``program.yaml: levels``."""
        return self.mentor_more_junior or self.min_level_gap is not None


class PairingWeights(_Model):
    """Weights of the compatibility components (non-negative; they need not sum to 1)."""

    skill_gap: float = Field(default=0.0, ge=0)
    reverse_gap: float = Field(default=0.0, ge=0)
    interests: float = Field(default=0.0, ge=0)
    work_style: float = Field(default=0.0, ge=0)
    availability: float = Field(default=0.0, ge=0)

    @model_validator(mode="after")
    def _one_positive(self) -> PairingWeights:
        if not any(getattr(self, c) > 0 for c in WEIGHT_COMPONENTS):
            raise ValueError("at least one weight must be positive")
        return self

    def as_dict(self) -> dict[str, float]:
        return {c: float(getattr(self, c)) for c in WEIGHT_COMPONENTS}


class PairingConfig(_Model):
    """``pairing:`` in ``program.yaml``."""

    strategy: Literal["optimal", "fair", "stable"] = "optimal"
    weights: PairingWeights = Field(default_factory=lambda: PairingWeights(**DEFAULT_WEIGHTS))
    rules: PairingRules = Field(default_factory=PairingRules)
    threshold: float = Field(default=0.3, ge=0, le=1, description="pairs scoring below this are flagged")
    history: list[str] = Field(default_factory=list, description="earlier cohort folders or pairs*.csv files")
    repeat_pairs: Literal["forbid", "allow"] = "forbid"
    proposing: Literal["mentee", "mentor"] = "mentee"


@dataclass(frozen=True)
class CheckinThreshold:
    """What one ``checkins:`` threshold does: the pair-health status it leads to, and when."""

    status: str
    when: str

    def comment(self) -> str:
        """The line that explains the key in ``program.yaml`` (written into the template)."""
        return f'"{self.status}" {self.when}'


#: The one declaration of what each ``checkins:`` threshold does. The check-ins phase judges pairs with these
#: statuses (:mod:`rmkit.phases.checkins`) and the ``program.yaml`` template's comments are written from them.
CHECKIN_THRESHOLDS: dict[str, CheckinThreshold] = {
    "first_meeting_within_days": CheckinThreshold(
        "at risk", "if a pair has not met this many days after start_date (\"needs check-in\" until then)"),
    "overdue_factor": CheckinThreshold("at risk", "if the last meeting is older than this x the cadence"),
    "low_pulse": CheckinThreshold("at risk", "if the recent pulse average (last two ratings, 1-5) is below this"),
}


class CheckinRules(_Model):
    """``checkins:`` in ``program.yaml``: when a pair needs a check-in or is at risk (see ``CHECKIN_THRESHOLDS``)."""

    first_meeting_within_days: int = Field(default=10, ge=1)
    overdue_factor: float = Field(default=1.5, gt=0)
    low_pulse: float = Field(default=2.5, ge=1, le=5)
    pulse_gap: float = Field(default=1.5, gt=0, le=4, description="the two sides' recent pulse this far apart: needs check-in")
    recent_meetings: int = Field(default=4, ge=2, description="meetings that count as recent for reciprocity")
    one_way_share: float = Field(default=0.2, ge=0, lt=0.5,
                                 description="recent topics in one direction below this share: learning flows one way")


class ProgramConfig(_Model):
    """``program.yaml``: what the program is for, how pairs are made and how it is evaluated."""

    program: str = ""
    cohort: str = ""
    format: Literal["formal", "casual"] = "formal"
    start_date: dt.date | None = None
    as_of: dt.date | None = None
    duration_weeks: int | None = Field(default=None, gt=0)
    checkin_every_weeks: float | None = Field(default=None, gt=0)
    sponsor: str | None = None
    feedback: str | None = None
    objectives: list[Objective] = Field(default_factory=list)
    pairing: PairingConfig = Field(default_factory=PairingConfig)
    checkins: CheckinRules = Field(default_factory=CheckinRules)
    instrument: str = "rm-core"
    waves: list[str] = Field(default_factory=list)
    levels: list[str] = Field(default_factory=list)  # ordered, most junior first
    min_group_size: int = Field(default=5, ge=1)
    intangibles: list[str] = Field(default_factory=list)
    currency: str = ""
    #: whether runs write per-person tables (each person's scale scores); false for runs whose folder is shared
    person_tables: bool = True

    @field_validator("waves", "levels")
    @classmethod
    def _unique_names(cls, names: list[str], info: Any) -> list[str]:
        what = "wave" if info.field_name == "waves" else "level"
        names = [str(w).strip() for w in names]
        if any(not w for w in names):
            raise ValueError(f"a {what} name is empty")
        keys = [" ".join(w.split()).casefold() if what == "level" else w for w in names]
        dupes = sorted({w for w, k in zip(names, keys, strict=True) if keys.count(k) > 1})
        if dupes:
            raise ValueError(f"{what} {shown(dupes[0])} is declared twice")
        return names

    @field_validator("objectives")
    @classmethod
    def _unique_objectives(cls, objectives: list[Objective]) -> list[Objective]:
        ids = [o.id for o in objectives]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"objective id {shown(dupes[0])} is used twice")
        return objectives


# --------------------------------------------------------------------------------------------- instruments


class ResponseScale(_Model):
    """The answer options: whole numbers from ``min`` to ``max``, optionally labelled."""

    min: int
    max: int
    labels: list[str] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> ResponseScale:
        if self.max <= self.min:
            raise ValueError(f"max ({self.max}) must be greater than min ({self.min})")
        if self.labels is not None and len(self.labels) != self.max - self.min + 1:
            raise ValueError(
                f"{len(self.labels)} labels for {self.max - self.min + 1} response options ({self.min}–{self.max})"
            )
        return self


class Scale(_Model):
    """A scale: several items averaged (or summed, or POMP, or percent favourable) into one score."""

    id: str = Field(min_length=1)
    label: str = ""
    scoring: Literal["mean", "sum", "percent_favorable", "pomp"] = "mean"
    audience: Literal["all", "mentor", "mentee"] = "all"
    kirkpatrick: int | None = Field(default=None, ge=1, le=4)
    description: str = ""

    @property
    def title(self) -> str:
        return self.label or self.id


class Item(_Model):
    """One survey question."""

    id: str = Field(min_length=1)
    scale: str = Field(min_length=1)
    text: str = ""
    reverse: bool = False


class Instrument(_Model):
    """A survey instrument (see ``data/templates/instruments/rm-core.yaml``)."""

    id: str = Field(min_length=1)
    title: str = ""
    response_scale: ResponseScale
    favorable_at: float | None = None
    min_answered: float = Field(default=0.5, gt=0, le=1)
    scales: list[Scale] = Field(min_length=1)
    items: list[Item] = Field(min_length=1)

    @model_validator(mode="after")
    def _references(self) -> Instrument:
        scale_ids = [s.id for s in self.scales]
        dupes = sorted({s for s in scale_ids if scale_ids.count(s) > 1})
        if dupes:
            raise ValueError(f"scale id {shown(dupes[0])} is declared twice")
        item_ids = [i.id for i in self.items]
        dupes = sorted({i for i in item_ids if item_ids.count(i) > 1})
        if dupes:
            raise ValueError(f"item id {shown(dupes[0])} is declared twice")
        if self.favorable_at is not None and not self.response_scale.min <= self.favorable_at <= self.response_scale.max:
            raise ValueError(
                f"favorable_at {self.favorable_at:g} is outside the response scale "
                f"{self.response_scale.min}–{self.response_scale.max}"
            )
        return self

    @property
    def favorable_threshold(self) -> float:
        """A response (or a scale mean) at or above this is favourable."""
        if self.favorable_at is not None:
            return float(self.favorable_at)
        return float(self.response_scale.max - 1)

    @property
    def item_ids(self) -> list[str]:
        return [i.id for i in self.items]

    def scale(self, scale_id: str) -> Scale:
        for s in self.scales:
            if s.id == scale_id:
                return s
        raise KeyError(f"{scale_id!r} is not a scale of instrument {self.id}; scales: {', '.join(self.scale_ids)}")

    @property
    def scale_ids(self) -> list[str]:
        return [s.id for s in self.scales]

    def items_of(self, scale_id: str) -> list[Item]:
        return [i for i in self.items if i.scale == scale_id]

    def label_values(self) -> dict[str, int]:
        """Map each response label (case-insensitive, trimmed) to its numeric value."""
        labels = self.response_scale.labels or []
        return {label.strip().casefold(): self.response_scale.min + k for k, label in enumerate(labels)}


# --------------------------------------------------------------------------------------------- parsing


def _key_path(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + str(part)
    return path


def _describe(error: dict[str, Any]) -> str:
    kind = error["type"]
    found = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "is required but missing"
    if kind == "literal_error":
        return f"found {shown(found)}; allowed: {ctx.get('expected', '')}"
    if kind in {"greater_than_equal", "greater_than", "less_than_equal", "less_than"}:
        bound = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=", "less_than": "<"}[kind]
        limit = next(iter(ctx.values()), "")
        return f"found {shown(found)}; must be {bound} {limit}"
    if kind == "too_short":
        return "must not be empty"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    expected = error["msg"].replace("Input should be ", "expected ").replace("Value error, ", "")
    return f"found {shown(found)}; {expected}"


def _unknown_keys(model: type[BaseModel], data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Key paths present in ``data`` that ``model`` does not declare (recursing into nested models and lists)."""
    if not isinstance(data, dict):
        return []
    found: list[tuple[Any, ...]] = []
    for key, value in data.items():
        field = model.model_fields.get(str(key))
        if field is None:
            found.append((*path, key))
            continue
        annotation = field.annotation
        inner = _nested_model(annotation)
        if inner is not None:
            if isinstance(value, list):
                for k, v in enumerate(value):
                    found += _unknown_keys(inner, v, (*path, key, k))
            else:
                found += _unknown_keys(inner, value, (*path, key))
    return found


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        inner = _nested_model(arg)
        if inner is not None:
            return inner
    return None


def _parse(model: type[BaseModel], data: Any, file: str) -> tuple[Any, list[Problem]]:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return None, [Problem(file, None, None, f"expected a mapping of keys to values, found {type(data).__name__}")]
    problems = [
        Problem(file, None, _key_path(path), "unknown key; it is ignored", "warning")
        for path in _unknown_keys(model, data)
    ]
    try:
        return model.model_validate(data), problems
    except ValidationError as exc:
        for error in exc.errors():
            problems.append(Problem(file, None, _key_path(error["loc"]) or None, _describe(error)))
        return None, problems


def parse_program(text: str, *, file: str = "program.yaml", default_name: str = "") -> tuple[ProgramConfig | None, list[Problem]]:
    """Parse ``program.yaml``; return the config (``None`` if it has errors) and every problem found.

    Examples
    --------
    >>> cfg, problems = parse_program("program: Demo\\npairing: {strategy: best}")
    >>> cfg is None, [str(p) for p in problems]
    (True, ["program.yaml:pairing.strategy: found 'best'; allowed: 'optimal', 'fair' or 'stable'"])
    >>> cfg, _ = parse_program("waves: [baseline, month6]", default_name="acme")
    >>> cfg.cohort, cfg.pairing.strategy, cfg.min_group_size
    ('acme', 'optimal', 5)
    """
    data, problems = load_yaml(text, file)
    if problems:
        return None, problems
    config, more = _parse(ProgramConfig, data, file)
    problems += more
    if config is not None and default_name:
        updates = {}
        if not config.cohort:
            updates["cohort"] = default_name
        if not config.program:
            updates["program"] = config.cohort or default_name
        if updates:
            config = config.model_copy(update=updates)
    return config, problems


def parse_instrument(text: str, *, file: str = "instrument.yaml") -> tuple[Instrument | None, list[Problem]]:
    """Parse an instrument; return it (``None`` if it has errors) and every problem found.

    Items must name a declared scale and must not use the reserved column names of ``responses.csv``.

    Examples
    --------
    >>> text = '''
    ... id: tiny
    ... response_scale: {min: 1, max: 5}
    ... scales: [{id: s1}]
    ... items: [{id: a, scale: s1}, {id: b, scale: s2}]
    ... '''
    >>> inst, problems = parse_instrument(text, file="tiny.yaml")
    >>> [str(p) for p in problems]
    ["tiny.yaml:items[1].scale: found 's2'; allowed: a declared scale (s1)"]
    """
    data, problems = load_yaml(text, file)
    if problems:
        return None, problems
    instrument, more = _parse(Instrument, data, file)
    problems += more
    if instrument is None and isinstance(data, dict):
        return None, problems + _instrument_reference_problems(data, file, problems)
    if instrument is not None:
        extra = _instrument_reference_problems(data, file, problems)
        if any(p.severity == "error" for p in extra):
            return None, problems + extra
        problems += extra
    return instrument, problems


def _instrument_reference_problems(data: dict[str, Any], file: str, already: list[Problem]) -> list[Problem]:
    """Item → scale references and reserved ids, checked on the raw data so they are reported with other errors."""
    scales = data.get("scales") if isinstance(data.get("scales"), list) else []
    items = data.get("items") if isinstance(data.get("items"), list) else []
    scale_ids = [str(s.get("id")).strip() for s in scales if isinstance(s, dict) and s.get("id") is not None]
    known = {p.column for p in already}
    problems: list[Problem] = []
    for k, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        key = f"items[{k}].scale"
        scale = item.get("scale")
        if scale is not None and str(scale).strip() not in scale_ids and key not in known:
            allowed = ", ".join(scale_ids) if scale_ids else "none declared"
            problems.append(Problem(file, None, key, f"found {shown(scale)}; allowed: a declared scale ({allowed})"))
        item_id = item.get("id")
        if item_id is not None and str(item_id).strip() in RESERVED_RESPONSE_COLUMNS:
            problems.append(
                Problem(file, None, f"items[{k}].id", f"{shown(item_id)} is a reserved column of responses.csv; rename the item")
            )
    used = {str(i.get("scale")).strip() for i in items if isinstance(i, dict)}
    for k, scale in enumerate(scales):
        if isinstance(scale, dict) and scale.get("id") is not None and str(scale["id"]).strip() not in used:
            problems.append(Problem(file, None, f"scales[{k}]", f"scale {shown(scale['id'])} has no items", "warning"))
    return problems
