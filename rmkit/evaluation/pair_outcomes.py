"""Does the pairing matter? At pair level, whether the compatibility score, the number of meetings or the mean pulse
goes with each side's learning — the first evidence an organisation gets about its pairing weights.

For every published pair (``pairs.csv``) and every scale one side is meant to learn (the instrument's
``audience``: ``mentee`` scales are the mentee's learning, ``mentor`` scales the mentor's, as in
:func:`rmkit.evaluation.change.two_way_learning`), the learner's change from the first to the last wave is regressed
on one predictor at a time:

========================  ===========================================================================================
predictor                 what it is (``per``: the unit of the coefficient)
========================  ===========================================================================================
``compatibility``         the pair's ``score`` in ``pairs.csv`` (0–1), per 0.1 of score
``meetings``              the pair's meetings in ``checkins.csv`` (a meeting is a pair's date, however many rows
                          report it; 0 for a published pair that logged none), per meeting
``mean_pulse``            the mean over the pair's meetings of each meeting's pulse (the mean of its ratings, both
                          sides'; pairs without a rating are left out), per pulse point (1–5)
========================  ===========================================================================================

OLS of ``learning ~ 1 + predictor`` with standard errors clustered by mentor (a mentor with several mentees gives
correlated pairs): statsmodels' ``OLS(...).fit(cov_type="cluster", cov_kwds={"groups": mentor})``, i.e. the CR1
sandwich with its small-sample factor :math:`\\frac{G}{G-1}\\frac{N-1}{N-K}`, and Student's t on :math:`G - 1`
degrees of freedom (``use_t=True``). With few mentors (clusters) that interval is approximate.

This is correlation, not causation: pairs were not assigned their compatibility at random, and pairs who meet more
may be those who were learning anyway (:data:`CAUTION`). A regression on fewer than ``min_group_size`` pairs is
suppressed (its sizes kept); when there are no published pairs, no check-ins or no second wave, the note says so.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..cohort.config import Instrument
from .scoring import score_labels

__all__ = ["PREDICTORS", "PAIR_COLUMNS", "OUTCOME_COLUMNS", "CAUTION", "PairOutcomes", "pair_learning",
           "clustered_slope", "pair_regressions", "pair_outcomes"]

#: predictor -> (its label, the unit of its coefficient, the factor applied to it before the regression)
PREDICTORS = {
    "compatibility": ("compatibility score", "0.1 of score", 10.0),
    "meetings": ("number of meetings", "1 meeting", 1.0),
    "mean_pulse": ("mean pulse", "1 pulse point", 1.0),
}
PAIR_COLUMNS = ["mentor_id", "mentee_id", "compatibility", "meetings", "mean_pulse", "learner", "person_id", "scale",
                "learning"]
OUTCOME_COLUMNS = ["learner", "scale", "predictor", "label", "per", "n_pairs", "n_mentors", "coefficient", "se",
                   "ci_low", "ci_high", "dof", "p_value", "suppressed", "note"]
_HIDDEN = ["coefficient", "se", "ci_low", "ci_high", "p_value"]

CAUTION = (
    "This is correlation, not causation. Pairs were not given their compatibility at random, and pairs who meet "
    "often or rate their meetings highly may be the ones who were learning anyway; a slope near zero with a wide "
    "interval says the data cannot tell, not that the pairing does not matter. The intervals allow for a mentor "
    "with several mentees (errors clustered by mentor, with statsmodels' small-sample correction), but with few "
    "mentors they are only approximate.")


@dataclass
class PairOutcomes:
    """``table`` (one regression per learner scale and predictor, :data:`OUTCOME_COLUMNS`, suppressed), ``pairs``
    (one row per pair and learner scale, :data:`PAIR_COLUMNS`: per pair, for the researcher) and ``notes`` (why a
    section is empty, or what is missing)."""

    table: pd.DataFrame
    pairs: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PAIR_COLUMNS))
    notes: list[str] = field(default_factory=list)


def _meetings(pairs: pd.DataFrame, checkins: pd.DataFrame | None) -> pd.DataFrame:
    """``meetings`` and ``mean_pulse`` per pair of ``pairs`` (NaN for both without a check-ins table)."""
    keys = ["mentor_id", "mentee_id"]
    out = pairs[keys].copy()
    if checkins is None:
        return out.assign(meetings=np.nan, mean_pulse=np.nan)
    rows = checkins.dropna(subset=["date"])
    pulse = rows["pulse"] if "pulse" in rows.columns else pd.Series(np.nan, index=rows.index)
    rows = rows.assign(pulse=pd.to_numeric(pulse, errors="coerce"))
    meetings = rows.groupby([*keys, "date"], sort=False)["pulse"].mean().reset_index()  # a meeting: the pair's date
    per_pair = meetings.groupby(keys).agg(meetings=("date", "size"), mean_pulse=("pulse", "mean")).reset_index()
    out = out.merge(per_pair, on=keys, how="left")
    out["meetings"] = out["meetings"].fillna(0).astype("float64")
    return out


def pair_learning(pairs: pd.DataFrame, checkins: pd.DataFrame | None, scores: pd.DataFrame, instrument: Instrument,
                  *, first: str, last: str) -> pd.DataFrame:
    """One row per pair and learning scale: the pair's predictors and its learner's change.

    Parameters
    ----------
    pairs : pandas.DataFrame
        The published pairs: ``mentor_id``, ``mentee_id`` and ``score`` (the compatibility; NaN when absent).
    checkins : pandas.DataFrame or None
        ``mentor_id``, ``mentee_id``, ``date``, ``pulse`` (``checkins.csv``); ``None``: no meetings are known.
    scores : pandas.DataFrame
        ``person_id, wave, scale, score`` (:func:`rmkit.evaluation.scoring.score_responses`).
    instrument : rmkit.cohort.config.Instrument
        The scales' audiences: which side learns what.
    first, last : str
        The waves of the change.

    Returns
    -------
    pandas.DataFrame
        :data:`PAIR_COLUMNS`: ``compatibility``, ``meetings``, ``mean_pulse``, ``learner`` (``mentee`` or
        ``mentor``), ``person_id`` (the learner), ``scale`` and ``learning`` (the learner's score at ``last`` minus
        at ``first``; NaN when not scored at both).

    Examples
    --------
    >>> pairs = pd.DataFrame({"mentor_id": ["m1"], "mentee_id": ["e1"], "score": [0.7]})
    >>> checkins = pd.DataFrame({"mentor_id": ["m1"] * 3, "mentee_id": ["e1"] * 3, "pulse": [4, 2, 5],
    ...                          "date": pd.to_datetime(["2026-01-08", "2026-01-08", "2026-02-01"])})
    >>> scores = pd.DataFrame({"person_id": ["e1", "e1"], "wave": ["w0", "w1"], "scale": "d", "score": [2.5, 3.5]})
    >>> from rmkit.cohort.config import parse_instrument
    >>> inst, _ = parse_instrument("id: t\\nresponse_scale: {min: 1, max: 5}\\nscales: [{id: d, audience: mentee}]\\n"
    ...                            "items: [{id: a, scale: d}]")
    >>> pair_learning(pairs, checkins, scores, inst, first="w0", last="w1").iloc[0].to_dict()  # pulse (3 + 5) / 2
    {'mentor_id': 'm1', 'mentee_id': 'e1', 'compatibility': 0.7, 'meetings': 2.0, 'mean_pulse': 4.0, 'learner': 'mentee', 'person_id': 'e1', 'scale': 'd', 'learning': 1.0}
    """
    unique = pairs.drop_duplicates(["mentor_id", "mentee_id"]).reset_index(drop=True)
    base = _meetings(unique, checkins)  # keeps the order of ``unique``
    score = unique["score"] if "score" in unique.columns else pd.Series(np.nan, index=unique.index)
    base.insert(2, "compatibility", pd.to_numeric(score, errors="coerce").to_numpy(dtype="float64"))
    frame = scores[scores["score"].notna()].assign(wave=scores["wave"].astype(str), scale=scores["scale"].astype(str))
    frame = frame.drop_duplicates(["person_id", "scale", "wave"])
    parts = []
    for scale in instrument.scales:
        if scale.audience not in ("mentee", "mentor"):
            continue
        here = frame[frame["scale"] == scale.id]
        change = (here[here["wave"] == last].set_index("person_id")["score"].astype("float64")
                  - here[here["wave"] == first].set_index("person_id")["score"].astype("float64"))
        learner = base[f"{scale.audience}_id"]
        parts.append(base.assign(learner=scale.audience, person_id=learner.to_numpy(), scale=scale.id,
                                 learning=change.reindex(learner.to_numpy()).to_numpy()))
    if not parts:
        return pd.DataFrame(columns=PAIR_COLUMNS)
    return pd.concat(parts, ignore_index=True)[PAIR_COLUMNS]


def clustered_slope(y: np.ndarray, x: np.ndarray, clusters: np.ndarray, *, confidence: float = 0.95) -> dict[str, float]:
    """The OLS slope of ``y`` on ``x`` (with an intercept), with standard errors clustered by ``clusters``.

    Returns
    -------
    dict
        ``coefficient``, ``se``, ``ci_low``, ``ci_high``, ``dof`` (clusters − 1) and ``p_value`` (two-sided, t on
        G − 1); NaN where undefined (fewer than 2 clusters or 3 observations, no variance in ``x``).

    Examples
    --------
    >>> y = np.array([0.1, 0.4, 0.2, 0.9, 0.7, 1.1])
    >>> x = np.array([1.0, 2.0, 2.0, 4.0, 5.0, 6.0])
    >>> round(clustered_slope(y, x, np.array(["a", "a", "b", "b", "c", "c"]))["coefficient"], 4)  # OLS: 0.18
    0.18
    """
    import statsmodels.api as sm

    nan = float("nan")
    out = {"coefficient": nan, "se": nan, "ci_low": nan, "ci_high": nan, "dof": nan, "p_value": nan}
    y, x = np.asarray(y, dtype="float64"), np.asarray(x, dtype="float64")
    groups = pd.factorize(pd.Series(clusters).astype(str))[0]
    if len(y) < 3 or len(np.unique(groups)) < 2 or np.ptp(x) == 0:
        return out
    design = np.column_stack([np.ones(len(x)), x])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a sample without residual variance gives 0/0 in the sandwich: NaN
        fit = sm.OLS(y, design).fit(cov_type="cluster", cov_kwds={"groups": groups, "use_correction": True},
                                    use_t=True)
    low, high = fit.conf_int(alpha=1 - confidence)[1]
    out.update(coefficient=float(fit.params[1]), se=float(fit.bse[1]), ci_low=float(low), ci_high=float(high),
               dof=float(fit.df_resid_inference), p_value=float(fit.pvalues[1]))
    return out


def pair_regressions(pairs: pd.DataFrame, *, min_group_size: int = 1, confidence: float = 0.95) -> pd.DataFrame:
    """One regression per learner scale and predictor (see the module's documentation), suppressed below
    ``min_group_size`` pairs.

    Parameters
    ----------
    pairs : pandas.DataFrame
        :func:`pair_learning`.

    Returns
    -------
    pandas.DataFrame
        :data:`OUTCOME_COLUMNS`: ``learner``, ``scale``, ``predictor``, ``label``, ``per`` (the unit of the
        coefficient), ``n_pairs`` (pairs with both the learning and the predictor), ``n_mentors`` (the clusters),
        ``coefficient`` (the learner's change per ``per``), ``se``, ``ci_low``, ``ci_high``, ``dof``, ``p_value``,
        ``suppressed`` and ``note`` (why a row has no estimate).
    """
    rows = []
    if pairs.empty:
        return pd.DataFrame(columns=OUTCOME_COLUMNS)
    for (learner, scale), part in pairs.groupby(["learner", "scale"], sort=False):
        for predictor, (label, per, factor) in PREDICTORS.items():
            used = part[np.isfinite(part["learning"].astype("float64")) & np.isfinite(part[predictor].astype("float64"))]
            n_pairs, n_mentors = len(used), int(used["mentor_id"].nunique())
            stats = clustered_slope(used["learning"].to_numpy(), used[predictor].to_numpy(dtype="float64") * factor,
                                    used["mentor_id"].to_numpy(), confidence=confidence)
            note = ""
            if n_pairs < min_group_size:
                note = f"fewer than {min_group_size} pairs: suppressed"
            elif n_mentors < 2:
                note = "a single mentor: no interval can be clustered"
            elif n_pairs and np.ptp(used[predictor].to_numpy(dtype="float64")) == 0:
                note = f"every pair has the same {label}: nothing to relate"
            rows.append({"learner": learner, "scale": scale, "predictor": predictor, "label": label, "per": per,
                         "n_pairs": n_pairs, "n_mentors": n_mentors, **stats,
                         "suppressed": n_pairs < min_group_size, "note": note})
    table = pd.DataFrame(rows, columns=OUTCOME_COLUMNS)
    for column in _HIDDEN:
        table[column] = table[column].astype("float64").where(~table["suppressed"])
    return table


def pair_outcomes(pairs: pd.DataFrame | None, checkins: pd.DataFrame | None, scores: pd.DataFrame,
                  instrument: Instrument, *, first: str | None, last: str | None, min_group_size: int = 1,
                  confidence: float = 0.95) -> PairOutcomes:
    """Does the pairing matter: :func:`pair_learning` and :func:`pair_regressions`, with the reason when a part is
    missing (no published pairs, no second wave, no check-ins, no compatibility score, no learning scale).

    Examples
    --------
    >>> from rmkit.cohort import load_cohort
    >>> from rmkit.resources import example_cohort_dir
    >>> from rmkit.evaluation.scoring import score_responses
    >>> cohort = load_cohort(example_cohort_dir())
    >>> result = pair_outcomes(cohort.pairs, cohort.checkins, score_responses(cohort.responses, cohort.instrument),
    ...                        cohort.instrument, first="baseline", last="month12", min_group_size=5)
    >>> result.table[["learner", "scale", "predictor", "n_pairs"]].head(3)
      learner               scale      predictor  n_pairs
    0  mentee  digital_confidence  compatibility       ...
    1  mentee  digital_confidence       meetings       ...
    2  mentee  digital_confidence     mean_pulse       ...
    """
    empty = PairOutcomes(pd.DataFrame(columns=OUTCOME_COLUMNS))
    if pairs is None or pairs.empty:
        empty.notes.append("No published pairs (pairs.csv): there is nothing to relate learning to. Publish the "
                           "pairs from the pairing phase first.")
        return empty
    if first is None or last is None:
        empty.notes.append("The survey covers a single wave (or none): each side's learning needs a first and a "
                           "later wave.")
        return empty
    if not any(s.audience in ("mentee", "mentor") for s in instrument.scales):
        empty.notes.append("The instrument names no scale that one side is meant to learn (audience mentee or "
                           "mentor), so there is no learning to relate to the pairs.")
        return empty
    frame = pair_learning(pairs, checkins, scores, instrument, first=first, last=last)
    notes = []
    if "score" not in pairs.columns or frame["compatibility"].isna().all():
        notes.append("pairs.csv has no compatibility score: the score cannot be related to learning.")
    if checkins is None:
        notes.append("No check-ins (checkins.csv): the number of meetings and the pulse cannot be related to learning.")
    elif not (frame["meetings"] > 0).any():
        notes.append("No meetings of the published pairs are logged in checkins.csv: meetings and pulse cannot be "
                     "related to learning.")
    if frame["learning"].isna().all():
        notes.append(f"No learner was scored at both {first} and {last}: there is no learning to relate.")
    table = pair_regressions(frame, min_group_size=min_group_size, confidence=confidence)
    if not table.empty and table["suppressed"].all():
        notes.append(f"Fewer than {min_group_size} pairs with learning at both waves: every result is suppressed.")
    return PairOutcomes(table, frame, notes)


def _reading(row: pd.Series, min_group_size: int) -> str:
    if bool(row["suppressed"]):
        return f"fewer than {min_group_size} pairs: suppressed"
    if not np.isfinite(row["coefficient"]) or not np.isfinite(row["ci_low"]):
        return row["note"] or "cannot be estimated"
    if row["ci_low"] > 0 or row["ci_high"] < 0:
        more = "more" if row["coefficient"] > 0 else "less"
        return f"pairs with a higher {row['label']} learned {more} (the 95% interval excludes zero)"
    return "no clear relation: the 95% interval includes zero"


def pair_outcomes_view(table: pd.DataFrame, instrument: Instrument, *, min_group_size: int = 1) -> pd.DataFrame:
    """A :func:`pair_regressions` table for people: ``learning`` (whose learning of which scale: "mentees' Digital
    confidence"), ``predictor`` (its label), ``per``, ``n_pairs``, ``n_mentors``, ``coefficient`` (the change in
    scale points per ``per``), ``ci_low``, ``ci_high``, ``p_value``, ``reading`` (a plain sentence) and
    ``suppressed``.

    Examples
    --------
    >>> from rmkit.cohort.config import parse_instrument
    >>> inst, _ = parse_instrument("id: t\\nresponse_scale: {min: 1, max: 5}\\nscales: [{id: d, label: Digital, "
    ...                            "audience: mentee}]\\nitems: [{id: a, scale: d}]")
    >>> table = pd.DataFrame({"learner": ["mentee"], "scale": ["d"], "predictor": ["meetings"],
    ...                       "label": ["number of meetings"], "per": ["1 meeting"], "n_pairs": [30], "n_mentors": [28],
    ...                       "coefficient": [0.12], "ci_low": [0.03], "ci_high": [0.21], "p_value": [0.01],
    ...                       "suppressed": [False], "note": [""]})
    >>> pair_outcomes_view(table, inst).iloc[0][["learning", "reading"]].tolist()
    ["mentees' Digital", 'pairs with a higher number of meetings learned more (the 95% interval excludes zero)']
    """
    columns = ["learning", "predictor", "per", "n_pairs", "n_mentors", "coefficient", "ci_low", "ci_high", "p_value",
               "reading", "suppressed"]
    if table.empty:
        return pd.DataFrame(columns=columns)
    labels = score_labels(instrument)  # person scores: a percent-favourable scale's is the mean rating
    out = pd.DataFrame({
        "learning": [f"{learner}s' {labels.get(scale, scale)}" for learner, scale in zip(table["learner"], table["scale"],
                                                                                           strict=True)],
        "predictor": table["label"], "per": table["per"], "n_pairs": table["n_pairs"].astype(int),
        "n_mentors": table["n_mentors"].astype(int), "coefficient": table["coefficient"].astype("float64"),
        "ci_low": table["ci_low"].astype("float64"), "ci_high": table["ci_high"].astype("float64"),
        "p_value": table["p_value"].astype("float64"),
        "reading": [_reading(row, min_group_size) for _, row in table.iterrows()],
        "suppressed": table["suppressed"].astype(bool),
    })
    return out[columns].reset_index(drop=True)


__all__ += ["pair_outcomes_view"]
