"""Robust pairs: shares in [0, 1], reproducible with the seed, independent of the chunking and of the cluster; a pair
best by a wide margin survives every perturbation; and against a plain re-computation (each draw's weights from
the documented generator, the score by hand, the best pairing by exhaustive enumeration)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rmkit.cohort.config import PairingConfig, PairingWeights
from rmkit.pairing import pair_participants, prepare_pairing
from rmkit.pairing import robustness as rb

from ..helpers.pairing_cases import cohorts, locks_contradict, reference_allowed

COMPONENTS = ("skill_gap", "reverse_gap", "interests", "work_style", "availability")


def _people() -> pd.DataFrame:
    """Two mentors, two mentees: the diagonal wins on every component (a wide margin)."""
    return pd.DataFrame({
        "person_id": ["m1", "m2", "e1", "e2"], "role": ["mentor"] * 2 + ["mentee"] * 2,
        "offers": ["AI tools", "video", "strategy", "finance"], "wants": ["strategy", "finance", "AI tools", "video"],
        "interests": ["chess", "jazz", "chess", "jazz"], "work_style": ["introvert", "extrovert", "introvert", "extrovert"],
        "availability": ["Mon AM", "Tue PM", "Mon AM", "Tue PM"],
    })


def _close_call() -> pd.DataFrame:
    """m1–e1 + m2–e2 wins on skills, m1–e2 + m2–e1 on interests; the weights decide."""
    return pd.DataFrame({
        "person_id": ["m1", "m2", "e1", "e2"], "role": ["mentor"] * 2 + ["mentee"] * 2,
        "offers": ["AI tools", "video", "", ""], "wants": ["", "", "AI tools", "video"],
        "interests": ["chess", "jazz", "jazz", "chess"],
    })


def test_a_pair_best_by_a_wide_margin_is_kept_always() -> None:
    result = pair_participants(_people())
    share = rb.pair_robustness(result, draws=300, seed=3)
    assert share["robustness"].tolist() == [1.0, 1.0]
    assert share[["mentor_id", "mentee_id"]].values.tolist() == result.pairs[["mentor_id", "mentee_id"]].values.tolist()


def test_a_close_call_is_fragile_and_the_share_is_reproducible() -> None:
    config = PairingConfig(weights=PairingWeights(skill_gap=0.5, reverse_gap=0, interests=0.5, work_style=0, availability=0))
    result = pair_participants(_close_call(), config)
    first = rb.pair_robustness(result, draws=200, seed=11)
    assert first.equals(rb.pair_robustness(result, draws=200, seed=11))
    values = first["robustness"].to_numpy()
    assert ((values > 0.2) & (values < 0.8)).all(), values  # equal weights: each side wins about half the draws
    # by hand: a draw keeps the proposal exactly when the skill weight's factor beats the interests weight's
    # (skills: m1–e1 and m2–e2 score w_s / (w_s + w_i) each; interests: the crossed pairs score w_i / (w_s + w_i))
    proposal = set(map(tuple, result.pairs[["mentor_id", "mentee_id"]].values.tolist()))
    skills_win = proposal == {("m1", "e1"), ("m2", "e2")}
    expected = 0
    for d in range(200):
        rng = np.random.default_rng(np.random.SeedSequence(11, spawn_key=(d,)))
        factors = rng.uniform(0.8, 1.2, size=2)  # the positive weights, in component order: skill_gap, interests
        ws, wi = 0.5 * factors
        expected += (ws > wi) if skills_win else (wi > ws)
    assert values.tolist() == [round(expected / 200, 6)] * 2


def test_locked_pairs_are_always_kept() -> None:
    log = pd.DataFrame({"action": ["lock"], "mentor_id": ["m1"], "mentee_id": ["e2"]})
    result = prepare_pairing(_people(), decisions=log).solve()
    share = rb.pair_robustness(result, draws=40).set_index(["mentor_id", "mentee_id"])["robustness"]
    assert share.loc[("m1", "e2")] == 1.0


def test_chunking_does_not_change_the_result(monkeypatch: pytest.MonkeyPatch) -> None:
    config = PairingConfig(weights=PairingWeights(skill_gap=0.5, reverse_gap=0, interests=0.5, work_style=0, availability=0))
    result = pair_participants(_close_call(), config)
    reference = rb.pair_robustness(result, draws=97, seed=5)
    for size in (1, 7, 500):
        monkeypatch.setattr(rb, "CHUNK_DRAWS", size)
        assert rb.pair_robustness(result, draws=97, seed=5).equals(reference)


@pytest.mark.parametrize(("draws", "spread"), [(0, 0.2), (-1, 0.2), (True, 0.2), (10, 1.0), (10, -0.1)])
def test_bad_arguments(draws: object, spread: float) -> None:
    with pytest.raises(ValueError):
        rb.pair_robustness(pair_participants(_people()), draws=draws, spread=spread)  # type: ignore[arg-type]


def _brute_optimal(score: np.ndarray, allowed: np.ndarray, capacity: np.ndarray, locked: np.ndarray) -> list[set[tuple[int, int]]]:
    """Every pairing with the most pairs and then the highest total (exhaustive; ties give several)."""
    n_m, n_e = score.shape
    options = []
    for j in range(n_e):
        lock = [i for i in range(n_m) if locked[i, j]]
        options.append(lock if lock else [None] + [i for i in range(n_m) if allowed[i, j]])
    best: tuple[int, float] | None = None
    winners: list[set[tuple[int, int]]] = []
    for choice in itertools.product(*options):
        load = np.bincount([i for i in choice if i is not None], minlength=n_m)
        if (load > capacity).any():
            continue
        pairs = {(i, j) for j, i in enumerate(choice) if i is not None}
        key = (len(pairs), round(sum(score[i, j] for i, j in pairs), 9))
        if best is None or key > best:
            best, winners = key, [pairs]
        elif key == best:
            winners.append(pairs)
    return winners


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cohorts(max_mentors=3, max_mentees=4), st.integers(0, 2**16))
def test_against_a_plain_recomputation(cohort: dict, seed: int) -> None:
    _, _, allowed, capacity, locked = reference_allowed(cohort)
    if locks_contradict(locked, capacity):
        return
    problem = prepare_pairing(cohort["participants"], cohort["config"], cohort["decisions"])
    if not (locked.any() or (allowed & (capacity > 0)[:, None]).any()):
        return
    result = problem.solve("optimal")
    draws = 12
    share = rb.pair_robustness(result, draws=draws, seed=seed)
    values = share["robustness"].to_numpy()
    assert ((values >= 0) & (values <= 1)).all()
    assert (share["robustness"][result.pairs["locked"].to_numpy()] == 1).all()
    compat = problem.compatibility
    base = np.array([compat.weights[c] for c in COMPONENTS])
    positive = base > 0
    proposal = list(zip(result.assignment.mentor.tolist(), result.assignment.mentee.tolist(), strict=True))
    kept_low = np.zeros(len(proposal))
    kept_high = np.zeros(len(proposal))
    for d in range(draws):
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(d,)))
        w = np.zeros(len(COMPONENTS))
        w[positive] = base[positive] * rng.uniform(0.8, 1.2, size=int(positive.sum()))
        score = sum(w[k] * compat.component(c) for k, c in enumerate(COMPONENTS)) / w.sum()
        score = np.clip(np.round(score, 6), 0, 1)
        winners = _brute_optimal(score, allowed, capacity, locked)
        for k, pair in enumerate(proposal):
            inside = [pair in w_ for w_ in winners]
            kept_low[k] += all(inside)   # kept whichever tied optimum the solver picks
            kept_high[k] += any(inside)  # kept by at least one optimum
    assert (kept_low / draws <= values + 1e-6).all() and (values <= kept_high / draws + 1e-6).all()


def test_a_local_cluster_gives_the_in_process_result() -> None:
    distributed = pytest.importorskip("distributed")
    config = PairingConfig(weights=PairingWeights(skill_gap=0.5, reverse_gap=0.1, interests=0.5, work_style=0, availability=0))
    result = pair_participants(_close_call(), config)
    local = rb.pair_robustness(result, draws=90, seed=8)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:
        remote = rb.pair_robustness(result, draws=90, seed=8, client=client)
    assert remote.equals(local)


@pytest.mark.slow
def test_a_cluster_of_processes_gives_the_in_process_result() -> None:
    distributed = pytest.importorskip("distributed")
    from rmkit.cohort import load_cohort
    from rmkit.pairing import propose_pairs
    from rmkit.resources import example_cohort_dir

    result = propose_pairs(load_cohort(example_cohort_dir()))
    local = rb.pair_robustness(result, draws=60, seed=2)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:
        remote = rb.pair_robustness(result, draws=60, seed=2, client=client)
    assert remote.equals(local)
    assert local["robustness"].between(0, 1).all() and (local["robustness"] < 1).any()
