"""Scale scores: survey answers (one row per person × wave, one column per item) into one score per person, wave
and scale, as the instrument says (``data/templates/instruments/rm-core.yaml`` shows the format).

The computation is vectorized over respondents with NumPy: the answers become one float matrix (respondents ×
items, NaN for an unanswered item), reverse-coded items are recoded on whole columns, and each scale's answered
count, sum and mean are row reductions of its columns. Only the scales are looped over.

Rules (the README, "Scoring and metrics"):

- a reverse-coded item is scored as ``min + max - response``;
- a person gets a scale score only when they answered at least ``min_answered`` (a share) of the scale's items;
- ``mean``: the mean of the answered items;
- ``sum``: the *prorated* sum, the mean of the answered items × the number of items of the scale, so that a person
  who skipped an item is not scored lower than one who answered it;
- ``pomp``: percent of maximum possible, ``(mean - min) / (max - min) × 100``;
- ``percent_favorable``: the person's score is the scale mean; the share of people whose mean is at or above
  ``favorable_at`` is taken when scores are aggregated (:mod:`rmkit.evaluation.waves`).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..cohort.config import Instrument

__all__ = ["SCORE_COLUMNS", "item_matrix", "recoded_items", "score_matrix", "score_responses", "score_labels"]

SCORE_COLUMNS = ["person_id", "wave", "scale", "score", "n_items"]


def item_matrix(responses: pd.DataFrame, item_ids: list[str]) -> np.ndarray:
    """The answers to ``item_ids`` as a float matrix (rows of ``responses`` × items), NaN where unanswered.

    An item without a column in ``responses`` counts as unanswered by everyone.

    Raises
    ------
    ValueError
        If an item column holds something that is not a number.

    Examples
    --------
    >>> frame = pd.DataFrame({"a": pd.array([1, None, 3], dtype="Int64"), "b": [2.0, 4.0, None]})
    >>> item_matrix(frame, ["a", "b", "c"])
    array([[ 1.,  2., nan],
           [nan,  4., nan],
           [ 3., nan, nan]])
    """
    matrix = np.full((len(responses), len(item_ids)), np.nan, dtype="float64", order="F")
    for k, item in enumerate(item_ids):
        if item not in responses.columns:
            continue
        column = responses[item]
        if not (pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype)):
            converted = pd.to_numeric(column, errors="coerce")
            bad = converted.isna() & column.notna()
            if bad.any():
                found = column[bad].iloc[0]
                raise ValueError(f"item {item!r} holds {found!r}, which is not a number")
            column = converted
        matrix[:, k] = column.to_numpy(dtype="float64", na_value=np.nan)
    return matrix


def recoded_items(responses: pd.DataFrame, instrument: Instrument, scale_id: str) -> pd.DataFrame:
    """A scale's item answers with reverse-coded items recoded (``min + max - response``), one column per item.

    The index is that of ``responses``; used for reliability, where the items (not the scores) are analysed.

    Examples
    --------
    >>> from rmkit.cohort.config import parse_instrument
    >>> inst, _ = parse_instrument('''
    ... id: t
    ... response_scale: {min: 1, max: 5}
    ... scales: [{id: s}]
    ... items: [{id: a, scale: s}, {id: b, scale: s, reverse: true}]
    ... ''')
    >>> recoded_items(pd.DataFrame({"a": [4, 2], "b": [1, 5]}), inst, "s")
         a    b
    0  4.0  5.0
    1  2.0  1.0
    """
    items = instrument.items_of(scale_id)
    if not items:
        raise KeyError(f"{scale_id!r} is not a scale of instrument {instrument.id} (or it has no items)")
    ids = [i.id for i in items]
    matrix = _checked_matrix(responses, instrument, ids)
    low, high = instrument.response_scale.min, instrument.response_scale.max
    reverse = np.array([i.reverse for i in items])
    matrix[:, reverse] = low + high - matrix[:, reverse]
    return pd.DataFrame(matrix, index=responses.index, columns=ids)


def _checked_matrix(responses: pd.DataFrame, instrument: Instrument, ids: list[str]) -> np.ndarray:
    matrix = item_matrix(responses, ids)
    low, high = instrument.response_scale.min, instrument.response_scale.max
    outside = (matrix < low) | (matrix > high)  # NaN compares False
    if outside.any():
        row, col = np.argwhere(outside)[0]
        raise ValueError(
            f"item {ids[col]!r} holds {matrix[row, col]:g} (row {row}), outside the response scale {low}–{high}"
        )
    return matrix


def score_matrix(responses: pd.DataFrame, instrument: Instrument, scale_ids: list[str] | None = None
                 ) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Scale scores as matrices: ``(scores, n_items, scale_ids)``, one row per row of ``responses`` and one column
    per scale (NaN where a person has too few answers for a score).

    This is the vectorized core of :func:`score_responses`, for callers that aggregate without a long table.

    Examples
    --------
    >>> from rmkit.cohort.config import parse_instrument
    >>> inst, _ = parse_instrument('''
    ... id: t
    ... response_scale: {min: 1, max: 5}
    ... min_answered: 0.5
    ... scales: [{id: s, scoring: pomp}]
    ... items: [{id: a, scale: s}, {id: b, scale: s}, {id: c, scale: s}]
    ... ''')
    >>> scores, answered, ids = score_matrix(pd.DataFrame({"a": [5, 1], "b": [3, None], "c": [4, None]}), inst)
    >>> scores, answered, ids
    (array([[75.],
           [nan]]), array([[3],
           [1]]), ['s'])
    """
    ids = list(scale_ids) if scale_ids is not None else instrument.scale_ids
    for scale_id in ids:
        instrument.scale(scale_id)  # raises KeyError with the known scales
    item_ids = instrument.item_ids
    position = {item: k for k, item in enumerate(item_ids)}
    matrix = item_matrix(responses, item_ids)  # column-major: each item's answers are contiguous
    low, high = instrument.response_scale.min, instrument.response_scale.max
    n = len(responses)
    scores = np.full((n, len(ids)), np.nan)
    answered = np.zeros((n, len(ids)), dtype="int64")
    for s, scale_id in enumerate(ids):
        items = instrument.items_of(scale_id)
        if not items:
            continue
        total = np.zeros(n)
        count = np.zeros(n, dtype="int64")
        for item in items:  # a loop over the scale's items; every operation is on all respondents at once
            column = matrix[:, position[item.id]]
            outside = (column < low) | (column > high)  # NaN compares False
            if outside.any():
                row = int(np.flatnonzero(outside)[0])
                raise ValueError(f"item {item.id!r} holds {column[row]:g} (row {row}), outside the response "
                                 f"scale {low}–{high}")
            present = ~np.isnan(column)
            count += present
            total += np.where(present, (low + high) - column if item.reverse else column, 0.0)
        enough = count >= instrument.min_answered * len(items) - 1e-9
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(enough & (count > 0), total / np.maximum(count, 1), np.nan)
        scoring = instrument.scale(scale_id).scoring
        if scoring == "sum":
            mean = mean * len(items)
        elif scoring == "pomp":
            mean = (mean - low) / (high - low) * 100.0
        scores[:, s] = mean
        answered[:, s] = count
    return scores, answered, ids


