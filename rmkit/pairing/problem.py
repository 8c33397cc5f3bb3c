"""Proposing pairs: a cohort (or participants, a config and decisions) in, a :class:`PairingResult` out.

The work is split so that a dashboard or a researcher can re-solve cheaply:

1. :class:`PairingProblem` computes the compatibility and the rule masks once
   (:func:`prepare_pairing`);
2. :meth:`PairingProblem.with_decisions` swaps in a new decision log, reusing both;
3. :meth:`PairingProblem.solve` runs a strategy and explains the result.

:func:`propose_pairs` does all three for a loaded cohort; :func:`pair_participants` for plain tables.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..cohort.config import PairingConfig, ProgramConfig
from .compatibility import COMPONENTS, SCORE_DECIMALS, Compatibility, compute_compatibility, split_roles
from .composition import why_ruled_out
from .explain import TermIndex, pair_reasons, unmatched_reasons
from .incremental import previous_still_optimal
from .preferences import StatedRanks, ordinal, stated_ranks
from .rules import Constraints, build_constraints, check_feasible, id_positions, rule_violations
from .strategies import STRATEGIES, Assignment, solve

if TYPE_CHECKING:
    from ..cohort import Cohort

__all__ = ["PairingProblem", "PairingResult", "prepare_pairing", "pair_participants", "propose_pairs",
           "PAIR_COLUMNS", "EXPORT_COLUMNS", "UNMATCHED_COLUMNS"]

PAIR_COLUMNS = ("mentor_id", "mentee_id", "score", "locked", "reasons", *COMPONENTS, "below_threshold", "overrides")
"""Columns of :attr:`PairingResult.pairs`."""
EXPORT_COLUMNS = ("mentor_id", "mentee_id", "score", "locked", "reasons", *COMPONENTS, "below_threshold")
"""Columns of an exported pairs table (``rmkit pair --out``): no names, no e-mails."""
UNMATCHED_COLUMNS = ("person_id", "role", "code", "reason")


def _pairing_config(config: PairingConfig | ProgramConfig | None) -> PairingConfig:
    if config is None:
        return PairingConfig()
    if isinstance(config, ProgramConfig):
        return config.pairing
    if isinstance(config, PairingConfig):
        return config
    raise TypeError(f"config must be a PairingConfig or a ProgramConfig; found {type(config).__name__}")


def _strategy(strategy: str | None, config: PairingConfig) -> str:
    chosen = strategy or config.strategy
    if chosen not in STRATEGIES:
        raise ValueError(f"unknown strategy {chosen!r}; strategies: {', '.join(STRATEGIES)}")
    return chosen


@dataclass(frozen=True, eq=False)
class PairingProblem:
    """A cohort ready to pair: people, config, compatibility and constraints (see the module notes).

    Attributes
    ----------
    mentors, mentees : pandas.DataFrame
        The participants of each role in ``person_id`` order (the rows and columns of every matrix).
    config : PairingConfig
        ``pairing`` of ``program.yaml``.
    compatibility : Compatibility
        Scores and components.
    constraints : Constraints
        Rules, standing decisions, capacities and the allowed mask.
    ranks : StatedRanks or None
        The ranks of ``preferences.csv`` (``stable`` is then deferred acceptance).
    priority : numpy.ndarray or None
        One flag per mentor, then per mentee: unmatched in the last cycle, paired first when not everyone can be.
    levels : tuple of str
        ``program.yaml: levels``.
    history : pandas.DataFrame or None
        Pairs of earlier cycles (``pairing.history``).
    """

    mentors: pd.DataFrame
    mentees: pd.DataFrame
    config: PairingConfig
    compatibility: Compatibility
    constraints: Constraints
    ranks: StatedRanks | None = None
    priority: np.ndarray | None = None
    levels: tuple[str, ...] = ()
    history: pd.DataFrame | None = None

    @classmethod
    def build(cls, participants: pd.DataFrame, config: PairingConfig | ProgramConfig | None = None,
              decisions: pd.DataFrame | None = None, *, decision_rows: Sequence[int] | None = None,
              preferences: pd.DataFrame | None = None, levels: Sequence[str] | None = None,
              history: pd.DataFrame | None = None, unmatched_last_cycle: frozenset[str] = frozenset()) -> PairingProblem:
        """See :func:`prepare_pairing`."""
        if levels is None:
            levels = config.levels if isinstance(config, ProgramConfig) else ()
        config = _pairing_config(config)
        mentors, mentees = split_roles(participants)
        compatibility = compute_compatibility(pd.concat([mentors, mentees], ignore_index=True), weights=config.weights.as_dict())
        repeats = history if config.repeat_pairs == "forbid" else None
        violations = rule_violations(mentors, mentees, config.rules, levels=levels, history=repeats)
        constraints = build_constraints(mentors, mentees, config.rules, decisions, rows=decision_rows, violations=violations)
        ranks = stated_ranks(preferences, list(compatibility.mentor_ids), list(compatibility.mentee_ids)) if preferences is not None else None
        ids = [*compatibility.mentor_ids, *compatibility.mentee_ids]
        priority = np.array([pid in unmatched_last_cycle for pid in ids], dtype=bool) if unmatched_last_cycle else None
        return cls(mentors, mentees, config, compatibility, constraints, ranks, priority, tuple(levels), history)

    def with_decisions(self, decisions: pd.DataFrame | None, *, decision_rows: Sequence[int] | None = None) -> PairingProblem:
        """The same problem under another decision log (compatibility and rule masks are reused).

        Examples
        --------
        >>> from rmkit.cohort import load_cohort
        >>> from rmkit.resources import example_cohort_dir
        >>> problem = prepare_pairing(load_cohort(example_cohort_dir()).participants)
        >>> log = pd.DataFrame({"action": ["lock"], "mentor_id": ["p02"], "mentee_id": ["p41"]})
        >>> result = problem.with_decisions(log).solve()
        >>> pair = result.pairs.set_index("mentee_id").loc["p41"]
        >>> pair["mentor_id"], bool(pair["locked"])
        ('p02', True)
        """
        constraints = build_constraints(self.mentors, self.mentees, self.config.rules, decisions,
                                        violations=self.constraints.violations, rows=decision_rows,
                                        ruled_out=self.constraints.by_rules, positions=self.positions)
        problem = replace(self, constraints=constraints)
        problem.__dict__.update(terms=self.terms, positions=self.positions)  # these do not depend on decisions
        return problem

    mentor_ids = property(lambda self: self.compatibility.mentor_ids, doc="Row labels (pandas.Index).")
    mentee_ids = property(lambda self: self.compatibility.mentee_ids, doc="Column labels (pandas.Index).")
    score = property(lambda self: self.compatibility.score, doc="The score matrix (numpy.ndarray).")

    @cached_property
    def matrix(self) -> pd.DataFrame:
        """Scores, mentors × mentees, NaN where a rule or a decision forbids the pair (a locked pair shows its score)."""
        values = np.where(self.constraints.allowed, self.score, np.nan)
        return pd.DataFrame(values, index=self.mentor_ids.rename("mentor_id"), columns=self.mentee_ids.rename("mentee_id"))

    @cached_property
    def positions(self) -> tuple[dict[str | None, int], dict[str | None, int]]:
        """Each side's ``person_id`` → row (column) position."""
        return id_positions(self.mentors), id_positions(self.mentees)

    @cached_property
    def terms(self) -> tuple[TermIndex, TermIndex]:
        """Each side's terms in their own spelling, for explanations."""
        return TermIndex.of(self.mentors), TermIndex.of(self.mentees)

    def check_feasible(self) -> None:
        """Raise :class:`~rmkit.errors.InfeasibleError` when not a single pair can be formed."""
        check_feasible(self.constraints, self.score.shape)

    def result_for(self, pairs: pd.DataFrame, *, strategy: str | None = None) -> PairingResult:
        """The given pairs (e.g. the published ``pairs.csv``) as a result of this problem, so that they can be
        explained and swapped like a proposal. Pairs naming someone outside the problem are left out.

        Examples
        --------
        >>> from rmkit.cohort import load_cohort
        >>> from rmkit.resources import example_cohort_dir
        >>> cohort = load_cohort(example_cohort_dir())
        >>> published = prepare_pairing(cohort.participants, cohort.program, cohort.decisions).result_for(cohort.pairs)
        >>> published.matched == len(cohort.pairs)
        True
        """
        positions_m = {pid: k for k, pid in enumerate(self.mentor_ids)}
        positions_e = {pid: k for k, pid in enumerate(self.mentee_ids)}
        known = [(positions_m[m], positions_e[e]) for m, e in zip(pairs["mentor_id"], pairs["mentee_id"], strict=True)
                 if m in positions_m and e in positions_e]
        known.sort()
        mentor = np.array([i for i, _ in known], dtype=np.intp)
        mentee = np.array([j for _, j in known], dtype=np.intp)
        return PairingResult(_strategy(strategy, self.config), self, Assignment(mentor, mentee))

    def solve(self, strategy: str | None = None, *, previous: PairingResult | None = None) -> PairingResult:
        """Pair with ``strategy`` (default: ``pairing.strategy``) and explain the result.

        ``previous``: the result of an earlier decision log of this cohort (the dashboard's last proposal). When it
        is provably an optimal answer here too (a lock of a proposed pair; see :mod:`rmkit.pairing.incremental`),
        its pairs are kept without solving again.

        Raises
        ------
        InfeasibleError
            When not a single pair can be formed.
        """
        chosen = _strategy(strategy, self.config)
        self.check_feasible()
        if previous_still_optimal(self, previous, chosen):
            return PairingResult(chosen, self, previous.assignment)
        c = self.constraints
        assignment = solve(self.score, c.allowed, c.capacity, c.locked, strategy=chosen, ranks=self.ranks,
                           proposing=self.config.proposing, priority=self.priority)
        return PairingResult(chosen, self, assignment)

    def why_not(self, mentor_id: str, mentee_id: str) -> list[str]:
        """Each rule or decision that rules the pair out, one sentence each, by ``person_id`` (empty: allowed)."""
        i, j = list(self.mentor_ids).index(mentor_id), list(self.mentee_ids).index(mentee_id)
        c = self.constraints
        return why_ruled_out(self.mentors, self.mentees, c.rules, dict(c.violations), i, j, levels=self.levels,
                             history=self.history, forbidden=bool(c.forbidden[i, j]))

    def rank_text(self, i: int, j: int, *, mentor: str = "the mentor", mentee: str = "the mentee") -> str:
        """What rank each side gave the other ("Uma's 1st choice; Nikolai's 2nd"), empty without preferences."""
        if self.ranks is None or not self.ranks.any:
            return ""
        parts = []
        for word, rank in ((mentee, int(self.ranks.by_mentee[i, j])), (mentor, int(self.ranks.by_mentor[i, j]))):
            parts.append((f"{word}'s {ordinal(rank)}" + ("" if parts else " choice")) if rank else f"not ranked by {word}")
        return "; ".join(parts)


