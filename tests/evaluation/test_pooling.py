"""Pooling cohorts: DerSimonian–Laird random effects pinned to metafor's BCG example."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from rmkit.evaluation.pooling import (
    POOLED_COLUMNS,
    pool_inputs,
    pooled_metrics,
    random_effects,
    se_from_ci,
    side_by_side,
)

# metafor's dat.bcg (Colditz et al., 1994): 13 trials of the BCG vaccine against tuberculosis.
# columns: trial, author, year, tpos, tneg, cpos, cneg (vaccinated TB+, TB-, control TB+, TB-)
BCG = [
    (1, "Aronson", 1948, 4, 119, 11, 128), (2, "Ferguson & Simes", 1949, 6, 300, 29, 274),
    (3, "Rosenthal et al", 1960, 3, 228, 11, 209), (4, "Hart & Sutherland", 1977, 62, 13536, 248, 12619),
    (5, "Frimodt-Moller et al", 1973, 33, 5036, 47, 5761), (6, "Stein & Aronson", 1953, 180, 1361, 372, 1079),
    (7, "Vandiviere et al", 1973, 8, 2537, 10, 619), (8, "TPT Madras", 1980, 505, 87886, 499, 87892),
    (9, "Coetzee & Berjak", 1968, 29, 7470, 45, 7232), (10, "Rosenthal et al", 1961, 17, 1699, 65, 1600),
    (11, "Comstock et al", 1974, 186, 50448, 141, 27197), (12, "Comstock & Webster", 1969, 5, 2493, 3, 2338),
    (13, "Comstock et al", 1976, 27, 16886, 29, 17825),
]


def test_metafor_bcg_dersimonian_laird() -> None:
    """metafor: dat <- escalc(measure="RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg);
    rma(yi, vi, data=dat, method="DL"): estimate -0.7141 (se 0.1787, CI -1.0644 to -0.3638), tau^2 = 0.3088,
    I^2 = 92.12%, Q(df = 12) = 152.2330 (metafor's documentation and Viechtbauer, 2010)."""
    a, b, c, d = (np.array([row[k] for row in BCG], dtype=float) for k in range(3, 7))
    yi = np.log((a / (a + b)) / (c / (c + d)))
    vi = 1 / a - 1 / (a + b) + 1 / c - 1 / (c + d)
    out = random_effects(yi, vi)
    assert out["estimate"] == pytest.approx(-0.7141, abs=1e-4)
    assert out["tau2"] == pytest.approx(0.3088, abs=1e-4)
    assert out["se"] == pytest.approx(0.1787, abs=1e-4)
    assert (out["ci_low"], out["ci_high"]) == pytest.approx((-1.0644, -0.3638), abs=1e-4)
    assert out["i2"] == pytest.approx(92.12, abs=0.01)
    assert out["q"] == pytest.approx(152.2330, abs=1e-3)


def test_homogeneous_effects_truncate_tau2_at_zero() -> None:
    """Q < df gives a negative DL estimate; metafor reports tau^2 = 0, I^2 = 0 and the fixed-effect estimate
    (inverse-variance weighted mean, by hand here)."""
    y, v = np.array([0.30, 0.31, 0.29]), np.array([0.01, 0.02, 0.04])
    out = random_effects(y, v)
    w = 1 / v
    assert out["tau2"] == 0.0 and out["i2"] == 0.0
    assert out["estimate"] == pytest.approx((w * y).sum() / w.sum())
    assert out["se"] == pytest.approx(w.sum() ** -0.5)
    with pytest.raises(ValueError):
        random_effects([0.3], [0.01])


def _metrics(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["metric", "group", "wave", "n", "value", "ci_low", "ci_high", "suppressed"])


def _t_row(metric: str, group: str, n: int, estimate: float, se: float, suppressed: bool = False) -> tuple:
    half = stats.t.ppf(0.975, n - 1) * se
    return (metric, group, "end", n, estimate, estimate - half, estimate + half, suppressed)


def test_pooling_recovers_the_standard_errors_from_the_intervals() -> None:
    ses = {"a": 0.10, "b": 0.15, "c": 0.12}
    est = {"a": 0.20, "b": 0.45, "c": 0.30}
    ns = {"a": 40, "b": 25, "c": 60}
    tables = {k: _metrics([_t_row("change:x", "all", ns[k], est[k], ses[k]),
                           _t_row("change:x", "role=mentee", 10, 9.0, 1.0),  # not the whole cohort: not pooled
                           _t_row("x", "all", ns[k], 3.0, 0.1)])
              for k in ses}
    tables["c"] = pd.concat([tables["c"], _metrics([_t_row("did:x", "participant", 80, 0.25, 0.1)])])
    pooled = pooled_metrics(tables)
    assert list(pooled.columns) == POOLED_COLUMNS
    assert pooled["metric"].tolist() == ["change:x"]  # did:x only in one cohort: nothing to pool
    expected = random_effects(list(est.values()), [s ** 2 for s in ses.values()])
    row = pooled.iloc[0]
    assert row["k"] == 3 and row["n"] == 125
    assert row["estimate"] == pytest.approx(expected["estimate"]) and row["tau2"] == pytest.approx(expected["tau2"])
    inputs = pool_inputs(tables)
    assert inputs.loc[inputs.metric == "change:x", "se"].tolist() == pytest.approx(list(ses.values()))
    # with did rows in two cohorts they are pooled too, after the change rows
    tables["a"] = pd.concat([tables["a"], _metrics([_t_row("did:x", "participant", 70, 0.15, 0.12)])])
    assert pooled_metrics(tables)["metric"].tolist() == ["change:x", "did:x"]


def test_suppressed_rows_take_no_part() -> None:
    tables = {"a": _metrics([_t_row("change:x", "all", 40, 0.2, 0.1)]),
              "b": _metrics([("change:x", "all", "end", 3, np.nan, np.nan, np.nan, True)])}
    assert pooled_metrics(tables).empty and list(pooled_metrics(tables).columns) == POOLED_COLUMNS
    assert np.isnan(se_from_ci(np.nan, 0.3, 20)) and np.isnan(se_from_ci(0.1, 0.3, 1))
    table = side_by_side(tables)
    assert table.iloc[0].tolist()[3] == "suppressed (n = 3)"
