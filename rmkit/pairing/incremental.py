"""Re-solving after a decision from the previous assignment, when that is provably the answer of a full solve.

The dashboard re-solves after every click. The commonest click is **Lock** on a proposed pair: the new problem
allows no pair the old one did not allow, requires every lock the old one required plus the new one, and the old
assignment already holds the new lock. Then the old assignment stays optimal:

- ``optimal`` and ``fair`` maximise a fixed lexicographic objective (pairs, then the worst pair for ``fair``, then the
  total with the priority bonus) over the matchings the constraints allow. The new feasible set is a subset of the
  old one and contains the old optimum, so the old optimum is an optimum of the new set: no solve is needed, and a
  full re-solve finds the same objective (the same total; with ties, possibly other pairs of equal total).
- ``stable`` on the shared score (the greedy pass in descending score) gives *the same pairs*: locking a pair the
  greedy chose fixes it first; every pair before it in the order meets the same state (its mentee was free when the
  greedy reached it, and its mentor had a place left), so every later choice is the same.
- ``stable`` on stated preferences (deferred acceptance) is solved again in full (it is fast).

Anything else (a forbid, an unlock, a lock of a pair outside the assignment or one that overrides a rule, another
strategy) is solved in full. :func:`previous_still_optimal` decides; it is tested against full solves and brute
force (``tests/pairing/test_incremental.py``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["previous_still_optimal"]


def previous_still_optimal(problem: Any, previous: Any, strategy: str) -> bool:
    """Whether ``previous`` (the :class:`~rmkit.pairing.problem.PairingResult` of an earlier decision log of the
    same cohort) is an optimal answer of ``problem`` (a :class:`~rmkit.pairing.problem.PairingProblem`) under
    ``strategy`` (see the module notes), checked on the arrays in a few vectorised passes.

    Examples
    --------
    >>> import pandas as pd
    >>> from rmkit.pairing import prepare_pairing
    >>> people = pd.DataFrame({"person_id": ["m1", "m2", "e1", "e2"], "role": ["mentor"] * 2 + ["mentee"] * 2,
    ...                        "offers": ["AI tools", "video", "", ""], "wants": ["", "", "video", "AI tools"]})
    >>> problem = prepare_pairing(people)
    >>> first = problem.solve()
    >>> locked = problem.with_decisions(pd.DataFrame({"action": ["lock"], "mentor_id": ["m1"], "mentee_id": ["e2"]}))
    >>> previous_still_optimal(locked, first, "optimal")
    True
    >>> forbid = problem.with_decisions(pd.DataFrame({"action": ["forbid"], "mentor_id": ["m1"], "mentee_id": ["e2"]}))
    >>> previous_still_optimal(forbid, first, "optimal")
    False
    """
    if previous is None or previous.strategy != strategy:
        return False
    old = previous.problem
    if old.compatibility is not problem.compatibility or old.priority is not problem.priority or old.ranks is not problem.ranks:
        return False  # another cohort, other weights or other preferences
    if strategy == "stable" and problem.ranks is not None and problem.ranks.any:
        return False  # deferred acceptance: solved in full
    if strategy not in ("optimal", "fair", "stable"):
        return False
    new_c, old_c = problem.constraints, old.constraints
    if not np.array_equal(new_c.capacity, old_c.capacity):
        return False
    if (new_c.allowed & ~old_c.allowed).any() or (old_c.locked & ~new_c.locked).any():
        return False  # the new problem allows something new, or requires less: it may have a better answer
    mentor, mentee = previous.assignment.mentor, previous.assignment.mentee
    if not new_c.allowed[mentor, mentee].all():
        return False
    return int(new_c.locked[mentor, mentee].sum()) == int(new_c.locked.sum())  # every lock is in the old answer
