"""rmkit: a workbook for running and researching reverse-mentoring programs.

The public surface is small and imported lazily, so ``import rmkit`` stays fast (no altair, scipy or Jupyter
at import time). Modules by concern: :mod:`rmkit.cohort` (reading and validating a cohort folder),
:mod:`rmkit.config` (``program.yaml`` and instruments), :mod:`rmkit.synth` (synthetic cohorts).
"""

from __future__ import annotations

import importlib
from typing import Any

from ._version import __version__
from .errors import InfeasibleError, InputError, PhaseError, Problem, RmkitError, RunError, UsageError, ValidationError

# name -> module that defines it; imported on first use
_LAZY = {
    "Cohort": "rmkit.cohort",
    "load_cohort": "rmkit.cohort",
    "validate_cohort": "rmkit.cohort",
    "ValidationReport": "rmkit.cohort",
    "init_cohort": "rmkit.templates",
    "generate_cohort": "rmkit.synth",
    "write_cohort": "rmkit.synth",
    "example_cohort_dir": "rmkit.resources",
}

__all__ = [
    "__version__",
    "Problem",
    "RmkitError",
    "InputError",
    "ValidationError",
    "UsageError",
    "InfeasibleError",
    "RunError",
    "PhaseError",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'rmkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
