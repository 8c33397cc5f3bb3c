"""Shared fixtures: the example cohort, throwaway copies of it, and running the command line as a user does."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from rmkit.resources import example_cohort_dir

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def example_dir() -> Path:
    """The bundled example cohort (read-only: copy it before changing anything)."""
    return example_cohort_dir()


@pytest.fixture
def cohort_copy(tmp_path: Path, example_dir: Path) -> Path:
    """A writable copy of the example cohort."""
    target = tmp_path / example_dir.name
    shutil.copytree(example_dir, target)
    return target


def file_hashes(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder`` (to prove that inputs were not changed)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def rmkit_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("RMKIT_DEBUG", None)
    return env


@pytest.fixture
def run_rmkit() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``rmkit ARGS`` in a fresh process (``python -m rmkit``), as a user would; returns the completed process."""

    def run(*args: str | os.PathLike[str], cwd: Path | None = None, timeout: float = 600, input: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "rmkit", *map(str, args)],
            cwd=cwd, env=rmkit_env(), capture_output=True, text=True, timeout=timeout, input=input,
        )

    return run
