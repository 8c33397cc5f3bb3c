"""Compatibility of every mentor × mentee pair: five components in [0, 1] and their weighted score.

Terms (skills, interests, time slots, work styles) are compared after trimming, collapsing inner runs of spaces
and ignoring letter case, so ``" Social  Media"`` and ``"social media"`` are the same skill. A term listed twice by
one person counts once.

The components, for a mentor *m* and a mentee *e* (|·| counts distinct terms):

``skill_gap``
    the share of what the mentee wants that the mentor offers, |wants(e) ∩ offers(m)| / |wants(e)|;
    0 when the mentee wants nothing.
``reverse_gap``
    the share of what the mentor wants that the mentee offers, |wants(m) ∩ offers(e)| / |wants(m)|;
    0 when the mentor wants nothing (reverse mentoring is two-way learning).
``interests``
    the Jaccard index of their interests, |I(m) ∩ I(e)| / |I(m) ∪ I(e)|; 0 when both list none.
``work_style``
    1 when both give the same non-empty style; 0.5 when one of them is an ``ambivert`` and the other gives a
    different non-empty style (an ambivert adapts to either); 0 otherwise, including when either is unknown.
``availability``
    the overlap coefficient of their time slots, |A(m) ∩ A(e)| / min(|A(m)|, |A(e)|): 1 when every slot of the
    busier person is free for the other too; 0 when either lists no slot.

The score is the weighted mean ``Σ w_c · c / Σ w_c`` with the weights of ``pairing.weights``, so it lies in [0, 1],
rounded to :data:`SCORE_DECIMALS` decimals. The rounded matrix is the one every strategy solves and the one that is
exported, so a score printed in ``pairs.csv`` is exactly its cell of the exported matrix and totals recomputed from
the exported matrix agree with rmkit's.

Everything is computed with sparse one-hot incidence matrices (person × term) and matrix products; there is no
Python loop over pairs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..cohort.config import DEFAULT_WEIGHTS, WEIGHT_COMPONENTS
from ..cohort.tables import split_list

__all__ = [
    "COMPONENTS",
    "SCORE_DECIMALS",
    "Compatibility",
    "compute_compatibility",
    "normalize_term",
    "as_term_lists",
    "id_text",
    "split_roles",
]

COMPONENTS: tuple[str, ...] = WEIGHT_COMPONENTS
"""The compatibility components, in the order of ``pairing.weights``."""

SCORE_DECIMALS = 6
"""Scores are rounded to this many decimals before solving and exporting."""

AMBIVERT = "ambivert"
_LIST_FIELDS = ("offers", "wants", "interests", "availability")


def normalize_term(term: object) -> str:
    """The comparison key of a skill, interest, slot or style: trimmed, inner spaces collapsed, case folded.

    Examples
    --------
    >>> normalize_term("  Social   Media ")
    'social media'
    >>> normalize_term("AI Tools") == normalize_term("ai tools")
    True
    """
    return " ".join(str(term).split()).casefold()


def id_text(value: object) -> str | None:
    """A person id as text: trimmed; a whole number read as a float (``12.0``) becomes ``"12"``; empty → ``None``.

    Examples
    --------
    >>> id_text(" p01 "), id_text(12.0), id_text(float("nan")), id_text("")
    ('p01', '12', None, None)
    """
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, float | np.floating) and float(value).is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def as_term_lists(column: pd.Series) -> pd.Series:
    """A list-valued column as lists of trimmed strings (cells may be lists, ``"a; b"`` text or empty).

    Examples
    --------
    >>> as_term_lists(pd.Series([["a", " b "], "c; d", None])).tolist()
    [['a', 'b'], ['c', 'd'], []]
    """
    return column.map(split_list)


def _fast_term_lists(column: pd.Series) -> pd.Series:
    """Like :func:`as_term_lists`, but list cells are taken as they are (terms are normalized later anyway)."""
    return column.map(lambda cell: cell if isinstance(cell, list) else split_list(cell))


@dataclass(frozen=True, eq=False)
class _Side:
    """The terms of one side (mentors or mentees), as sparse incidence matrices over shared vocabularies."""

    offers: Any  # scipy.sparse.csr_matrix, person × skill
    wants: Any
    interests: Any
    availability: Any
    style: np.ndarray  # int code per person, -1 when unknown
    ambivert: np.ndarray  # bool


@dataclass(frozen=True, eq=False)
class _Features:
    mentors: _Side
    mentees: _Side
    skills: pd.Index
    interests: pd.Index
    slots: pd.Index
    styles: pd.Index


def _incidence(left: pd.Series, right: pd.Series) -> tuple[Any, Any, pd.Index]:
    """Sparse 0/1 incidence matrices (person × term) of two list columns over one shared vocabulary."""
    from scipy import sparse

    n_left = len(left)
    both = pd.concat([left.reset_index(drop=True), right.reset_index(drop=True)], ignore_index=True)
    owners = np.repeat(np.arange(len(both)), both.map(len).to_numpy())
    raw = pd.Series([t for cell in both for t in cell], dtype=object)
    # normalize each distinct spelling once, not each occurrence
    raw_codes, spellings = pd.factorize(raw)
    normalized = np.array([normalize_term(t) for t in spellings], dtype=object)
    keys = pd.Series(normalized[raw_codes] if len(raw_codes) else np.array([], dtype=object), dtype=object)
    keep = (keys != "").to_numpy()
    owners, keys = owners[keep], keys[keep]
    codes, vocabulary = pd.factorize(keys, sort=True)
    codes = np.asarray(codes, dtype=np.int64)
    n_terms = len(vocabulary)
    # one cell per (person, term): duplicates listed by one person count once
    pairs = np.unique(owners.astype(np.int64) * max(n_terms, 1) + codes) if len(codes) else np.array([], dtype=np.int64)
    rows, cols = (pairs // max(n_terms, 1), pairs % max(n_terms, 1)) if len(pairs) else (pairs, pairs)
    matrix = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(both), n_terms))
    return matrix[:n_left], matrix[n_left:], pd.Index(vocabulary)


def _styles(left: pd.Series, right: pd.Series) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    both = pd.concat([left.reset_index(drop=True), right.reset_index(drop=True)], ignore_index=True)
    raw_codes, spellings = pd.factorize(both)  # missing values get -1
    normalized = pd.Series([normalize_term(v) for v in spellings], dtype=object)
    codes, vocabulary = pd.factorize(normalized.where(normalized != "", None), sort=True)
    codes = np.append(np.asarray(codes), -1)[raw_codes]  # raw code -1 picks the appended -1
    n_left = len(left)
    return codes[:n_left], codes[n_left:], pd.Index(vocabulary)


def _features(mentors: pd.DataFrame, mentees: pd.DataFrame) -> _Features:
    lists = {f: (_fast_term_lists(_column(mentors, f)), _fast_term_lists(_column(mentees, f))) for f in _LIST_FIELDS}
    # offers and wants share one skill vocabulary, so that wants(e) · offers(m) is a matrix product
    skills_m, skills_e = pd.concat([lists["offers"][0], lists["wants"][0]]), pd.concat([lists["offers"][1], lists["wants"][1]])
    sk_m, sk_e, skills = _incidence(skills_m, skills_e)
    n_m, n_e = len(mentors), len(mentees)
    offers_m, wants_m = sk_m[:n_m], sk_m[n_m:]
    offers_e, wants_e = sk_e[:n_e], sk_e[n_e:]
    int_m, int_e, interests = _incidence(*lists["interests"])
    av_m, av_e, slots = _incidence(*lists["availability"])
    st_m, st_e, styles = _styles(_column(mentors, "work_style"), _column(mentees, "work_style"))
    amb = styles.get_loc(AMBIVERT) if AMBIVERT in styles else -2
    return _Features(
        mentors=_Side(offers_m, wants_m, int_m, av_m, st_m, st_m == amb),
        mentees=_Side(offers_e, wants_e, int_e, av_e, st_e, st_e == amb),
        skills=skills, interests=interests, slots=slots, styles=styles,
    )


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def _counts(matrix: Any) -> np.ndarray:
    return np.asarray(matrix.sum(axis=1)).ravel()


def _product(left: Any, right: Any) -> np.ndarray:
    """``left @ right.T`` as a dense array (sparse × dense: no dense-by-dense work when vocabularies are large)."""
    return np.asarray(left @ right.T.toarray())


def _share(overlap: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    out = np.zeros(np.broadcast_shapes(overlap.shape, denominator.shape))
    np.divide(overlap, denominator, out=out, where=denominator > 0)
    return out


def _component(features: _Features, name: str) -> np.ndarray:
    m, e = features.mentors, features.mentees
    if name == "skill_gap":
        return _share(_product(m.offers, e.wants), _counts(e.wants)[None, :])
    if name == "reverse_gap":
        return _share(_product(m.wants, e.offers), _counts(m.wants)[:, None])
    if name == "interests":
        shared = _product(m.interests, e.interests)
        union = _counts(m.interests)[:, None] + _counts(e.interests)[None, :] - shared
        return _share(shared, union)
    if name == "availability":
        shared = _product(m.availability, e.availability)
        return _share(shared, np.minimum(_counts(m.availability)[:, None], _counts(e.availability)[None, :]))
    if name == "work_style":
        known_m, known_e = m.style >= 0, e.style >= 0
        same = (m.style[:, None] == e.style[None, :]) & known_m[:, None]
        partial = (m.ambivert[:, None] & known_e[None, :]) | (known_m[:, None] & e.ambivert[None, :])
        return np.where(same, 1.0, np.where(partial, 0.5, 0.0))
    raise ValueError(f"unknown component {name!r}; components: {', '.join(COMPONENTS)}")


def _component_at(features: _Features, name: str, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """One component for the pairs (i[k], j[k]) only: row-wise products, no full matrix."""
    m, e = features.mentors, features.mentees

    def rowdot(a: Any, b: Any) -> np.ndarray:
        return np.asarray(a[i].multiply(b[j]).sum(axis=1)).ravel()

    if name == "skill_gap":
        return _share(rowdot(m.offers, e.wants), _counts(e.wants)[j])
    if name == "reverse_gap":
        return _share(rowdot(m.wants, e.offers), _counts(m.wants)[i])
    if name == "interests":
        shared = rowdot(m.interests, e.interests)
        return _share(shared, _counts(m.interests)[i] + _counts(e.interests)[j] - shared)
    if name == "availability":
        shared = rowdot(m.availability, e.availability)
        return _share(shared, np.minimum(_counts(m.availability)[i], _counts(e.availability)[j]))
    if name == "work_style":
        sm, se = m.style[i], e.style[j]
        same = (sm == se) & (sm >= 0)
        partial = (m.ambivert[i] & (se >= 0)) | ((sm >= 0) & e.ambivert[j])
        return np.where(same, 1.0, np.where(partial, 0.5, 0.0))
    raise ValueError(f"unknown component {name!r}; components: {', '.join(COMPONENTS)}")


@dataclass(frozen=True, eq=False)
class Compatibility:
    """The compatibility of every mentor × mentee pair.

    Rows are mentors and columns mentees, both in ``person_id`` order. ``score`` is computed once; the component
    matrices are computed on first use (and cached), and :meth:`components_at` gives them for a list of pairs without
    building whole matrices.

    Attributes
    ----------
    mentor_ids, mentee_ids : pandas.Index
        The row and column labels.
    weights : dict
        Component → weight, as in ``pairing.weights``.
    score : numpy.ndarray
        The weighted score, mentors × mentees, in [0, 1], rounded to :data:`SCORE_DECIMALS` decimals.

    Examples
    --------
    >>> people = pd.DataFrame({"person_id": ["m1", "e1", "e2"], "role": ["mentor", "mentee", "mentee"],
    ...                        "interests": ["chess; jazz", "Jazz", ""], "offers": "", "wants": ""})
    >>> compat = compute_compatibility(people, weights={"interests": 1})
    >>> compat.frame()
    mentee_id   e1   e2
    mentor_id
    m1         0.5  0.0
    >>> compat.components_at([0], [0])["interests"].tolist()
    [0.5]
    """

    mentor_ids: pd.Index
    mentee_ids: pd.Index
    weights: Mapping[str, float]
    score: np.ndarray
    _features: _Features = field(repr=False)
    _cache: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.mentor_ids), len(self.mentee_ids))

    def component(self, name: str) -> np.ndarray:
        """The matrix of one component (mentors × mentees, values in [0, 1]).

        Examples
        --------
        >>> people = pd.DataFrame({"person_id": ["m1", "e1"], "role": ["mentor", "mentee"],
        ...                        "offers": [["AI tools"], ["strategy"]], "wants": [["strategy"], ["ai tools", "video"]]})
        >>> compute_compatibility(people).component("skill_gap")
        array([[0.5]])
        """
        if name not in COMPONENTS:
            raise ValueError(f"unknown component {name!r}; components: {', '.join(COMPONENTS)}")
        if name not in self._cache:
            matrix = _component(self._features, name)
            matrix.setflags(write=False)
            self._cache[name] = matrix
        return self._cache[name]

    @property
    def components(self) -> dict[str, np.ndarray]:
        """Every component matrix, by name."""
        return {name: self.component(name) for name in COMPONENTS}

    def components_at(self, mentor_index: Sequence[int] | np.ndarray, mentee_index: Sequence[int] | np.ndarray) -> pd.DataFrame:
        """The components of the pairs ``(mentor_index[k], mentee_index[k])`` (positions, not ids), one row each."""
        i = np.asarray(mentor_index, dtype=np.int64)
        j = np.asarray(mentee_index, dtype=np.int64)
        columns = {}
        for name in COMPONENTS:
            if name in self._cache:
                columns[name] = self._cache[name][i, j]
            else:
                columns[name] = _component_at(self._features, name, i, j) if len(i) else np.zeros(0)
        return pd.DataFrame(columns)

    def frame(self, name: str = "score") -> pd.DataFrame:
        """``score`` or one component as a DataFrame: index ``mentor_id``, columns ``mentee_id``."""
        values = self.score if name == "score" else self.component(name)
        return pd.DataFrame(values, index=self.mentor_ids.rename("mentor_id"), columns=self.mentee_ids.rename("mentee_id"))

    def long(self) -> pd.DataFrame:
        """Every pair as a tidy table: mentor_id, mentee_id, score and one column per component.

        Examples
        --------
        >>> people = pd.DataFrame({"person_id": ["m1", "m2", "e1"], "role": ["mentor", "mentor", "mentee"],
        ...                        "offers": ["video", "AI tools", "strategy"], "wants": ["", "", "AI tools"]})
        >>> compute_compatibility(people, weights={"skill_gap": 1}).long()[["mentor_id", "mentee_id", "score"]]
          mentor_id mentee_id  score
        0        m1        e1    0.0
        1        m2        e1    1.0
        """
        n_m, n_e = self.shape
        out = pd.DataFrame({
            "mentor_id": np.repeat(self.mentor_ids.to_numpy(), n_e),
            "mentee_id": np.tile(self.mentee_ids.to_numpy(), n_m),
            "score": self.score.ravel(),
        })
        for name in COMPONENTS:
            out[name] = self.component(name).ravel()
        return out


def compute_compatibility(
    participants: pd.DataFrame, *, weights: Mapping[str, float] | None = None, keep_components: bool | None = None
) -> Compatibility:
    """Score every mentor × mentee pair of ``participants``.

    Parameters
    ----------
    participants : pandas.DataFrame
        Columns ``person_id``, ``role`` (``mentor``/``mentee``) and, when known, ``offers``, ``wants``,
        ``interests``, ``availability`` (lists, or text separated by ``;``) and ``work_style``. Not modified.
    weights : mapping, optional
        Component → non-negative weight (a missing component weighs 0); default: the defaults of ``program.yaml``.
    keep_components : bool, optional
        Keep the component matrices computed for the score (default: when the matrix has at most a million cells);
        otherwise they are recomputed when asked for.

    Returns
    -------
    Compatibility
        Rows: mentors by ``person_id``; columns: mentees by ``person_id``.

    Notes
    -----
    See the module docstring for each component's formula. ``score = Σ w_c · c / Σ w_c``.

    Examples
    --------
    >>> people = pd.DataFrame({
    ...     "person_id": ["m1", "e1"], "role": ["mentor", "mentee"],
    ...     "offers": ["social media; AI tools", "strategy"], "wants": ["strategy; finance", "AI tools; video"],
    ...     "interests": ["running", "running; music"], "work_style": ["introvert", "Introvert"],
    ...     "availability": ["Mon AM; Tue PM", "Tue PM"]})
    >>> compat = compute_compatibility(people)
    >>> compat.components_at([0], [0]).round(3).to_dict("records")
    [{'skill_gap': 0.5, 'reverse_gap': 0.5, 'interests': 0.5, 'work_style': 1.0, 'availability': 1.0}]
    >>> float(compat.score[0, 0])  # (0.5·0.5 + 0.2·0.5 + 0.15·0.5 + 0.1·1 + 0.05·1) / 1
    0.575
    """
    weights = dict(DEFAULT_WEIGHTS if weights is None else weights)
    unknown = sorted(set(weights) - set(COMPONENTS))
    if unknown:
        raise ValueError(f"unknown weight(s) {', '.join(unknown)}; components: {', '.join(COMPONENTS)}")
    full = {c: float(weights.get(c, 0.0)) for c in COMPONENTS}
    if any(w < 0 or not np.isfinite(w) for w in full.values()) or sum(full.values()) <= 0:
        raise ValueError(f"weights must be non-negative with at least one positive; found {full}")
    mentors, mentees = split_roles(participants)
    features = _features(mentors, mentees)
    n_m, n_e = len(mentors), len(mentees)
    keep = keep_components if keep_components is not None else n_m * n_e <= 1_000_000
    total_weight = sum(full.values())
    score = np.zeros((n_m, n_e))
    cache: dict[str, np.ndarray] = {}
    for name, weight in full.items():
        if weight == 0:
            continue
        matrix = _component(features, name)
        score += (weight / total_weight) * matrix
        if keep:
            matrix.setflags(write=False)
            cache[name] = matrix
    score = np.clip(np.round(score, SCORE_DECIMALS), 0.0, 1.0)
    score.setflags(write=False)
    return Compatibility(
        mentor_ids=pd.Index(mentors["person_id"].to_numpy(), name="mentor_id"),
        mentee_ids=pd.Index(mentees["person_id"].to_numpy(), name="mentee_id"),
        weights=full, score=score, _features=features, _cache=cache,
    )


def split_roles(participants: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mentors and mentees of ``participants``, each sorted by ``person_id`` (as text), with a fresh index.

    Raises ``ValueError`` when ``person_id`` or ``role`` is missing, an id is empty or repeated, or a role is neither
    ``mentor`` nor ``mentee``.

    Examples
    --------
    >>> people = pd.DataFrame({"person_id": ["b", "a", "c"], "role": ["Mentor", "mentor", "mentee"]})
    >>> [frame["person_id"].tolist() for frame in split_roles(people)]
    [['a', 'b'], ['c']]
    """
    for column in ("person_id", "role"):
        if column not in participants.columns:
            raise ValueError(f"participants need a {column!r} column")
    people = participants.copy()
    people["person_id"] = people["person_id"].map(lambda v: id_text(v) or "")
    if (people["person_id"] == "").any():
        raise ValueError("participants have an empty person_id")
    repeated = sorted(set(people.loc[people["person_id"].duplicated(), "person_id"]))
    if repeated:
        raise ValueError(f"person_id repeated in participants: {', '.join(repeated[:5])}")
    role = people["role"].map(lambda v: str(v).strip().casefold())
    bad = sorted(set(role) - {"mentor", "mentee"})
    if bad:
        raise ValueError(f"role must be mentor or mentee; found {', '.join(map(repr, bad))}")
    people["role"] = role
    mentors = people[role == "mentor"].sort_values("person_id", kind="stable").reset_index(drop=True)
    mentees = people[role == "mentee"].sort_values("person_id", kind="stable").reset_index(drop=True)
    return mentors, mentees
