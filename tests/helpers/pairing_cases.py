"""Helpers for the pairing tests: Hypothesis strategies for small cohorts and independent reference checks.

The references here are written plainly (loops, sets, exhaustive enumeration) and share no code with
``rmkit.pairing``, so that a test compares rmkit against a second, obviously correct computation.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import numpy as np
import pandas as pd
from hypothesis import strategies as st

from rmkit.cohort.config import PairingConfig, PairingRules, PairingWeights

# vocabularies whose words are not parts of each other nor of the fixed words of the explanations
SKILLS = ["alpha skill", "Alpha Skill ", "beta skill", "gamma skill", "delta skill"]
INTERESTS = ["chess", "Jazz", "jazz", "tennis", "origami"]
SLOTS = ["Mon AM", "mon am", "Tue PM", "Wed AM", "Thu PM"]
STYLES = [None, "introvert", "Introvert", "extrovert", "ambivert"]
DEPARTMENTS = [None, "Sales", "sales ", "IT", "HR"]
TIMEZONES = [np.nan, 0.0, 1.0, 5.5, -5.0]


def key(term: object) -> str:
    return " ".join(str(term).split()).casefold()


# --------------------------------------------------------------------------------------------- array problems


@st.composite
def array_problems(draw: st.DrawFn, max_mentors: int = 4, max_mentees: int = 5, locks: bool = True) -> dict[str, np.ndarray]:
    """A random matrix problem: scores on a coarse grid (so ties happen), an allowed mask, capacities 0–2, locks."""
    n_m = draw(st.integers(1, max_mentors))
    n_e = draw(st.integers(1, max_mentees))
    cells = n_m * n_e
    score = np.array(draw(st.lists(st.integers(0, 8), min_size=cells, max_size=cells)), dtype=float).reshape(n_m, n_e) / 8
    allowed = np.array(draw(st.lists(st.booleans(), min_size=cells, max_size=cells))).reshape(n_m, n_e)
    capacity = np.array(draw(st.lists(st.integers(0, 2), min_size=n_m, max_size=n_m)), dtype=np.int64)
    locked = np.zeros((n_m, n_e), dtype=bool)
    if locks:
        for j in range(n_e):
            choice = draw(st.one_of(st.none(), st.integers(0, n_m - 1)))
            if choice is not None and draw(st.integers(0, 3)) == 0 and locked[choice].sum() < capacity[choice]:
                locked[choice, j] = True
    return {"score": score, "allowed": allowed | locked, "capacity": capacity, "locked": locked}


def all_matchings(allowed: np.ndarray, capacity: np.ndarray, locked: np.ndarray) -> Iterator[list[tuple[int, int]]]:
    """Every valid pairing: locked pairs included, allowed pairs only, capacities respected, one mentor per mentee."""
    n_m, n_e = allowed.shape
    options = []
    for j in range(n_e):
        lock = [i for i in range(n_m) if locked[i, j]]
        options.append(lock if lock else [None] + [i for i in range(n_m) if allowed[i, j]])
    for choice in itertools.product(*options):
        load = [0] * n_m
        ok = True
        for i in choice:
            if i is not None:
                load[i] += 1
                if load[i] > capacity[i]:
                    ok = False
                    break
        if ok:
            yield [(i, j) for j, i in enumerate(choice) if i is not None]


def brute_best(problem: dict[str, np.ndarray], objective: str) -> tuple[float, ...]:
    """The best objective value over every valid pairing: ``optimal`` = (pairs, total);
    ``fair`` = (pairs, worst pair, total)."""
    score = problem["score"]
    best: tuple[float, ...] | None = None
    for pairs in all_matchings(problem["allowed"], problem["capacity"], problem["locked"]):
        values = [score[i, j] for i, j in pairs]
        total = round(float(sum(values)), 9)
        if objective == "optimal":
            value: tuple[float, ...] = (len(pairs), total)
        else:
            value = (len(pairs), round(min(values), 9) if values else 0.0, total)
        if best is None or value > best:
            best = value
    assert best is not None
    return best


def objective_of(score: np.ndarray, mentor: np.ndarray, mentee: np.ndarray, objective: str) -> tuple[float, ...]:
    values = score[mentor, mentee]
    total = round(float(values.sum()), 9)
    if objective == "optimal":
        return (len(values), total)
    return (len(values), round(float(values.min()), 9) if len(values) else 0.0, total)


def blocking_pairs(score: np.ndarray, allowed: np.ndarray, capacity: np.ndarray, locked: np.ndarray,
                   pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Pairs (i, j), both free to move, allowed, not together, where each strictly prefers the other."""
    n_m, n_e = score.shape
    partner = {j: i for i, j in pairs}
    mentees_of: dict[int, list[int]] = {i: [] for i in range(n_m)}
    for i, j in pairs:
        mentees_of[i].append(j)
    found = []
    for i in range(n_m):
        for j in range(n_e):
            if not allowed[i, j] or partner.get(j) == i or capacity[i] == 0:
                continue
            if j in partner and locked[partner[j], j]:
                continue  # a locked mentee cannot move
            mentee_prefers = j not in partner or score[i, j] > score[partner[j], j]
            unlocked = [e for e in mentees_of[i] if not locked[i, e]]
            mentor_prefers = len(mentees_of[i]) < capacity[i] or any(score[i, j] > score[i, e] for e in unlocked)
            if mentee_prefers and mentor_prefers:
                found.append((i, j))
    return found


