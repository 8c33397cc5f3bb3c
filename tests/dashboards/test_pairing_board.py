"""The pairing board: callbacks driven in Python (lock, forbid, swap, publish, strategy switch), then the real page
in Debian's Chromium under Voilà: a lock survives a reload, a forbidden pair is replaced, publishing writes the
files, two tabs deciding at once lose nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from rmkit.cohort import load_cohort, read_decisions
from rmkit.dashboards.pairing_board import PairingBoard
from rmkit.errors import InfeasibleError

from ..conftest import file_hashes
from ..helpers.browser import CHROMIUM_ARGS, PageWatch, assert_clean_page, require_chromium, served
from ..helpers.cohort_builder import set_cell, write_tiny_cohort


@pytest.fixture
def board(cohort_copy: Path) -> PairingBoard:
    return PairingBoard(load_cohort(cohort_copy), page_size=10)


def shown(board: PairingBoard) -> list:
    """The row widgets the facilitator sees (the board reuses a fixed pool of rows)."""
    return [w for w in board._rows.children if "rmkit-hidden" not in w._dom_classes]


def pair_of(board: PairingBoard, mentor_id: str) -> str | None:
    pairs = board.result.pairs.set_index("mentor_id")
    return pairs.loc[mentor_id, "mentee_id"] if mentor_id in pairs.index else None


def test_opens_with_the_proposal(board: PairingBoard) -> None:
    assert board._page_label.value == "page 1 of 4 · 39 pairs"
    assert len(shown(board)) == 10 and all("rmkit-pair" in w._dom_classes for w in shown(board))
    first = board.visible().iloc[0]
    assert bool(first["locked"])  # locked pairs first (the example locks one pair), then the lowest scores
    assert "Name" not in board.result.pairs_table().columns


def test_lock_is_logged_at_once_and_kept_when_resolving(board: PairingBoard, cohort_copy: Path) -> None:
    mentor, mentee = board.visible().iloc[3][["mentor_id", "mentee_id"]]
    row = board.lock(mentor, mentee)
    assert row["action"] == "lock"
    log = read_decisions(cohort_copy)
    assert log.iloc[-1][["action", "mentor_id", "mentee_id"]].tolist() == ["lock", mentor, mentee]
    for strategy in ("fair", "stable", "optimal"):
        board.set_strategy(strategy)
        assert pair_of(board, mentor) == mentee and board.result.strategy == strategy
    assert PairingBoard(load_cohort(cohort_copy)).result.pairs.set_index("mentor_id").loc[mentor, "locked"]  # a new tab sees it


def test_forbid_replaces_the_pair(board: PairingBoard) -> None:
    mentor, mentee = board.visible().iloc[5][["mentor_id", "mentee_id"]]
    board.forbid(mentor, mentee)
    assert pair_of(board, mentor) != mentee
    partner = board.result.pairs.set_index("mentee_id")["mentor_id"].get(mentee)
    assert partner != mentor
    assert partner is not None or mentee in set(board.result.unmatched["person_id"])
    board.unforbid(mentor, mentee)
    assert board.problem.constraints.allowed is not None


def test_swap_suggestion_applied(board: PairingBoard, cohort_copy: Path) -> None:
    target = board.visible()
    mentor, mentee = target[~target["locked"]].iloc[0][["mentor_id", "mentee_id"]]
    suggestions = board.suggest(mentor, mentee)
    assert suggestions and "Apply" in str([getattr(w, "children", ()) for w in board._swap_panel.children])
    best = suggestions[0]
    board.apply_swap(best)
    assert pair_of(board, mentor) != mentee
    for new_mentor, new_mentee, _ in best.add:
        assert board.result.pairs.set_index("mentee_id").loc[new_mentee, "mentor_id"] == new_mentor
    log = read_decisions(cohort_copy)
    assert log["note"].tolist()[-1 - len(best.add):] == ["swapped"] + ["from a swap"] * len(best.add)


def test_filters_and_unmatched(board: PairingBoard) -> None:
    department = next(d for d in board._department.options if d != "all")
    board.set_department(department)
    rows = board.visible()
    assert ((rows["mentor_id"].map(board.departments) == department) | (rows["mentee_id"].map(board.departments) == department)).all()
    board.set_department("all")
    board.set_below_only(True)
    assert board.visible()["below_threshold"].all()
    board.set_view("unmatched")
    assert set(board.visible()["person_id"]) == set(board.result.unmatched["person_id"])
    listed = [w for w in shown(board) if "rmkit-unmatched-list" in w._dom_classes]
    assert len(shown(board)) == 1 and listed
    assert all(pid in listed[0].value for pid in board.result.unmatched["person_id"])
    with pytest.raises(ValueError):
        board.set_strategy("greedy")


def test_publish_writes_pairs_with_history(board: PairingBoard, cohort_copy: Path) -> None:
    before = (cohort_copy / "pairs.csv").read_bytes()
    inputs = {k: v for k, v in file_hashes(cohort_copy).items() if k not in {"pairs.csv", "decisions.csv"}}
    publication = board.publish()
    published = pd.read_csv(cohort_copy / "pairs.csv", dtype={"mentor_id": str, "mentee_id": str})
    assert list(published.columns) == ["mentor_id", "mentee_id", "score", "locked", "reasons"]
    assert len(published) == board.result.matched
    assert publication.history_path is not None and publication.history_path.read_bytes() == before
    assert read_decisions(cohort_copy).iloc[-1]["action"] == "publish"
    names = load_cohort(cohort_copy).participants["name"]
    assert not any(n in (cohort_copy / "pairs.csv").read_text() for n in names)
    after = {k: v for k, v in file_hashes(cohort_copy).items() if k in inputs}
    assert after == inputs  # nothing else in the cohort folder changed


def test_row_buttons_act_on_the_pair_shown(board: PairingBoard, cohort_copy: Path) -> None:
    k = 4
    mentor, mentee = board._bound[k]
    board._pair_rows[k].children[1].children[0].click()  # Lock
    assert read_decisions(cohort_copy).iloc[-1][["action", "mentor_id", "mentee_id"]].tolist() == ["lock", mentor, mentee]
    row = next(w for w in shown(board) if f"rmkit-pair-{mentor}-{mentee}" in w._dom_classes)
    assert row.children[1].children[0].description == "Unlock" and row.children[1].children[2].disabled
    row.children[1].children[0].click()  # Unlock
    assert read_decisions(cohort_copy).iloc[-1]["action"] == "unlock"


def test_no_two_rows_ever_name_the_same_pair(board: PairingBoard) -> None:
    """The browser applies class updates one widget at a time, in the order the kernel sends them (the order they
    are made here): at no step may two rows carry the same pair's class, which is how a page (and its tests) finds a
    pair's row."""
    seen: list[list[str]] = []

    def check(_change=None) -> None:
        names = [c for w in board._pair_rows for c in w._dom_classes if c.startswith("rmkit-pair-")]
        seen.append(names)
        assert len(names) == len(set(names)), names

    for row in board._pair_rows:
        row.observe(check, names="_dom_classes")
    for k in (0, 3, 6):  # lock, forbid and unlock pairs that reshuffle the page
        mentor, mentee = board._bound[k]
        board.forbid(mentor, mentee) if k == 3 else board.lock(mentor, mentee)
    first = board.visible().iloc[0]
    if first["locked"]:
        board.unlock(first["mentor_id"], first["mentee_id"])
    board.set_strategy("fair")
    board.set_view("unmatched")
    board.set_view("pairs")
    assert seen, "no row was re-bound: the test exercised nothing"
    check()
    assert all(len([c for c in w._dom_classes if c.startswith("rmkit-pair-")]) == 1 for w in shown(board))


