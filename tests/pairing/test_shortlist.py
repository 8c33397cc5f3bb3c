"""Shortlists against a plain reference: each mentee's top-N allowed mentors by score, rules and decisions computed
pair by pair (tests/helpers/pairing_cases.py), ties by mentor id."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rmkit.pairing import SHORTLIST_COLUMNS, prepare_pairing, shortlist, shortlist_gaps

from ..helpers.pairing_cases import cohorts, locks_contradict, reference_allowed


def _reference(cohort: dict, score: np.ndarray, n: int) -> list[tuple[str, int, str, float]]:
    ids_m, ids_e, allowed, capacity, locked = reference_allowed(cohort)
    rows = []
    for b, e in enumerate(ids_e):
        lock = [a for a in range(len(ids_m)) if locked[a, b]]
        if lock:
            rows.append((e, 1, ids_m[lock[0]], float(score[lock[0], b])))
            continue
        free = [a for a in range(len(ids_m)) if allowed[a, b] and capacity[a] - locked[a].sum() > 0]
        free.sort(key=lambda a: (-score[a, b], ids_m[a]))
        rows += [(e, k + 1, ids_m[a], float(score[a, b])) for k, a in enumerate(free[:n])]
    return rows


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cohorts(max_mentors=5, max_mentees=4), st.integers(1, 6))
def test_shortlist_is_the_top_n_allowed_by_score(cohort: dict, n: int) -> None:
    _, _, _, capacity, locked = reference_allowed(cohort)
    if locks_contradict(locked, capacity):
        return
    problem = prepare_pairing(cohort["participants"], cohort["config"], cohort["decisions"])
    table = shortlist(problem, n)
    assert tuple(table.columns) == SHORTLIST_COLUMNS
    got = list(table[["mentee_id", "rank", "mentor_id", "score"]].itertuples(index=False, name=None))
    assert got == _reference(cohort, problem.score, n)
    # a mentor appears once per mentee; ranks are 1..k; scores never rise with the rank
    for _, rows in table.groupby("mentee_id"):
        assert rows["rank"].tolist() == list(range(1, len(rows) + 1))
        assert rows["mentor_id"].is_unique
        assert (np.diff(rows["score"].to_numpy()) <= 0).all()
    gaps = shortlist_gaps(problem, table, n)
    counts = table.groupby("mentee_id").size()
    locked_mentees = {e for e, rank, *_ in got if table.loc[table["mentee_id"] == e, "reasons"].str.startswith("locked").any()}
    assert set(gaps["mentee_id"]) == {e for e in problem.mentee_ids if counts.get(e, 0) < n and e not in locked_mentees}


def _people() -> pd.DataFrame:
    return pd.DataFrame({
        "person_id": ["m1", "m2", "m3", "m4", "e1", "e2"],
        "role": ["mentor"] * 4 + ["mentee"] * 2,
        "name": ["Amira Q", "Paul R", "Noor S", "Ivo T", "Uma V", "Nikolai W"],
        "department": ["IT", "Sales", "HR", "Ops", "IT", "Legal"],
        "offers": ["AI tools", "AI tools; video", "video", "AI tools", "", ""],
        "wants": ["", "", "", "", "AI tools; video", "video"],
        "capacity": [1, 1, 1, 0, None, None],
    })


def test_rules_forbids_capacity_zero_and_locks() -> None:
    from rmkit.cohort.config import PairingConfig, PairingRules

    config = PairingConfig(rules=PairingRules(different_department=True))
    log = pd.DataFrame({"action": ["forbid", "lock"], "mentor_id": ["m3", "m1"], "mentee_id": ["e1", "e2"]})
    table = shortlist(prepare_pairing(_people(), config, log), 3)
    by_mentee = {e: rows["mentor_id"].tolist() for e, rows in table.groupby("mentee_id")}
    # e1: m1 same department (IT), m3 forbidden, m4 capacity 0, and m1 is full with its lock anyway → m2 only
    assert by_mentee["e1"] == ["m2"]
    # e2 is locked with m1: their shortlist is that mentor
    assert by_mentee["e2"] == ["m1"]
    assert table.loc[table["mentee_id"] == "e2", "reasons"].iloc[0].startswith("locked by the facilitator")


def test_reasons_name_nobody() -> None:
    table = shortlist(prepare_pairing(_people()), 2)
    text = " ".join(table["reasons"])
    for name in ("Amira", "Paul", "Noor", "Ivo", "Uma", "Nikolai"):
        assert name not in text
    assert "the mentor offers AI tools and video, which the mentee wants" in text


@pytest.mark.parametrize("n", [0, -1, 2.5, True])
def test_n_must_be_a_positive_whole_number(n: object) -> None:
    with pytest.raises(ValueError, match="n >= 1"):
        shortlist(prepare_pairing(_people()), n)  # type: ignore[arg-type]
