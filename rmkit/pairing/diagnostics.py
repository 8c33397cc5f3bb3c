"""What a facilitator and a researcher check about a pairing: tidy tables, ready to chart.

- :func:`score_distribution` and :func:`score_summary`: how scores spread, for the proposed pairs and for every
  allowed pair;
- :func:`want_coverage` and :func:`coverage_summary`: whether each person's partner offers what they want
  (both directions);
- :func:`skill_supply_demand` and :func:`unmet_demand`: how many want and how many offer each skill, in both
  directions — usable at intake, before any pairing;
- :func:`pairs_below_threshold`: pairs scoring under ``pairing.threshold``;
- :func:`compare_strategies`: the three strategies on the same cohort (compatibility computed once).

Shares are percentages from 0 to 100, as everywhere in rmkit's tables.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .compatibility import as_term_lists, id_text, normalize_term
from .problem import PairingProblem, PairingResult
from .strategies import STRATEGIES

__all__ = [
    "score_distribution",
    "score_summary",
    "want_coverage",
    "coverage_summary",
    "skill_supply_demand",
    "unmet_demand",
    "pairs_below_threshold",
    "compare_strategies",
    "COVERAGE_LEVELS",
]

COVERAGE_LEVELS = ("full", "partial", "none", "no wants", "unmatched")
DIRECTIONS = ("mentors teach", "mentees teach")


def score_distribution(result: PairingResult, *, bins: int = 10) -> pd.DataFrame:
    """Counts of scores in ``bins`` equal bins over [0, 1]: proposed pairs and every allowed pair.

    Returns
    -------
    pandas.DataFrame
        Columns ``low``, ``high`` (a bin holds low ≤ score < high; the last one also holds 1), ``proposed``,
        ``allowed``.

    Examples
    --------
    >>> from rmkit.cohort import load_cohort
    >>> from rmkit.resources import example_cohort_dir
    >>> from rmkit.pairing import propose_pairs
    >>> table = score_distribution(propose_pairs(load_cohort(example_cohort_dir())), bins=4)
    >>> table.columns.tolist(), int(table["proposed"].sum())
    (['low', 'high', 'proposed', 'allowed'], 39)
    """
    if bins < 1:
        raise ValueError("bins must be 1 or more")
    edges = np.linspace(0.0, 1.0, bins + 1)
    allowed_scores = result.problem.score[result.problem.constraints.allowed]

    def counts(values: np.ndarray) -> np.ndarray:
        return np.histogram(np.clip(values, 0.0, 1.0), bins=edges)[0]

    return pd.DataFrame({"low": edges[:-1], "high": edges[1:], "proposed": counts(result.scores),
                         "allowed": counts(allowed_scores)})


def score_summary(result: PairingResult) -> pd.DataFrame:
    """Count, mean, quartiles and range of the proposed pairs' scores and of every allowed pair's score.

    Returns
    -------
    pandas.DataFrame
        One row per ``set`` (``proposed``, ``allowed``): ``n``, ``mean``, ``min``, ``q25``, ``median``, ``q75``,
        ``max``.

    Examples
    --------
    >>> from rmkit.pairing import pair_participants
    >>> people = pd.DataFrame({"person_id": ["m1", "m2", "e1", "e2"], "role": ["mentor"] * 2 + ["mentee"] * 2,
    ...                        "offers": ["AI tools", "video", "", ""], "wants": ["", "", "AI tools", "AI tools; video"]})
    >>> score_summary(pair_participants(people))[["set", "n", "mean", "min", "max"]]
            set  n   mean   min  max
    0  proposed  2  0.375  0.25  0.5
    1   allowed  4  0.250  0.00  0.5
    """
    rows = []
    for name, values in (("proposed", result.scores), ("allowed", result.problem.score[result.problem.constraints.allowed])):
        if len(values):
            q = np.quantile(values, [0.25, 0.5, 0.75])
            rows.append({"set": name, "n": len(values), "mean": float(values.mean()), "min": float(values.min()),
                         "q25": q[0], "median": q[1], "q75": q[2], "max": float(values.max())})
        else:
            rows.append({"set": name, "n": 0} | {k: np.nan for k in ("mean", "min", "q25", "median", "q75", "max")})
    return pd.DataFrame(rows)


def want_coverage(result: PairingResult) -> pd.DataFrame:
    """For every person, how much of what they want their partner offers.

    Returns
    -------
    pandas.DataFrame
        ``direction`` (``mentors teach``: a mentee's wants against the mentor's offers; ``mentees teach``: the
        reverse), ``person_id`` (the learner), ``partner_id``, ``wanted`` (distinct wants), ``covered`` (of those,
        offered by the partner), ``share`` (covered / wanted × 100), ``level`` (``full``, ``partial``, ``none``,
        ``no wants`` or ``unmatched``). A mentor with several mentees counts what any of them offers.

    Examples
    --------
    >>> import pandas as pd
    >>> from rmkit.pairing import pair_participants
    >>> people = pd.DataFrame({"person_id": ["m1", "e1"], "role": ["mentor", "mentee"],
    ...                        "offers": ["AI tools", "strategy"], "wants": ["finance", "AI tools; video"]})
    >>> want_coverage(pair_participants(people))[["direction", "person_id", "covered", "share", "level"]]
           direction person_id  covered  share    level
    0  mentors teach        e1        1   50.0  partial
    1  mentees teach        m1        0    0.0     none
    """
    p = result.problem
    index_m, index_e = p.terms
    partner_of_mentee = dict(zip(result.assignment.mentee.tolist(), result.assignment.mentor.tolist(), strict=True))
    mentees_of = {}
    for m, e in zip(result.assignment.mentor.tolist(), result.assignment.mentee.tolist(), strict=True):
        mentees_of.setdefault(m, []).append(e)
    rows = []
    for j, wants in enumerate(index_e.wants):
        m = partner_of_mentee.get(j)
        covered = sum(1 for k in wants if k in index_m.offers[m]) if m is not None else 0
        rows.append(_coverage_row("mentors teach", p.mentee_ids[j], p.mentor_ids[m] if m is not None else None, len(wants), covered))
    for i, wants in enumerate(index_m.wants):
        partners = mentees_of.get(i, [])
        offered = set().union(*(index_e.offers[e] for e in partners)) if partners else set()
        covered = sum(1 for k in wants if k in offered)
        partner = "; ".join(str(p.mentee_ids[e]) for e in partners) or None
        rows.append(_coverage_row("mentees teach", p.mentor_ids[i], partner, len(wants), covered))
    return pd.DataFrame(rows, columns=["direction", "person_id", "partner_id", "wanted", "covered", "share", "level"])


def _coverage_row(direction: str, person: str, partner: str | None, wanted: int, covered: int) -> dict[str, object]:
    if partner is None:
        level = "unmatched"
    elif wanted == 0:
        level = "no wants"
    elif covered == wanted:
        level = "full"
    elif covered:
        level = "partial"
    else:
        level = "none"
    share = 100.0 * covered / wanted if wanted and partner is not None else np.nan
    return {"direction": direction, "person_id": person, "partner_id": partner, "wanted": wanted, "covered": covered,
            "share": share, "level": level}


def coverage_summary(result: PairingResult) -> pd.DataFrame:
    """How many people of each direction are fully, partly or not covered (and unmatched or without wants).

    Returns
    -------
    pandas.DataFrame
        ``direction``, ``level`` (every level of :data:`COVERAGE_LEVELS`, zeros included), ``people``, ``percent``
        (of everyone of that direction).

    Examples
    --------
    >>> from rmkit.pairing import pair_participants
    >>> people = pd.DataFrame({"person_id": ["m1", "e1", "e2"], "role": ["mentor", "mentee", "mentee"],
    ...                        "offers": ["AI tools", "", ""], "wants": ["", "AI tools", "video"]})
    >>> table = coverage_summary(pair_participants(people))
    >>> table[(table["direction"] == "mentors teach") & (table["people"] > 0)]
           direction      level  people  percent
    0  mentors teach       full       1     50.0
    4  mentors teach  unmatched       1     50.0
    """
    table = want_coverage(result)
    rows = []
    for direction in DIRECTIONS:
        part = table[table["direction"] == direction]
        for level in COVERAGE_LEVELS:
            n = int((part["level"] == level).sum())
            rows.append({"direction": direction, "level": level, "people": n,
                         "percent": 100.0 * n / len(part) if len(part) else np.nan})
    return pd.DataFrame(rows)


def _display_names(lists: Sequence[list[str]]) -> dict[str, str]:
    """Comparison key → the spelling used most often (ties: the alphabetically first)."""
    spellings: dict[str, Counter[str]] = {}
    for terms in lists:
        for term in terms:
            key = normalize_term(term)
            if key:
                spellings.setdefault(key, Counter())[" ".join(str(term).split())] += 1
    return {key: sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] for key, c in spellings.items()}


def skill_supply_demand(participants: pd.DataFrame, pairs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Supply and demand of every skill, in both directions.

    Parameters
    ----------
    participants : pandas.DataFrame
        ``person_id``, ``role``, ``offers``, ``wants`` (and ``capacity``: a mentor with capacity 0 offers nothing
        this cycle). Not modified.
    pairs : pandas.DataFrame, optional
        ``mentor_id``, ``mentee_id`` (e.g. ``result.pairs``); fills ``covered``.

    Returns
    -------
    pandas.DataFrame
        ``direction`` (``mentors teach``: mentees want, mentors offer; ``mentees teach``: the reverse), ``skill``
        (the most used spelling), ``wanted_by`` (learners who want it), ``offered_by`` (available teachers who
        offer it), ``covered`` (learners who want it and whose partner offers it; empty without ``pairs``).
        Sorted by direction, then most wanted first.

    Examples
    --------
    >>> people = pd.DataFrame({"person_id": ["m1", "m2", "e1", "e2"], "role": ["mentor"] * 2 + ["mentee"] * 2,
    ...                        "offers": ["AI tools", "ai tools; video", "strategy", ""],
    ...                        "wants": ["strategy", "", "AI tools; blockchain", "AI Tools"]})
    >>> skill_supply_demand(people).query("direction == 'mentors teach'")
           direction      skill  wanted_by  offered_by  covered
    0  mentors teach   AI tools          2           2     <NA>
    1  mentors teach blockchain          1           0     <NA>
    2  mentors teach      video          0           1     <NA>
    """
    people = participants.copy()
    people["role"] = people["role"].map(lambda v: str(v).strip().casefold())
    people["person_id"] = people["person_id"].map(id_text)
    offers = as_term_lists(people["offers"]) if "offers" in people else pd.Series([[]] * len(people), index=people.index)
    wants = as_term_lists(people["wants"]) if "wants" in people else pd.Series([[]] * len(people), index=people.index)
    capacity = pd.to_numeric(people["capacity"], errors="coerce").fillna(1) if "capacity" in people else pd.Series(1, index=people.index)
    available = ~((people["role"] == "mentor") & (capacity <= 0))
    names = _display_names(list(offers) + list(wants))
    key_sets_offer = offers.map(lambda ts: {normalize_term(t) for t in ts} - {""})
    key_sets_want = wants.map(lambda ts: {normalize_term(t) for t in ts} - {""})
    partner_offers: dict[str, set[str]] = {}
    if pairs is not None:
        offer_by_id = dict(zip(people["person_id"], key_sets_offer, strict=True))
        for mentor, mentee in zip(pairs["mentor_id"].map(id_text), pairs["mentee_id"].map(id_text), strict=True):
            partner_offers.setdefault(mentee, set()).update(offer_by_id.get(mentor, set()))
            partner_offers.setdefault(mentor, set()).update(offer_by_id.get(mentee, set()))
    rows = []
    for direction, teacher, learner in (("mentors teach", "mentor", "mentee"), ("mentees teach", "mentee", "mentor")):
        is_teacher = ((people["role"] == teacher) & available).to_numpy()
        is_learner = (people["role"] == learner).to_numpy()
        supply = Counter(k for s in key_sets_offer[is_teacher] for k in s)
        demand = Counter(k for s in key_sets_want[is_learner] for k in s)
        covered = Counter()
        for pid, s in zip(people["person_id"][is_learner], key_sets_want[is_learner], strict=True):
            covered.update(s & partner_offers.get(pid, set()))
        for key in set(supply) | set(demand):
            rows.append({"direction": direction, "skill": names[key], "wanted_by": demand.get(key, 0),
                         "offered_by": supply.get(key, 0), "covered": covered.get(key, 0) if pairs is not None else pd.NA})
    out = pd.DataFrame(rows, columns=["direction", "skill", "wanted_by", "offered_by", "covered"])
    out["covered"] = out["covered"].astype("Int64")
    out["_d"] = out["direction"].map({d: k for k, d in enumerate(DIRECTIONS)})
    out["_k"] = out["skill"].str.casefold()
    out = out.sort_values(["_d", "wanted_by", "offered_by", "_k"], ascending=[True, False, False, True], kind="stable")
    return out.drop(columns=["_d", "_k"]).reset_index(drop=True)


