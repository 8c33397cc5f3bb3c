"""No table of a run gives away a suppressed result by arithmetic: within a breakdown (checked by brute force with
the linear-algebra checker of test_confidentiality), between nested tables (the change and the waves it comes
from), and in the objectives judged from the change."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rmkit.cohort import load_cohort
from rmkit.evaluation.groups import group_dimension
from rmkit.evaluation.metrics_table import evaluate

from .test_confidentiality import derivable_small_sets


@pytest.fixture(scope="module")
def evaluation(example_dir):
    return evaluate(load_cohort(example_dir))


def _blocks(table: pd.DataFrame, keys: list[str]):
    table = table.assign(_dimension=[group_dimension(g) for g in table["group"]])
    for key, block in table.groupby([*keys], dropna=False, sort=False):
        total = block[block["group"] == "all"]
        if total.empty:
            continue
        for dimension, parts in block.dropna(subset=["_dimension"]).groupby("_dimension"):
            yield key, dimension, int(total["n"].iloc[0]), parts


@pytest.mark.parametrize("name", ["metrics", "waves", "change"])
def test_no_breakdown_lets_a_small_set_of_people_be_totalled(evaluation, name: str) -> None:
    table = getattr(evaluation, name)
    keys = {"metrics": ["metric", "wave"], "waves": ["scale", "wave"], "change": ["scale"]}[name]
    k = evaluation.min_group_size
    checked = 0
    for key, dimension, total, parts in _blocks(table, keys):
        sizes = [int(n) for n in parts["n"]]
        shown = [not bool(s) for s in parts["suppressed"]]
        if total < k:
            continue
        leaks = derivable_small_sets(sizes, total - sum(sizes), shown, k)
        assert leaks == [], (name, key, dimension, sizes, shown)
        checked += 1
    assert checked > 10


def test_the_example_hides_departments_the_old_rule_left_recoverable(evaluation) -> None:
    """The issue's finding: with complementary suppression of one extra group, 16 aggregates of the example cohort
    could be totalled for fewer than min_group_size people. Each breakdown now hides at least k people together."""
    metrics = evaluation.metrics
    k = evaluation.min_group_size
    for (metric, wave), block in metrics.groupby(["metric", "wave"], dropna=False):
        departments = block[block["group"].str.startswith("department=")]
        hidden = departments.loc[departments["suppressed"], "n"].sum()
        total = block.loc[block["group"] == "all", "n"].dropna()
        if total.empty or departments.empty:
            continue
        rest = int(total.iloc[0]) - int(departments["n"].sum())
        assert hidden + rest == 0 or hidden + rest >= k, (metric, wave, departments[["group", "n", "suppressed"]])


def test_a_change_shown_never_differs_from_its_waves_by_a_few_people(evaluation) -> None:
    """The change is measured on the people at both waves; a wave value shown beside it over 1 to k - 1 more people
    would give those people's answers (wave value minus change). Such change rows are suppressed."""
    k = evaluation.min_group_size
    waves = evaluation.waves
    shown = evaluation.change[~evaluation.change["suppressed"]]
    assert len(shown) > 0
    for row in shown.itertuples():
        for wave in (row.first_wave, row.last_wave):
            match = waves[(waves["scale"] == row.scale) & (waves["group"] == row.group) & (waves["wave"] == wave)]
            gap = int(match["n"].iloc[0]) - int(row.n)
            assert gap == 0 or gap >= k, (row.scale, row.group, wave, gap)
    hidden = evaluation.change[evaluation.change["suppressed"]]
    assert hidden["mean_change"].isna().all() and hidden["mean_before"].isna().all()


def test_objectives_never_show_a_suppressed_change(evaluation) -> None:
    change = evaluation.change.set_index(["scale", "group"])
    for goal in evaluation.objectives.itertuples():
        if (goal.measure, goal.group) in change.index and change.loc[(goal.measure, goal.group), "suppressed"]:
            assert np.isnan(goal.estimate) and goal.met is pd.NA


def test_the_metrics_table_and_the_tables_shown_agree(evaluation) -> None:
    """One rule for every table of a run: what the change table hides, the metrics table hides too."""
    metrics = evaluation.metrics
    change = metrics[metrics["metric"].str.startswith("change:")].assign(scale=lambda f: f["metric"].str[7:])
    merged = change.merge(evaluation.change, on=["scale", "group"], suffixes=("_metrics", "_change"))
    assert len(merged) == len(evaluation.change)
    assert (merged["suppressed_metrics"] == merged["suppressed_change"]).all()
    waves = metrics[~metrics["metric"].str.contains(":")].rename(columns={"metric": "scale"})
    merged = waves.merge(evaluation.waves, on=["scale", "group", "wave"], suffixes=("_metrics", "_waves"))
    assert (merged["suppressed_metrics"] == merged["suppressed_waves"]).all()