def test_a_contradictory_lock_is_shown_not_raised(board: PairingBoard) -> None:
    locked = board.result.pairs[board.result.pairs["locked"]].iloc[0]
    other = next(m for m in board.problem.mentors["person_id"] if m != locked["mentor_id"])
    click = board._button("Lock", lambda: board.lock(other, locked["mentee_id"]))
    click.click()
    assert "rmkit-error" in board._status.value and "is already locked with" in board._status.value


def test_two_tabs_cannot_lock_a_mentee_twice(cohort_copy: Path) -> None:
    """Each tab's lock is checked against the log as it is on disk, under the file lock: the second tab's lock of
    the same mentee with another mentor is refused, and nothing contradictory is written."""
    a, b = PairingBoard(load_cohort(cohort_copy)), PairingBoard(load_cohort(cohort_copy))
    free = a.result.pairs[~a.result.pairs["locked"]]
    mentee, mentor = free.iloc[0][["mentee_id", "mentor_id"]]
    other = free.iloc[1]["mentor_id"]
    a.lock(mentor, mentee)
    before = len(read_decisions(cohort_copy))
    with pytest.raises(InfeasibleError, match="is already locked with"):
        b.lock(other, mentee)
    assert len(read_decisions(cohort_copy)) == before
    b._button("Lock", lambda: b.lock(other, mentee)).click()  # on the page: said on the board, not raised
    assert "unlock that pair first" in b._status.value