@dataclass(frozen=True, eq=False)
class PairingResult:
    """Proposed pairs with their scores and reasons, the people left unmatched and why, and the matrix.

    Examples
    --------
    >>> import tempfile
    >>> from rmkit.cohort import load_cohort
    >>> from rmkit.resources import example_cohort_dir
    >>> result = propose_pairs(load_cohort(example_cohort_dir()))
    >>> result.matched, bool(abs(result.total - result.pairs["score"].sum()) < 1e-9)
    (39, True)
    >>> result.unmatched[["person_id", "role", "code"]].head(1).values.tolist()
    [['p40', 'mentor', 'capacity_zero']]
    >>> pair = result.pairs.iloc[0]
    >>> bool(result.matrix.loc[pair["mentor_id"], pair["mentee_id"]] == pair["score"])
    True
    >>> folder = tempfile.mkdtemp()
    >>> result.export_pairs(f"{folder}/pairs.csv").name, result.export_matrix(f"{folder}/matrix.xlsx").name
    ('pairs.csv', 'matrix.xlsx')
    >>> list(result.matrix_table().columns[:2])
    ['mentor_id', 'p41']

    Attributes
    ----------
    strategy : str
        ``optimal``, ``fair`` or ``stable``.
    problem : PairingProblem
        What was solved (re-solve with ``result.problem.solve("fair")``).
    assignment : Assignment
        The pairs as positions in the matrix.
    """

    strategy: str
    problem: PairingProblem
    assignment: Assignment

    @cached_property
    def pairs(self) -> pd.DataFrame:
        """One row per pair, by mentor_id then mentee_id: ``mentor_id``, ``mentee_id``, ``score`` (the matrix
        cell), ``locked``, ``reasons`` (plain words; "the mentor"/"the mentee"), the five components,
        ``below_threshold`` (score under ``pairing.threshold``) and ``overrides`` (rules a lock overrides)."""
        return self._pairs(names=False)

    def named_pairs(self, positions: Sequence[int] | np.ndarray | None = None) -> pd.DataFrame:
        """:attr:`pairs` with ``mentor_name`` and ``mentee_name`` and reasons phrased with first names — for the
        facilitator's screen only; never export it. ``positions``: only these rows of :attr:`pairs` (a board's page:
        the reasons are the costly part), in the order given, indexed by position."""
        return self._pairs(names=True, positions=positions)

    @cached_property
    def brief(self) -> pd.DataFrame:
        """:attr:`pairs` without the words (quick at any size): ``mentor_id``, ``mentee_id``, ``score``, ``locked``,
        ``below_threshold``, indexed by position in :attr:`pairs`, so that a page of it can be explained with
        :meth:`named_pairs`."""
        p, (i, j) = self.problem, (self.assignment.mentor, self.assignment.mentee)
        score = p.score[i, j]
        return pd.DataFrame({"mentor_id": pd.Series(p.mentor_ids.to_numpy()[i], dtype=object),
                             "mentee_id": pd.Series(p.mentee_ids.to_numpy()[j], dtype=object), "score": score,
                             "locked": p.constraints.locked[i, j].astype(bool), "below_threshold": score < p.config.threshold})

    def _pairs(self, *, names: bool, positions: Sequence[int] | np.ndarray | None = None) -> pd.DataFrame:
        p = self.problem
        at = np.arange(len(self.assignment)) if positions is None else np.asarray(positions, dtype=np.int64).reshape(-1)
        i, j = self.assignment.mentor[at], self.assignment.mentee[at]
        locked = p.constraints.locked[i, j]
        mentor_ids, mentee_ids = p.mentor_ids.to_numpy()[i], p.mentee_ids.to_numpy()[j]
        reasons, override_text = pair_reasons(p, i, j, locked, names=names)
        score = p.score[i, j]
        out = pd.DataFrame({"mentor_id": pd.Series(mentor_ids, dtype=object), "mentee_id": pd.Series(mentee_ids, dtype=object),
                            "score": score, "locked": locked.astype(bool), "reasons": pd.Series(reasons, dtype=object)})
        components = p.compatibility.components_at(i, j)
        for name in COMPONENTS:
            out[name] = np.round(components[name].to_numpy(), SCORE_DECIMALS)
        out["below_threshold"] = score < p.config.threshold
        out["overrides"] = pd.Series(override_text, dtype=object)
        if names:
            out.insert(2, "mentor_name", _display_names(p.mentors, i))
            out.insert(3, "mentee_name", _display_names(p.mentees, j))
        if positions is not None:
            out.index = at
        return out

    @cached_property
    def unmatched(self) -> pd.DataFrame:
        """Everyone without a partner: ``person_id``, ``role``, ``code``, ``reason`` (see :mod:`rmkit.pairing.explain`)."""
        p = self.problem
        return unmatched_reasons(p.score, p.constraints, self.assignment, strategy=self.strategy,
                                 mentor_ids=list(p.mentor_ids), mentee_ids=list(p.mentee_ids),
                                 ranked=p.ranks is not None and p.ranks.any)

    @property
    def matrix(self) -> pd.DataFrame:
        """Scores, mentor ids × mentee ids, NaN where a rule or a decision forbids the pair."""
        return self.problem.matrix

    @property
    def scores(self) -> np.ndarray:
        return self.problem.score[self.assignment.mentor, self.assignment.mentee]

    @property
    def matched(self) -> int:
        """The number of pairs."""
        return len(self.assignment)

    @property
    def total(self) -> float:
        """The sum of the pairs' scores."""
        return float(self.scores.sum())

    @property
    def worst(self) -> float:
        """The lowest pair score (NaN without pairs)."""
        return float(self.scores.min()) if self.matched else float("nan")

    @property
    def mean(self) -> float:
        return float(self.scores.mean()) if self.matched else float("nan")

    @property
    def warnings(self) -> list[str]:
        """Locks that override a rule, one line each."""
        return [f"locked pair {r.mentor_id}–{r.mentee_id} overrides the rule: {r.rules}"
                for r in self.problem.constraints.overrides.itertuples()]

    def pairs_table(self) -> pd.DataFrame:
        """The pairs as exported (``pairs.csv``, ``rmkit pair --out``): :data:`EXPORT_COLUMNS`, no names."""
        return self.pairs.loc[:, list(EXPORT_COLUMNS)].copy()

    def matrix_table(self) -> pd.DataFrame:
        """The matrix as exported: first column ``mentor_id``, then one column per mentee id; empty where forbidden."""
        return self.matrix.reset_index()

    def export_pairs(self, path: str | os.PathLike[str]) -> Path:
        """Write :meth:`pairs_table` as CSV or XLSX (by the suffix), formula-safe and atomically."""
        from ..cohort.tables import write_table

        return write_table(self.pairs_table(), path, sheet_name="pairs")

    def export_matrix(self, path: str | os.PathLike[str]) -> Path:
        """Write :meth:`matrix_table` as CSV or XLSX (by the suffix): rows mentor_id, columns mentee ids, an empty
        cell where a rule or a decision forbids the pair."""
        from ..cohort.tables import write_table

        return write_table(self.matrix_table(), path, sheet_name="matrix")

    def summary(self) -> dict[str, Any]:
        """Strategy, pairs, total, mean and worst score, pairs below the threshold, people unmatched."""
        return {
            "strategy": self.strategy,
            "matched": self.matched,
            "total": round(self.total, 6),
            "mean": round(self.mean, 6) if self.matched else None,
            "worst": round(self.worst, 6) if self.matched else None,
            "below_threshold": int(self.brief["below_threshold"].sum()),
            "unmatched_mentors": int((self.unmatched["role"] == "mentor").sum()),
            "unmatched_mentees": int((self.unmatched["role"] == "mentee").sum()),
        }

    def summary_lines(self) -> list[str]:
        """A short report for people: the figures, then each unmatched person with why.

        Examples
        --------
        >>> from rmkit.cohort import load_cohort
        >>> from rmkit.resources import example_cohort_dir
        >>> print("\\n".join(propose_pairs(load_cohort(example_cohort_dir())).summary_lines()[:1]))
        strategy optimal: ... pairs, total ..., mean ..., worst ...
        """
        s, threshold = self.summary(), self.problem.config.threshold
        lines = [f"strategy {self.strategy}: {s['matched']} pairs, total {self.total:.3f}, "
                 f"mean {self.mean:.3f}, worst {self.worst:.3f}; {s['below_threshold']} below the threshold {threshold:g}"]
        if len(self.unmatched):
            lines.append(f"unmatched ({len(self.unmatched)}):")
            lines += [f"  {r.person_id} ({r.role}): {r.reason}" for r in self.unmatched.itertuples()]
        else:
            lines.append("unmatched: nobody")
        return lines


