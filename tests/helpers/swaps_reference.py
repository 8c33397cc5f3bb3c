"""A plain reference for swap suggestions: every candidate re-pairing built one by one in loops, with each
person's best free partners recomputed from scratch for the broken pair (the way ``rmkit.pairing.swaps`` worked
before it was vectorized). It shares no code with ``rmkit.pairing.swaps``."""

from __future__ import annotations

import numpy as np


def _best_free(score: np.ndarray, allowed: np.ndarray, free: np.ndarray, depth: int) -> list[list[int]]:
    """For each row, the ``depth`` best free columns (allowed, by score, ties by lower column)."""
    out = []
    for row in range(score.shape[0]):
        options = [c for c in range(score.shape[1]) if allowed[row, c] and free[c]]
        options.sort(key=lambda c: (-score[row, c], c))
        out.append(options[:depth])
    return out


def reference_swaps(result, mentor_id: str, mentee_id: str, limit: int) -> list[tuple]:
    """Ranked suggestions as ``(kind, remove, add, total)`` with ids, best first (at most ``limit``)."""
    p = result.problem
    ids_m, ids_e = list(p.mentor_ids), list(p.mentee_ids)
    i0, j0 = ids_m.index(mentor_id), ids_e.index(mentee_id)
    score, locked = p.score, p.constraints.locked
    allowed = p.constraints.allowed.copy()
    allowed[i0, j0] = False
    pairs = [(int(m), int(e)) for m, e in zip(result.assignment.mentor, result.assignment.mentee, strict=True)
             if (m, e) != (i0, j0)]
    load = np.bincount([m for m, _ in pairs], minlength=score.shape[0])
    matched = {e for _, e in pairs}
    free_m = p.constraints.capacity - load > 0
    free_e = np.array([e not in matched for e in range(score.shape[1])])
    depth = max(3, limit)
    best_mentors = _best_free(score.T, allowed.T, free_m, depth)
    best_mentees = _best_free(score, allowed, free_e, depth)

    def first(options: list[int], exclude: tuple[int, ...]) -> int | None:
        return next((o for o in options if o not in exclude), None)

    candidates: dict = {}

    def offer(kind, remove, add):
        candidates.setdefault((frozenset(remove), frozenset(add)), (kind, remove, add))

    broken = [(i0, j0)]
    for m in best_mentors[j0][:limit] or [None]:
        for e in best_mentees[i0][:limit] or [None]:
            offer("free partners", broken, ([(m, j0)] if m is not None else []) + ([(i0, e)] if e is not None else []))
    for i1, j1 in pairs:
        if i1 == i0 or locked[i1, j1]:
            continue
        remove = broken + [(i1, j1)]
        if allowed[i0, j1] and allowed[i1, j0]:
            offer("swap", remove, [(i0, j1), (i1, j0)])
        if allowed[i1, j0]:
            f, g = first(best_mentors[j1], (i0, i1)), first(best_mentees[i0], (j0, j1))
            offer("mentee moves", remove, [(i1, j0)] + ([(f, j1)] if f is not None else []) + ([(i0, g)] if g is not None else []))
        if allowed[i0, j1]:
            g, f = first(best_mentees[i1], (j0, j1)), first(best_mentors[j0], (i0, i1))
            offer("mentor moves", remove, [(i0, j1)] + ([(i1, g)] if g is not None else []) + ([(f, j0)] if f is not None else []))
    ranked = []
    for kind, remove, add in candidates.values():
        total = float(sum(score[m, e] for m, e in add) - sum(score[m, e] for m, e in remove))
        ranked.append((-(len(add) - len(remove)), -round(total, 9), len(remove) - 1,
                       sorted((ids_m[m], ids_e[e]) for m, e in add), kind, remove, add, total))
    ranked.sort(key=lambda r: r[:4])
    return [(kind, tuple((ids_m[m], ids_e[e]) for m, e in remove), tuple((ids_m[m], ids_e[e]) for m, e in add), total)
            for *_, kind, remove, add, total in ranked[:limit]]