def test_a_log_that_contradicts_itself_opens_and_can_be_undone(cohort_copy: Path) -> None:
    """decisions.csv edited by hand to lock one mentee with two mentors: the board still opens, says so, lists the
    locks under "decisions (undo)", refuses to publish, and pairs again once one lock is undone."""
    board = PairingBoard(load_cohort(cohort_copy))
    mentee = board.result.pairs.iloc[3]["mentee_id"]
    first, second = board.result.pairs["mentor_id"].iloc[[4, 5]]
    with open(cohort_copy / "decisions.csv", "a", encoding="utf-8") as log:
        log.write(f"2025-02-22T09:00:00Z,facilitator,lock,{first},{mentee},\n2025-02-22T09:01:00Z,facilitator,lock,{second},{mentee},\n")
    board = PairingBoard(load_cohort(cohort_copy), page_size=10)
    assert board.result is None and "No pairing is possible" in board._status.value
    assert "locked with 2 mentors" in board._status.value and board._publish.disabled
    board._publish.click()
    assert not (cohort_copy / "pairs.20250222T090000Z.csv").exists() and "nothing to publish" in board._status.value
    board.set_view("decisions")
    rows = {w.children[0].value: w for w in shown(board)}
    assert len(rows) == len(board.standing) and all(w.children[1].children[0].description in ("Unlock", "Unforbid") for w in rows.values())
    row = next(w for w in shown(board) if f"rmkit-pair-{second}-{mentee}" in w._dom_classes)
    assert "rmkit-hidden" in row.children[1].children[1]._dom_classes  # only the undo button in this view
    row.children[1].children[0].click()  # Unlock
    assert read_decisions(cohort_copy).iloc[-1][["action", "mentor_id", "mentee_id"]].tolist() == ["unlock", second, mentee]
    assert board.result is not None and pair_of(board, first) == mentee and not board._publish.disabled
    board.set_view("pairs")
    assert all("rmkit-hidden" not in w.children[1].children[1]._dom_classes for w in shown(board))


def test_rules_that_allow_no_pair_are_explained(tmp_path: Path) -> None:
    folder = write_tiny_cohort(tmp_path / "tiny", skip=("pairs", "decisions", "checkins"))
    for row in range(2, 8):
        set_cell(folder, "participants", row, "department", "Sales")  # every pair is in one department
    board = PairingBoard(load_cohort(folder))
    assert board.result is None and "same department rules out 9 of 9 pairs" in board._status.value
    assert board.visible().empty and "0 pairs" in board._page_label.value
    board.set_strategy("fair")  # still explained, not raised
    assert "No pairing is possible" in board._status.value


