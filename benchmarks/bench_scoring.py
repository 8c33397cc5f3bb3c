"""Benchmark: score 1,000,000 survey responses × 30 items, end to end and in memory, each against a plain reference
measured in the same run.

    python benchmarks/bench_scoring.py [--responses N] [--repeat R] [--part cli|core|both]

**cli** (the issue's target: within 2× of the reference): ``rmkit score COHORT --out scores.csv`` on a cohort folder
whose ``responses.csv`` holds N responses × 30 items (validation, type conversion, scoring, formula-safe writing),
against plain pandas reading the same ``responses.csv`` and writing it back (``pd.read_csv`` + ``to_csv``). Each
runs in its own process; times are wall-clock (best of ``--repeat``), memory is the process's peak resident size.

**core**:

rmkit's path is what a cohort goes through: :func:`rmkit.evaluation.scoring.score_responses` on a responses DataFrame (item
columns Int64, as :func:`rmkit.load_cohort` types them, and again with float64 columns), then
:func:`rmkit.evaluation.waves.waves_table` by all, role and department. The NumPy baseline starts from the answers already in
one float64 matrix and computes the same numbers with no pandas at all: reverse coding, the ``min_answered`` rule,
each person's scale means, then the mean per scale × wave × group with ``numpy.bincount``. The two are checked to
agree before the times are printed. Times are the best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rmkit.cohort.config import parse_instrument  # noqa: E402
from rmkit.evaluation.scoring import score_responses  # noqa: E402
from rmkit.evaluation.waves import waves_table  # noqa: E402

N_SCALES, PER_SCALE = 6, 5
WAVES = ["baseline", "month6", "month12"]
DEPARTMENTS = ["Marketing", "Sales", "Finance", "Operations", "IT", "HR", "Product", "Legal"]


def instrument():
    lines = ["id: bench", "response_scale: {min: 1, max: 5}", "favorable_at: 4", "min_answered: 0.5", "scales:"]
    for s in range(N_SCALES):
        lines.append(f"  - {{id: s{s}, scoring: {'percent_favorable' if s == N_SCALES - 1 else 'mean'}}}")
    lines.append("items:")
    for s in range(N_SCALES):
        for j in range(PER_SCALE):
            lines.append(f"  - {{id: s{s}i{j}, scale: s{s}, reverse: {str(j == PER_SCALE - 1).lower()}}}")
    inst, problems = parse_instrument("\n".join(lines))
    assert inst is not None, problems
    return inst


def data(n: int, seed: int = 0) -> tuple[np.ndarray, pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    people = -(-n // len(WAVES))
    ids = np.array([f"p{k:07d}" for k in range(people)], dtype=object)
    latent = rng.normal(3.3, 0.8, (n, N_SCALES))
    answers = np.clip(np.rint(np.repeat(latent, PER_SCALE, axis=1) + rng.normal(0, 0.7, (n, N_SCALES * PER_SCALE))), 1, 5)
    answers[rng.random(answers.shape) < 0.03] = np.nan
    frame = pd.DataFrame({"person_id": np.resize(ids, n), "wave": np.repeat(WAVES, people)[:n]})
    participants = pd.DataFrame({
        "person_id": ids,
        "role": np.where(rng.random(people) < 0.5, "mentor", "mentee"),
        "department": np.array(DEPARTMENTS, dtype=object)[rng.integers(0, len(DEPARTMENTS), people)],
    })
    return answers, frame, participants


def numpy_means(answers: np.ndarray, person_index: np.ndarray, wave_index: np.ndarray,
                group_of_person: list[np.ndarray], n_groups: list[int]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Plain NumPy: per-person scale means (min_answered 0.5, last item of each scale reversed), then the mean
    score (the favourable share for the last scale) per scale × wave × group."""
    x = answers.copy()
    x[:, PER_SCALE - 1::PER_SCALE] = 6 - x[:, PER_SCALE - 1::PER_SCALE]
    blocks = x.reshape(len(x), N_SCALES, PER_SCALE)
    present = ~np.isnan(blocks)
    count = present.sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(count >= 0.5 * PER_SCALE, np.nansum(blocks, axis=2) / count, np.nan)
    measured = means.copy()
    measured[:, -1] = np.where(np.isnan(means[:, -1]), np.nan, (means[:, -1] >= 4) * 100.0)
    tables = []
    for groups, size in zip(group_of_person, n_groups, strict=True):
        g = groups[person_index]
        out = np.empty((N_SCALES, len(WAVES), size))
        for s in range(N_SCALES):
            ok = ~np.isnan(measured[:, s]) & (g >= 0)
            key = wave_index[ok] * size + g[ok]
            total = np.bincount(key, weights=measured[ok, s], minlength=len(WAVES) * size)
            n = np.bincount(key, minlength=len(WAVES) * size)
            out[s] = (total / n).reshape(len(WAVES), size)
        tables.append(out)
    return means, tables


