"""Why a pair was proposed and why a person was left out, in words a facilitator can repeat.

A pair's reasons mention only what the two people really share: the skills one offers that the other wants (both
directions), shared interests, their work styles when they fit, and shared time slots. A locked pair says so, and
names any rule the lock overrides. Exported tables use "the mentor" and "the mentee"; the facilitator's dashboard
may phrase the same reasons with first names (``names=``), which never leave the dashboard.

Every unmatched person gets a ``code`` and a ``reason``:

``capacity_zero``
    a mentor whose capacity is 0 (not taking a mentee this cycle);
``no_allowed_partner``
    every possible partner is ruled out by the program's rules (each rule named with how many it excludes);
``forbidden_by_facilitator``
    the rules allow some partners but the facilitator forbade each of them;
``partners_taken``
    every allowed partner is taken: by locked pairs, or (``stable``) by people they score at least as well with;
``lower_total``
    (``optimal``, ``fair``) pairing this person means breaking another pair, and the best such swap would lower the
    total score (or, at a tie, leave it equal: ties are broken by id);
``lower_worst``
    (``fair``) every such swap would create a pair worse than the current worst pair.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .compatibility import as_term_lists, normalize_term
from .rules import Constraints, rule_label
from .strategies import Assignment

__all__ = ["Overlap", "TermIndex", "overlap_of", "describe_overlap", "first_name", "unmatched_reasons", "join_words"]

_STYLE_PLURALS = {"introvert": "introverts", "extrovert": "extroverts", "ambivert": "ambiverts"}
UNMATCHED_CODES = ("capacity_zero", "no_allowed_partner", "forbidden_by_facilitator", "partners_taken", "lower_total", "lower_worst")


def join_words(words: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``.

    Examples
    --------
    >>> join_words(["social media"]), join_words(["social media", "AI tools", "video"])
    ('social media', 'social media, AI tools and video')
    """
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def first_name(name: object) -> str | None:
    """The first word of a display name, or ``None`` when there is none.

    Examples
    --------
    >>> first_name("Amira Testfield"), first_name("  "), first_name(None)
    ('Amira', None, None)
    """
    if name is None or name is pd.NA or (isinstance(name, float) and np.isnan(name)):
        return None
    parts = str(name).split()
    return parts[0] if parts else None


@dataclass(frozen=True)
class TermIndex:
    """Each person's terms, in their own order and spelling, keyed by the comparison key (one side of the cohort).

    Examples
    --------
    >>> index = TermIndex.of(pd.DataFrame({"offers": [" AI  tools; ai tools; Video"], "work_style": ["Introvert"]}))
    >>> index.offers, index.wants, index.style
    (({'ai tools': 'AI tools', 'video': 'Video'},), ({},), ('introvert',))
    """

    offers: tuple[dict[str, str], ...]
    wants: tuple[dict[str, str], ...]
    interests: tuple[dict[str, str], ...]
    availability: tuple[dict[str, str], ...]
    style: tuple[str, ...]

    @classmethod
    def of(cls, people: pd.DataFrame) -> TermIndex:
        def keyed(name: str) -> tuple[dict[str, str], ...]:
            if name not in people.columns:
                return tuple({} for _ in range(len(people)))
            out = []
            for terms in as_term_lists(people[name]):
                mapping: dict[str, str] = {}
                for term in terms:
                    key = normalize_term(term)
                    if key and key not in mapping:
                        mapping[key] = " ".join(str(term).split())
                out.append(mapping)
            return tuple(out)

        styles = people["work_style"] if "work_style" in people.columns else pd.Series([None] * len(people))
        style = tuple("" if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) else normalize_term(v) for v in styles)
        return cls(keyed("offers"), keyed("wants"), keyed("interests"), keyed("availability"), style)


@dataclass(frozen=True)
class Overlap:
    """What a mentor and a mentee share (display spellings, in a stable order)."""

    mentor_teaches: tuple[str, ...] = ()  # the mentor offers, the mentee wants (in the mentee's order of wants)
    mentee_teaches: tuple[str, ...] = ()  # the mentee offers, the mentor wants (in the mentor's order of wants)
    interests: tuple[str, ...] = ()
    style: tuple[str, ...] = ()  # (style,) when the same; (mentor's, mentee's) when an ambivert meets another style
    slots: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.mentor_teaches or self.mentee_teaches or self.interests or self.style or self.slots)


