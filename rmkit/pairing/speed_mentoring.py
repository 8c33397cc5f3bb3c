"""Speed-mentoring rounds: a schedule in which every mentee meets a different mentor each round.

Before the pairing, mentors sit at tables and mentees move from table to table; after the rounds, people rate whom
they would like to work with, and those ratings are ``preferences.csv``. A schedule of ``R`` rounds:

- each round is a valid matching: a mentee meets at most one mentor, a mentor meets at most ``capacity`` mentees
  at once (capacity as seats at the mentor's table; a mentor with capacity 0 has no table);
- **no mentee meets the same mentor twice**;
- only pairs the pairing may form meet: the program's rules and the facilitator's standing ``forbid`` decisions are
  respected (a locked pair is allowed, like in the pairing, but not forced: the rounds are for meeting people);
- high compatibility is favoured: the rounds are successive assignment problems, each with the pairs already met
  forbidden — the most meetings first, then the mentees who sat out more rounds so far, then the highest total
  compatibility (one :func:`scipy.optimize.linear_sum_assignment` per round).

``R`` rounds are impossible when a mentee has fewer than ``R`` allowed mentors with a seat: that mentee would run
out of new people to meet. :func:`plan_rounds` raises :class:`~rmkit.errors.InfeasibleError` naming every such
mentee with how many mentors they may meet (``rmkit rounds`` exits 2). When a round has fewer seats than mentees,
or the mentors a mentee has not met yet are all seated, the mentee sits out that round; who sits out which round is
in :attr:`RoundsPlan.sitting_out`, and those who sat out come first in the next round.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InfeasibleError
from .problem import PairingProblem

__all__ = ["ROUNDS_COLUMNS", "RoundsPlan", "plan_rounds"]

ROUNDS_COLUMNS = ("round", "mentor_id", "mentee_id")
"""Columns of a rounds schedule (``rmkit rounds COHORT --rounds R --out ROUNDS.csv``)."""


@dataclass(frozen=True)
class RoundsPlan:
    """A speed-mentoring schedule.

    Attributes
    ----------
    schedule : pandas.DataFrame
        :data:`ROUNDS_COLUMNS` plus ``score``: one row per meeting, by round, mentor, mentee.
    sitting_out : pandas.DataFrame
        ``round``, ``mentee_id``: the mentees without a meeting in a round.
    rounds : int
        The number of rounds.
    """

    schedule: pd.DataFrame
    sitting_out: pd.DataFrame
    rounds: int

    def table(self) -> pd.DataFrame:
        """The schedule as exported: :data:`ROUNDS_COLUMNS`, person ids only."""
        return self.schedule.loc[:, list(ROUNDS_COLUMNS)].copy()

    def summary_lines(self) -> list[str]:
        """A short report: meetings per round and who sits out."""
        lines = []
        for r in range(1, self.rounds + 1):
            meetings = self.schedule[self.schedule["round"] == r]
            out = self.sitting_out.loc[self.sitting_out["round"] == r, "mentee_id"].tolist()
            mean = f", mean compatibility {meetings['score'].mean():.3f}" if len(meetings) else ""
            rest = f"; sitting out: {', '.join(map(str, out[:10]))}{' …' if len(out) > 10 else ''}" if out else ""
            lines.append(f"round {r}: {len(meetings)} meetings{mean}{rest}")
        return lines


def _seats(problem: PairingProblem) -> tuple[np.ndarray, np.ndarray]:
    capacity = np.asarray(problem.constraints.capacity, dtype=np.int64)
    allowed = np.asarray(problem.constraints.allowed, dtype=bool) & (capacity > 0)[:, None]
    return capacity, allowed


def _round(score: np.ndarray, ok: np.ndarray, capacity: np.ndarray, priority: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One round: the most meetings, then the highest total priority of the mentees met, then the highest score."""
    from scipy.optimize import linear_sum_assignment

    mentors = np.nonzero(ok.any(axis=1))[0]
    cols = np.nonzero(ok.any(axis=0))[0]
    if len(mentors) == 0 or len(cols) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    seats = np.minimum(capacity[mentors], ok[mentors].sum(axis=1))
    rows = np.repeat(mentors, seats)
    sub_ok = ok[np.ix_(rows, cols)]
    k = float(min(sub_ok.shape))
    # tiers: a meeting outweighs any priority, a unit of priority outweighs any total score (scores are in [0, 1])
    tier = k + 1.0
    bonus = (2.0 * k + 1.0) * (tier * (float(priority.max(initial=0)) + 1.0)) + 1.0
    value = score[np.ix_(rows, cols)] + tier * priority[cols][None, :]
    gain = np.where(sub_ok, value + bonus, 0.0)
    r, c = linear_sum_assignment(gain, maximize=True)
    keep = sub_ok[r, c]
    return rows[r[keep]], cols[c[keep]]


