"""Reliable change (Jacobson & Truax, 1991): which participants changed by more than the instrument's measurement
error allows, per scale — the share reliably improved, unchanged and reliably worse.

For a person scored at the first and the last wave,

.. math::

    RCI = \\frac{x_2 - x_1}{S_{diff}}, \\qquad S_{diff} = \\sqrt{2\\,SE^2}, \\qquad SE = s_1\\sqrt{1 - r_{xx}}

with :math:`s_1` the SD of the first-wave scores (every participant scored at the first wave) and :math:`r_{xx}`
the scale's Cronbach alpha at the first wave (:mod:`rmkit.evaluation.reliability`). :math:`|RCI| > 1.96` is a
reliable change (less than a 5 % chance that measurement error alone produced it). One :math:`S_{diff}` per scale:
a person's classification never depends on the group shown. ``criterion`` = :math:`1.96\\,S_{diff}`, the smallest
raw change that counts as reliable, in the scale's units.

**Direction.** The instrument declares no direction for a scale: its items are reverse-coded so that a higher score
is the better one, so an increase is an improvement. The exception is a scale that an objective of
``program.yaml`` wants to *decrease* (a negative ``target_change``, as :func:`rmkit.evaluation.change.judge_objectives`
reads it): there a reliable decrease is the improvement.

**No invented reliability.** A scale without an alpha at the first wave (a single item, nobody answered it then)
or with an alpha of 0 or less (items that do not measure one thing) or of 1 or more (no measurement error left,
which pairwise covariances of incomplete answers can give) gets no reliable-change rows, and a note says why.

**Confidentiality** (the README, "Scoring and metrics"): a group of fewer than ``min_group_size`` people is
suppressed; within the role breakdown, a role hidden is not left recoverable from ``all`` minus the other role
(:func:`rmkit.evaluation.confidentiality.suppress`); and a row is hidden wherever the paired change of the same
people is (:func:`rmkit.evaluation.confidentiality.suppress_subsets` against each wave's respondents), so the two
tables never disagree about what is shown.

References
----------
.. [1] Jacobson, N. S., & Truax, P. (1991). Clinical significance: a statistical approach to defining meaningful
       change in psychotherapy research. Journal of Consulting and Clinical Psychology 59, 12–19.
.. [2] Christensen, L., & Mendoza, J. L. (1986). A method of assessing change in a single subject: an alteration of
       the RC index. Behavior Therapy 17, 305–308.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..cohort.config import Instrument, Objective
from .confidentiality import suppress, suppress_subsets
from .groups import group_codes
from .scoring import score_labels

__all__ = [
    "RCI_CRITERION",
    "RCI_COLUMNS",
    "CATEGORIES",
    "ReliableChange",
    "reliable_change_index",
    "classify_change",
    "lower_is_better",
    "reliable_change",
    "rci_metric_rows",
]

#: |RCI| above this is a reliable change (the two-sided 5 % point of the normal distribution)
RCI_CRITERION = 1.96
CATEGORIES = ("improved", "unchanged", "worse")
RCI_COLUMNS = ["scale", "group", "first_wave", "last_wave", "n", "alpha", "sd_first", "se_measurement", "s_diff",
               "criterion", "direction", "n_improved", "n_unchanged", "n_worse", "improved", "unchanged", "worse",
               "improved_ci_low", "improved_ci_high", "worse_ci_low", "worse_ci_high", "suppressed"]
PERSON_COLUMNS = ["person_id", "scale", "role", "before", "after", "change", "rci", "category"]
_HIDDEN = ["n_improved", "n_unchanged", "n_worse", "improved", "unchanged", "worse", "improved_ci_low",
           "improved_ci_high", "worse_ci_low", "worse_ci_high"]


@dataclass
class ReliableChange:
    """``table`` (one row per scale and group, :data:`RCI_COLUMNS`, suppressed), ``people`` (one row per person and
    scale: before, after, RCI and its category — per-person, for the researcher, like the scores) and ``notes``
    (why a scale has no rows, or why there is nothing at all)."""

    table: pd.DataFrame
    people: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def reliable_change_index(before: np.ndarray, after: np.ndarray, *, sd_first: float,
                          reliability: float) -> np.ndarray:
    """Jacobson & Truax's RCI of each person: ``(after - before) / S_diff``.

    Parameters
    ----------
    before, after : array-like
        The scores at the first and the last wave (same people, same order).
    sd_first : float
        :math:`s_1`, the SD of the first-wave scores.
    reliability : float
        :math:`r_{xx}` (here Cronbach's alpha at the first wave); must be in (0, 1].

    Examples
    --------
    With :math:`s_1 = 0.8` and :math:`r_{xx} = 0.84`: SE = 0.8 × 0.4 = 0.32, S_diff = 0.32 × √2 = 0.4525, so a
    change of +1 point is RCI = 2.21 (reliable) and one of +0.5 is 1.10 (not).

    >>> np.round(reliable_change_index(np.array([3.0, 3.0]), np.array([4.0, 3.5]), sd_first=0.8, reliability=0.84), 2)
    array([2.21, 1.1 ])
    """
    if not (np.isfinite(reliability) and 0 < reliability <= 1):
        raise ValueError(f"reliability must be in (0, 1], found {reliability}")
    if not (np.isfinite(sd_first) and sd_first > 0):
        raise ValueError(f"sd_first must be positive, found {sd_first}")
    s_diff = np.sqrt(2 * (sd_first * np.sqrt(1 - reliability)) ** 2)
    diff = np.asarray(after, dtype="float64") - np.asarray(before, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        return diff / s_diff if s_diff > 0 else np.where(diff == 0, 0.0, np.sign(diff) * np.inf)


def classify_change(rci: np.ndarray, *, direction: int = 1, criterion: float = RCI_CRITERION) -> np.ndarray:
    """``improved`` / ``unchanged`` / ``worse`` for each RCI: reliable (:math:`|RCI| >` ``criterion``) in the
    direction of improvement (``direction`` +1: an increase, -1: a decrease), reliable the other way, or neither.

    Examples
    --------
    >>> classify_change(np.array([2.5, -1.96, -2.0, 0.3])).tolist()
    ['improved', 'unchanged', 'worse', 'unchanged']
    >>> classify_change(np.array([2.5, -2.0]), direction=-1).tolist()
    ['worse', 'improved']
    """
    if direction not in (1, -1):
        raise ValueError(f"direction must be 1 or -1, found {direction}")
    signed = np.asarray(rci, dtype="float64") * direction
    return np.where(signed > criterion, "improved", np.where(signed < -criterion, "worse", "unchanged")).astype(object)


def lower_is_better(objectives: Sequence[Objective]) -> set[str]:
    """The measures that an objective wants to decrease (a negative ``target_change``).

    Examples
    --------
    >>> lower_is_better([Objective(id="a", measure="stress", target_change=-0.4), Objective(id="b", measure="s")])
    {'stress'}
    """
    return {o.measure for o in objectives if o.target_change is not None and o.target_change < 0}


def _first_wave_alpha(reliability: pd.DataFrame | None, scale: str, first: str) -> float:
    if reliability is None or reliability.empty:
        return float("nan")
    match = reliability[(reliability["scale"] == scale) & (reliability["wave"].astype(str) == first)]
    return float(match["alpha"].iloc[0]) if not match.empty else float("nan")


def reliable_change(scores: pd.DataFrame, participants: pd.DataFrame, instrument: Instrument,
                    reliability: pd.DataFrame | None, *, first: str | None, last: str | None,
                    lower_better: Collection[str] = (), min_group_size: int = 1, waves_table: pd.DataFrame | None = None,
                    confidence: float = 0.95) -> ReliableChange:
    """The reliable change of every scale from ``first`` to ``last``, for ``all`` and by role, suppressed.

    Parameters
    ----------
    scores : pandas.DataFrame
        ``person_id, wave, scale, score`` (:func:`rmkit.evaluation.scoring.score_responses`), participants only.
    participants : pandas.DataFrame
        ``person_id`` and ``role``.
    instrument : rmkit.cohort.config.Instrument
        The scales, in the order of the output.
    reliability : pandas.DataFrame or None
        :func:`rmkit.evaluation.reliability.reliability_table` by wave (``scale, wave, alpha``), unsuppressed.
    first, last : str or None
        The waves compared (:func:`rmkit.evaluation.change.change_waves`); ``None``: a single wave, no rows.
    lower_better : collection of str
        Scales on which a decrease is the improvement (:func:`lower_is_better`).
    min_group_size : int
        Smaller groups are suppressed (``program.yaml: min_group_size``).
    waves_table : pandas.DataFrame, optional
        The waves table (``scale, wave, group, n``) of the same scores: rows whose people differ from a wave's
        respondents by 1 to ``min_group_size - 1`` are hidden, as the change is.
    confidence : float
        Confidence level of the Wilson intervals of the shares.

    Returns
    -------
    ReliableChange
        ``table`` with :data:`RCI_COLUMNS`: ``n`` (people scored at both waves), ``alpha``, ``sd_first``,
        ``se_measurement``, ``s_diff``, ``criterion`` (the smallest reliable raw change), ``direction``
        (``higher is better`` or ``lower is better``), the counts and shares (percent, 0–100) improved, unchanged and
        worse with Wilson intervals of the improved and worse shares, ``suppressed``, and ``at_risk`` (for a row
        hidden because the change of the same people is, the people it protects; for the metrics table).

    Examples
    --------
    >>> from rmkit.cohort import load_cohort
    >>> from rmkit.resources import example_cohort_dir
    >>> from rmkit.evaluation.scoring import score_responses
    >>> from rmkit.evaluation.reliability import reliability_table
    >>> cohort = load_cohort(example_cohort_dir())
    >>> scores = score_responses(cohort.responses, cohort.instrument)
    >>> alpha = reliability_table(cohort.responses, cohort.instrument)
    >>> result = reliable_change(scores, cohort.participants, cohort.instrument, alpha, first="baseline", last="month12")
    >>> row = result.table[(result.table.scale == "digital_confidence") & (result.table.group == "role=mentee")].iloc[0]
    >>> bool(row.improved + row.unchanged + row.worse == 100), row.direction
    (True, 'higher is better')
    """
    from .waves import wilson_ci

    notes: list[str] = []
    empty = ReliableChange(pd.DataFrame(columns=RCI_COLUMNS), pd.DataFrame(columns=PERSON_COLUMNS), notes)
    if first is None or last is None or first == last:
        notes.append("Reliable change needs each person at two waves; the responses cover a single wave.")
        return empty
    frame = scores[scores["score"].notna()].assign(wave=scores["wave"].astype(str), scale=scores["scale"].astype(str))
    frame = frame.drop_duplicates(["person_id", "scale", "wave"])
    roles = participants.drop_duplicates("person_id").set_index("person_id")["role"]
    rows: list[dict[str, object]] = []
    people: list[pd.DataFrame] = []
    for scale in instrument.scales:
        here = frame[frame["scale"] == scale.id]
        at_first = here[here["wave"] == first].set_index("person_id")["score"].astype("float64")
        at_last = here[here["wave"] == last].set_index("person_id")["score"].astype("float64")
        paired = pd.concat({"before": at_first, "after": at_last}, axis=1, join="inner")
        if paired.empty:
            continue  # not measured at both waves (a post-only scale): no change, nothing to say
        alpha = _first_wave_alpha(reliability, scale.id, first)
        if len(instrument.items_of(scale.id)) < 2:
            notes.append(f"{scale.id}: a single item has no Cronbach's alpha, so its reliable change is not computed "
                         "(no reliability is assumed).")
            continue
        if not np.isfinite(alpha):
            notes.append(f"{scale.id}: Cronbach's alpha at {first} cannot be computed (too few respondents or no "
                         "variance), so its reliable change is not computed.")
            continue
        if alpha <= 0:
            notes.append(f"{scale.id}: Cronbach's alpha at {first} is {alpha:.2f} (0 or less: the items do not measure "
                         "one thing), so its reliable change is not computed.")
            continue
        if alpha >= 1:
            notes.append(f"{scale.id}: Cronbach's alpha at {first} is {alpha:.3f} (1 or more, which pairwise covariances "
                         "of incomplete answers can give): it leaves no measurement error to estimate, so its reliable "
                         "change is not computed.")
            continue
        sd_first = float(at_first.std(ddof=1)) if len(at_first) >= 2 else float("nan")
        if not (np.isfinite(sd_first) and sd_first > 0):
            notes.append(f"{scale.id}: the {first} scores have no spread, so measurement error and reliable change "
                         "cannot be estimated.")
            continue
        direction = -1 if scale.id in set(lower_better) else 1
        se = sd_first * np.sqrt(1 - alpha)
        s_diff = float(np.sqrt(2 * se**2))
        rci = reliable_change_index(paired["before"].to_numpy(), paired["after"].to_numpy(), sd_first=sd_first,
                                    reliability=alpha)
        category = classify_change(rci, direction=direction)
        ids = paired.index.to_numpy(dtype=object)
        people.append(pd.DataFrame({"person_id": ids, "scale": scale.id, "role": roles.reindex(ids).to_numpy(),
                                    "before": paired["before"].to_numpy(), "after": paired["after"].to_numpy(),
                                    "change": paired["after"].to_numpy() - paired["before"].to_numpy(), "rci": rci,
                                    "category": category}))
        for names, codes in group_codes(ids, participants, ["all", "role"]):
            for k, name in enumerate(names):
                members = codes == k
                n = int(members.sum())
                if not n:
                    continue
                counts = {c: int((category[members] == c).sum()) for c in CATEGORIES}
                low, high = wilson_ci(np.array([counts["improved"], counts["worse"]]), np.array([n, n]), confidence)
                rows.append({
                    "scale": scale.id, "group": name, "first_wave": first, "last_wave": last, "n": n, "alpha": alpha,
                    "sd_first": sd_first, "se_measurement": se, "s_diff": s_diff, "criterion": RCI_CRITERION * s_diff,
                    "direction": "lower is better" if direction < 0 else "higher is better",
                    **{f"n_{c}": counts[c] for c in CATEGORIES}, **{c: 100 * counts[c] / n for c in CATEGORIES},
                    "improved_ci_low": 100 * low[0], "improved_ci_high": 100 * high[0],
                    "worse_ci_low": 100 * low[1], "worse_ci_high": 100 * high[1]})
    if not rows:
        if not notes:
            notes.append(f"No scale was scored for the same people at {first} and {last}.")
        return empty
    table = pd.DataFrame(rows, columns=[c for c in RCI_COLUMNS if c != "suppressed"])
    if waves_table is not None and not waves_table.empty:
        ends = waves_table[waves_table["wave"].astype(str).isin([first, last])]
        table = suppress_subsets(table, ends, min_group_size, on=["scale", "group"])
    shown = suppress(table, min_group_size, keys=("scale",), columns=_HIDDEN)
    if "at_risk" not in shown.columns:
        shown["at_risk"] = np.nan
    return ReliableChange(shown[[*RCI_COLUMNS, "at_risk"]].reset_index(drop=True),
                          pd.concat(people, ignore_index=True)[PERSON_COLUMNS], notes)


def rci_metric_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The metrics-table rows ``rci_improved:<scale>`` and ``rci_worse:<scale>`` (group ``all`` / ``role=…``,
    ``wave`` = the last wave, ``n`` = people at both waves, ``value`` = percent with its Wilson CI) of a
    :func:`reliable_change` table, with its suppression (and ``at_risk`` = ``n``, what a hidden row protects).

    Examples
    --------
    >>> table = pd.DataFrame({"scale": ["s"], "group": ["all"], "last_wave": ["w1"], "n": [20], "improved": [35.0],
    ...                       "improved_ci_low": [18.1], "improved_ci_high": [56.7], "worse": [5.0],
    ...                       "worse_ci_low": [0.9], "worse_ci_high": [23.6], "suppressed": [False]})
    >>> rci_metric_rows(table)[["metric", "group", "wave", "n", "value"]]
             metric group wave   n  value
    0  rci_improved:s   all   w1  20   35.0
    1     rci_worse:s   all   w1  20    5.0
    """
    parts = []
    for kind in ("improved", "worse"):
        parts.append(pd.DataFrame({
            "metric": f"rci_{kind}:" + table["scale"].astype(str), "group": table["group"].to_numpy(),
            "wave": table["last_wave"].to_numpy(), "n": table["n"].to_numpy(),
            "value": table[kind].to_numpy(dtype="float64"), "ci_low": table[f"{kind}_ci_low"].to_numpy(dtype="float64"),
            "ci_high": table[f"{kind}_ci_high"].to_numpy(dtype="float64"),
            "suppressed": table["suppressed"].astype(bool).to_numpy(),
            "at_risk": table["at_risk"].fillna(table["n"]).to_numpy(dtype="float64") if "at_risk" in table.columns
            else table["n"].to_numpy(dtype="float64")}))
    if not parts or table.empty:
        return pd.DataFrame(columns=["metric", "group", "wave", "n", "value", "ci_low", "ci_high", "suppressed", "at_risk"])
    rows = pd.concat(parts, ignore_index=True)
    order = {s: k for k, s in enumerate(dict.fromkeys(table["scale"].astype(str)))}
    rows["_scale"] = rows["metric"].str.split(":", n=1).str[1].map(order)
    rows["_kind"] = rows["metric"].str.startswith("rci_worse").astype(int)
    return rows.sort_values(["_scale", "_kind"], kind="stable").drop(columns=["_scale", "_kind"]).reset_index(drop=True)


def _share_text(share: float, low: float, high: float) -> str:
    if pd.isna(share):
        return "–"
    return f"{share:.0f}%" if pd.isna(low) else f"{share:.0f}% ({low:.0f}–{high:.0f})"


def rci_view(table: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """A :func:`reliable_change` table for people: ``scale`` (its label), ``group`` (participants, mentors,
    mentees), ``n``, ``improved``, ``unchanged``, ``worse`` (text: the share in % and, for the reliable ones, its 95%
    Wilson interval), ``criterion`` (text: the smallest change that counts, ± scale points), ``alpha`` and
    ``suppressed``. A suppressed row keeps its ``n`` and shows no share.

    Examples
    --------
    >>> from rmkit.cohort.config import parse_instrument
    >>> inst, _ = parse_instrument("id: t\\nresponse_scale: {min: 1, max: 5}\\nscales: [{id: s, label: Skill}]\\n"
    ...                            "items: [{id: a, scale: s}, {id: b, scale: s}]")
    >>> table = pd.DataFrame({"scale": ["s"], "group": ["role=mentee"], "n": [20], "alpha": [0.8], "criterion": [0.61],
    ...                       "improved": [35.0], "improved_ci_low": [18.1], "improved_ci_high": [56.7],
    ...                       "unchanged": [60.0], "worse": [5.0], "worse_ci_low": [0.9], "worse_ci_high": [23.6],
    ...                       "direction": ["higher is better"], "suppressed": [False]})
    >>> rci_view(table, inst).iloc[0][["scale", "group", "improved", "worse", "criterion"]].tolist()
    ['Skill', 'mentees', '35% (18–57)', '5% (1–24)', '±0.61']
    """
    columns = ["scale", "group", "n", "improved", "unchanged", "worse", "criterion", "alpha", "suppressed"]
    if table.empty:
        return pd.DataFrame(columns=columns)
    labels = score_labels(instrument)  # person scores: a percent-favourable scale's is the mean rating
    who = {"all": "participants", "role=mentor": "mentors", "role=mentee": "mentees"}
    hidden = table["suppressed"].astype(bool)
    out = pd.DataFrame({
        "scale": table["scale"].map(lambda s: labels.get(s, s)),
        "group": table["group"].map(who).fillna(table["group"]),
        "n": table["n"].astype(int),
        "improved": [_share_text(s, lo, hi) for s, lo, hi in zip(table["improved"], table["improved_ci_low"],
                                                                  table["improved_ci_high"], strict=True)],
        "unchanged": [_share_text(s, float("nan"), float("nan")) for s in table["unchanged"]],
        "worse": [_share_text(s, lo, hi) for s, lo, hi in zip(table["worse"], table["worse_ci_low"],
                                                               table["worse_ci_high"], strict=True)],
        "criterion": [f"±{c:.2f}" for c in table["criterion"]],
        "alpha": table["alpha"].astype("float64"),
        "suppressed": hidden,
    })
    for column in ("improved", "unchanged", "worse"):
        out.loc[hidden, column] = "suppressed"
    return out[columns].reset_index(drop=True)


__all__ += ["rci_view"]
