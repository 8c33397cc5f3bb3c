"""The readiness check of the objectives phase: the common pitfalls, caught before launch.

Reverse-mentoring programs fail most often for two reasons, as practitioners report: no defined goals (the program
fizzles out and nothing can be measured) and insufficient organisational support. The check looks at what the cohort
folder records and explains every failed item with what to do about it.
"""

from __future__ import annotations

import pandas as pd

from ..cohort import Cohort
from ..cohort.config import PROGRAM_METRIC_MEASURES
from ..cohort.escaping import markdown_text

__all__ = ["readiness_check", "objectives_table", "readiness_summary"]

_NEEDS = {"retention_12m": "outcomes", "roi_percent": "costs", "bcr": "costs"}


def objectives_table(cohort: Cohort) -> pd.DataFrame:
    """The program's goals with their measure and target: ``objective``, ``description``, ``measure``,
    ``measure_label``, ``whose_learning``, ``target_change``."""
    rows = []
    scales = {s.id: s for s in cohort.instrument.scales}
    for objective in cohort.program.objectives:
        scale = scales.get(objective.measure)
        rows.append({
            "objective": objective.id,
            "description": objective.description,
            "measure": objective.measure,
            "measure_label": scale.title if scale else objective.measure.replace("_", " "),
            "whose_learning": {"mentee": "mentees (seniors)", "mentor": "mentors (juniors)"}.get(scale.audience, "everyone") if scale else "program",
            "target_change": objective.target_change,
        })
    return pd.DataFrame(rows, columns=["objective", "description", "measure", "measure_label", "whose_learning", "target_change"])


