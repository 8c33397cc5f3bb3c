"""Swap suggestions: a pair "looks off" after the first coffee; how best to re-pair those two people.

:func:`suggest_swaps` breaks the pair and looks for re-pairings that change as few other pairs as possible:

- **no other pair changed**: the mentee takes a mentor with a free place, and the mentor's freed place takes an
  unmatched mentee (either may stay without a partner when nobody fits);
- **one other pair changed** (an unlocked pair m1–e1):
  ``swap`` — the two pairs exchange partners (m0–e1 and m1–e0);
  ``mentee moves`` — e0 joins m1, and e1 takes a mentor with a free place; m0's place takes an unmatched mentee;
  ``mentor moves`` — m0 takes e1, and m1's place takes an unmatched mentee; e0 takes a mentor with a free place.

Every suggestion respects the rules, the facilitator's forbids and locks (a locked pair is never broken, and the
broken pair is not formed again) and the mentors' capacities. Suggestions are ranked by the number of pairs (more
first), then the change in total score (higher first), then the number of other pairs changed (fewer first). The
re-pairing of just those two people with everyone else fixed is among the candidates, so the first suggestion is
never worse than it.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import zip_longest

import numpy as np
import pandas as pd

from .problem import PairingResult

__all__ = ["SwapSuggestions", "SwapSuggestion", "suggest_swaps", "swap_table", "swaps_for_pairs"]

CHANGE_COLUMNS = ["person_id", "role", "partner_before", "score_before", "partner_after", "score_after", "change"]


@dataclass(frozen=True)
class SwapSuggestion:
    """One way to re-pair a broken pair.

    Attributes
    ----------
    rank : int
        1 = best.
    kind : str
        ``free partners``, ``swap``, ``mentee moves`` or ``mentor moves`` (see the module notes).
    remove : tuple of (mentor_id, mentee_id)
        Pairs broken: the pair asked about first, then any other.
    add : tuple of (mentor_id, mentee_id, score)
        New pairs.
    changes : pandas.DataFrame
        Everyone affected: ``person_id``, ``role``, ``partner_before``, ``score_before``, ``partner_after``,
        ``score_after``, ``change`` (after − before; a missing partner counts 0).
    matched_change : int
        Pairs after − pairs before.
    total_change : float
        Total score after − before.
    other_pairs_changed : int
        Pairs broken besides the one asked about.
    description : str
        One line for the facilitator.
    """

    rank: int
    kind: str
    remove: tuple[tuple[str, str], ...]
    add: tuple[tuple[str, str, float], ...]
    changes: pd.DataFrame
    matched_change: int
    total_change: float
    other_pairs_changed: int
    description: str

    def __repr__(self) -> str:
        return f"SwapSuggestion(#{self.rank} {self.description})"

    def _repr_html_(self) -> str:
        import html

        return f"<p><b>#{self.rank}</b> {html.escape(self.description)}</p>" + self.changes.to_html(index=False, na_rep="–")

    def pairs_after(self, result: PairingResult) -> pd.DataFrame:
        """Every pair of ``result`` once this suggestion is applied: ``mentor_id``, ``mentee_id``, ``score``.

        Examples
        --------
        >>> from rmkit.pairing import pair_participants
        >>> people = pd.DataFrame({"person_id": ["m1", "m2", "e1", "e2"], "role": ["mentor"] * 2 + ["mentee"] * 2,
        ...                        "offers": ["AI tools", "video", "", ""], "wants": ["", "", "AI tools", "video"]})
        >>> result = pair_participants(people)
        >>> suggest_swaps(result, "m1", "e1")[0].pairs_after(result).values.tolist()
        [['m1', 'e2', 0.0], ['m2', 'e1', 0.0]]
        """
        pairs = result.pairs[["mentor_id", "mentee_id", "score"]]
        gone = set(self.remove)
        keep = [(m, e) not in gone for m, e in zip(pairs["mentor_id"], pairs["mentee_id"], strict=True)]
        added = pd.DataFrame(list(self.add), columns=["mentor_id", "mentee_id", "score"])
        out = pd.concat([pairs[keep], added], ignore_index=True)
        return out.sort_values(["mentor_id", "mentee_id"], kind="stable").reset_index(drop=True)


class _State:
    """The pairing with the broken pair removed, and the best free partners of everyone."""

    def __init__(self, result: PairingResult, i0: int, j0: int, depth: int = 3):
        p = result.problem
        self.score = p.score
        self.allowed = p.constraints.allowed.copy()
        self.allowed[i0, j0] = False  # the broken pair is not formed again
        self.locked = p.constraints.locked
        a = result.assignment
        keep = ~((a.mentor == i0) & (a.mentee == j0))
        self.pair_m, self.pair_e = a.mentor[keep], a.mentee[keep]
        n_m, n_e = self.score.shape
        self.partner = np.full(n_e, -1, dtype=np.int64)
        self.partner[self.pair_e] = self.pair_m
        self.spare = p.constraints.capacity - np.bincount(self.pair_m, minlength=n_m)
        # for each mentee, its best mentors with a free place; for each mentor, its best unmatched mentees
        free_m = self.spare > 0
        free_e = self.partner < 0
        self.best_mentors = _top(np.where(self.allowed & free_m[:, None], self.score, -np.inf).T, depth)
        self.best_mentees = _top(np.where(self.allowed & free_e[None, :], self.score, -np.inf), depth)

    def free_mentor(self, j: int, exclude: tuple[int, ...]) -> int | None:
        for m in self.best_mentors[j]:
            if m >= 0 and m not in exclude:
                return int(m)
        return None

    def free_mentee(self, i: int, exclude: tuple[int, ...]) -> int | None:
        for e in self.best_mentees[i]:
            if e >= 0 and e not in exclude:
                return int(e)
        return None


def _top(values: np.ndarray, k: int) -> np.ndarray:
    """Per row, the column positions of the ``k`` highest finite values (ties: lower position first), -1 padded."""
    n_rows, n_cols = values.shape
    k = min(k, n_cols)
    if k == 0:
        return np.full((n_rows, 0), -1, dtype=np.int64)
    order = np.argsort(-values, axis=1, kind="stable")[:, :k]
    finite = np.isfinite(np.take_along_axis(values, order, axis=1))
    return np.where(finite, order, -1)


def suggest_swaps(result: PairingResult, mentor_id: str, mentee_id: str, *, limit: int = 5) -> SwapSuggestions:
    """Ranked ways to re-pair mentor ``mentor_id`` and mentee ``mentee_id`` (a pair of ``result``) apart.

    Parameters
    ----------
    result : PairingResult
        The current pairing.
    mentor_id, mentee_id : str
        The pair to break.
    limit : int
        How many suggestions to return at most.

    Returns
    -------
    SwapSuggestions
        A list of :class:`SwapSuggestion`, best first (see the module notes); empty when nobody else can take
        either of them. It prints as one line per suggestion, shows as a table in JupyterLab, and
        ``.to_frame()`` gives that table as a DataFrame.

    Raises
    ------
    ValueError
        When the two are not a pair of ``result``, or the pair is locked (unlock it first).

    Examples
    --------
    >>> import pandas as pd
    >>> from rmkit.pairing import pair_participants
    >>> people = pd.DataFrame({"person_id": ["m1", "m2", "e1", "e2"], "role": ["mentor"] * 2 + ["mentee"] * 2,
    ...                        "offers": ["AI tools; video", "video", "", ""], "wants": ["", "", "AI tools", "video"]})
    >>> result = pair_participants(people)
    >>> result.pairs[["mentor_id", "mentee_id"]].values.tolist()
    [['m1', 'e1'], ['m2', 'e2']]
    >>> best = suggest_swaps(result, "m1", "e1")[0]
    >>> best.kind, best.add, round(best.total_change, 3)
    ('swap', (('m1', 'e2', 0.5), ('m2', 'e1', 0.0)), -0.5)
    """
    if limit < 1:
        raise ValueError("limit must be 1 or more")
    p = result.problem
    ids_m, ids_e = list(p.mentor_ids), list(p.mentee_ids)
    try:
        i0, j0 = ids_m.index(str(mentor_id)), ids_e.index(str(mentee_id))
    except ValueError:
        raise ValueError(f"{mentor_id}–{mentee_id} is not a pair of this result") from None
    a = result.assignment
    if not ((a.mentor == i0) & (a.mentee == j0)).any():
        raise ValueError(f"{mentor_id}–{mentee_id} is not a pair of this result")
    if p.constraints.locked[i0, j0]:
        raise ValueError(f"{mentor_id}–{mentee_id} is locked; unlock it before swapping")
    state = _State(result, i0, j0, depth=max(3, limit))
    candidates: dict[tuple[frozenset, frozenset], tuple[str, list, list]] = {}

    def offer(kind: str, remove: list[tuple[int, int]], add: list[tuple[int, int]]) -> None:
        key = (frozenset(remove), frozenset(add))
        if key not in candidates:
            candidates[key] = (kind, remove, add)

    broken = [(i0, j0)]
    # no other pair changed: each takes a free partner, or stays without one
    mentors_for_e0 = [int(m) for m in state.best_mentors[j0][:limit] if m >= 0] or [None]
    mentees_for_m0 = [int(e) for e in state.best_mentees[i0][:limit] if e >= 0] or [None]
    for m in mentors_for_e0:
        for e in mentees_for_m0:
            add = ([(m, j0)] if m is not None else []) + ([(i0, e)] if e is not None else [])
            offer("free partners", broken, add)
    # one other pair changed
    allowed, locked = state.allowed, state.locked
    for i1, j1 in zip(state.pair_m.tolist(), state.pair_e.tolist(), strict=True):
        if i1 == i0 or locked[i1, j1]:
            continue
        remove = broken + [(i1, j1)]
        if allowed[i0, j1] and allowed[i1, j0]:
            offer("swap", remove, [(i0, j1), (i1, j0)])
        if allowed[i1, j0]:
            f = state.free_mentor(j1, (i0, i1))
            g = state.free_mentee(i0, (j0, j1))
            offer("mentee moves", remove, [(i1, j0)] + ([(f, j1)] if f is not None else []) + ([(i0, g)] if g is not None else []))
        if allowed[i0, j1]:
            g = state.free_mentee(i1, (j0, j1))
            f = state.free_mentor(j0, (i0, i1))
            offer("mentor moves", remove, [(i0, j1)] + ([(i1, g)] if g is not None else []) + ([(f, j0)] if f is not None else []))
    ranked = []
    for kind, remove, add in candidates.values():
        total = float(sum(state.score[m, e] for m, e in add) - sum(state.score[m, e] for m, e in remove))
        ranked.append((-(len(add) - len(remove)), -round(total, 9), len(remove) - 1,
                       sorted((ids_m[m], ids_e[e]) for m, e in add), kind, remove, add, total))
    ranked.sort(key=lambda r: r[:4])
    out = []
    for rank, (neg_matched, _, others, _, kind, remove, add, total) in enumerate(ranked[:limit], start=1):
        out.append(SwapSuggestion(
            rank=rank, kind=kind,
            remove=tuple((ids_m[m], ids_e[e]) for m, e in remove),
            add=tuple((ids_m[m], ids_e[e], float(state.score[m, e])) for m, e in add),
            changes=_changes(state.score, remove, add, ids_m, ids_e),
            matched_change=-neg_matched, total_change=total, other_pairs_changed=others,
            description=_describe(kind, remove, add, state.score, ids_m, ids_e, total),
        ))
    return SwapSuggestions(out)


def _changes(score: np.ndarray, remove: list[tuple[int, int]], add: list[tuple[int, int]], ids_m: list[str], ids_e: list[str]) -> pd.DataFrame:
    """One row per place that changes: a person's partner before and after, with both scores."""
    # (role, position) -> ([pairs lost], [pairs gained]), each pair as (mentor, mentee) positions
    people: dict[tuple[str, int], tuple[list[tuple[int, int]], list[tuple[int, int]]]] = {}
    for k, pairs in ((0, remove), (1, add)):
        for m, e in pairs:
            people.setdefault(("mentor", m), ([], []))[k].append((m, e))
            people.setdefault(("mentee", e), ([], []))[k].append((m, e))
    rows = []
    for (role, position), (lost, gained) in people.items():
        for before, after in zip_longest(lost, gained):
            row = {"person_id": ids_m[position] if role == "mentor" else ids_e[position], "role": role}
            for label, pair in (("before", before), ("after", after)):
                if pair is None:
                    row[f"partner_{label}"], row[f"score_{label}"] = None, float("nan")
                else:
                    row[f"partner_{label}"] = ids_e[pair[1]] if role == "mentor" else ids_m[pair[0]]
                    row[f"score_{label}"] = float(score[pair])
            row["change"] = np.nan_to_num(row["score_after"]) - np.nan_to_num(row["score_before"])
            rows.append(row)
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


