"""Pairing: compatibility, rules and decisions, three strategies, explanations, diagnostics and swaps.

Start with :func:`propose_pairs` (a loaded cohort) or :func:`prepare_pairing` (participants, a config and a decision
log; re-solve cheaply with :meth:`PairingProblem.solve` and :meth:`PairingProblem.with_decisions`).

- :mod:`~rmkit.pairing.compatibility`: the five components and the weighted score matrix;
- :mod:`~rmkit.pairing.rules`: the program's rules and the facilitator's decisions as constraints;
- :mod:`~rmkit.pairing.composition`: the reverse-mentoring rules (levels, reporting chain, generation), earlier
  cycles, and why a rule rules a pair out;
- :mod:`~rmkit.pairing.preferences`: stated preferences and deferred acceptance with capacities;
- :mod:`~rmkit.pairing.rule_report`: how many pairs each rule rules out; ranks of partners the rules exclude;
- :mod:`~rmkit.pairing.strategies`: the solvers (optimal, fair, stable) on a score matrix;
- :mod:`~rmkit.pairing.problem`: :class:`PairingProblem` and :class:`PairingResult`, tying the above together;
- :mod:`~rmkit.pairing.incremental`: when the previous assignment is provably the answer after a decision (a lock of
  a proposed pair), so the dashboard keeps it without solving again;
- :mod:`~rmkit.pairing.explain`: every pair's reasons and every unmatched person's reason, in plain words;
- :mod:`~rmkit.pairing.diagnostics`: score distributions, coverage of wants, supply and demand, strategies compared;
- :mod:`~rmkit.pairing.swaps`: re-pairings for a pair that looks off;
- :mod:`~rmkit.pairing.shortlist`: each mentee's best allowed mentors, for self-selection;
- :mod:`~rmkit.pairing.speed_mentoring`: speed-mentoring rounds (no repeat meetings, capacities as seats);
- :mod:`~rmkit.pairing.robustness`: how often each proposed pair survives perturbed weights (fragile pairs first);
- :mod:`~rmkit.pairing.published`: a proposal against the published pairs (kept, ended, new) before publishing.

Writing the decision log and publishing pairs are file writes, so they live at the data edge,
:mod:`rmkit.cohort.publishing`.

Import rule: this package imports :mod:`rmkit.cohort` and :mod:`rmkit.errors` only — never runs, dashboards, charts
or the command line. Importing it imports scipy; ``import rmkit`` does not.
"""

from __future__ import annotations

from .compatibility import COMPONENTS, SCORE_DECIMALS, Compatibility, compute_compatibility, normalize_term
from .diagnostics import (
    compare_strategies,
    coverage_summary,
    pairs_below_threshold,
    score_distribution,
    score_summary,
    skill_supply_demand,
    unmet_demand,
    want_coverage,
)
from .preferences import StatedRanks, deferred_acceptance, stated_ranks
from .problem import (
    EXPORT_COLUMNS,
    PAIR_COLUMNS,
    PairingProblem,
    PairingResult,
    pair_participants,
    prepare_pairing,
    propose_pairs,
)
from .published import MAX_REPLACED_SHARE, PublishedChanges, compare_with_published
from .robustness import FRAGILE_BELOW, pair_robustness, with_robustness
from .rule_report import RULE_COUNT_COLUMNS, ranked_but_ruled_out, rule_counts
from .rules import Constraints, build_constraints, rule_violations, standing_decisions
from .shortlist import SHORTLIST_COLUMNS, shortlist, shortlist_gaps
from .speed_mentoring import ROUNDS_COLUMNS, RoundsPlan, plan_rounds
from .strategies import STRATEGIES, Assignment, maximum_pairs, solve
from .swaps import SwapSuggestion, suggest_swaps

__all__ = [
    "RULE_COUNT_COLUMNS",
    "StatedRanks",
    "deferred_acceptance",
    "ranked_but_ruled_out",
    "rule_counts",
    "stated_ranks",
    "COMPONENTS",
    "FRAGILE_BELOW",
    "pair_robustness",
    "with_robustness",
    "ROUNDS_COLUMNS",
    "RoundsPlan",
    "SHORTLIST_COLUMNS",
    "plan_rounds",
    "shortlist",
    "shortlist_gaps",
    "MAX_REPLACED_SHARE",
    "PublishedChanges",
    "compare_with_published",
    "SCORE_DECIMALS",
    "STRATEGIES",
    "EXPORT_COLUMNS",
    "PAIR_COLUMNS",
    "Assignment",
    "SwapSuggestion",
    "Compatibility",
    "Constraints",
    "PairingProblem",
    "PairingResult",
    "build_constraints",
    "compare_strategies",
    "coverage_summary",
    "compute_compatibility",
    "maximum_pairs",
    "normalize_term",
    "pair_participants",
    "pairs_below_threshold",
    "prepare_pairing",
    "propose_pairs",
    "rule_violations",
    "score_distribution",
    "score_summary",
    "skill_supply_demand",
    "solve",
    "standing_decisions",
    "suggest_swaps",
    "unmet_demand",
    "want_coverage",
]