def unmet_demand(participants: pd.DataFrame) -> pd.DataFrame:
    """Skills someone wants that nobody on the other side offers (rows of :func:`skill_supply_demand`).

    Examples
    --------
    >>> people = pd.DataFrame({"person_id": ["m1", "e1"], "role": ["mentor", "mentee"],
    ...                        "offers": ["AI tools", "strategy"], "wants": ["finance", "AI tools; blockchain"]})
    >>> unmet_demand(people)[["direction", "skill", "wanted_by"]].values.tolist()
    [['mentors teach', 'blockchain', 1], ['mentees teach', 'finance', 1]]
    """
    table = skill_supply_demand(participants)
    return table[(table["wanted_by"] > 0) & (table["offered_by"] == 0)].drop(columns="covered").reset_index(drop=True)


def pairs_below_threshold(result: PairingResult, threshold: float | None = None) -> pd.DataFrame:
    """Pairs scoring under ``threshold`` (default: ``pairing.threshold``), lowest first.

    Examples
    --------
    >>> from rmkit.cohort import load_cohort
    >>> from rmkit.resources import example_cohort_dir
    >>> from rmkit.pairing import propose_pairs
    >>> low = pairs_below_threshold(propose_pairs(load_cohort(example_cohort_dir())), 0.4)
    >>> bool((low["score"] < 0.4).all()), low["score"].is_monotonic_increasing
    (True, True)
    """
    limit = result.problem.config.threshold if threshold is None else float(threshold)
    pairs = result.pairs
    return pairs[pairs["score"] < limit].sort_values(["score", "mentor_id", "mentee_id"], kind="stable").reset_index(drop=True)


