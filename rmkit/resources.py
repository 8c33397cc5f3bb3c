"""What rmkit finds around it: its bundled files (templates, instruments, the example cohort, the phase notebooks),
and whether it is running inside a dashboard.

In a source checkout (or an editable install) they sit at the repository root (``data/``, ``notebooks/``);
an installed wheel carries them inside the package under ``rmkit/_bundled/``.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "data_dir",
    "templates_dir",
    "instruments_dir",
    "examples_dir",
    "example_cohort_dir",
    "notebooks_dir",
    "EXAMPLE_COHORT",
    "in_dashboard",
]

EXAMPLE_COHORT = "acme-2025-spring"

_PACKAGE = Path(__file__).resolve().parent


def _bundled(name: str) -> Path:
    for candidate in (_PACKAGE / "_bundled" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"rmkit's bundled '{name}' folder is missing from {_PACKAGE}; reinstall rmkit")


def data_dir() -> Path:
    """The bundled ``data/`` folder (templates and examples)."""
    return _bundled("data")


def templates_dir() -> Path:
    """``data/templates/``: blank input files, a commented ``program.yaml`` and the default instruments."""
    return data_dir() / "templates"


def instruments_dir() -> Path:
    """``data/templates/instruments/``: survey instruments that ``program.yaml`` can name by id."""
    return templates_dir() / "instruments"


def examples_dir() -> Path:
    """``data/examples/``: bundled example cohorts."""
    return data_dir() / "examples"


def example_cohort_dir() -> Path:
    """The bundled example cohort, which every command and notebook can run on with no input of the user's.

    Examples
    --------
    >>> (example_cohort_dir() / "program.yaml").is_file()
    True
    """
    return examples_dir() / EXAMPLE_COHORT


def notebooks_dir() -> Path:
    """The phase notebooks (``01_objectives.ipynb`` … ``05_evaluation.ipynb``)."""
    return _bundled("notebooks")


def in_dashboard() -> bool:
    """True inside a dashboard: ``rmkit dashboard`` sets ``RMKIT_DASHBOARD=1``; Voilà's kernels have
    ``VOILA_APP_PORT``.

    Examples
    --------
    >>> import os
    >>> in_dashboard() == (os.environ.get("RMKIT_DASHBOARD") == "1" or "VOILA_APP_PORT" in os.environ)
    True
    """
    return os.environ.get("RMKIT_DASHBOARD") == "1" or "VOILA_APP_PORT" in os.environ