# --------------------------------------------------------------------------------------------- cohorts


def term_lists(draw: st.DrawFn, pool: list[str], max_size: int = 3) -> list[str]:
    return draw(st.lists(st.sampled_from(pool), max_size=max_size))


@st.composite
def cohorts(draw: st.DrawFn, max_mentors: int = 4, max_mentees: int = 5, with_decisions: bool = True) -> dict[str, object]:
    """A small random cohort: participants, a pairing config and a decision log."""
    n_m = draw(st.integers(1, max_mentors))
    n_e = draw(st.integers(1, max_mentees))
    ids_m = [f"m{k}" for k in range(n_m)]
    ids_e = [f"e{k}" for k in range(n_e)]
    everyone = ids_m + ids_e
    rows = []
    for pid in everyone:
        mentor = pid.startswith("m")
        rows.append({
            "person_id": pid,
            "role": "mentor" if mentor else "mentee",
            "name": draw(st.sampled_from(["Amira Q", "Paul R", None, "Noor"])),
            "department": draw(st.sampled_from(DEPARTMENTS)),
            "timezone": draw(st.sampled_from(TIMEZONES)),
            "offers": term_lists(draw, SKILLS),
            "wants": term_lists(draw, SKILLS),
            "interests": term_lists(draw, INTERESTS),
            "availability": term_lists(draw, SLOTS),
            "work_style": draw(st.sampled_from(STYLES)),
            "capacity": draw(st.sampled_from([pd.NA, 0, 1, 1, 2])) if mentor else pd.NA,
            "manager_id": draw(st.one_of(st.none(), st.sampled_from([p for p in everyone if p != pid])))
            if draw(st.integers(0, 3)) == 0 else None,
        })
    participants = pd.DataFrame(rows)
    participants["capacity"] = participants["capacity"].astype("Int64")
    rules = PairingRules(
        different_department=draw(st.booleans()),
        no_reporting_line=draw(st.booleans()),
        max_timezone_gap=draw(st.sampled_from([None, 0.0, 1.0, 4.0])),
    )
    weights = draw(st.sampled_from([
        None,
        {"skill_gap": 1.0},
        {"skill_gap": 0.5, "reverse_gap": 0.2, "interests": 0.15, "work_style": 0.1, "availability": 0.05},
        {"interests": 1.0, "availability": 2.0, "work_style": 1.0},
    ]))
    config = PairingConfig(rules=rules, **({"weights": PairingWeights(**weights)} if weights else {}))
    decisions = []
    if with_decisions:
        for _ in range(draw(st.integers(0, 5))):
            decisions.append({"action": draw(st.sampled_from(["lock", "forbid", "unlock", "unforbid", "publish"])),
                              "mentor_id": draw(st.sampled_from(ids_m)), "mentee_id": draw(st.sampled_from(ids_e))})
    log = pd.DataFrame(decisions, columns=["action", "mentor_id", "mentee_id"])
    log.loc[log["action"] == "publish", ["mentor_id", "mentee_id"]] = None
    return {"participants": participants, "config": config, "decisions": log}


