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


class _FreeLists:
    """For a pairing, each mentee's best mentors with a free place and each mentor's best unmatched mentees
    (allowed pairs only; ``depth`` of each, -1 padded): computed once per pairing, then adjusted for each broken
    pair by :class:`_State` (breaking a pair frees one mentor place and one mentee, nothing else)."""

    def __init__(self, result: PairingResult, depth: int):
        p = result.problem
        a = result.assignment
        self.depth = depth
        n_m, n_e = p.score.shape
        partner = np.full(n_e, -1, dtype=np.int64)
        partner[a.mentee] = a.mentor
        self.spare = p.constraints.capacity - np.bincount(a.mentor, minlength=n_m)
        self.free_m, self.free_e = self.spare > 0, partner < 0
        allowed = p.constraints.allowed
        self.best_mentors = _top(np.where(allowed & self.free_m[:, None], p.score, -np.inf).T, depth)
        self.best_mentees = _top(np.where(allowed & self.free_e[None, :], p.score, -np.inf), depth)


class _State:
    """The pairing with the broken pair removed, and the best free partners of everyone."""

    def __init__(self, result: PairingResult, i0: int, j0: int, depth: int = 3, free: _FreeLists | None = None):
        p = result.problem
        self.score = p.score
        self.allowed = allowed = p.constraints.allowed  # read only; the broken pair is excluded below
        self.locked = p.constraints.locked
        a = result.assignment
        keep = ~((a.mentor == i0) & (a.mentee == j0))
        self.pair_m, self.pair_e = a.mentor[keep], a.mentee[keep]
        if free is None or free.depth < depth:
            free = _FreeLists(result, depth)
        score = self.score
        # i0 now has a free place, j0 is unmatched; the broken pair is not formed again
        mentors = free.best_mentors[:, :depth]
        if not free.free_m[i0]:
            mentors = _merge(mentors, np.full(len(mentors), i0), np.where(allowed[i0], score[i0], -np.inf), score.T)
        column = np.where(allowed[:, j0] & (free.free_m | (np.arange(len(free.free_m)) == i0)), score[:, j0], -np.inf)
        column[i0] = -np.inf
        mentors[j0] = _top(column[None, :], depth)[0]
        mentees = _merge(free.best_mentees[:, :depth], np.full(len(free.best_mentees), j0),
                         np.where(allowed[:, j0], score[:, j0], -np.inf), score)
        row = np.where(allowed[i0] & free.free_e, score[i0], -np.inf)
        mentees[i0] = _top(row[None, :], depth)[0]
        self.best_mentors, self.best_mentees = mentors, mentees


def _top(values: np.ndarray, k: int) -> np.ndarray:
    """Per row, the column positions of the ``k`` highest finite values (ties: lower position first), -1 padded."""
    n_rows, n_cols = values.shape
    k = min(k, n_cols)
    if k == 0:
        return np.full((n_rows, 0), -1, dtype=np.int64)
    order = np.argsort(-values, axis=1, kind="stable")[:, :k]
    finite = np.isfinite(np.take_along_axis(values, order, axis=1))
    return np.where(finite, order, -1)


