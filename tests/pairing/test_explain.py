"""Explanations: reasons mention exactly the true overlaps; every unmatched person gets the right reason."""

from __future__ import annotations

import re

import pandas as pd
from hypothesis import given, settings

from rmkit.cohort.config import PairingConfig, PairingRules
from rmkit.errors import InfeasibleError
from rmkit.pairing import pair_participants, prepare_pairing

from ..helpers.pairing_cases import cohorts, key, reference_allowed


def _terms(cell: object) -> set[str]:
    return {key(t) for t in (cell if isinstance(cell, list) else []) if key(t)}


def _items(text: str) -> set[str]:
    """'a, b and c' -> {'a', 'b', 'c'} (comparison keys)."""
    return {key(t) for t in re.split(r", | and ", text) if t}


def _parse(reasons: str, mentor: str = "the mentor", mentee: str = "the mentee") -> dict[str, object]:
    found: dict[str, object] = {"mentor_teaches": set(), "mentee_teaches": set(), "interests": set(), "style": None, "slots": set()}
    for part in reasons.split("; "):
        if m := re.fullmatch(rf"{mentor} offers (.+), which {mentee} wants", part):
            found["mentor_teaches"] = _items(m.group(1))
        elif m := re.fullmatch(rf"{mentee} offers (.+), which {mentor} wants", part):
            found["mentee_teaches"] = _items(m.group(1))
        elif m := re.fullmatch(r"both care about (.+)", part):
            found["interests"] = _items(m.group(1))
        elif m := re.fullmatch(r"both (introverts|extroverts|ambiverts)", part):
            found["style"] = ("same", m.group(1)[:-1])
        elif m := re.fullmatch(r"compatible work styles \((\w+) and (\w+)\)", part):
            found["style"] = ("partial", m.group(1), m.group(2))
        elif m := re.fullmatch(r"(\d+) shared time slots? \((.+)\)", part):
            found["slots"] = {key(s) for s in m.group(2).split(", ")}
            assert int(m.group(1)) == len(found["slots"])
        elif part.startswith("locked by the facilitator") or part == "no shared skills, interests, work style or time slots":
            continue
        else:
            raise AssertionError(f"unexpected phrase {part!r} in {reasons!r}")
    return found


@settings(max_examples=60, deadline=None)
@given(cohorts())
def test_reasons_mention_exactly_the_true_overlaps(cohort: dict) -> None:
    try:
        result = prepare_pairing(cohort["participants"], cohort["config"], cohort["decisions"]).solve()
    except InfeasibleError:
        return
    people = cohort["participants"].set_index("person_id")
    for pair in result.pairs.itertuples():
        m, e = people.loc[pair.mentor_id], people.loc[pair.mentee_id]
        said = _parse(pair.reasons)
        assert said["mentor_teaches"] == _terms(m["offers"]) & _terms(e["wants"])
        assert said["mentee_teaches"] == _terms(e["offers"]) & _terms(m["wants"])
        assert said["interests"] == _terms(m["interests"]) & _terms(e["interests"])
        assert said["slots"] == _terms(m["availability"]) & _terms(e["availability"])
        sm = "" if pd.isna(m["work_style"]) else key(m["work_style"])
        se = "" if pd.isna(e["work_style"]) else key(e["work_style"])
        if sm and sm == se:
            assert said["style"] == ("same", sm)
        elif sm and se and "ambivert" in (sm, se):
            assert said["style"] == ("partial", sm, se)
        else:
            assert said["style"] is None
        assert pair.reasons.startswith("locked by the facilitator") == pair.locked
        # the component columns agree with what is said
        assert (pair.skill_gap > 0) == bool(said["mentor_teaches"])
        assert (pair.interests > 0) == bool(said["interests"])


def test_reasons_with_first_names_stay_off_the_exported_table() -> None:
    people = pd.DataFrame({
        "person_id": ["p1", "p2"], "role": ["mentor", "mentee"], "name": ["Amira Testfield", "Paul Sampleton"],
        "email": ["amira@example.org", "paul@example.org"],
        "offers": [["social media", "AI tools"], ["strategy"]], "wants": [["strategy"], ["AI tools", "social media"]],
        "interests": [["sustainability"], ["Sustainability"]], "work_style": ["introvert", "introvert"],
        "availability": [["Mon AM", "Tue PM", "Thu AM"], ["Mon AM", "Tue PM", "Thu AM", "Fri PM"]],
    })
    result = pair_participants(people)
    named = result.named_pairs()
    # the wording of the design, with the mentee's order of wants
    assert named.loc[0, "reasons"] == ("Amira offers AI tools and social media, which Paul wants; Paul offers strategy, which "
                                       "Amira wants; both care about sustainability; both introverts; 3 shared time slots "
                                       "(Mon AM, Tue PM, Thu AM)")
    assert named.loc[0, "mentor_name"] == "Amira Testfield"
    exported = result.pairs_table()
    text = exported.to_csv(index=False)
    for secret in ("Amira", "Paul", "Testfield", "example.org"):
        assert secret not in text
    assert exported.loc[0, "reasons"].startswith("the mentor offers AI tools and social media, which the mentee wants")


def _people(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["person_id", "role", "department", "capacity", "offers", "wants"])