def compare_strategies(problem: PairingProblem | PairingResult, strategies: Sequence[str] = STRATEGIES) -> pd.DataFrame:
    """Solve the same problem with each strategy and compare them.

    Returns
    -------
    pandas.DataFrame
        One row per strategy: ``strategy``, ``matched``, ``total``, ``mean``, ``worst``, ``below_threshold``,
        ``unmatched`` (people without a partner).

    Examples
    --------
    >>> from rmkit.cohort import load_cohort
    >>> from rmkit.resources import example_cohort_dir
    >>> from rmkit.pairing import prepare_pairing
    >>> cohort = load_cohort(example_cohort_dir())
    >>> table = compare_strategies(prepare_pairing(cohort.participants, cohort.program, cohort.decisions))
    >>> table["strategy"].tolist(), bool(table.set_index("strategy").loc["optimal", "total"] >= table["total"].max())
    (['optimal', 'fair', 'stable'], True)
    """
    if isinstance(problem, PairingResult):
        problem = problem.problem
    rows = []
    for strategy in strategies:
        result = problem.solve(strategy)
        load = np.bincount(result.assignment.mentor, minlength=len(problem.mentor_ids))
        unmatched = int((load == 0).sum()) + len(problem.mentee_ids) - result.matched
        rows.append({"strategy": strategy, "matched": result.matched, "total": result.total, "mean": result.mean,
                     "worst": result.worst, "below_threshold": int((result.scores < problem.config.threshold).sum()),
                     "unmatched": unmatched})
    return pd.DataFrame(rows, columns=["strategy", "matched", "total", "mean", "worst", "below_threshold", "unmatched"])
