"""``rmkit batch --scheduler ADDRESS``: each cohort a task of a ``dask.distributed`` cluster.

The client (the ``rmkit batch`` process) connects to the scheduler, checks that every connected worker sees the
runs folder (each writes a marker file there, the client reads it back), then submits one task per cohort. A task
runs its cohort exactly as a local batch does — in a fresh process of its own, started by the worker
(:func:`rmkit.runs.batch_worker.run_worker`) — so a failing phase or a crashing notebook is that cohort's ``failed``
or ``crashed`` line and nothing else; the worker goes on.

A worker that is lost while it runs a cohort (its machine or process died) makes the scheduler run the task again
elsewhere. rmkit allows that once per cohort, whatever the scheduler's own ``allowed-failures``: each attempt is
written down in a ledger in the shared runs folder (``.rmkit-batch/<batch id>/``, removed at the end); a second
attempt marks the first attempt's run folder ``crashed`` (its worker was lost) and says so in the cohort's
messages; a third attempt is refused (``crashed``: lost twice). A task that raised is never retried.

``distributed`` is imported here only, when a scheduler is given: ``rmkit batch`` without one starts no Dask.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import sys
import time
from pathlib import Path
from typing import Any

from ..errors import UsageError
from .batch_worker import BatchResult, CohortOutcome, mark_crashed, run_worker

__all__ = ["run_on_cluster", "connect", "check_shared_folder"]

LEDGER = ".rmkit-batch"
MARKER = ".rmkit-shared-{token}-{index}"


def connect(address: str, *, timeout: float = 20) -> Any:
    """A ``distributed.Client`` for ``address``: ``tcp://host:port`` (any Dask protocol) or a scheduler file.

    Raises
    ------
    UsageError
        If the address is neither, the scheduler cannot be reached, or no worker joins within ``timeout`` seconds.
    """
    from distributed import Client

    if "://" in address:
        kwargs: dict[str, Any] = {"address": address}
    elif Path(address).is_file():
        kwargs = {"scheduler_file": str(Path(address).resolve())}
    else:
        raise UsageError(f"--scheduler {address}: expected a scheduler address such as tcp://host:8786, "
                         "or an existing scheduler file")
    try:
        client = Client(**kwargs, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise UsageError(f"--scheduler {address}: cannot reach the Dask scheduler ({type(exc).__name__}: {exc})") from None
    try:
        client.wait_for_workers(1, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        client.close()
        raise UsageError(f"--scheduler {address}: no Dask worker joined within {timeout:.0f} s") from exc
    return client


def _write_marker(folder: str, token: str, index: int) -> str:
    """On a worker: write a marker file into ``folder``; return its name (or raise if the folder is not there)."""
    name = MARKER.format(token=token, index=index)
    Path(folder, name).write_text(token, encoding="utf-8")
    return name


def check_shared_folder(client: Any, folder: Path) -> None:
    """Refuse (:class:`UsageError`) unless every connected worker can write ``folder`` and the client reads it back."""
    token = secrets.token_hex(8)
    workers = sorted(client.scheduler_info(n_workers=-1)["workers"])
    problems, names = [], []
    for index, address in enumerate(workers):
        future = client.submit(_write_marker, str(folder), token, index, workers=[address], allow_other_workers=False,
                               pure=False, key=f"rmkit-marker-{token}-{index}")
        try:
            names.append((address, future.result(timeout=60)))
        except Exception as exc:  # the worker's own error, shown to the user
            problems.append(f"{address} cannot write there ({type(exc).__name__}: {exc})")
    for address, name in names:
        marker = folder / name
        try:
            seen = marker.read_text(encoding="utf-8") == token
            marker.unlink()
        except OSError:
            seen = False
        if not seen:
            problems.append(f"{address} wrote its marker file, but not into the folder this machine sees")
    if problems:
        raise UsageError(
            f"--out {folder}: the run folders must go to a path every Dask worker sees (a shared file system "
            "mounted at the same path), and the cohort folders too; " + "; ".join(problems))


def _cohort_task(cohort: str, spec: dict[str, Any], phases: int, ledger: str) -> CohortOutcome:
    """On a worker: run one cohort in a fresh process, as a local batch does, recording the attempt first."""
    from distributed import get_worker

    address = get_worker().address
    record = Path(ledger)
    attempts: list[dict[str, Any]] = json.loads(record.read_text(encoding="utf-8")) if record.is_file() else []
    if len(attempts) >= 2:
        lost = ", ".join(a["worker"] for a in attempts)
        return CohortOutcome(cohort, "crashed", 0.0, worker=address,
                             messages=[f"its worker was lost twice ({lost}); not run a third time"])
    attempts.append({"worker": address, "run_dir": None})

    def save(run_dir: str | None = None) -> None:
        if run_dir is not None:
            attempts[-1]["run_dir"] = run_dir
        record.write_text(json.dumps(attempts), encoding="utf-8")

    save()
    retried = []
    for previous in attempts[:-1]:
        retried.append(f"its first worker {previous['worker']} was lost; run again on {address}")
        if previous["run_dir"]:
            mark_crashed(Path(previous["run_dir"]), f"the Dask worker {previous['worker']} running this cohort was "
                                                    f"lost; the cohort ran again on {address}")
    outcome = run_worker(cohort, {**spec, "worker": address}, phases, lambda *_args: None, set(), on_run_dir=save)
    outcome.messages[:0] = retried
    return outcome


def run_on_cluster(cohorts: list[str], spec: dict[str, Any], phases: int, scheduler: str, *,
                   progress: bool = True) -> BatchResult:
    """Run each cohort as a task on the cluster of ``scheduler``; outcomes in the order given."""
    from distributed import as_completed
    from tqdm import tqdm

    clock = time.perf_counter()
    runs_dir = Path(spec["runs_dir"])
    client = connect(scheduler)
    made = not runs_dir.exists()
    batch = f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{secrets.token_hex(4)}"
    ledger = runs_dir / LEDGER / batch
    try:
        runs_dir.mkdir(parents=True, exist_ok=True)
        try:
            check_shared_folder(client, runs_dir)
        except UsageError:
            if made:
                runs_dir.rmdir()
            raise
        ledger.mkdir(parents=True)
        futures = {
            client.submit(_cohort_task, str(Path(cohort).resolve()), spec, phases, str(ledger / f"{index}.json"),
                          pure=False, retries=0, key=f"rmkit-cohort-{batch}-{index}"): index
            for index, cohort in enumerate(cohorts)
        }
        outcomes: list[CohortOutcome | None] = [None] * len(cohorts)
        workers = len(client.scheduler_info(n_workers=-1)["workers"])
        tally: dict[str, int] = {}
        with tqdm(total=len(cohorts), unit="cohort", desc=f"{len(cohorts)} cohorts on {workers} Dask workers",
                  file=sys.stderr, disable=not progress, dynamic_ncols=True, leave=True) as bar:
            for future in as_completed(list(futures), loop=client.loop):
                index = futures[future]
                outcome = _finished(future, cohorts[index], clock)
                outcome.cohort = cohorts[index]
                outcomes[index] = outcome
                tally[outcome.status] = tally.get(outcome.status, 0) + 1
                bar.set_postfix_str(", ".join(f"{n} {s}" for s, n in sorted(tally.items())), refresh=False)
                bar.update(1)
    finally:
        _remove_ledger(ledger)
        client.close()
    return BatchResult([o for o in outcomes if o is not None], time.perf_counter() - clock)


def _finished(future: Any, cohort: str, clock: float) -> CohortOutcome:
    """The outcome a task returned, or a ``crashed`` one saying why the cluster could not run it."""
    try:
        return future.result()
    except Exception as exc:  # KilledWorker (lost too often for the scheduler), a worker without rmkit, ...
        name = type(exc).__name__
        why = ("the scheduler gave up on it after losing its workers" if name == "KilledWorker"
               else "the task could not run on the cluster")
        return CohortOutcome(cohort, "crashed", time.perf_counter() - clock, messages=[f"{why} ({name}: {exc})"])


def _remove_ledger(ledger: Path) -> None:
    for record in ledger.glob("*.json"):
        record.unlink(missing_ok=True)
    for folder in (ledger, ledger.parent):
        with contextlib.suppress(OSError):
            folder.rmdir()