def _display_names(people: pd.DataFrame, positions: np.ndarray) -> list[str]:
    if "name" not in people.columns:
        return [""] * len(positions)
    return ["" if pd.isna(v) else " ".join(str(v).split()) for v in people["name"].to_numpy()[positions]]


def prepare_pairing(participants: pd.DataFrame | Cohort, config: PairingConfig | ProgramConfig | None = None,
                    decisions: pd.DataFrame | None = None, *, decision_rows: Sequence[int] | None = None,
                    **inputs: Any) -> PairingProblem:
    """Compute compatibility, rule masks and constraints once, ready to :meth:`~PairingProblem.solve` many times.

    Parameters
    ----------
    participants : pandas.DataFrame or Cohort
        The participants table (see :mod:`rmkit.cohort`; not modified), or a loaded cohort: its program,
        preferences, levels and earlier cycles are then used too (``decisions`` still as given).
    **inputs
        ``preferences`` (``preferences.csv``), ``levels``, ``history`` (earlier pairs), ``unmatched_last_cycle``
        (person_ids), as :meth:`PairingProblem.build` takes them.
    config : PairingConfig or ProgramConfig, optional
        Weights, rules, strategy and threshold (default: the defaults of ``program.yaml``).
    decisions : pandas.DataFrame, optional
        The decision log (lock, forbid, unlock, unforbid, publish), the latest last.
    decision_rows : sequence of int, optional
        The spreadsheet row of each decision, named in error messages.

    Examples
    --------
    >>> people = pd.DataFrame({"person_id": ["m1", "m2", "e1", "e2"], "role": ["mentor"] * 2 + ["mentee"] * 2,
    ...                        "offers": ["AI tools", "video", "strategy", "finance"],
    ...                        "wants": ["strategy", "finance", "video", "AI tools"]})
    >>> problem = prepare_pairing(people)
    >>> [problem.solve(s).pairs[["mentor_id", "mentee_id"]].values.tolist() for s in ("optimal", "stable")]
    [[['m1', 'e2'], ['m2', 'e1']], [['m1', 'e2'], ['m2', 'e1']]]
    """
    if not isinstance(participants, pd.DataFrame):  # a Cohort
        cohort = participants
        participants, config = cohort.participants, config or cohort.program
        inputs = {"preferences": cohort.preferences, "history": cohort.history,
                  "unmatched_last_cycle": cohort.unmatched_last_cycle, **inputs}
    return PairingProblem.build(participants, config, decisions, decision_rows=decision_rows, **inputs)


