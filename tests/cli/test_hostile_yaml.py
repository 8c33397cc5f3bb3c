"""Hostile YAML in a cohort is refused fast, with a located message; no message ever shows an unbounded value."""

from __future__ import annotations

from pathlib import Path

import pytest

from rmkit.cohort.config import parse_program
from rmkit.cohort.safe_yaml import MAX_ALIAS_VALUES, load_yaml

from ..helpers.cohort_builder import write_tiny_cohort


def alias_bomb(levels: int, width: int = 9) -> str:
    """The "billion laughs" of YAML: each level's list names the previous level ``width`` times."""
    lines = [f"a0: &a0 [{', '.join(['lol'] * width)}]"]
    lines += [f"a{k}: &a{k} [{', '.join([f'*a{k - 1}'] * width)}]" for k in range(1, levels)]
    return "\n".join(lines) + f"\nmin_group_size: *a{levels - 1}\n"


def test_a_ten_level_alias_bomb_is_refused_with_exit_2(run_rmkit, tmp_path: Path) -> None:
    """9**10 values once expanded; refused while composing, at the alias that crosses the bound. The timeout is a
    hang guard only (the bomb used to run for minutes), not a speed claim."""
    folder = write_tiny_cohort(tmp_path / "tiny")
    (folder / "program.yaml").write_text(alias_bomb(10), encoding="utf-8")
    result = run_rmkit("validate", folder, timeout=60)
    assert result.returncode == 2, result.stderr
    output = result.stdout + result.stderr
    line = next(s for s in output.splitlines() if s.startswith("program.yaml:"))
    assert line.startswith("program.yaml:4:"), line  # the first alias of level 3 passes 5,000 values
    assert f"aliases (*name) expand this file to more than {MAX_ALIAS_VALUES:,} values" in line
    assert "Traceback" not in output and len(output) < 2_000


def test_an_alias_bomb_in_the_instrument_is_refused(run_rmkit, tmp_path: Path) -> None:
    folder = write_tiny_cohort(tmp_path / "tiny")
    (folder / "tiny.yaml").write_text("id: tiny\nresponse_scale: {min: 1, max: 5}\n" + alias_bomb(8).replace(
        "min_group_size", "scales"), encoding="utf-8")
    result = run_rmkit("validate", folder, timeout=60)
    assert result.returncode == 2
    output = (result.stdout + result.stderr).splitlines()
    assert any(s.startswith("tiny.yaml:") and "aliases (*name) expand" in s for s in output), output


def test_ordinary_aliases_and_merge_keys_still_work() -> None:
    text = "labels: &five [a, b, c, d, e]\nscales:\n  - {id: x, labels: *five}\nbase: &b {x: 1}\nmore: {<<: *b, y: 2}\n"
    data, problems = load_yaml(text, "instrument.yaml")
    assert problems == [] and data["scales"][0]["labels"] == ["a", "b", "c", "d", "e"] and data["more"] == {"x": 1, "y": 2}


def test_a_cyclic_alias_is_refused_where_it_is() -> None:
    data, problems = load_yaml("waves: &w [baseline, *w]\n", "program.yaml")
    assert data is None and [str(p) for p in problems] == [
        "program.yaml:1:22: not valid YAML: the alias *w is used inside the value it names (a cycle)"]


@pytest.mark.parametrize("yaml_value", ["'" + "x" * 100_000 + "'", "[" + ", ".join(["7"] * 20_000) + "]"])
def test_messages_never_show_an_unbounded_value(yaml_value: str) -> None:
    """A 100,000-character string or a 20,000-element list where a strategy belongs: the message stays short."""
    _, problems = parse_program(f"pairing: {{strategy: {yaml_value}}}\nmin_group_size: {yaml_value}\n")
    assert problems, "expected the values to be refused"
    assert all(len(str(p)) < 300 for p in problems), [len(str(p)) for p in problems]
    assert any(str(p).startswith("program.yaml:pairing.strategy: found ") for p in problems)


def test_a_long_csv_cell_is_shown_cut(run_rmkit, tmp_path: Path) -> None:
    from ..helpers.cohort_builder import set_cell

    folder = write_tiny_cohort(tmp_path / "tiny")
    set_cell(folder, "participants", 2, "role", "=HYPERLINK(" + "A" * 50_000 + ")")
    result = run_rmkit("validate", folder)
    assert result.returncode == 2
    line = next(s for s in (result.stdout + result.stderr).splitlines() if s.startswith("participants.csv:2:role"))
    assert len(line) < 300, len(line)