def overlap_of(mentors: TermIndex, mentees: TermIndex, i: int, j: int) -> Overlap:
    """The :class:`Overlap` of mentor ``i`` and mentee ``j`` (positions).

    Examples
    --------
    >>> mentors = TermIndex.of(pd.DataFrame({"offers": ["Video; AI tools"], "interests": ["chess"], "work_style": ["ambivert"]}))
    >>> mentees = TermIndex.of(pd.DataFrame({"wants": ["ai tools; video; finance"], "interests": ["Chess"],
    ...                                      "work_style": ["introvert"]}))
    >>> o = overlap_of(mentors, mentees, 0, 0)
    >>> o.mentor_teaches, o.interests, o.style
    (('AI tools', 'Video'), ('chess',), ('ambivert', 'introvert'))
    """
    offers_m, wants_e = mentors.offers[i], mentees.wants[j]
    offers_e, wants_m = mentees.offers[j], mentors.wants[i]
    style_m, style_e = mentors.style[i], mentees.style[j]
    if style_m and style_m == style_e:
        style: tuple[str, ...] = (style_m,)
    elif style_m and style_e and "ambivert" in (style_m, style_e):
        style = (style_m, style_e)
    else:
        style = ()
    return Overlap(
        mentor_teaches=tuple(offers_m[k] for k in wants_e if k in offers_m),
        mentee_teaches=tuple(offers_e[k] for k in wants_m if k in offers_e),
        interests=tuple(v for k, v in mentors.interests[i].items() if k in mentees.interests[j]),
        style=style,
        slots=tuple(v for k, v in mentors.availability[i].items() if k in mentees.availability[j]),
    )


def describe_overlap(overlap: Overlap, *, mentor: str = "the mentor", mentee: str = "the mentee", locked: bool = False,
                     overrides: str = "") -> str:
    """The reasons of a pair as one line of plain words.

    Examples
    --------
    >>> o = Overlap(("social media", "AI tools"), ("strategy",), ("sustainability",), ("introvert",), ("Mon AM", "Tue PM", "Thu AM"))
    >>> describe_overlap(o)
    'the mentor offers social media and AI tools, which the mentee wants; the mentee offers strategy, which the mentor wants; both care about sustainability; both introverts; 3 shared time slots (Mon AM, Tue PM, Thu AM)'
    >>> describe_overlap(Overlap(interests=("music",)), mentor="Amira", mentee="Paul", locked=True)
    'locked by the facilitator; both care about music'
    """
    parts = []
    if locked:
        parts.append("locked by the facilitator" + (f" (overriding the rule: {overrides})" if overrides else ""))
    if overlap.mentor_teaches:
        parts.append(f"{mentor} offers {join_words(overlap.mentor_teaches)}, which {mentee} wants")
    if overlap.mentee_teaches:
        parts.append(f"{mentee} offers {join_words(overlap.mentee_teaches)}, which {mentor} wants")
    if overlap.interests:
        parts.append(f"both care about {join_words(overlap.interests)}")
    if len(overlap.style) == 1:
        style = overlap.style[0]
        parts.append(f"both {_STYLE_PLURALS[style]}" if style in _STYLE_PLURALS else f"the same work style ({style})")
    elif len(overlap.style) == 2:
        parts.append(f"compatible work styles ({overlap.style[0]} and {overlap.style[1]})")
    if overlap.slots:
        n = len(overlap.slots)
        listed = f" ({', '.join(overlap.slots)})" if n <= 4 else ""
        parts.append(f"{n} shared time slot{'s' if n != 1 else ''}{listed}")
    if overlap.empty:
        parts.append("no shared skills, interests, work style or time slots")
    return "; ".join(parts)


# --------------------------------------------------------------------------------------------- unmatched


@dataclass
class _Context:
    score: np.ndarray
    constraints: Constraints
    assignment: Assignment
    strategy: str
    mentor_ids: Sequence[str]
    mentee_ids: Sequence[str]
    ranked: bool = False  # stable on stated preferences
    partner: np.ndarray = field(init=False)  # mentee -> mentor position or -1
    load: np.ndarray = field(init=False)  # mentor -> number of mentees
    locked_pair: np.ndarray = field(init=False)  # mentee -> its pair is locked
    weakest: np.ndarray = field(init=False)  # mentor -> its lowest-scoring unlocked mentee, or -1

    def __post_init__(self) -> None:
        n_m, n_e = self.score.shape
        self.partner = np.full(n_e, -1, dtype=np.int64)
        self.partner[self.assignment.mentee] = self.assignment.mentor
        self.load = np.bincount(self.assignment.mentor, minlength=n_m)
        self.locked_pair = np.zeros(n_e, dtype=bool)
        self.locked_pair[self.assignment.mentee] = self.constraints.locked[self.assignment.mentor, self.assignment.mentee]
        self.weakest = np.full(n_m, -1, dtype=np.int64)
        free = ~self.locked_pair[self.assignment.mentee]
        m, e = self.assignment.mentor[free], self.assignment.mentee[free]
        order = np.lexsort((e, -self.score[m, e], m))  # per mentor, highest score first: the last one is the weakest
        m, e = m[order], e[order]
        last = np.r_[m[1:] != m[:-1], True] if len(m) else np.zeros(0, dtype=bool)
        self.weakest[m[last]] = e[last]