def pair_participants(participants: pd.DataFrame, config: PairingConfig | ProgramConfig | None = None,
                      decisions: pd.DataFrame | None = None, *, strategy: str | None = None) -> PairingResult:
    """Pair participants in one call: :func:`prepare_pairing` then :meth:`PairingProblem.solve`.

    Examples
    --------
    >>> people = pd.DataFrame({"person_id": ["m1", "e1", "e2"], "role": ["mentor", "mentee", "mentee"],
    ...                        "offers": ["AI tools", "", ""], "wants": ["", "video", "AI tools"]})
    >>> result = pair_participants(people)
    >>> result.pairs[["mentor_id", "mentee_id", "reasons"]].values.tolist()
    [['m1', 'e2', 'the mentor offers AI tools, which the mentee wants']]
    >>> result.unmatched[["person_id", "code"]].values.tolist()
    [['e1', 'lower_total']]
    """
    return prepare_pairing(participants, config, decisions).solve(strategy)


def propose_pairs(cohort: Cohort, *, strategy: str | None = None, decisions: pd.DataFrame | None = None) -> PairingResult:
    """Propose pairs for a loaded cohort.

    Parameters
    ----------
    cohort : Cohort
        From :func:`rmkit.cohort.load_cohort`.
    strategy : {"optimal", "fair", "stable"}, optional
        Default: ``pairing.strategy`` of ``program.yaml``.
    decisions : pandas.DataFrame, optional
        A decision log to use instead of ``cohort.decisions`` (the dashboard re-solves after each click without
        re-reading files).

    Returns
    -------
    PairingResult

    Raises
    ------
    InfeasibleError
        When locks contradict each other or a capacity, or when not a single pair can be formed.

    Examples
    --------
    >>> from rmkit.cohort import load_cohort
    >>> from rmkit.resources import example_cohort_dir
    >>> result = propose_pairs(load_cohort(example_cohort_dir()), strategy="fair")
    >>> result.strategy, result.matched, list(result.pairs.columns[:5])
    ('fair', 39, ['mentor_id', 'mentee_id', 'score', 'locked', 'reasons'])
    """
    if decisions is None:
        decisions, rows = cohort.decisions, cohort.rows.get("decisions")
    else:
        rows = None
    return prepare_pairing(cohort, decisions=decisions, decision_rows=rows).solve(strategy)
