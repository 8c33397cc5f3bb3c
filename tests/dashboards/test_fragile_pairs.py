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