# --------------------------------------------------------------------------------------------- in the browser


@pytest.fixture(scope="module")
def served_cohort(tmp_path_factory: pytest.TempPathFactory, example_dir: Path):
    folder = tmp_path_factory.mktemp("browser") / example_dir.name
    shutil.copytree(example_dir, folder)
    with served("pairing", folder) as url:
        yield folder, url


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=require_chromium(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


NAME_FIELD = "input[aria-label^='Your name']"


def open_board(chromium, url: str, *, name: str | None = "Fran Facilitator"):
    """A new tab on the board, with ``name`` typed into "Your name" (every decision is refused without one)."""
    page = chromium.new_page(viewport={"width": 1400, "height": 2600})
    watch = PageWatch()
    watch.attach(page)
    page.goto(url, timeout=180_000)  # a loaded shared machine can take longer than the default 30 s
    page.wait_for_selector(".rmkit-board .rmkit-pair:not(.rmkit-hidden)", timeout=90_000)
    if name:
        page.fill(NAME_FIELD, name)
    return page, watch


def first_unlocked_pair(page) -> tuple[str, str]:
    for row in page.locator(".rmkit-pair:not(.rmkit-hidden)").all():
        if row.get_by_role("button", name="Lock", exact=True).count():
            cls = next(c for c in row.get_attribute("class").split() if c.startswith("rmkit-pair-"))
            _, _, mentor, mentee = cls.split("-")
            return mentor, mentee
    raise AssertionError("no unlocked pair on the page")


@pytest.mark.browser
def test_browser_lock_survives_a_reload(chromium, served_cohort) -> None:
    folder, url = served_cohort
    page, watch = open_board(chromium, url)
    assert_clean_page(page, watch)
    assert "Pairing board" in page.inner_text(".rmkit-board")
    mentor, mentee = first_unlocked_pair(page)
    page.locator(f".rmkit-pair-{mentor}-{mentee}").get_by_role("button", name="Lock", exact=True).click()
    page.locator(f".rmkit-pair-{mentor}-{mentee}").get_by_role("button", name="Unlock").wait_for(timeout=15_000)
    assert read_decisions(folder).iloc[-1][["action", "mentor_id", "mentee_id", "by"]].tolist() == ["lock", mentor, mentee, "Fran Facilitator"]
    page.reload(timeout=90_000)
    page.wait_for_selector(".rmkit-board .rmkit-pair:not(.rmkit-hidden)", timeout=90_000)
    row = page.locator(f".rmkit-pair-{mentor}-{mentee}")
    assert row.get_by_role("button", name="Unlock").count() == 1 and "locked" in row.inner_text()
    # the browser tab remembers who decides (sessionStorage), and the new kernel records it
    page.wait_for_function(f"document.querySelector({NAME_FIELD!r}).value === 'Fran Facilitator'", timeout=15_000)
    row.get_by_role("button", name="Unlock").click()
    row.get_by_role("button", name="Lock", exact=True).wait_for(timeout=15_000)
    assert read_decisions(folder).iloc[-1][["action", "by"]].tolist() == ["unlock", "Fran Facilitator"]
    page.close()


@pytest.mark.browser
def test_browser_forbid_replaces_the_pair(chromium, served_cohort) -> None:
    folder, url = served_cohort
    page, watch = open_board(chromium, url)
    mentor, mentee = first_unlocked_pair(page)
    page.locator(f".rmkit-pair-{mentor}-{mentee}").get_by_role("button", name="Forbid").click()
    page.wait_for_selector(f".rmkit-pair-{mentor}-{mentee}", state="detached", timeout=15_000)
    page.wait_for_function("document.querySelector('.rmkit-board').innerText.includes('forbid')")
    assert read_decisions(folder).iloc[-1][["action", "mentor_id", "mentee_id"]].tolist() == ["forbid", mentor, mentee]
    # the mentee now has another mentor or is listed as unmatched with a reason
    page.get_by_role("button", name="unmatched").click()
    page.wait_for_timeout(500)
    board = PairingBoard(load_cohort(folder))
    partner = board.result.pairs.set_index("mentee_id")["mentor_id"].get(mentee)
    assert partner != mentor
    assert partner is not None or mentee in page.inner_text(".rmkit-board")
    assert_clean_page(page, watch)
    page.close()


@pytest.mark.browser
def test_browser_two_tabs_lose_no_decision(chromium, served_cohort) -> None:
    folder, url = served_cohort
    (a, _), (b, _) = open_board(chromium, url), open_board(chromium, url)
    first, second = (first_unlocked_pair(p) for p in (a, b))
    if first == second:  # both tabs show the same page: take the next unlocked pair in the second tab
        rows = [r for r in b.locator(".rmkit-pair:not(.rmkit-hidden)").all() if r.get_by_role("button", name="Lock", exact=True).count()]
        cls = next(c for c in rows[1].get_attribute("class").split() if c.startswith("rmkit-pair-"))
        second = tuple(cls.split("-")[2:4])
    before = len(read_decisions(folder))
    # both clicks are dispatched before either board has answered, so the two kernels append at about the same time
    a.locator(f".rmkit-pair-{first[0]}-{first[1]}").get_by_role("button", name="Lock", exact=True).click(no_wait_after=True)
    b.locator(f".rmkit-pair-{second[0]}-{second[1]}").get_by_role("button", name="Lock", exact=True).click(no_wait_after=True)
    a.locator(f".rmkit-pair-{first[0]}-{first[1]}").get_by_role("button", name="Unlock").wait_for(timeout=15_000)
    b.locator(f".rmkit-pair-{second[0]}-{second[1]}").get_by_role("button", name="Unlock").wait_for(timeout=15_000)
    log = read_decisions(folder)
    assert len(log) == before + 2
    locks = {tuple(x) for x in log.iloc[-2:][["mentor_id", "mentee_id"]].to_numpy().tolist()}
    assert locks == {first, second}
    a.reload(timeout=90_000)
    a.wait_for_selector(".rmkit-board .rmkit-pair:not(.rmkit-hidden)", timeout=90_000)
    for mentor, mentee in (first, second):  # tab a now shows tab b's lock as well
        assert a.locator(f".rmkit-pair-{mentor}-{mentee}").get_by_role("button", name="Unlock").count() == 1
    a.close()
    b.close()


@pytest.mark.browser
def test_browser_publish(chromium, served_cohort) -> None:
    folder, url = served_cohort
    page, watch = open_board(chromium, url)
    before = file_hashes(folder)
    page.get_by_role("button", name="Publish pairs").click()
    confirm = page.get_by_role("button", name="Confirm: publish")
    confirm.wait_for(timeout=15_000)
    assert "39 published pairs" in page.inner_text(".rmkit-publish-review") and file_hashes(folder) == before  # not yet
    page.screenshot(path=str(folder.parent / "publish-review.png"), full_page=True)
    confirm.click()
    # the status line, not the confirmation panel (which says "published pairs" too)
    page.wait_for_function("document.querySelector('.rmkit-board').innerText.includes('pairs to pairs.csv')", timeout=15_000)
    assert read_decisions(folder).iloc[-1]["action"] == "publish"
    assert list(folder.glob("pairs.2*.csv")), "the earlier pairs.csv is kept"
    published = pd.read_csv(folder / "pairs.csv")
    assert len(published) >= 38 and list(published.columns) == ["mentor_id", "mentee_id", "score", "locked", "reasons"]
    assert_clean_page(page, watch)
    page.close()


def test_a_decision_needs_a_name_and_records_the_note(cohort_copy: Path) -> None:
    """Before, every decision was recorded as 'facilitator'. The phase notebook opens the board with no name."""
    board = PairingBoard(load_cohort(cohort_copy), by="")
    before = file_hashes(cohort_copy)
    mentor, mentee = board.visible().iloc[3][["mentor_id", "mentee_id"]]
    from rmkit.errors import UsageError

    with pytest.raises(UsageError, match="type your name"):
        board.lock(mentor, mentee)
    with pytest.raises(UsageError, match="type your name"):
        board.review_publish()
    assert file_hashes(cohort_copy) == before
    board._by.value = "  Ana\u0000 Example "
    board._note.value = "they asked to work together"
    board.lock(mentor, mentee)
    last = read_decisions(cohort_copy).iloc[-1]
    assert [last["by"], last["note"]] == ["Ana Example", "they asked to work together"]
    assert board._note.value == ""  # a note belongs to one decision


def test_publish_asks_for_confirmation_with_what_changes(cohort_copy: Path) -> None:
    """Before, one click on Publish pairs replaced the running pairs with no summary. The published pairs are the
    proposal; a forbid makes the proposal differ from them."""
    board = PairingBoard(load_cohort(cohort_copy), by="Ana")
    mentor, mentee = board.visible().iloc[4][["mentor_id", "mentee_id"]]
    board.forbid(mentor, mentee)
    before = file_hashes(cohort_copy)
    changes = board.review_publish()
    assert file_hashes(cohort_copy) == before  # nothing written until confirmed
    assert (mentor, mentee) in {tuple(r) for r in changes.ended.to_numpy().tolist()}
    review = board._review.children[0].value
    assert board.names[mentor] in review and "running pairs that end" in review and "new pairs" in review
    board._cancel_publish()
    assert board._review.children == () and file_hashes(cohort_copy) == before
    board.review_publish()
    confirm = board._review.children[1].children[0]
    assert confirm.description.startswith("Confirm: publish")
    confirm.click()
    assert read_decisions(cohort_copy).iloc[-1][["action", "by"]].tolist() == ["publish", "Ana"]
    assert board.review_publish().unchanged


def test_each_sides_rank_is_shown_when_preferences_exist(cohort_copy: Path) -> None:
    """Issue 17, item 7: with preferences.csv each row says the rank each side gave the other ("not ranked" where
    absent); without it, no rank is shown. Expected words come from the file written here, row by row."""
    before = PairingBoard(load_cohort(cohort_copy), page_size=10)
    assert not any("rmkit-ranks" in w.children[0].value for w in shown(before))
    proposed = [tuple(p) for p in before.result.pairs[["mentor_id", "mentee_id"]].head(6).to_numpy()]
    # the first three mentees rank their proposed mentor first; the next three rank theirs second; mentors rank nobody
    rows = [f"{e},{m},{1 if k < 3 else 2}" for k, (m, e) in enumerate(proposed)]
    others = sorted(set(before.result.pairs["mentor_id"]) - {m for m, _ in proposed})
    rows += [f"{e},{others[k]},1" for k, (m, e) in enumerate(proposed) if k >= 3]
    (cohort_copy / "preferences.csv").write_text("person_id,ranks,rank\n" + "\n".join(rows) + "\n", encoding="utf-8")
    stated = {(m, e): int(r) for e, m, r in (row.split(",") for row in rows)}
    board = PairingBoard(load_cohort(cohort_copy), page_size=len(before.result.pairs))
    first = {pid: str(name).split(" ")[0] for pid, name in board.names.items()}
    checked = 0
    for widget in shown(board):
        html = widget.children[0].value
        pair = next(((m, e) for m, e in board.result.pairs[["mentor_id", "mentee_id"]].to_numpy()
                     if f"<b>{board.names[m]}</b> → <b>{board.names[e]}</b>" in html), None)
        if pair is None:
            continue
        m, e = pair
        rank = stated.get((m, e))
        ordinal = {1: "1st", 2: "2nd"}.get(rank)
        expected = f"{first[e]} ranks {first[m]} {ordinal}" if rank else f"{first[e]}: {first[m]} not ranked"
        assert expected in html and f"{first[m]}: {first[e]} not ranked" in html, (pair, html)
        checked += rank is not None
    assert checked >= 1
