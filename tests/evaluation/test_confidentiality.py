"""Suppression of small groups (rmkit.evaluation.confidentiality). Expected rows are worked out by hand from the rules in
shared/DESIGN.md ("a row whose n is under min_group_size keeps its n, leaves value, ci_low and ci_high empty") and
shared/DOMAIN.md (hide the next-smallest group so that a suppressed one cannot be recovered by subtraction)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rmkit.evaluation.confidentiality import suppress


def table(groups: list[str], ns: list[int | None], *, metric: str = "m", wave: str | None = "w") -> pd.DataFrame:
    return pd.DataFrame({
        "metric": metric, "group": groups, "wave": wave, "n": pd.array(ns, dtype="Int64"),
        "value": np.arange(len(groups), dtype=float) + 1, "ci_low": 0.5, "ci_high": 9.5,
    })


def test_primary_suppression_keeps_n():
    out = suppress(table(["all", "department=Legal"], [40, 3]), 5)
    legal = out.iloc[1]
    assert legal.n == 3 and legal.suppressed
    assert np.isnan(legal.value) and np.isnan(legal.ci_low) and np.isnan(legal.ci_high)
    assert not out.iloc[0].suppressed and out.iloc[0].value == 1


def test_at_the_threshold_is_shown():
    out = suppress(table(["all", "role=mentor", "role=mentee"], [10, 5, 5]), 5)
    assert not out.suppressed.any()


def test_complementary_hides_the_next_smallest_of_the_same_breakdown():
    # departments 3 (suppressed), 6, 9, 22: Legal alone hidden would be total - others; so hide the 6 as well.
    # the role breakdown of the same metric and wave is another breakdown: untouched.
    groups = ["all", "role=mentor", "role=mentee", "department=Legal", "department=HR", "department=IT", "department=Sales"]
    out = suppress(table(groups, [40, 20, 20, 3, 6, 9, 22]), 5, explain=True).set_index("group")
    assert list(out.index[out.suppressed]) == ["department=Legal", "department=HR"]
    assert out.loc["department=Legal", "suppression"] == "small group"
    assert out.loc["department=HR", "suppression"] == "complementary"
    assert out.loc["department=HR", "n"] == 6


def test_two_suppressed_groups_need_nothing_more():
    out = suppress(table(["all", "department=A", "department=B", "department=C"], [30, 2, 4, 24]), 5)
    assert list(out.suppressed) == [False, True, True, False]


def test_ties_take_the_first_in_table_order():
    out = suppress(table(["all", "department=A", "department=B", "department=C"], [30, 2, 14, 14]), 5)
    assert list(out.suppressed) == [False, True, True, False]


def test_blocks_are_per_metric_and_wave():
    first = table(["all", "role=mentor", "role=mentee"], [12, 4, 8], wave="baseline")
    second = table(["all", "role=mentor", "role=mentee"], [14, 6, 8], wave="month6")
    out = suppress(pd.concat([first, second], ignore_index=True), 5)
    # baseline: mentors 4 -> hidden, mentees (the only other role) hidden too; month6: nothing hidden
    assert list(out.suppressed) == [False, True, True, False, False, False]


def test_outcome_groups_and_rows_without_n():
    frame = pd.concat([
        table(["participant", "comparison"], [4, 120], metric="retention_12m", wave=None),
        table(["all"], [None], metric="roi_percent", wave=None),
    ], ignore_index=True)
    out = suppress(frame, 5)
    # participant/comparison are not parts of one total: no complementary suppression; ROI has no n: never hidden
    assert list(out.suppressed) == [True, False, False]
    assert out.iloc[2].value == 1


def test_empty_wave_values_form_one_block():
    out = suppress(table(["all", "department=A", "department=B", "department=C"], [30, 3, 10, 17], wave=None), 5)
    assert list(out.suppressed) == [False, True, True, False]


def test_custom_keys_and_columns():
    frame = pd.DataFrame({"scale": ["s", "s", "s"], "wave": "w", "group": ["all", "role=mentor", "role=mentee"],
                          "n": [9, 3, 6], "value": [1.0, 2.0, 3.0], "sd": [0.1, 0.2, 0.3]})
    out = suppress(frame, 5, keys=("scale", "wave"), columns=("value", "sd"))
    assert out.value.isna().tolist() == [False, True, True] and out.sd.isna().tolist() == [False, True, True]


def test_input_not_mutated_and_existing_flags_kept():
    frame = table(["all", "role=mentor", "role=mentee"], [30, 15, 15])
    frame["suppressed"] = [False, True, False]  # already hidden for another reason
    before = frame.copy()
    out = suppress(frame, 5)
    pd.testing.assert_frame_equal(frame, before)
    assert list(out.suppressed) == [False, True, True]


def test_bad_arguments():
    with pytest.raises(ValueError, match="min_group_size"):
        suppress(table(["all"], [3]), 0)
    with pytest.raises(ValueError, match="no 'n' column"):
        suppress(table(["all"], [3]).drop(columns="n"), 5)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=1, max_size=8), st.integers(1, 10))
def test_no_breakdown_ever_hides_exactly_one_group(sizes, threshold):
    groups = ["all"] + [f"department=D{k}" for k in range(len(sizes))]
    out = suppress(table(groups, [sum(sizes), *sizes]), threshold)
    parts = out.iloc[1:]
    hidden = int((parts.suppressed & (parts.n > 0)).sum())
    # never exactly one hidden group of people when another group exists that could be hidden: a hidden group's
    # value can then not be recovered as the total minus the shown groups (at least two unknowns remain) -- unless
    # the total itself is hidden (fewer people than the threshold), so that there is nothing to subtract from
    assert hidden != 1 or len(parts) == 1 or bool(out.iloc[0].suppressed)
    # every group under the threshold is hidden, and n is always kept
    assert (parts.suppressed | (parts.n >= threshold)).all()
    assert list(out.n) == [sum(sizes), *sizes]


# --------------------------------------------------------------------------------------------- subtraction attacks


def derivable_small_sets(sizes: list[int], rest: int, shown: list[bool], threshold: int) -> list[tuple[int, ...]]:
    """Brute force, independent of rmkit: which sets of people can an attacker total up from what is published?

    The people fall into "atoms": each group of the breakdown, plus the rest (people without a value for it, who
    count in the total only). Published are the total (all atoms) and each shown group; each publication is the sum
    of its atoms' values (a mean times its published n). A set of atoms has a derivable sum exactly when its
    indicator vector is a linear combination of the published vectors (a rank test). A leak is a derivable set of
    atoms holding between 1 and ``threshold - 1`` people."""
    atoms = [*sizes, rest]
    published = [np.ones(len(atoms))] + [np.eye(len(atoms))[k] for k, s in enumerate(shown) if s]
    basis = np.array(published)
    rank = np.linalg.matrix_rank(basis)
    leaks = []
    for mask in range(1, 2 ** len(atoms)):
        members = tuple(k for k in range(len(atoms)) if mask >> k & 1)
        people = sum(atoms[k] for k in members)
        if not 0 < people < threshold:
            continue
        vector = np.zeros(len(atoms))
        vector[list(members)] = 1
        if np.linalg.matrix_rank(np.vstack([basis, vector])) == rank:
            leaks.append(members)
    return leaks


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 12), min_size=1, max_size=6), st.integers(0, 6), st.integers(2, 8))
def test_no_suppressed_value_can_be_derived_by_subtraction(sizes, rest, threshold):
    """Within a breakdown (the departments of one metric and wave, with ``rest`` people who have no department),
    nothing published lets an attacker total up fewer than ``threshold`` people — checked by brute force over
    every set of groups, against the published total and the groups shown."""
    groups = ["all"] + [f"department=D{k}" for k in range(len(sizes))]
    total = sum(sizes) + rest
    out = suppress(table(groups, [total, *sizes]), threshold)
    if total < threshold:
        assert out.suppressed.all()  # the total itself is too small: nothing is shown
        return
    shown = [not s for s in out.suppressed.iloc[1:]]
    # atoms that hold nobody leak nothing; a derivable set of people is what matters
    assert derivable_small_sets(sizes, rest, shown, threshold) == []
    # and no more is hidden than needed: showing any one hidden group back would leak (or it holds nobody)
    for k, is_shown in enumerate(shown):
        if not is_shown and sizes[k] >= threshold:
            more = shown.copy()
            more[k] = True
            assert derivable_small_sets(sizes, rest, more, threshold) != [], (sizes, rest, shown, k)


def test_the_example_of_the_issue_is_hidden_together():
    """Two departments of 4 and 3 people at 100 % favourable: hiding both is not enough (7 people together, but the
    threshold is 10 here), so a third department is hidden; at threshold 5 the two together suffice."""
    groups = ["all", "department=A", "department=B", "department=C", "department=D"]
    assert suppress(table(groups, [60, 4, 3, 23, 30]), 10).suppressed.tolist() == [False, True, True, True, False]
    assert suppress(table(groups, [60, 4, 3, 23, 30]), 5).suppressed.tolist() == [False, True, True, False, False]


def test_people_without_a_department_are_a_hidden_group():
    """40 people, 38 in departments: all minus the departments is the 2 without one; a department is hidden too."""
    groups = ["all", "department=A", "department=B", "department=C"]
    out = suppress(table(groups, [40, 6, 12, 20]), 5, explain=True)
    assert out.suppressed.tolist() == [False, True, False, False]
    assert out.suppression.tolist() == ["", "complementary", "", ""]