def _describe(kind: str, remove: list[tuple[int, int]], add: list[tuple[int, int]], score: np.ndarray,
              ids_m: list[str], ids_e: list[str], total: float) -> str:
    new = ", ".join(f"{ids_m[m]}–{ids_e[e]} ({score[m, e]:.2f})" for m, e in add) or "none"
    gone = ", ".join(f"{ids_m[m]}–{ids_e[e]}" for m, e in remove)
    return f"{kind}: break {gone}; new pairs {new}; total {total:+.3f}"


def swap_table(suggestions: list[SwapSuggestion]) -> pd.DataFrame:
    """Suggestions as a small table for a screen or a report: ``rank``, ``new_pairs``, ``total_change``,
    ``other_pairs_changed``, ``description`` (person ids only)."""
    return pd.DataFrame(
        [{"rank": s.rank, "new_pairs": ", ".join(f"{m}–{e} ({score:.2f})" for m, e, score in s.add) or "none",
          "total_change": round(s.total_change, 3), "other_pairs_changed": s.other_pairs_changed,
          "description": s.description} for s in suggestions],
        columns=["rank", "new_pairs", "total_change", "other_pairs_changed", "description"],
    )


class SwapSuggestions(list):
    """What :func:`suggest_swaps` returns: a list of :class:`SwapSuggestion` that reads well in a notebook.

    Examples
    --------
    >>> from rmkit.pairing import pair_participants
    >>> people = pd.DataFrame({"person_id": ["m1", "m2", "e1", "e2"], "role": ["mentor"] * 2 + ["mentee"] * 2,
    ...                        "offers": ["AI tools", "video", "", ""], "wants": ["", "", "AI tools", "video"]})
    >>> swaps = suggest_swaps(pair_participants(people), "m1", "e1", limit=2)
    >>> swaps
    2 swap suggestion(s):
      #1 swap: break m1–e1, m2–e2; new pairs m1–e2 (0.00), m2–e1 (0.00); total -1.000
      #2 free partners: break m1–e1; new pairs none; total -0.500
    >>> swaps.to_frame().columns.tolist()
    ['rank', 'new_pairs', 'total_change', 'other_pairs_changed', 'description']
    """

    def to_frame(self) -> pd.DataFrame:
        """The suggestions as a table (see :func:`swap_table`)."""
        return swap_table(self)

    def __repr__(self) -> str:
        if not self:
            return "no swap suggestion: nobody else can take either of them under the rules"
        return f"{len(self)} swap suggestion(s):\n" + "\n".join(f"  #{s.rank} {s.description}" for s in self)

    __str__ = __repr__

    def _repr_html_(self) -> str:
        if not self:
            return "<p>No swap suggestion: nobody else can take either of them under the rules.</p>"
        return self.to_frame().to_html(index=False)