def _categories(values: pd.Series, order: list[str] | None) -> tuple[np.ndarray, list[str]]:
    """Integer codes of ``values`` and their categories: ``order`` first (when given), then other values in order of
    appearance. Missing values get code -1."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object))
    found = [str(u) for u in uniques]
    listed = list(order or [])
    categories = listed + [u for u in found if u not in set(listed)]
    position = {c: k for k, c in enumerate(categories)}
    remap = np.array([position[u] for u in found] + [-1], dtype="int64")  # code -1 (missing) picks the last entry
    return remap[codes], categories


def score_responses(responses: pd.DataFrame, instrument: Instrument, *, scales: list[str] | None = None,
                    waves: list[str] | None = None, dropna: bool = True) -> pd.DataFrame:
    """Score survey answers into one row per person, wave and scale.

    Parameters
    ----------
    responses : pandas.DataFrame
        ``person_id``, ``wave`` and one numeric column per item id (the typed ``Cohort.responses``); other columns
        are ignored, and an item without a column counts as unanswered.
    instrument : rmkit.cohort.config.Instrument
        Scales, items (with ``reverse``), the response scale and ``min_answered``.
    scales : list of str, optional
        Score only these scales (default: every scale, in the instrument's order).
    waves : list of str, optional
        The order of the waves (``program.waves``); waves not listed follow in order of appearance.
    dropna : bool
        Leave out person × scale rows without a score (too few answers; the default). With ``False`` they are
        kept with an empty ``score``.

    Returns
    -------
    pandas.DataFrame
        One row per ``responses`` row and scale, in the input's row order, scales in the instrument's order:

        - ``person_id``, ``wave``: from ``responses`` (categoricals; waves ordered as ``waves``);
        - ``scale``: the scale id (a categorical in the instrument's order);
        - ``score``: the scale score per the scale's ``scoring`` (see Notes);
        - ``n_items``: how many of the scale's items the person answered.

    Raises
    ------
    ValueError
        If an item holds a value that is not a number or lies outside the response scale.
    KeyError
        If ``scales`` names a scale the instrument does not have.

    Notes
    -----
    With :math:`x_{ij}` the answer of person :math:`i` to item :math:`j` (recoded as :math:`min + max - x_{ij}` for
    a reverse-coded item), :math:`A_i` the items of a scale of :math:`k` items that person answered, and
    :math:`|A_i| \\ge` ``min_answered`` :math:`\\times k`:

    .. math::

        \\bar x_i = \\frac{1}{|A_i|} \\sum_{j \\in A_i} x_{ij}, \\qquad
        \\text{sum}_i = k\\,\\bar x_i, \\qquad
        \\text{POMP}_i = 100\\,\\frac{\\bar x_i - min}{max - min}

    ``mean`` and ``percent_favorable`` scales score :math:`\\bar x_i`; the sum is prorated (the mean of the answered
    items times the number of items), which equals the plain sum for a person who answered every item.
    The categorical columns keep the long table light (a million responses make several million rows) and make
    sorting follow the program's waves and the instrument's scales.

    References
    ----------
    .. [1] Cohen, P., Cohen, J., Aiken, L. S., & West, S. G. (1999). The problem of units and the circumstance for
           POMP. Multivariate Behavioral Research, 34(3), 315–346.

    Examples
    --------
    >>> from rmkit.cohort import load_cohort
    >>> from rmkit.resources import example_cohort_dir
    >>> cohort = load_cohort(example_cohort_dir())
    >>> scores = score_responses(cohort.responses, cohort.instrument, waves=cohort.program.waves)
    >>> list(scores.columns)
    ['person_id', 'wave', 'scale', 'score', 'n_items']
    >>> # p01 at baseline answered dig1-4 = 4, 3, 5, 2 (dig4 reversed: 1 + 5 - 2 = 4) and biz1-3 = 3, 3, 4
    >>> scores[(scores.person_id == "p01") & (scores.wave == "baseline")].head(2).round(2)
      person_id      wave               scale  score  n_items
    0       p01  baseline  digital_confidence   4.00        4
    1       p01  baseline    business_insight   3.33        3
    """
    missing = [c for c in ("person_id", "wave") if c not in responses.columns]
    if missing:
        raise ValueError(f"responses has no column {', '.join(missing)}; columns: {', '.join(map(str, responses.columns))}")
    scores, answered, ids = score_matrix(responses, instrument, scales)
    n, s = scores.shape
    flat = scores.ravel()
    person_codes, people = pd.factorize(responses["person_id"].to_numpy(dtype=object))
    wave_codes, wave_names = _categories(responses["wave"], waves)
    frame = pd.DataFrame({
        "person_id": pd.Categorical.from_codes(np.repeat(person_codes, s), categories=pd.Index(people, dtype=object)),
        "wave": pd.Categorical.from_codes(np.repeat(wave_codes, s), categories=pd.Index(wave_names, dtype=object),
                                          ordered=True),
        "scale": pd.Categorical.from_codes(np.tile(np.arange(s), n), categories=pd.Index(ids, dtype=object),
                                           ordered=True),
        "score": flat,
        "n_items": answered.ravel(),
    })
    if dropna:
        keep = ~np.isnan(flat)
        if not keep.all():
            frame = frame[keep]
        frame = frame.reset_index(drop=True)
    return frame


def score_labels(instrument: Instrument) -> dict[str, str]:
    """scale id -> its label where the figures are of a person's score (a change, a model estimate): a
    percent-favourable scale's person score is the mean rating, so its label says that, not "% favourable".

    Examples
    --------
    >>> from rmkit.cohort import load_cohort
    >>> from rmkit.resources import example_cohort_dir
    >>> score_labels(load_cohort(example_cohort_dir()).instrument)["satisfaction"]
    'Employee satisfaction (mean rating)'
    """
    labels = {}
    for scale in instrument.scales:
        title = scale.title
        if scale.scoring == "percent_favorable":
            title = re.sub(r"\s*\([^)]*%[^)]*\)\s*$", "", title) + " (mean rating)"
        labels[scale.id] = title
    return labels
