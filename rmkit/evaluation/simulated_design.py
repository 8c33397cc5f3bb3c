"""The survey design of a cohort as a simulation needs it, and synthetic score frames drawn from it.

For each objective measured by a survey scale, :func:`cohort_designs` reads the cohort's own design
(:class:`SurveyDesign`):

- **who is measured**: the participants of the scale's audience (``participants.csv``: the mentees for an
  ``audience: mentee`` scale, the mentors for ``mentor``, everyone for ``all``), as :mod:`rmkit.evaluation.planning`
  counts them; and the **comparison group**: the comparison people who answered the survey (``responses.csv``), or,
  before any response is in, the comparison people of ``outcomes.csv`` (then assumed to answer every wave);
- **waves**: ``program.waves``; the effect is measured from the first to the last, as the evaluation does;
- **attrition**: each person's observed response pattern (which waves they were scored at), per group
  (``attrition_source`` = ``data``); a simulated person draws the pattern of a random person of their group (with
  replacement), so the drop-out of each wave and group, and who misses a middle wave but comes back, are the
  observed ones, and the number of respondents varies as it would in a new cohort. A wave nobody has answered yet
  copies each person's last answered wave (no further drop-out assumed). Without responses nobody drops out
  (``attrition_source`` = ``none``);
- **variability**: scores at a wave have SD ``sd`` and any two waves of one person correlate ``correlation``
  (a random intercept per person, compound symmetry), so the SD of a person's change is
  ``sd_change = sd · √(2(1 − correlation))``. From the data (``sd_source`` = ``data``) when at least
  ``max(2, min_group_size)`` people of the audience were scored at the first and the last wave: ``sd`` pools the
  SDs of every wave and group, ``sd_change`` pools the SDs of change of both groups, and ``correlation`` follows
  (kept within 0 … 0.95). Else from the planning values: ``objectives[].expected_sd`` as the SD of change
  (``expected_sd``), else the SD of the audience's first-wave scores (``first_wave``, the stand-in
  :mod:`rmkit.evaluation.planning` uses too); both with a correlation of 0.5 assumed, which makes ``sd`` equal to
  ``sd_change``.

:func:`draw_scores` draws one synthetic cohort for several effect sizes at once (the same people and noise for
every effect: common random numbers, so the power curve is smooth): the participants' true mean rises by the
effect × the wave's share of the way from the first to the last wave (half of it at the middle of three waves);
the comparison group's does not move. No shared trend is simulated: every estimator here but the paired change is
blind to one, and the paired change would count it as the program's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..cohort import Cohort

__all__ = ["PLANNED_CORRELATION", "MAX_CORRELATION", "SurveyDesign", "cohort_designs", "design_table", "draw_scores"]

PLANNED_CORRELATION = 0.5
"""The within-person correlation assumed when it cannot be estimated from the data."""
MAX_CORRELATION = 0.95


@dataclass(frozen=True)
class SurveyDesign:
    """The design of one scale objective (see the module notes). ``patterns_*``: one row per observed person of
    the group, one boolean column per wave (scored or not); ``min_group_size``: the cohort's, under which the
    evaluation shows no estimate."""

    objective: str
    measure: str
    audience: str
    target_change: float
    waves: tuple[str, ...]
    roles: tuple[str, ...]
    patterns_participant: np.ndarray
    patterns_comparison: np.ndarray | None
    sd: float
    correlation: float
    sd_source: str
    attrition_source: str
    notes: tuple[str, ...] = field(default=())
    min_group_size: int = 1

    @property
    def n_participant(self) -> int:
        return len(self.roles)

    @property
    def n_comparison(self) -> int:
        return 0 if self.patterns_comparison is None else int(len(self.patterns_comparison))

    @property
    def has_comparison(self) -> bool:
        return self.n_comparison > 0

    @property
    def sd_change(self) -> float:
        return float(self.sd * math.sqrt(2 * (1 - self.correlation)))

    def response_rates(self, group: str) -> list[float]:
        """The share of the group scored at each wave (0–1)."""
        patterns = self.patterns_participant if group == "participant" else self.patterns_comparison
        if patterns is None or len(patterns) == 0:
            return []
        return [float(x) for x in patterns.mean(axis=0)]


def _audience(cohort: Cohort, audience: str) -> pd.DataFrame:
    people = cohort.participants.drop_duplicates("person_id")
    if audience in {"mentor", "mentee"}:
        people = people[people["role"] == audience]
    return people


def _scores(cohort: Cohort, responses: pd.DataFrame | None, scale: str, waves: list[str]) -> pd.DataFrame:
    """``person_id, wave, score`` of one scale (people with a score only)."""
    if responses is None or responses.empty:
        return pd.DataFrame(columns=["person_id", "wave", "score"])
    from .scoring import score_responses

    scored = score_responses(responses, cohort.instrument, scales=[scale], waves=waves)
    return pd.DataFrame({"person_id": scored["person_id"].astype(str).to_numpy(),
                         "wave": scored["wave"].astype(str).to_numpy(),
                         "score": scored["score"].to_numpy(dtype="float64")}).dropna()


def _patterns(ids: Sequence[str], scores: pd.DataFrame, waves: list[str], surveyed: list[bool]) -> np.ndarray:
    """Who was scored at which wave; a wave not surveyed yet copies the person's last surveyed wave."""
    seen = set(zip(scores["person_id"], scores["wave"], strict=True))
    patterns = np.array([[(p, w) in seen for w in waves] for p in ids], dtype=bool).reshape(len(ids), len(waves))
    for t in range(len(waves)):
        if not surveyed[t]:
            patterns[:, t] = patterns[:, t - 1] if t else True
    return patterns