def _ids(ids: Sequence[str], positions: np.ndarray, limit: int = 3) -> str:
    if len(positions) > limit:
        return ""
    return " (" + ", ".join(str(ids[p]) for p in positions) + ")"


def _ruled_out(ctx: _Context, row: np.ndarray | None, col: np.ndarray | None, candidates: np.ndarray, other: str) -> tuple[str, str] | None:
    """(code, reason) when no candidate is allowed; None otherwise. ``row``/``col`` pick the person's line."""
    c = ctx.constraints

    def line(mask: np.ndarray) -> np.ndarray:
        return (mask[row, :] if row is not None else mask[:, col])[candidates]

    allowed = line(c.allowed)
    if allowed.any():
        return None
    if len(candidates) == 0:
        return "no_allowed_partner", f"no {other} has a free place (every {other}'s capacity is 0)"
    by_rule = {name: int(line(mask).sum()) for name, mask in c.violations.items()}
    rules_block = np.zeros(len(candidates), dtype=bool)
    for mask in c.violations.values():
        rules_block |= line(mask)
    if rules_block.all():
        counts = ", ".join(f"{rule_label(name, c.rules)}: {n}" for name, n in by_rule.items() if n)
        return "no_allowed_partner", f"no {other} is allowed under the rules ({counts})"
    forbids = int((line(c.forbidden) & ~rules_block).sum())
    return ("forbidden_by_facilitator",
            f"the facilitator forbade every {other} the rules allow ({forbids} forbid{'s' if forbids != 1 else ''})")


def _mentee_reason(ctx: _Context, j: int, worst: float) -> tuple[str, str]:
    c = ctx.constraints
    candidates = np.nonzero(c.capacity > 0)[0]
    ruled = _ruled_out(ctx, None, j, candidates, "mentor")
    if ruled:
        return ruled
    allowed = candidates[c.allowed[candidates, j]]
    n = len(allowed)
    head = f"all {n} allowed mentor{'s are' if n != 1 else ' is'} taken{_ids(ctx.mentor_ids, allowed)}"
    # a swap: the mentor drops its weakest unlocked mentee for this one
    mentors = allowed[ctx.weakest[allowed] >= 0]
    if len(mentors) == 0:
        return "partners_taken", head + " by locked pairs"
    displaced = ctx.weakest[mentors]
    new = ctx.score[mentors, j]
    delta = new - ctx.score[mentors, displaced]
    return _swap_reason(ctx, head, delta, new, worst, "mentee",
                        lambda k: f"{ctx.mentor_ids[mentors[k]]} instead of {ctx.mentee_ids[displaced[k]]}")


def _mentor_reason(ctx: _Context, i: int, worst: float) -> tuple[str, str]:
    c = ctx.constraints
    if c.capacity[i] == 0:
        return "capacity_zero", "capacity 0: not taking a mentee this cycle"
    candidates = np.arange(ctx.score.shape[1])
    ruled = _ruled_out(ctx, i, None, candidates, "mentee")
    if ruled:
        return ruled
    allowed = candidates[c.allowed[i, candidates]]
    n = len(allowed)
    head = f"all {n} allowed mentee{'s are' if n != 1 else ' is'} taken{_ids(ctx.mentee_ids, allowed)}"
    # a swap: this mentor takes the mentee from its (unlocked) mentor
    mentees = allowed[(ctx.partner[allowed] >= 0) & ~ctx.locked_pair[allowed]]
    if len(mentees) == 0:
        return "partners_taken", head + " by locked pairs"
    previous = ctx.partner[mentees]
    new = ctx.score[i, mentees]
    delta = new - ctx.score[previous, mentees]
    return _swap_reason(ctx, head, delta, new, worst, "mentor",
                        lambda k: f"{ctx.mentee_ids[mentees[k]]} from {ctx.mentor_ids[previous[k]]}")


def _swap_reason(ctx: _Context, head: str, delta: np.ndarray, new: np.ndarray, worst: float, own: str,
                 label: Any) -> tuple[str, str]:
    """The reason for one unmatched person, from the single swaps that would pair them (their score change
    ``delta`` and the new pair's score ``new``); ``own`` is the role of the people they would displace."""
    if ctx.strategy == "stable" and ctx.ranked:
        return "partners_taken", head + f" by {own}s they prefer (stated ranks first, then compatibility)"
    if ctx.strategy == "stable":
        return "partners_taken", head + f" by {own}s they score at least as well with"
    candidates = np.arange(len(delta))
    if ctx.strategy == "fair":
        keeping = candidates[new >= worst - 1e-12]
        if len(keeping) == 0:
            k = int(np.argmax(new))
            return ("lower_worst", head + f"; the best swap ({label(k)}) would make a pair scoring "
                    f"{new[k]:.3f}, below the worst pair ({worst:.3f})")
        candidates = keeping
    k = int(candidates[np.argmax(delta[candidates])])
    if delta[k] < -1e-12:
        return "lower_total", head + f"; the best swap ({label(k)}) would lower the total by {-delta[k]:.3f}"
    return "lower_total", head + f"; a swap ({label(k)}) would keep the same total: a tie, broken by id"