def test_unmatched_reasons_name_the_cause() -> None:
    people = _people([
        ("m1", "mentor", "IT", 1, "AI tools", ""),
        ("m2", "mentor", "HR", 0, "AI tools", ""),       # capacity 0
        ("e1", "mentee", "Sales", None, "", "AI tools"),  # pairs with m1
        ("e2", "mentee", "IT", None, "", "AI tools"),     # only m1 has a place, and m1 is in IT: rules
        ("e3", "mentee", "Sales", None, "", "AI tools"),  # m1 forbidden by the facilitator
        ("e4", "mentee", "Sales", None, "", "video"),     # m1 is taken: lower total
    ])
    config = PairingConfig(rules=PairingRules(different_department=True))
    log = pd.DataFrame({"action": ["forbid"], "mentor_id": ["m1"], "mentee_id": ["e3"]})
    result = prepare_pairing(people, config, log).solve("optimal")
    assert result.pairs[["mentor_id", "mentee_id"]].values.tolist() == [["m1", "e1"]]
    why = result.unmatched.set_index("person_id")
    assert why.loc["m2", "code"] == "capacity_zero"
    assert why.loc["e2", "code"] == "no_allowed_partner" and why.loc["e2", "reason"] == "no mentor is allowed under the rules (same department: 1)"
    assert why.loc["e3", "code"] == "forbidden_by_facilitator"
    assert why.loc["e3", "reason"] == "the facilitator forbade every mentor the rules allow (1 forbid)"
    # m1–e1 scores 0.5 (skill_gap 1 × weight 0.5), m1–e4 scores 0: swapping loses 0.5, computed by hand
    assert why.loc["e4", "code"] == "lower_total"
    assert why.loc["e4", "reason"] == "all 1 allowed mentor is taken (m1); the best swap (m1 instead of e1) would lower the total by 0.500"


def test_stable_and_locked_and_fair_reasons() -> None:
    people = _people([
        ("m1", "mentor", None, 1, "AI tools", ""),
        ("m2", "mentor", None, 1, "video", ""),
        ("e1", "mentee", None, None, "", "AI tools"),
        ("e2", "mentee", None, None, "", "video"),
        ("e3", "mentee", None, None, "", "video; AI tools"),
    ])
    stable = pair_participants(people, strategy="stable")
    assert set(stable.unmatched["code"]) == {"partners_taken"}
    assert stable.unmatched["reason"].str.endswith("by mentees they score at least as well with").all()
    log = pd.DataFrame({"action": ["lock", "lock"], "mentor_id": ["m1", "m2"], "mentee_id": ["e1", "e2"]})
    locked = prepare_pairing(people, None, log).solve()
    assert locked.unmatched.values.tolist() == [
        ["e3", "mentee", "partners_taken", "all 2 allowed mentors are taken (m1, m2) by locked pairs"]]
    # by hand: m1–e1 and m2–e2 score 1 × 0.5 = 0.5; e3 with either mentor 0.5 × 0.5 = 0.25 (half its wants),
    # which is below the worst pair 0.5
    fair = pair_participants(people, strategy="fair")
    assert fair.unmatched.loc[0, "code"] == "lower_worst"
    assert "scoring 0.250, below the worst pair (0.500)" in fair.unmatched.loc[0, "reason"]


def test_every_unmatched_person_has_a_known_code() -> None:
    from rmkit.cohort import load_cohort
    from rmkit.resources import example_cohort_dir

    cohort = load_cohort(example_cohort_dir())
    for strategy in ("optimal", "fair", "stable"):
        from rmkit.pairing import propose_pairs

        result = propose_pairs(cohort, strategy=strategy)
        assert set(result.unmatched["code"]) <= {"capacity_zero", "no_allowed_partner", "forbidden_by_facilitator",
                                                 "partners_taken", "lower_total", "lower_worst"}
        # p40 has capacity 0 in the bundled example (rmkit.cohort.synthetic sets the last mentor to 0)
        assert result.unmatched.set_index("person_id").loc["p40", "code"] == "capacity_zero"


def test_unmatched_people_have_no_free_allowed_partner() -> None:
    """Whatever the reason, an unmatched person never has an allowed partner with room (else the pairing
    could simply grow), checked on a random cohort from rmkit.cohort.synthetic against the rules pair by pair."""
    from rmkit.cohort.synthetic import generate_cohort

    people = generate_cohort(n_mentors=16, n_mentees=24, seed=3, with_pairs=False).tables["participants"]
    config = PairingConfig(rules=PairingRules(different_department=True, max_timezone_gap=1))
    cohort = {"participants": people, "config": config, "decisions": pd.DataFrame(columns=["action", "mentor_id", "mentee_id"])}
    ids_m, ids_e, allowed, capacity, _ = reference_allowed(cohort)
    problem = prepare_pairing(people, config)
    for strategy in ("optimal", "fair", "stable"):
        result = problem.solve(strategy)
        load = result.pairs["mentor_id"].value_counts()
        room = {m for k, m in enumerate(ids_m) if load.get(m, 0) < capacity[k]}
        unmatched = result.unmatched.loc[result.unmatched["role"] == "mentee", "person_id"]
        assert len(unmatched) > 0, "the cohort should leave someone out (more mentees than places)"
        for e in unmatched:
            assert not any(allowed[ids_m.index(m), ids_e.index(e)] for m in room), (strategy, e)