def _pooled_sd(groups: list[np.ndarray]) -> float:
    """The pooled SD of several samples (each with its own mean)."""
    groups = [g for g in groups if len(g) >= 2]
    dof = sum(len(g) - 1 for g in groups)
    if dof < 1:
        return float("nan")
    return float(math.sqrt(sum(float(np.var(g, ddof=1)) * (len(g) - 1) for g in groups) / dof))


def _expected_sd(objective: object) -> float | None:
    value = getattr(objective, "expected_sd", None)
    try:
        value = float(value) if value is not None else None
    except (TypeError, ValueError):
        return None
    return value if value is not None and math.isfinite(value) and value > 0 else None


def _variability(ours: pd.DataFrame, theirs: pd.DataFrame, waves: list[str], objective: object,
                 minimum: int) -> tuple[float, float, str] | None:
    """(sd, correlation, source), or None when nothing is known."""
    first, last = waves[0], waves[-1]
    changes, levels, paired = [], [], 0
    for k, frame in enumerate((ours, theirs)):
        wide = frame.pivot_table(index="person_id", columns="wave", values="score", aggfunc="first")
        levels += [wide[w].dropna().to_numpy() for w in waves if w in wide.columns]
        if first in wide.columns and last in wide.columns:
            both = wide[[first, last]].dropna()
            changes.append((both[last] - both[first]).to_numpy())
            paired = len(both) if k == 0 else paired
    if paired >= minimum:
        sd, sd_change = _pooled_sd(levels), _pooled_sd(changes)
        if math.isfinite(sd) and sd > 0 and math.isfinite(sd_change):
            correlation = min(max(1 - sd_change**2 / (2 * sd**2), 0.0), MAX_CORRELATION)
            return sd, correlation, "data"
    expected = _expected_sd(objective)
    if expected is not None:
        return expected, PLANNED_CORRELATION, "expected_sd"
    baseline = ours.loc[ours["wave"] == first, "score"].to_numpy()
    if len(baseline) >= minimum:
        sd = float(np.std(baseline, ddof=1))
        if sd > 0:
            return sd, PLANNED_CORRELATION, "first_wave"
    return None


