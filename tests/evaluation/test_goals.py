"""Kirkpatrick level 3 from the agreements: the share of goals done, its interval against statsmodels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rmkit.evaluation.goals import goal_completion


def goals_frame(seed: int = 3, pairs: int = 12) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(pairs):
        for side in ("mentor", "mentee"):
            for _ in range(int(rng.integers(1, 4))):
                rows.append({"mentor_id": f"m{k}", "mentee_id": f"e{k}", "goal": "g", "side": side,
                             "status": rng.choice(["done", "open", "dropped"], p=[0.6, 0.3, 0.1])})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_share_and_interval_match_ols_with_errors_clustered_by_pair(seed: int) -> None:
    import statsmodels.api as sm

    frame = goals_frame(seed)
    table = goal_completion(frame).set_index("group")
    for group, mask in (("all", frame["side"].notna()), ("role=mentor", frame["side"] == "mentor")):
        part = frame[mask]
        done = (part["status"] == "done").astype(float).to_numpy()
        # reference: OLS of done on a constant, standard errors clustered by pair, t with G - 1 degrees of freedom
        fit = sm.OLS(done, np.ones((len(done), 1))).fit(cov_type="cluster", cov_kwds={"groups": part["mentor_id"].factorize()[0]},
                                                         use_t=True)
        low, high = fit.conf_int(alpha=0.05)[0]
        row = table.loc[group]
        assert row["value"] == pytest.approx(100 * fit.params[0])
        assert (row["ci_low"], row["ci_high"]) == (pytest.approx(100 * low), pytest.approx(100 * high))
        assert row["n"] == part["mentor_id"].nunique() and row["goals"] == len(part)


def test_counts_groups_and_defaults() -> None:
    frame = pd.DataFrame({"mentor_id": ["m1", "m1", "m2"], "mentee_id": ["e1", "e1", "e2"], "goal": list("abc"),
                          "side": [None, "mentee", "mentee"], "status": ["done", None, "dropped"]})
    table = goal_completion(frame).set_index("group")
    assert list(table.index) == ["all", "role=mentee"]  # nobody set a mentor goal: no row for it
    assert table.loc["all", ["goals", "done", "dropped", "n"]].tolist() == [3, 1, 1, 2]  # no status = open
    assert table.loc["all", "value"] == pytest.approx(100 / 3)
    single = goal_completion(frame[frame["mentor_id"] == "m1"]).iloc[0]
    assert single["value"] == 50 and np.isnan(single["ci_low"])  # one pair: no interval
    assert goal_completion(None).empty and list(goal_completion(None).columns)[:2] == ["group", "n"]


def test_evaluation_suppresses_few_pairs_and_judges_a_goals_objective(example_dir, tmp_path) -> None:
    import shutil

    from rmkit.cohort import load_cohort
    from rmkit.evaluation.metrics_table import evaluate

    folder = tmp_path / "c"
    shutil.copytree(example_dir, folder)
    text = (folder / "program.yaml").read_text(encoding="utf-8")
    text = text.replace("objectives:\n", "objectives:\n- id: applied\n  measure: goals_done\n  target_change: 50\n", 1)
    (folder / "program.yaml").write_text(text, encoding="utf-8")
    goals = pd.read_csv(folder / "agreements.csv")
    few = goals[goals["mentor_id"].isin(goals["mentor_id"].unique()[:4])]  # 4 pairs < min_group_size 5
    result = evaluate(load_cohort(folder))
    judged = result.objectives.set_index("objective").loc["applied"]
    assert judged["met"] == (judged["estimate"] >= 50)  # the share's interval always lies above zero
    assert "goals_done" in set(result.metrics["metric"])
    few.to_csv(folder / "agreements.csv", index=False)
    small = evaluate(load_cohort(folder))
    assert small.goals["suppressed"].all() and small.goals["value"].isna().all()
    rows = small.metrics[small.metrics["metric"] == "goals_done"]
    assert rows["suppressed"].all() and rows["n"].tolist() == [4, 4, 4]