def best(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def write_cohort_folder(folder: Path, n: int, seed: int = 0) -> Path:
    """A cohort folder for ``rmkit score``: program.yaml, the 30-item instrument, participants, N responses."""
    answers, frame, participants = data(n, seed)
    folder.mkdir(parents=True, exist_ok=True)
    inst_lines = ["id: bench", "response_scale: {min: 1, max: 5}", "favorable_at: 4", "min_answered: 0.5", "scales:"]
    inst_lines += [f"  - {{id: s{s}, scoring: {'percent_favorable' if s == N_SCALES - 1 else 'mean'}}}" for s in range(N_SCALES)]
    inst_lines.append("items:")
    inst_lines += [f"  - {{id: s{s}i{j}, scale: s{s}, reverse: {str(j == PER_SCALE - 1).lower()}}}"
                   for s in range(N_SCALES) for j in range(PER_SCALE)]
    (folder / "bench.yaml").write_text("\n".join(inst_lines) + "\n", encoding="utf-8")
    (folder / "program.yaml").write_text("program: Scoring benchmark\ncohort: bench\ninstrument: bench.yaml\n"
                                         f"waves: [{', '.join(WAVES)}]\nmin_group_size: 5\n", encoding="utf-8")
    people = participants.assign(offers=np.where(participants["role"] == "mentor", "AI tools", ""),
                                 wants=np.where(participants["role"] == "mentee", "AI tools", ""))
    people.to_csv(folder / "participants.csv", index=False)
    items = [f"s{s}i{j}" for s in range(N_SCALES) for j in range(PER_SCALE)]
    table = frame.assign(submitted_at="2026-03-01")
    table = pd.concat([table, pd.DataFrame(answers, columns=items).astype("Int64")], axis=1)
    table.to_csv(folder / "responses.csv", index=False)
    return folder


PANDAS_REFERENCE = """
import sys
import pandas as pd
frame = pd.read_csv(sys.argv[1])
frame.to_csv(sys.argv[2], index=False)
"""


def timed_process(command: list[str]) -> tuple[float, int]:
    """Wall-clock seconds and peak resident memory (bytes) of a command run in a fresh process."""
    code = ("import resource, subprocess, sys, time\n"
            "start = time.perf_counter()\n"
            "done = subprocess.run(sys.argv[1:])\n"
            "elapsed = time.perf_counter() - start\n"
            "print(elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, done.returncode)")
    out = subprocess.run([sys.executable, "-c", code, *command], capture_output=True, text=True, check=True)
    elapsed, rss_kib, returncode = out.stdout.split()[-3:]
    if returncode != "0":
        raise RuntimeError(f"{command} failed: {out.stderr[-2000:]}")
    return float(elapsed), int(rss_kib) * 1024


def cli_benchmark(n: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory(prefix="rmkit-bench-score-") as tmp:
        start = time.perf_counter()
        folder = write_cohort_folder(Path(tmp) / "bench", n)
        size = (folder / "responses.csv").stat().st_size
        print(f"responses.csv: {n:,} responses × {N_SCALES * PER_SCALE} items, {size / 2**20:.0f} MiB "
              f"(written in {time.perf_counter() - start:.1f} s)")
        env_python = sys.executable
        runs: dict[str, list[tuple[float, int]]] = {"pandas": [], "rmkit": []}
        for k in range(repeat):  # interleaved, so that both see the same machine
            out = Path(tmp) / f"copy{k}.csv"
            runs["pandas"].append(timed_process([env_python, "-c", PANDAS_REFERENCE, str(folder / "responses.csv"), str(out)]))
            out.unlink()
            scores = Path(tmp) / f"scores{k}.csv"
            runs["rmkit"].append(timed_process([env_python, "-m", "rmkit", "score", str(folder), "--out", str(scores)]))
            with open(scores, encoding="utf-8") as handle:
                rows = sum(1 for _ in handle) - 1
            scores.unlink()
        (t_pd, m_pd), (t_rm, m_rm) = (min(runs["pandas"]), min(runs["rmkit"]))
        print(f"  plain pandas read_csv + to_csv of responses.csv   {t_pd:7.2f} s   peak {m_pd / 2**30:5.2f} GiB")
        print(f"  rmkit score (validate, convert, score, write)     {t_rm:7.2f} s   peak {m_rm / 2**30:5.2f} GiB   "
              f"ratio {t_rm / t_pd:4.2f}× (target ≤ 2×), memory {m_rm / m_pd:4.2f}×")
        print(f"    ({rows:,} scale scores written; best of {repeat}; all runs: "
              + ", ".join(f"{a:.1f}/{b:.1f} s" for (a, _), (b, _) in zip(runs["pandas"], runs["rmkit"], strict=True)) + ")")


def core_benchmark(n: int, repeat: int) -> None:
    inst = instrument()
    answers, frame, participants = data(n)
    items = inst.item_ids
    as_int = frame.copy()
    as_float = frame.copy()
    for k, item in enumerate(items):
        column = answers[:, k]
        as_float[item] = column
        as_int[item] = pd.arrays.IntegerArray(np.nan_to_num(column).astype("int64"), np.isnan(column))

    # what the baseline is given: the matrix, and integer codes for people, waves and groups
    person_index = pd.Index(participants["person_id"]).get_indexer(frame["person_id"])
    wave_index = pd.Index(WAVES).get_indexer(frame["wave"])
    role_codes = np.where(participants["role"] == "mentor", 0, 1)
    dept_codes = pd.Index(DEPARTMENTS).get_indexer(participants["department"])
    groups = [np.zeros(len(participants), dtype=np.int64), role_codes, dept_codes]
    sizes = [1, 2, len(DEPARTMENTS)]

    def rmkit_path(responses: pd.DataFrame) -> pd.DataFrame:
        scores = score_responses(responses, inst, waves=WAVES)
        return waves_table(scores, participants, inst, waves=WAVES, suppress=False)

    t_numpy, (means, tables) = best(lambda: numpy_means(answers, person_index, wave_index, groups, sizes), repeat)
    t_float, table = best(lambda: rmkit_path(as_float), repeat)
    t_int, table_int = best(lambda: rmkit_path(as_int), repeat)
    t_scores, scores = best(lambda: score_responses(as_int, inst, waves=WAVES), repeat)

    # the same numbers
    everyone = table[table.group == "all"]
    for s in range(N_SCALES):
        for w, wave in enumerate(WAVES):
            got = everyone[(everyone.scale == f"s{s}") & (everyone.wave == wave)].value.iloc[0]
            assert np.isclose(got, tables[0][s, w, 0]), (s, wave, got, tables[0][s, w, 0])
    mentee = table[(table.group == "role=mentee") & (table.scale == "s0") & (table.wave == "month6")].value.iloc[0]
    assert np.isclose(mentee, tables[1][0, 1, 1])
    assert np.allclose(scores.score.to_numpy(), means[~np.isnan(means)])
    pd.testing.assert_frame_equal(table, table_int)

    n_scores = len(scores)
    print(f"{n:,} responses × {len(items)} items -> {n_scores:,} scale scores and "
          f"{len(table):,} waves-table rows (best of {repeat})")
    print(f"  plain NumPy (float matrix, bincount)        {t_numpy:7.2f} s")
    print(f"  rmkit, float64 item columns                 {t_float:7.2f} s   ratio {t_float / t_numpy:4.2f}×")
    print(f"  rmkit, Int64 item columns (load_cohort)     {t_int:7.2f} s   ratio {t_int / t_numpy:4.2f}×")
    print(f"    of which score_responses (Int64)          {t_scores:7.2f} s")



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--part", choices=["cli", "core", "both"], default="both")
    args = parser.parse_args()
    if args.part in ("cli", "both"):
        cli_benchmark(args.responses, max(1, args.repeat))
    if args.part in ("core", "both"):
        core_benchmark(args.responses, args.repeat)


if __name__ == "__main__":
    main()
