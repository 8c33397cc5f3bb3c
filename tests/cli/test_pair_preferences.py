"""A newcomer's cohort (``rmkit init`` and a few hand-typed rows) with stated preferences, levels, the reporting
chain and an earlier cycle, through ``rmkit validate`` and ``rmkit pair`` as a user runs them."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from ..conftest import file_hashes

PEOPLE = """person_id,role,name,department,level,offers,wants,manager_id,generation
m1,mentor,Uma Ray,IT,analyst,AI tools;video,strategy,,Gen Z
m2,mentor,Ola Berg,Sales,associate,social media,finance,e2,Gen Z
e1,mentee,Nikolai Petrov,Finance,director,strategy,AI tools,,Gen X
e2,mentee,Paul Smith,HR,vp,finance,social media;video,e1,Gen X
e3,mentee,Amira Test,Ops,manager,negotiation,video,,Millennial
"""
PREFERENCES = """person_id,ranks,rank
e1,m2,1
e1,m1,2
m1,e1,1
m2,e3,1
"""


def _newcomer(run_rmkit, tmp_path: Path, *, preferences: str | None, rules: str, extra: str = "") -> Path:
    cohort = tmp_path / "spring"
    done = run_rmkit("init", cohort)
    assert done.returncode == 0, done.stderr
    (cohort / "participants.csv").write_text(PEOPLE, encoding="utf-8")
    if preferences is not None:
        (cohort / "preferences.csv").write_text(preferences, encoding="utf-8")
    text = (cohort / "program.yaml").read_text(encoding="utf-8")
    text = re.sub(r"^  rules:.*\n(?:    .*\n)*", "  rules:\n" + rules, text, count=1, flags=re.MULTILINE)
    text = text.replace("strategy: optimal ", "strategy: stable  ", 1)
    text = text.replace("# levels: [analyst", "levels: [analyst", 1) + extra
    (cohort / "program.yaml").write_text(text, encoding="utf-8")
    return cohort


RULES = "    mentor_more_junior: true\n    no_reporting_chain: true\n"


def test_stable_pairs_follow_the_stated_ranks_and_say_so(run_rmkit, tmp_path: Path) -> None:
    cohort = _newcomer(run_rmkit, tmp_path, preferences=PREFERENCES, rules=RULES)
    before = file_hashes(cohort)
    done = run_rmkit("validate", cohort)
    assert done.returncode == 0, done.stdout + done.stderr
    # e1 ranks m2 first, but e2 (below e1) manages m2: e1 is above m2 in the chain
    assert "preferences.csv:2:ranks: warning: e1 ranks m2 (rank 1), but ruled out: e1 is above m2 in the reporting chain" in done.stdout
    out = tmp_path / "pairs.csv"
    done = run_rmkit("pair", cohort, "--out", out)
    assert done.returncode == 0, done.stderr
    pairs = pd.read_csv(out, dtype=str).set_index("mentee_id")
    assert pairs.loc["e1", "mentor_id"] == "m1" and pairs.loc["e3", "mentor_id"] == "m2"
    assert pairs.loc["e1", "reasons"].startswith("the mentee's 2nd choice; the mentor's 1st; ")
    assert pairs.loc["e3", "reasons"].startswith("not ranked by the mentee; the mentor's 1st; ")
    assert not any(name in out.read_text(encoding="utf-8") for name in ("Uma", "Nikolai", "Amira"))
    assert file_hashes(cohort) == before


def test_without_preferences_stable_stays_on_compatibility(run_rmkit, tmp_path: Path) -> None:
    cohort = _newcomer(run_rmkit, tmp_path, preferences=None, rules=RULES)
    out = tmp_path / "pairs.csv"
    done = run_rmkit("pair", cohort, "--out", out)
    assert done.returncode == 0, done.stderr
    pairs = pd.read_csv(out, dtype=str)
    assert not pairs["reasons"].str.contains("choice").any()
    levels = {"m1": 0, "m2": 1, "e1": 3, "e2": 4, "e3": 2}
    assert all(levels[m] < levels[e] for m, e in zip(pairs["mentor_id"], pairs["mentee_id"], strict=True))


@pytest.mark.parametrize("preferences, expected", [
    ("person_id,ranks,rank\ne1,m1,1\ne1,m2,1\n", "preferences.csv:3:rank: e1 gives rank 1 twice (rows 2, 3); each rank once per person"),
    ("person_id,ranks,rank\ne1,e2,1\n", "preferences.csv:2:ranks: e1 and e2 are both mentees; a person ranks people of the other role"),
    ("person_id,ranks,rank\ne1,m9,1\n", "preferences.csv:2:ranks: found 'm9'; it is not a person_id of participants.csv"),
    ("person_id,ranks,rank\ne1,m1,1.5\n", "preferences.csv:2:rank: "),
    ("person_id,ranks,rank\ne1,m1,0\n", "preferences.csv:2:rank: "),
    ("person_id,ranks,rank\ne1,m1,1\ne1,m1,2\n", "preferences.csv:3:"),
])
def test_bad_preferences_are_reported_at_file_row_column(run_rmkit, tmp_path: Path, preferences: str, expected: str) -> None:
    cohort = _newcomer(run_rmkit, tmp_path, preferences=preferences, rules=RULES)
    done = run_rmkit("validate", cohort)
    assert done.returncode == 2
    assert expected in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_levels_cycles_and_history_errors(run_rmkit, tmp_path: Path) -> None:
    cohort = _newcomer(run_rmkit, tmp_path, preferences=None, rules=RULES,
                       extra="\n# earlier cycles\n")
    text = (cohort / "program.yaml").read_text(encoding="utf-8")
    text = text.replace("  threshold: 0.3", "  history: [../autumn, old/pairs-2024.csv]\n  threshold: 0.3", 1)
    (cohort / "program.yaml").write_text(text, encoding="utf-8")
    people = PEOPLE.replace("e1,mentee,Nikolai Petrov,Finance,director,strategy,AI tools,,Gen X",
                            "e1,mentee,Nikolai Petrov,Finance,CEO,strategy,AI tools,e2,Gen X")
    (cohort / "participants.csv").write_text(people, encoding="utf-8")
    done = run_rmkit("validate", cohort)
    assert done.returncode == 2
    lines = done.stdout.splitlines()
    assert "participants.csv:4:level: found 'CEO'; allowed: a level of program.yaml (analyst, associate, manager, director, vp)" in lines
    assert "participants.csv:4:manager_id: the manager chain is a cycle: e1 → e2 → e1; someone in it must report elsewhere" in lines
    assert "participants.csv:5:manager_id: the manager chain is a cycle: e2 → e1 → e2; someone in it must report elsewhere" in lines
    assert any(line.startswith("program.yaml:pairing.history[0]: found '../autumn'; no such folder or file") for line in lines)
    assert any(line.startswith("program.yaml:pairing.history[1]: found 'old/pairs-2024.csv'") for line in lines)


def test_an_earlier_cycle_is_not_repeated_and_its_unmatched_come_first(run_rmkit, tmp_path: Path) -> None:
    earlier = tmp_path / "autumn"
    earlier.mkdir()
    (earlier / "participants.csv").write_text(PEOPLE, encoding="utf-8")
    (earlier / "pairs.csv").write_text("mentor_id,mentee_id\nm1,e1\nm2,e2\n", encoding="utf-8")
    cohort = _newcomer(run_rmkit, tmp_path, preferences=None, rules="    no_reporting_line: false\n")
    text = (cohort / "program.yaml").read_text(encoding="utf-8")
    (cohort / "program.yaml").write_text(text.replace("  threshold: 0.3", "  history: [../autumn]\n  threshold: 0.3", 1), encoding="utf-8")
    out = tmp_path / "pairs.csv"
    for strategy in ("optimal", "fair", "stable"):
        done = run_rmkit("pair", cohort, "--out", out, "--strategy", strategy)
        assert done.returncode == 0, done.stderr
        pairs = set(map(tuple, pd.read_csv(out, dtype=str)[["mentor_id", "mentee_id"]].values))
        assert not pairs & {("m1", "e1"), ("m2", "e2")}, strategy
        assert "e3" in {e for _, e in pairs}, strategy  # unmatched last time: paired first (2 mentors, 3 mentees)
    text = (cohort / "program.yaml").read_text(encoding="utf-8")
    (cohort / "program.yaml").write_text(text.replace("  history:", "  repeat_pairs: allow\n  history:", 1), encoding="utf-8")
    done = run_rmkit("pair", cohort, "--out", out, "--strategy", "optimal")
    assert done.returncode == 0, done.stderr