def replay_decisions(log: pd.DataFrame) -> dict[tuple[str, str], str]:
    """The standing decision per pair, replayed plainly: lock/forbid set it, unlock/unforbid clear their own kind."""
    state: dict[tuple[str, str], str] = {}
    for action, mentor, mentee in zip(log["action"], log["mentor_id"], log["mentee_id"], strict=True):
        if action == "publish":
            continue
        pair = (mentor, mentee)
        if action in ("lock", "forbid"):
            state[pair] = action
        elif state.get(pair) == action[2:]:
            del state[pair]
    return state


def rule_breaks(people: pd.DataFrame, config: PairingConfig, mentor: str, mentee: str) -> list[str]:
    """The rules a pair breaks, checked person by person (``people`` indexed by person_id)."""
    m = people.loc[mentor]
    e = people.loc[mentee]
    broken = []
    rules = config.rules
    if rules.different_department and not (pd.isna(m["department"]) or pd.isna(e["department"])) \
            and key(m["department"]) == key(e["department"]) and key(m["department"]):
        broken.append("different_department")
    if rules.no_reporting_line and (m["manager_id"] == mentee or e["manager_id"] == mentor):
        broken.append("no_reporting_line")
    if rules.max_timezone_gap is not None and not (pd.isna(m["timezone"]) or pd.isna(e["timezone"])) \
            and abs(m["timezone"] - e["timezone"]) > rules.max_timezone_gap:
        broken.append("max_timezone_gap")
    return broken


def capacity_of(people: pd.DataFrame) -> dict[str, int]:
    mentors = people[people["role"] == "mentor"]
    return {pid: (1 if pd.isna(c) else int(c)) for pid, c in zip(mentors["person_id"], mentors["capacity"], strict=True)}


def reference_allowed(cohort: dict[str, object]) -> tuple[list[str], list[str], np.ndarray, np.ndarray, np.ndarray]:
    """ids, the allowed mask, capacities and locks of a cohort, computed pair by pair."""
    people: pd.DataFrame = cohort["participants"]  # type: ignore[assignment]
    config: PairingConfig = cohort["config"]  # type: ignore[assignment]
    state = replay_decisions(cohort["decisions"])  # type: ignore[arg-type]
    ids_m = sorted(people.loc[people["role"] == "mentor", "person_id"])
    ids_e = sorted(people.loc[people["role"] == "mentee", "person_id"])
    allowed = np.zeros((len(ids_m), len(ids_e)), dtype=bool)
    locked = np.zeros_like(allowed)
    indexed = people.set_index("person_id")
    for a, m in enumerate(ids_m):
        for b, e in enumerate(ids_e):
            decision = state.get((m, e))
            locked[a, b] = decision == "lock"
            allowed[a, b] = decision == "lock" or (decision != "forbid" and not rule_breaks(indexed, config, m, e))
    capacity = np.array([capacity_of(people)[m] for m in ids_m], dtype=np.int64)
    return ids_m, ids_e, allowed, capacity, locked


def locks_contradict(locked: np.ndarray, capacity: np.ndarray) -> bool:
    return bool((locked.sum(axis=0) > 1).any() or (locked.sum(axis=1) > capacity).any())