def pair_reasons(problem: Any, i: np.ndarray, j: np.ndarray, locked: np.ndarray, *,
                 names: bool) -> tuple[list[str], list[str]]:
    """The reasons of the pairs ``(i[k], j[k])`` of a :class:`~rmkit.pairing.problem.PairingProblem` (what each
    offers the other, the ranks each gave the other, a lock and the rules it overrides) and the overridden rules;
    with ``names``, phrased with first names instead of "the mentor" and "the mentee"."""
    p = problem
    overrides = {(r.mentor_id, r.mentee_id): r.rules for r in p.constraints.overrides.itertuples()}
    mentor_ids, mentee_ids = p.mentor_ids.to_numpy()[i], p.mentee_ids.to_numpy()[j]
    index_m, index_e = p.terms
    mentor_names = [first_name(v) for v in p.mentors["name"].to_numpy()[i]] if names and "name" in p.mentors else [None] * len(i)
    mentee_names = [first_name(v) for v in p.mentees["name"].to_numpy()[j]] if names and "name" in p.mentees else [None] * len(j)
    reasons, override_text = [], []
    for k in range(len(i)):
        rules = overrides.get((mentor_ids[k], mentee_ids[k]), "")
        override_text.append(rules)
        mentor_word = mentor_names[k] or "the mentor"
        mentee_word = mentee_names[k] or "the mentee"
        if mentor_word == mentee_word:
            mentor_word, mentee_word = "the mentor", "the mentee"
        text = describe_overlap(overlap_of(index_m, index_e, int(i[k]), int(j[k])), mentor=mentor_word,
                                mentee=mentee_word, locked=bool(locked[k]), overrides=rules)
        ranks = p.rank_text(int(i[k]), int(j[k]), mentor=mentor_word, mentee=mentee_word)
        reasons.append(f"{ranks}; {text}" if ranks else text)
    return reasons, override_text


def unmatched_reasons(score: np.ndarray, constraints: Constraints, assignment: Assignment, *, strategy: str,
                      mentor_ids: Sequence[str], mentee_ids: Sequence[str], ranked: bool = False) -> pd.DataFrame:
    """Everyone without a partner, with a reason code and a sentence (see the module notes); ``ranked``: the
    stable pairing followed stated preferences.

    Returns
    -------
    pandas.DataFrame
        Columns ``person_id``, ``role``, ``code``, ``reason``: mentors first, each role in ``person_id`` order.

    Examples
    --------
    >>> from rmkit.cohort.config import PairingRules
    >>> from rmkit.pairing.rules import build_constraints
    >>> from rmkit.pairing.strategies import solve
    >>> mentors = pd.DataFrame({"person_id": ["m1", "m2"], "capacity": [1, 0]})
    >>> mentees = pd.DataFrame({"person_id": ["e1", "e2"]})
    >>> score = np.array([[0.8, 0.3], [0.5, 0.5]])
    >>> c = build_constraints(mentors, mentees, PairingRules())
    >>> assignment = solve(score, c.allowed, c.capacity, c.locked)
    >>> table = unmatched_reasons(score, c, assignment, strategy="optimal", mentor_ids=["m1", "m2"], mentee_ids=["e1", "e2"])
    >>> table[["person_id", "code"]].values.tolist()
    [['m2', 'capacity_zero'], ['e2', 'lower_total']]
    >>> print(table.loc[1, "reason"])
    all 1 allowed mentor is taken (m1); the best swap (m1 instead of e1) would lower the total by 0.500
    """
    ctx = _Context(np.asarray(score), constraints, assignment, strategy, list(mentor_ids), list(mentee_ids), ranked)
    pair_scores = ctx.score[assignment.mentor, assignment.mentee]
    worst = float(pair_scores.min()) if len(pair_scores) else float("nan")
    rows = []
    for i in np.nonzero(ctx.load == 0)[0]:
        code, reason = _mentor_reason(ctx, int(i), worst)
        rows.append({"person_id": ctx.mentor_ids[i], "role": "mentor", "code": code, "reason": reason})
    for j in np.nonzero(ctx.partner < 0)[0]:
        code, reason = _mentee_reason(ctx, int(j), worst)
        rows.append({"person_id": ctx.mentee_ids[j], "role": "mentee", "code": code, "reason": reason})
    return pd.DataFrame(rows, columns=["person_id", "role", "code", "reason"])