def _merge(best: np.ndarray, candidate: np.ndarray, value: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Each row's ``best`` positions (as :func:`_top` gives them, values ``score[row, position]``) with one more
    candidate position per row (``value`` -inf: not a candidate), keeping the ``best.shape[1]`` highest, ties by
    lower position (as :func:`_top`)."""
    k = best.shape[1]
    rows = np.arange(len(best))[:, None]
    positions = np.concatenate([best, candidate[:, None]], axis=1)
    values = np.concatenate([np.where(best >= 0, score[rows, np.maximum(best, 0)], -np.inf), value[:, None]], axis=1)
    positions = np.where(np.isfinite(values), positions, np.iinfo(np.int64).max)
    by_position = np.argsort(positions, axis=1, kind="stable")
    positions, values = np.take_along_axis(positions, by_position, 1), np.take_along_axis(values, by_position, 1)
    by_value = np.argsort(-values, axis=1, kind="stable")[:, :k]
    out = np.take_along_axis(positions, by_value, 1)
    return np.where(np.isfinite(np.take_along_axis(values, by_value, 1)), out, -1)


def _first_free(best: np.ndarray, exclude_a: int | np.ndarray, exclude_b: np.ndarray) -> np.ndarray:
    """Per row of ``best``, its first position that is neither padding nor excluded (-1 if none)."""
    a = np.asarray(exclude_a)
    ok = (best >= 0) & (best != (a[:, None] if a.ndim else a)) & (best != exclude_b[:, None])
    first = np.take_along_axis(best, np.argmax(ok, axis=1)[:, None], 1)[:, 0]
    return np.where(ok.any(axis=1), first, -1)


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
    return _suggest(result, mentor_id, mentee_id, limit=limit)


def _suggest(result: PairingResult, mentor_id: str, mentee_id: str, *, limit: int,
             free: _FreeLists | None = None) -> SwapSuggestions:
    if limit < 1:
        raise ValueError("limit must be 1 or more")
    p = result.problem
    ids_m, ids_e = p.mentor_ids.astype(str).tolist(), p.mentee_ids.astype(str).tolist()
    i0, j0 = p.mentor_ids.get_indexer([str(mentor_id)])[0], p.mentee_ids.get_indexer([str(mentee_id)])[0]
    a = result.assignment
    if i0 < 0 or j0 < 0 or not ((a.mentor == i0) & (a.mentee == j0)).any():
        raise ValueError(f"{mentor_id}–{mentee_id} is not a pair of this result")
    i0, j0 = int(i0), int(j0)
    if p.constraints.locked[i0, j0]:
        raise ValueError(f"{mentor_id}–{mentee_id} is locked; unlock it before swapping")
    state = _State(result, i0, j0, depth=max(3, limit), free=free)
    score = state.score
    # Each candidate: (kind, remove, add) as position pairs, in the order they are offered (the last tie-break).
    # No other pair changed: each takes a free partner, or stays without one.
    candidates: dict[tuple[frozenset, frozenset], tuple[str, list, list]] = {}
    broken = [(i0, j0)]
    mentors_for_e0 = [int(m) for m in state.best_mentors[j0][:limit] if m >= 0] or [None]
    mentees_for_m0 = [int(e) for e in state.best_mentees[i0][:limit] if e >= 0] or [None]
    for m in mentors_for_e0:
        for e in mentees_for_m0:
            add = ([(m, j0)] if m is not None else []) + ([(i0, e)] if e is not None else [])
            candidates.setdefault((frozenset(broken), frozenset(add)), ("free partners", broken, add))
    offered = list(candidates.values())
    keys = [(-(len(add) - len(remove)), -round(float(sum(score[m, e] for m, e in add) - sum(score[m, e] for m, e in remove)), 9),
             len(remove) - 1) for _, remove, add in offered]
    # One other pair changed (an unlocked pair i1–j1), for every such pair at once: swap, mentee moves, mentor moves.
    other = (state.pair_m != i0) & ~state.locked[state.pair_m, state.pair_e]
    i1, j1 = state.pair_m[other], state.pair_e[other]
    allowed, before = state.allowed, score[i0, j0] + score[i1, j1]
    f1 = _first_free(state.best_mentors[j1], i0, i1)  # mentee moves: j1's new mentor
    g0 = _first_free(state.best_mentees[np.full(len(i1), i0)], j0, j1)  # mentee moves: i0's new mentee
    g1 = _first_free(state.best_mentees[i1], j0, j1)  # mentor moves: i1's new mentee
    f0 = _first_free(state.best_mentors[np.full(len(i1), j0)], i0, i1)  # mentor moves: j0's new mentor

    def gain(m: np.ndarray, e: np.ndarray) -> np.ndarray:
        return np.where((m >= 0) & (e >= 0), score[np.maximum(m, 0), np.maximum(e, 0)], 0.0)

    kinds = (
        ("swap", allowed[i0, j1] & allowed[i1, j0], 2 * np.ones(len(i1), dtype=int), score[i0, j1] + score[i1, j0]),
        ("mentee moves", allowed[i1, j0], 1 + (f1 >= 0) + (g0 >= 0), score[i1, j0] + gain(f1, j1) + gain(np.full(len(i1), i0), g0)),
        ("mentor moves", allowed[i0, j1], 1 + (g1 >= 0) + (f0 >= 0), score[i0, j1] + gain(i1, g1) + gain(f0, np.full(len(i1), j0))),
    )  # each total adds the new pairs' scores in the order the pairs are listed, as the sums below do
    numeric = [np.array(keys, dtype=float).reshape(-1, 3)]
    order_base = len(offered)
    for _, ok, n_add, added in kinds:
        position = np.flatnonzero(ok)
        total = np.round(added[position] - before[position], 9)
        numeric.append(np.column_stack([-(n_add[position] - 2), -total, np.ones(len(position))]))
    keyed = np.concatenate(numeric)
    where_from = np.concatenate([np.arange(len(offered))] + [order_base + 3 * np.flatnonzero(ok) + slot
                                                           for slot, (_, ok, _, _) in enumerate(kinds)])
    # the best `limit` by the numeric keys, with every candidate tied with the last of them (the ids decide)
    order = np.lexsort((where_from, keyed[:, 2], keyed[:, 1], keyed[:, 0]))
    if len(order) > limit:
        boundary = keyed[order[limit - 1]]
        end = limit
        while end < len(order) and (keyed[order[end]] == boundary).all():
            end += 1
        order = order[:end]
    chosen = []
    for index in order:
        origin = int(where_from[index])
        if origin < order_base:
            kind, remove, add = offered[origin]
        else:
            k, slot = divmod(origin - order_base, 3)
            a1, b1 = int(i1[k]), int(j1[k])
            remove = broken + [(a1, b1)]
            if slot == 0:
                kind, add = "swap", [(i0, b1), (a1, j0)]
            elif slot == 1:
                kind = "mentee moves"
                add = [(a1, j0)] + ([(int(f1[k]), b1)] if f1[k] >= 0 else []) + ([(i0, int(g0[k]))] if g0[k] >= 0 else [])
            else:
                kind = "mentor moves"
                add = [(i0, b1)] + ([(a1, int(g1[k]))] if g1[k] >= 0 else []) + ([(int(f0[k]), j0)] if f0[k] >= 0 else [])
        total = float(sum(score[m, e] for m, e in add) - sum(score[m, e] for m, e in remove))
        chosen.append((-(len(add) - len(remove)), -round(total, 9), len(remove) - 1,
                       sorted((ids_m[m], ids_e[e]) for m, e in add), origin, kind, remove, add, total))
    chosen.sort(key=lambda r: r[:5])
    out = []
    for rank, (neg_matched, _, others, _, _, kind, remove, add, total) in enumerate(chosen[:limit], start=1):
        out.append(SwapSuggestion(
            rank=rank, kind=kind,
            remove=tuple((ids_m[m], ids_e[e]) for m, e in remove),
            add=tuple((ids_m[m], ids_e[e], float(score[m, e])) for m, e in add),
            changes=_changes(score, remove, add, ids_m, ids_e),
            matched_change=-neg_matched, total_change=total, other_pairs_changed=others,
            description=_describe(kind, remove, add, score, ids_m, ids_e, total),
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
    free = _FreeLists(result, depth=3) if len(pairs) > 1 else None  # shared by every pair asked about
    for mentor_id, mentee_id in zip(pairs["mentor_id"], pairs["mentee_id"], strict=True):
        try:
            best = _suggest(result, mentor_id, mentee_id, limit=1, free=free)
        except ValueError as exc:
            rows.append({"mentor_id": mentor_id, "mentee_id": mentee_id, "description": str(exc)})
            continue
        if not best:
            rows.append({"mentor_id": mentor_id, "mentee_id": mentee_id, "description": "nobody else can take either of them under the rules"})
            continue
        rows.append({"mentor_id": mentor_id, "mentee_id": mentee_id, **swap_table(best).iloc[0].to_dict()})
    return pd.DataFrame(rows, columns=["mentor_id", "mentee_id", "rank", "new_pairs", "total_change", "other_pairs_changed", "description"])
