"""The pairing board's robustness: fragile pairs first and flagged, the same shares as rmkit.pairing.pair_robustness
(the report's), recomputed after a decision; unticked, the board orders by score as before."""

from __future__ import annotations

from pathlib import Path

from rmkit.cohort import load_cohort
from rmkit.dashboards.pairing_board import PairingBoard
from rmkit.pairing import FRAGILE_BELOW, pair_robustness


def _visible_rows(board: PairingBoard) -> list:
    return [w for w in board._pair_rows if "rmkit-hidden" not in w._dom_classes]


def test_fragile_pairs_come_first_and_are_flagged(cohort_copy: Path) -> None:
    board = PairingBoard(load_cohort(cohort_copy), page_size=10)
    rows = board.visible()
    expected = pair_robustness(board.result).set_index(["mentor_id", "mentee_id"])["robustness"]
    assert rows.set_index(["mentor_id", "mentee_id"])["robustness"].equals(expected.reindex(rows.set_index(["mentor_id", "mentee_id"]).index))
    unlocked = rows[~rows["locked"]]
    fragile = unlocked["robustness"] < FRAGILE_BELOW
    assert fragile.any(), "the example cohort has fragile pairs"
    assert fragile.iloc[: int(fragile.sum())].all(), "fragile pairs are not first"
    assert unlocked["robustness"].iloc[: int(fragile.sum())].is_monotonic_increasing
    first_unlocked = _visible_rows(board)[int(rows["locked"].sum())]
    assert "fragile · " in first_unlocked.children[0].value

    board.set_fragile_first(False)
    plain = board.visible()
    assert "robustness" not in plain.columns
    assert plain[~plain["locked"]]["score"].is_monotonic_increasing
    assert "fragile" not in " ".join(w.children[0].value for w in _visible_rows(board))


def test_robustness_follows_the_decisions(cohort_copy: Path) -> None:
    board = PairingBoard(load_cohort(cohort_copy), page_size=10)
    before = board.robustness()
    pair = board.visible().query("not locked").iloc[0]
    board.lock(pair["mentor_id"], pair["mentee_id"])
    after = board.robustness().set_index(["mentor_id", "mentee_id"])["robustness"]
    assert after.loc[(pair["mentor_id"], pair["mentee_id"])] == 1.0  # a locked pair is in every solution
    assert before is not board.robustness()


def test_a_decision_is_drawn_before_its_robustness_is_computed(cohort_copy: Path, monkeypatch) -> None:
    """The 300 re-solves after a Lock come after the board already shows the lock (a click must answer at once);
    then the board is drawn again with the new figures."""
    import rmkit.dashboards.fragile_pairs as fragile

    board = PairingBoard(load_cohort(cohort_copy), page_size=10)
    pair = board.visible().query("not locked").iloc[0]
    mentor, mentee = pair["mentor_id"], pair["mentee_id"]
    seen = []

    def watched(result, **kwargs):
        row = next(w for w in _visible_rows(board) if f"rmkit-pair-{mentor}-{mentee}" in w._dom_classes)
        seen.append(row.children[1].children[0].description)  # what the Lock button said when the re-solves began
        return pair_robustness(result, **kwargs)

    monkeypatch.setattr(fragile, "pair_robustness", watched)
    board.lock(mentor, mentee)
    assert seen == ["Unlock"]
    after = board.visible().set_index(["mentor_id", "mentee_id"])["robustness"]
    assert after.loc[(mentor, mentee)] == 1.0  # drawn again with the new proposal's robustness
