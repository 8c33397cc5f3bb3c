"""Robust pairs: how often a proposed pair survives when the facilitator's weights are perturbed.

The weights of ``pairing.weights`` are a judgement, not a measurement: would the pairs change if they were a little
different? Each of ``draws`` re-solves multiplies every weight by its own factor drawn uniformly from
``[1 − spread, 1 + spread]`` (default ×U(0.8, 1.2)), recomputes the score ``Σ w_c · c / Σ w_c`` from the component
matrices (computed once: only the weighted sum and the solver run again), rounds it to
:data:`~rmkit.pairing.compatibility.SCORE_DECIMALS` decimals as the pairing does, and solves with the same strategy,
rules, decisions and capacities. A pair's **robustness** is the share of those solutions that keep it (0–1): 1 when
every perturbed solution keeps the pair, near 0 when the pair exists only at these exact weights. A facilitator
reviews the fragile pairs (robustness under :data:`FRAGILE_BELOW`) first. Locked pairs are in every solution, so
their robustness is 1.

Reproducible and independent of how the work is split: draw ``d`` takes its factors from
``numpy.random.default_rng(numpy.random.SeedSequence(seed, spawn_key=(d,)))``, whatever chunk or worker computes
it, and the per-chunk results are whole counts that are summed. The draws are cut into chunks of
:data:`CHUNK_DRAWS` and mapped over a ``dask.distributed`` :class:`~distributed.Client` when one is given
(``client=None``: in this process), so the same seed gives the same robustness on a laptop and on a cluster.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .compatibility import COMPONENTS, SCORE_DECIMALS
from .strategies import solve

if TYPE_CHECKING:
    from .problem import PairingResult

__all__ = ["DEFAULT_DRAWS", "DEFAULT_SPREAD", "CHUNK_DRAWS", "FRAGILE_BELOW", "RobustnessInputs", "perturbed_weights",
           "count_kept", "pair_robustness", "with_robustness", "draws_for_size", "FULL_DRAWS_UP_TO", "MIN_DRAWS"]

DEFAULT_DRAWS = 300
"""Re-solves per robustness estimate."""
FULL_DRAWS_UP_TO = 500
"""People on the larger side up to which a run makes every draw asked for (:func:`draws_for_size`)."""
MIN_DRAWS = 30
"""The fewest draws :func:`draws_for_size` makes (a Monte-Carlo error of at most 0.09 on a robustness)."""
DEFAULT_SPREAD = 0.2
"""Each weight is multiplied by U(1 − spread, 1 + spread)."""
CHUNK_DRAWS = 20
"""Draws per task (fixed, so that the tasks, and the result, never depend on the number of workers)."""
FRAGILE_BELOW = 0.5
"""A pair kept by fewer than this share of the perturbed solutions is *fragile*: review it first."""


@dataclass(frozen=True, eq=False)
class RobustnessInputs:
    """What every re-solve needs, as plain arrays (sent once to each worker of a cluster).

    ``components`` holds only the components with a positive weight (``names``), stacked: components × mentors ×
    mentees. ``mentor``/``mentee`` are the positions of the proposed pairs whose survival is counted.
    """

    names: tuple[str, ...]
    weights: np.ndarray
    components: np.ndarray
    allowed: np.ndarray
    capacity: np.ndarray
    locked: np.ndarray
    strategy: str
    mentor: np.ndarray
    mentee: np.ndarray
    seed: int
    spread: float


def perturbed_weights(weights: Sequence[float] | np.ndarray, draw: int, *, seed: int = 0,
                      spread: float = DEFAULT_SPREAD) -> np.ndarray:
    """The weights of draw ``draw``: each multiplied by its own U(1 − spread, 1 + spread) factor.

    Examples
    --------
    >>> w = perturbed_weights([0.5, 0.2, 0.3], 7, seed=1)
    >>> bool(((w >= 0.4) & (w <= 0.6)).any()), bool(np.all(w == perturbed_weights([0.5, 0.2, 0.3], 7, seed=1)))
    (True, True)
    """
    rng = np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(int(draw),)))
    base = np.asarray(weights, dtype=float)
    return base * rng.uniform(1.0 - spread, 1.0 + spread, size=len(base))


def _score(inputs: RobustnessInputs, weights: np.ndarray) -> np.ndarray:
    share = weights / weights.sum()
    score = np.tensordot(share, inputs.components, axes=1)
    return np.clip(np.round(score, SCORE_DECIMALS), 0.0, 1.0)


def count_kept(inputs: RobustnessInputs, draws: Sequence[int] | range) -> np.ndarray:
    """For each proposed pair, in how many of ``draws`` (draw numbers) the perturbed solution keeps it.

    A pure function of its arguments: the task one chunk of draws is, in this process or on a worker.
    """
    n_e = inputs.allowed.shape[1]
    wanted = inputs.mentor.astype(np.int64) * n_e + inputs.mentee.astype(np.int64)
    counts = np.zeros(len(wanted), dtype=np.int64)
    for draw in draws:
        weights = perturbed_weights(inputs.weights, draw, seed=inputs.seed, spread=inputs.spread)
        found = solve(_score(inputs, weights), inputs.allowed, inputs.capacity, inputs.locked, strategy=inputs.strategy)
        counts += np.isin(wanted, found.mentor.astype(np.int64) * n_e + found.mentee.astype(np.int64))
    return counts


def _inputs(result: PairingResult, *, seed: int, spread: float) -> RobustnessInputs:
    problem = result.problem
    compat = problem.compatibility
    names = tuple(name for name in COMPONENTS if compat.weights.get(name, 0.0) > 0)
    c = problem.constraints
    return RobustnessInputs(
        names=names,
        weights=np.array([compat.weights[name] for name in names], dtype=float),
        components=np.stack([compat.component(name) for name in names]),
        allowed=np.asarray(c.allowed, dtype=bool), capacity=np.asarray(c.capacity, dtype=np.int64),
        locked=np.asarray(c.locked, dtype=bool), strategy=result.strategy,
        mentor=np.asarray(result.assignment.mentor, dtype=np.int64), mentee=np.asarray(result.assignment.mentee, dtype=np.int64),
        seed=int(seed), spread=float(spread),
    )


def _chunks(draws: int) -> list[range]:
    return [range(start, min(start + CHUNK_DRAWS, draws)) for start in range(0, draws, CHUNK_DRAWS)]


def pair_robustness(result: PairingResult, *, draws: int = DEFAULT_DRAWS, seed: int = 0, spread: float = DEFAULT_SPREAD,
                    client: Any = None) -> pd.DataFrame:
    """The robustness of every proposed pair (see the module notes).

    Parameters
    ----------
    result : PairingResult
        The proposal (its strategy, rules, decisions and capacities are re-used).
    draws : int
        Perturbed re-solves (default 300).
    seed : int
        The same seed gives the same robustness, whatever the ``client``.
    spread : float
        Each weight is multiplied by U(1 − spread, 1 + spread); 0 ≤ spread < 1.
    client : distributed.Client, optional
        Map the chunks of draws over this cluster; ``None``: in this process.

    Returns
    -------
    pandas.DataFrame
        ``mentor_id``, ``mentee_id``, ``robustness`` (0–1, the share of draws that keep the pair, rounded to
        :data:`~rmkit.pairing.compatibility.SCORE_DECIMALS` decimals), in the order of ``result.pairs``.

    Examples
    --------
    >>> from rmkit.pairing import pair_participants
    >>> people = pd.DataFrame({"person_id": ["m1", "m2", "e1", "e2"], "role": ["mentor"] * 2 + ["mentee"] * 2,
    ...                        "offers": ["AI tools", "video", "", ""], "wants": ["", "", "AI tools", "video"],
    ...                        "interests": ["chess", "jazz", "chess", "jazz"]})
    >>> pair_robustness(pair_participants(people), draws=50)["robustness"].tolist()  # best by every criterion
    [1.0, 1.0]
    """
    if isinstance(draws, bool) or not isinstance(draws, int | np.integer) or draws < 1:
        raise ValueError(f"draws must be a whole number, 1 or more; found {draws!r}")
    if not 0 <= spread < 1:
        raise ValueError(f"spread must be at least 0 and below 1; found {spread!r}")
    inputs = _inputs(result, seed=seed, spread=spread)
    chunks = _chunks(int(draws))
    if client is None:
        parts = [count_kept(inputs, chunk) for chunk in chunks]
    else:
        shared = client.scatter(inputs, broadcast=True)
        futures = client.map(count_kept, [shared] * len(chunks), chunks, pure=False)
        parts = client.gather(futures)
    counts = np.sum(parts, axis=0) if parts else np.zeros(len(inputs.mentor), dtype=np.int64)
    problem = result.problem
    return pd.DataFrame({
        "mentor_id": pd.Series(problem.mentor_ids.to_numpy()[inputs.mentor], dtype=object),
        "mentee_id": pd.Series(problem.mentee_ids.to_numpy()[inputs.mentee], dtype=object),
        "robustness": np.round(np.asarray(counts, dtype=float) / int(draws), SCORE_DECIMALS),
    })


def with_robustness(pairs: pd.DataFrame, robustness: pd.DataFrame) -> pd.DataFrame:
    """``pairs`` (any table with ``mentor_id``, ``mentee_id``) with a ``robustness`` column, in the same row order.

    Examples
    --------
    >>> pairs = pd.DataFrame({"mentor_id": ["m1", "m2"], "mentee_id": ["e1", "e2"], "score": [0.9, 0.4]})
    >>> share = pd.DataFrame({"mentor_id": ["m2", "m1"], "mentee_id": ["e2", "e1"], "robustness": [0.35, 1.0]})
    >>> with_robustness(pairs, share)["robustness"].tolist()
    [1.0, 0.35]
    """
    keyed = robustness.set_index(["mentor_id", "mentee_id"])["robustness"]
    out = pairs.copy()
    index = pd.MultiIndex.from_arrays([out["mentor_id"], out["mentee_id"]])
    out["robustness"] = keyed.reindex(index).to_numpy()
    return out


def draws_for_size(draws: int, people: int) -> int:
    """The draws a run makes for a cohort whose larger side has ``people``: all of ``draws`` up to
    :data:`FULL_DRAWS_UP_TO`, then fewer in proportion to the size of the problem (each re-solve costs about
    ``people²`` and more), never fewer than :data:`MIN_DRAWS` (nor more than ``draws``). A 2,000 + 2,000 cohort's
    re-solve takes seconds: its 300 draws would take half an hour; it gets 30.

    Examples
    --------
    >>> draws_for_size(300, 40), draws_for_size(300, 1000), draws_for_size(300, 2000), draws_for_size(10, 2000)
    (300, 75, 30, 10)
    """
    if people <= FULL_DRAWS_UP_TO:
        return draws
    return min(draws, max(MIN_DRAWS, round(draws * (FULL_DRAWS_UP_TO / people) ** 2)))