def swaps_for_pairs(result: PairingResult, pairs: pd.DataFrame) -> pd.DataFrame:
    """The best swap for each pair in ``pairs`` (e.g. the pairs at risk): ``mentor_id``, ``mentee_id``, then
    :func:`swap_table`'s columns for the best suggestion, or a ``description`` saying why there is none (locked, no
    longer a pair, or nobody else can take them).

    Examples
    --------
    >>> from rmkit.pairing import pair_participants
    >>> people = pd.DataFrame({"person_id": ["m1", "m2", "e1", "e2"], "role": ["mentor"] * 2 + ["mentee"] * 2,
    ...                        "offers": ["AI tools; video", "video", "", ""], "wants": ["", "", "AI tools", "video"]})
    >>> result = pair_participants(people)
    >>> swaps_for_pairs(result, pd.DataFrame({"mentor_id": ["m1"], "mentee_id": ["e1"]}))["new_pairs"].tolist()
    ['m1–e2 (0.50), m2–e1 (0.00)']
    """
    rows = []
    for mentor_id, mentee_id in zip(pairs["mentor_id"], pairs["mentee_id"], strict=True):
        try:
            best = suggest_swaps(result, mentor_id, mentee_id, limit=1)
        except ValueError as exc:
            rows.append({"mentor_id": mentor_id, "mentee_id": mentee_id, "description": str(exc)})
            continue
        if not best:
            rows.append({"mentor_id": mentor_id, "mentee_id": mentee_id, "description": "nobody else can take either of them under the rules"})
            continue
        rows.append({"mentor_id": mentor_id, "mentee_id": mentee_id, **swap_table(best).iloc[0].to_dict()})
    return pd.DataFrame(rows, columns=["mentor_id", "mentee_id", "rank", "new_pairs", "total_change", "other_pairs_changed", "description"])