def readiness_check(cohort: Cohort) -> pd.DataFrame:
    """Check the program against the pitfalls practitioners report.

    Returns
    -------
    DataFrame
        One row per check: ``check``, ``status`` (``ok``, ``missing`` — fix before launch — or ``advice``),
        ``detail`` (what was found), ``fix`` (what to do; empty when ok).

    Examples
    --------
    >>> from rmkit.resources import example_cohort_dir
    >>> from rmkit.cohort import load_cohort
    >>> table = readiness_check(load_cohort(example_cohort_dir()))
    >>> table.loc[table["status"] != "ok", ["check", "detail"]].values.tolist()
    [['Enough mentor capacity for every mentee', '40 mentors with 39 places for 40 mentees']]
    """
    program, instrument = cohort.program, cohort.instrument
    rows: list[dict[str, str]] = []

    def add(check: str, ok: bool, detail: str, fix: str, *, severity: str = "missing") -> None:
        rows.append({"check": check, "status": "ok" if ok else severity, "detail": detail, "fix": "" if ok else fix})

    objectives = program.objectives
    add("Goals are defined", bool(objectives),
        f"{len(objectives)} objective(s): " + ", ".join(o.id for o in objectives) if objectives else "program.yaml names no objectives",
        "Name the main goal (digital fluency, market insight, DEI understanding, leadership exposure) under `objectives:`; "
        "programs without defined goals fizzle out and cannot be evaluated.")
    untargeted = [o.id for o in objectives if o.target_change is None]
    add("Goals are measurable", bool(objectives) and not untargeted,
        "every objective has a target" if objectives and not untargeted else
        ("no objectives to measure" if not objectives else f"no target_change for: {', '.join(untargeted)}"),
        "Give each objective a `target_change`: the change from the first to the last wave that counts as success.")
    scale_ids = set(instrument.scale_ids)
    unmeasured = [o.id for o in objectives if o.measure not in scale_ids and o.measure not in PROGRAM_METRIC_MEASURES]
    missing_data = [f"{o.id} needs {_NEEDS[o.measure]}.csv" for o in objectives
                    if o.measure in _NEEDS and cohort.table(_NEEDS[o.measure]) is None]
    add("Each goal has a measure", bool(objectives) and not unmeasured and not missing_data,
        (f"measured by {instrument.id}" + (f"; {'; '.join(missing_data)}" if missing_data else ""))
        if objectives and not unmeasured else ("no objectives" if not objectives else f"no measure for: {', '.join(unmeasured)}"),
        "Point each objective's `measure` at a scale of the instrument (or retention_12m / roi_percent with their data files).")
    waves = program.waves
    add("A baseline and a later survey are planned", len(waves) >= 2,
        f"waves: {', '.join(waves)}" if waves else "no survey waves declared",
        "Declare at least two `waves` (a baseline before pairing and one or more later waves); change is measured between them.")
    add("Senior sponsorship is recorded", bool(program.sponsor),
        f"sponsor: {program.sponsor}" if program.sponsor else "no sponsor in program.yaml",
        "Record the senior sponsor (`sponsor:`) and ask them to back the program visibly; insufficient organisational "
        "support is the second most common cause of failure.")
    cadence = program.checkin_every_weeks
    add("A meeting cadence is set", cadence is not None and cadence <= 6,
        f"pairs meet every {cadence:g} weeks" if cadence else "no `checkin_every_weeks`",
        "Set `checkin_every_weeks` (every 2–4 weeks is common); pairs that meet less often than every 6 weeks tend to drift."
        if cadence is None else "Meet at least every 6 weeks; pairs that meet rarely tend to drift.")
    add("Feedback is planned", bool(program.feedback),
        f"feedback: {program.feedback}" if program.feedback else "no `feedback` plan",
        "Plan how both sides give feedback (e.g. a pulse after each meeting, a facilitator check-in every few weeks) "
        "under `feedback:`, so a pair that looks off is swapped early.")
    add("Length and format are fixed", program.duration_weeks is not None,
        f"{program.format}, {program.duration_weeks} weeks" if program.duration_weeks else f"{program.format}, no `duration_weeks`",
        "Fix the program's length (`duration_weeks`, typically 6–12 months) so participants know the commitment.")
    mentors, mentees = cohort.mentors, cohort.mentees
    capacity = int(mentors["capacity"].fillna(1).sum()) if len(mentors) else 0
    add("Enough mentor capacity for every mentee", capacity >= len(mentees) and len(mentees) > 0,
        f"{len(mentors)} mentors with {capacity} places for {len(mentees)} mentees",
        "Recruit more junior mentors or raise some mentors' `capacity`; otherwise some senior leaders stay unpaired.")
    outcomes = cohort.outcomes
    has_comparison = outcomes is not None and (outcomes["group"] == "comparison").any()
    add("The program's effect can be isolated", has_comparison,
        "outcomes.csv has a comparison group" if has_comparison else "no comparison group in outcomes.csv",
        "Phillips asks for at least one way to isolate the program's effect: add a comparison group of non-participants "
        "to outcomes.csv, or estimates of attribution in costs.csv.", severity="advice")
    scale_objectives = [o for o in objectives if o.measure in scale_ids and o.target_change is not None]
    if scale_objectives:
        from ..evaluation.planning import plan_table, undetectable_targets

        plan = plan_table(cohort)
        small = undetectable_targets(plan)
        unknown = plan.loc[plan["sd_source"] == "none", "objective"].tolist()
        if not small.empty:
            detail = "; ".join(f"{r.objective}: target {r.target_change:g} below the detectable {r.mde:.2f} "
                               f"with n = {r.n}" for r in small.itertuples(index=False))
        elif unknown:
            detail = f"no SD known for {', '.join(unknown)}, so detectability cannot be judged"
        else:
            detail = "every target is at least the change this cohort can detect (80% power, alpha 0.05)"
        add("Targets are big enough to detect", small.empty and not unknown, detail,
            "A target below the minimum detectable change will likely be judged not met even if reached: recruit "
            "more people, set a realistic target, or give `expected_sd` (the expected SD of individual change) "
            "per objective so the plan uses it (see the planning table).", severity="advice")
    return pd.DataFrame(rows, columns=["check", "status", "detail", "fix"])


def readiness_summary(table: pd.DataFrame) -> str:
    """Markdown for the facilitator: ready or not, and each failed item with its fix (what was found, which may
    quote ``program.yaml``, is escaped: shown as text, never as markup)."""
    missing = table[table["status"] == "missing"]
    advice = table[table["status"] == "advice"]
    if missing.empty:
        head = f"**Ready to launch**: {len(table) - len(advice)} of {len(table)} checks pass."
    else:
        head = f"**Not ready yet**: {len(missing)} of {len(table)} checks need attention before launch."
    lines = [head, ""]
    for row in missing.itertuples(index=False):
        lines.append(f"- **{row.check}** — {markdown_text(row.detail)}. {row.fix}")
    for row in advice.itertuples(index=False):
        lines.append(f"- *Advice* — **{row.check}**: {markdown_text(row.detail)}. {row.fix}")
    return "\n".join(lines)
