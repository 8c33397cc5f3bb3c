"""Diagnostics: hand-counted supply and demand, coverage, distributions and the strategy comparison."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rmkit.cohort import load_cohort
from rmkit.pairing import pair_participants, prepare_pairing, propose_pairs
from rmkit.pairing.diagnostics import (
    compare_strategies,
    coverage_summary,
    pairs_below_threshold,
    score_distribution,
    score_summary,
    skill_supply_demand,
    unmet_demand,
    want_coverage,
)


@pytest.fixture
def people() -> pd.DataFrame:
    return pd.DataFrame({
        "person_id": ["m1", "m2", "m3", "e1", "e2", "e3"],
        "role": ["mentor"] * 3 + ["mentee"] * 3,
        "capacity": [1, 1, 0, None, None, None],
        "offers": ["AI tools; video", "ai tools", "blockchain", "strategy", "Strategy; finance", ""],
        "wants": ["strategy", "finance; negotiation", "", "AI tools; video", "AI Tools; podcasting", "blockchain"],
    })


def test_supply_and_demand_counted_by_hand(people: pd.DataFrame) -> None:
    table = skill_supply_demand(people).set_index(["direction", "skill"])
    # mentees want: AI tools (e1, e2), video (e1), podcasting (e2), blockchain (e3);
    # available mentors offer: AI tools (m1, m2), video (m1); m3 (capacity 0) offers blockchain but is not available
    assert table.loc[("mentors teach", "AI tools"), ["wanted_by", "offered_by"]].tolist() == [2, 2]
    assert table.loc[("mentors teach", "video"), ["wanted_by", "offered_by"]].tolist() == [1, 1]
    assert table.loc[("mentors teach", "podcasting"), ["wanted_by", "offered_by"]].tolist() == [1, 0]
    assert table.loc[("mentors teach", "blockchain"), ["wanted_by", "offered_by"]].tolist() == [1, 0]
    # mentors want: strategy (m1), finance (m2), negotiation (m2); mentees offer strategy (e1, e2), finance (e2)
    assert table.loc[("mentees teach", "strategy"), ["wanted_by", "offered_by"]].tolist() == [1, 2]
    assert table.loc[("mentees teach", "negotiation"), ["wanted_by", "offered_by"]].tolist() == [1, 0]
    assert table["covered"].isna().all()
    unmet = unmet_demand(people)
    assert sorted(map(tuple, unmet[["direction", "skill"]].values.tolist())) == [
        ("mentees teach", "negotiation"), ("mentors teach", "blockchain"), ("mentors teach", "podcasting")]


def test_coverage_counted_by_hand(people: pd.DataFrame) -> None:
    result = pair_participants(people)
    pairs = set(map(tuple, result.pairs[["mentor_id", "mentee_id"]].values.tolist()))
    # m3 has capacity 0, so e3 is unmatched; m1 (AI tools, video) covers e1 fully, m2 (AI tools) half of e2's wants
    assert pairs == {("m1", "e1"), ("m2", "e2")}
    coverage = want_coverage(result).set_index(["direction", "person_id"])
    assert coverage.loc[("mentors teach", "e1"), ["wanted", "covered", "share", "level"]].tolist() == [2, 2, 100.0, "full"]
    assert coverage.loc[("mentors teach", "e2"), ["covered", "share", "level"]].tolist() == [1, 50.0, "partial"]
    assert coverage.loc[("mentors teach", "e3"), "level"] == "unmatched"
    # m1 wants strategy, offered by e1: full; m2 wants finance and negotiation, e2 offers finance: partial
    assert coverage.loc[("mentees teach", "m1"), "level"] == "full"
    assert coverage.loc[("mentees teach", "m2"), "level"] == "partial"
    assert coverage.loc[("mentees teach", "m3"), "level"] == "unmatched"
    summary = coverage_summary(result).set_index(["direction", "level"])
    assert summary.loc[("mentors teach", "full"), "people"] == 1
    assert summary.loc[("mentors teach", "partial"), "percent"] == pytest.approx(100 / 3)
    assert summary.groupby("direction")["percent"].sum().tolist() == pytest.approx([100.0, 100.0])
    table = skill_supply_demand(people, result.pairs).set_index(["direction", "skill"])
    # AI tools is wanted by e1 and e2 and both partners offer it; video by e1 (covered); podcasting by nobody's partner
    assert table.loc[("mentors teach", "AI tools"), "covered"] == 2
    assert table.loc[("mentors teach", "podcasting"), "covered"] == 0


def test_score_distribution_and_threshold(people: pd.DataFrame) -> None:
    result = pair_participants(people)
    table = score_distribution(result, bins=5)
    assert table["low"].tolist() == pytest.approx([0, 0.2, 0.4, 0.6, 0.8])
    assert table["proposed"].sum() == result.matched
    assert table["allowed"].sum() == int(result.problem.constraints.allowed.sum())
    # a score of exactly 1.0 lands in the last bin
    perfect = prepare_pairing(pd.DataFrame({"person_id": ["m", "e"], "role": ["mentor", "mentee"], "offers": ["x", ""],
                                            "wants": ["", "x"]}), None).solve()
    assert perfect.total == 0.5 and score_distribution(perfect, bins=2)["proposed"].tolist() == [0, 1]
    below = pairs_below_threshold(result, 0.45)
    assert (below["score"] < 0.45).all() and len(below) == int((result.pairs["score"] < 0.45).sum())
    summary = score_summary(result).set_index("set")
    assert summary.loc["proposed", "n"] == result.matched
    assert summary.loc["proposed", "mean"] == pytest.approx(result.mean)


def test_compare_strategies_on_the_example(example_dir) -> None:
    cohort = load_cohort(example_dir)
    table = compare_strategies(propose_pairs(cohort)).set_index("strategy")
    assert list(table.index) == ["optimal", "fair", "stable"]
    # optimal has the highest total and fair the highest worst pair, among the three, by their definitions
    assert table.loc["optimal", "total"] >= table["total"].max() - 1e-9
    assert table.loc["fair", "worst"] >= table["worst"].max() - 1e-9
    assert table.loc["optimal", "matched"] == table.loc["fair", "matched"] >= table.loc["stable", "matched"]
    for strategy, row in table.iterrows():
        result = propose_pairs(cohort, strategy=strategy)
        assert row["total"] == pytest.approx(result.total) and row["unmatched"] == len(result.unmatched)
        assert np.isclose(row["mean"], result.total / result.matched)