def plan_rounds(problem: PairingProblem, rounds: int) -> RoundsPlan:
    """A schedule of ``rounds`` speed-mentoring rounds (see the module notes).

    Parameters
    ----------
    problem : PairingProblem
        From :func:`~rmkit.pairing.prepare_pairing` (rules, decisions, capacities and scores).
    rounds : int
        The number of rounds (1 or more).

    Raises
    ------
    InfeasibleError
        When some mentee has fewer allowed mentors than rounds (each such mentee named), or nobody can meet.

    Examples
    --------
    >>> from rmkit.pairing import prepare_pairing
    >>> people = pd.DataFrame({"person_id": ["m1", "m2", "e1", "e2"], "role": ["mentor"] * 2 + ["mentee"] * 2,
    ...                        "offers": ["AI tools", "video", "", ""], "wants": ["", "", "AI tools", "video"]})
    >>> plan_rounds(prepare_pairing(people), 2).table().values.tolist()
    [[1, 'm1', 'e1'], [1, 'm2', 'e2'], [2, 'm1', 'e2'], [2, 'm2', 'e1']]
    """
    if isinstance(rounds, bool) or not isinstance(rounds, int | np.integer) or rounds < 1:
        raise ValueError(f"rounds must be a whole number, 1 or more; found {rounds!r}")
    score = np.asarray(problem.score, dtype=float)
    capacity, allowed = _seats(problem)
    n_m, n_e = score.shape
    if n_m == 0 or n_e == 0:
        raise InfeasibleError(f"nothing to schedule: the cohort has no {'mentors' if n_m == 0 else 'mentees'}")
    options = allowed.sum(axis=0)
    short = np.nonzero(options < rounds)[0]
    if len(short):
        named = [f"{problem.mentee_ids[j]} ({int(options[j])})" for j in short]
        shown = ", ".join(named[:20]) + (f" and {len(named) - 20} more" if len(named) > 20 else "")
        raise InfeasibleError(
            f"{rounds} rounds are impossible: {len(short)} mentee(s) may meet fewer than {rounds} different mentors "
            f"(allowed mentors with a seat in brackets): {shown}\n"
            + (f"ask for at most {int(options.min())} round(s), or " if options.min() > 0 else "")
            + "relax pairing.rules, undo forbids or raise capacities")
    met = np.zeros((n_m, n_e), dtype=bool)
    sat_out = np.zeros(n_e, dtype=np.int64)
    meetings, idle = [], []
    for r in range(1, rounds + 1):
        i, j = _round(score, allowed & ~met, capacity, sat_out.astype(float))
        met[i, j] = True
        seated = np.zeros(n_e, dtype=bool)
        seated[j] = True
        sat_out += ~seated
        order = np.lexsort((j, i))
        meetings += [(r, problem.mentor_ids[a], problem.mentee_ids[b], float(score[a, b])) for a, b in zip(i[order], j[order], strict=True)]
        idle += [(r, problem.mentee_ids[b]) for b in np.nonzero(~seated)[0]]
    schedule = pd.DataFrame(meetings, columns=[*ROUNDS_COLUMNS, "score"])
    schedule["round"] = schedule["round"].astype(np.int64)
    sitting_out = pd.DataFrame(idle, columns=["round", "mentee_id"])
    return RoundsPlan(schedule, sitting_out, int(rounds))