def cohort_designs(cohort: Cohort) -> tuple[list[SurveyDesign], list[str]]:
    """The design of every scale objective of ``cohort`` that can be simulated, and a note for each that cannot
    (no two waves, no SD known)."""
    program = cohort.program
    waves = [str(w) for w in program.waves]
    scales = {s.id: s for s in cohort.instrument.scales}
    minimum = max(2, int(program.min_group_size))
    responses = cohort.responses
    others = cohort.comparison_responses
    present = set() if responses is None else set(responses["wave"].dropna().astype(str))
    if others is not None:
        present |= set(others["wave"].dropna().astype(str))
    surveyed = [w in present for w in waves]
    designs, notes = [], []
    for objective in program.objectives:
        scale = scales.get(objective.measure)
        if scale is None:
            continue
        if len(waves) < 2:
            notes.append(f"{objective.id}: program.yaml names fewer than two waves, so there is no change to measure")
            continue
        people = _audience(cohort, scale.audience)
        ids = people["person_id"].astype(str).tolist()
        ours = _scores(cohort, responses, scale.id, waves)
        ours = ours[ours["person_id"].isin(set(ids))]
        theirs = _scores(cohort, others, scale.id, waves)
        comparison_ids = list(dict.fromkeys(theirs["person_id"]))
        attrition = "data" if any(surveyed) else "none"
        design_notes = []
        if not any(surveyed):
            outcomes = cohort.outcomes
            if outcomes is not None and not outcomes.empty:
                comparison_ids = outcomes.loc[outcomes["group"] == "comparison", "person_id"].astype(str).tolist()
                if comparison_ids:
                    design_notes.append("no responses yet: the comparison people of outcomes.csv are assumed to "
                                        "answer every wave")
        variability = _variability(ours, theirs, waves, objective, minimum)
        if variability is None:
            notes.append(f"{objective.id}: no SD is known (give objectives[].expected_sd in program.yaml, or "
                         "collect the first wave), so its power cannot be simulated")
            continue
        sd, correlation, source = variability
        target = float(objective.target_change) if objective.target_change is not None else float("nan")
        designs.append(SurveyDesign(
            objective=objective.id, measure=scale.id, audience=scale.audience, target_change=target,
            waves=tuple(waves), roles=tuple(people["role"].astype(str)),
            patterns_participant=_patterns(ids, ours, waves, surveyed),
            patterns_comparison=_patterns(comparison_ids, theirs, waves, surveyed) if comparison_ids else None,
            sd=float(sd), correlation=float(correlation), sd_source=source, attrition_source=attrition,
            notes=tuple(design_notes), min_group_size=int(program.min_group_size)))
    return designs, notes


def design_table(designs: Sequence[SurveyDesign]) -> pd.DataFrame:
    """One row per design, for people: who, which waves, who answered each wave, the SDs and where they come
    from."""
    def rates(design: SurveyDesign, group: str) -> str:
        return "; ".join(f"{w} {100 * r:.0f}%" for w, r in zip(design.waves, design.response_rates(group), strict=True))

    columns = ["objective", "measure", "audience", "n_participant", "n_comparison", "waves", "answered_participant",
               "answered_comparison", "sd", "correlation", "sd_change", "sd_source", "attrition_source",
               "target_change"]
    rows = [{"objective": d.objective, "measure": d.measure, "audience": d.audience, "n_participant": d.n_participant,
             "n_comparison": d.n_comparison, "waves": "; ".join(d.waves),
             "answered_participant": rates(d, "participant"), "answered_comparison": rates(d, "comparison"),
             "sd": d.sd, "correlation": d.correlation, "sd_change": d.sd_change, "sd_source": d.sd_source,
             "attrition_source": d.attrition_source, "target_change": d.target_change} for d in designs]
    return pd.DataFrame(rows, columns=columns)


def draw_scores(design: SurveyDesign, rng: np.random.Generator, effects: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """One synthetic cohort of ``design`` for every effect (in scale points, first to last wave).

    Returns
    -------
    scores : numpy.ndarray
        Shape ``(len(effects), people, waves)``; NaN where the person was not scored. Participants come first
        (in the order of ``design.roles``), then the comparison group.
    participant : numpy.ndarray
        Boolean, one per person.

    Examples
    --------
    >>> design = SurveyDesign("o", "s", "all", 0.5, ("w0", "w1"), ("mentee",) * 3, np.ones((3, 2), bool), None,
    ...                       1.0, 0.5, "expected_sd", "none")
    >>> scores, participant = draw_scores(design, np.random.default_rng(1), [0.0, 0.5])
    >>> scores.shape, bool(np.allclose(scores[1] - scores[0], [[0, 0.5]] * 3))
    ((2, 3, 2), True)
    """
    n_p, n_c, waves = design.n_participant, design.n_comparison, len(design.waves)
    n = n_p + n_c
    observed = design.patterns_participant[rng.integers(len(design.patterns_participant), size=n_p)] if n_p else \
        np.zeros((0, waves), dtype=bool)
    if n_c:
        assert design.patterns_comparison is not None
        drawn = design.patterns_comparison[rng.integers(n_c, size=n_c)]
        observed = np.vstack([observed, drawn])
    person = rng.normal(0.0, design.sd * math.sqrt(design.correlation), size=n)
    noise = rng.normal(0.0, design.sd * math.sqrt(1 - design.correlation), size=(n, waves))
    base = person[:, None] + noise
    participant = np.arange(n) < n_p
    share = np.arange(waves) / (waves - 1)
    lift = np.asarray(effects, dtype="float64")[:, None, None] * share[None, None, :] * participant[None, :, None]
    scores = np.where(observed[None, :, :], base[None, :, :] + lift, np.nan)
    return scores, participant
