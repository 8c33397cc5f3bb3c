"""rmkit: a workbook for running and researching reverse-mentoring programs.

The public surface is small and imported lazily, so ``import rmkit`` stays fast (no altair, scipy or Jupyter
at import time). Modules by concern: :mod:`rmkit.cohort` (reading and validating a cohort folder),
:mod:`rmkit.config` (``program.yaml`` and instruments), :mod:`rmkit.synth` (synthetic cohorts);
pairing: :mod:`rmkit.pairing` (proposing and explaining pairs), :mod:`rmkit.publishing` (decisions and
published pairs); evaluation: :mod:`rmkit.scoring`, :mod:`rmkit.waves`, :mod:`rmkit.reliability`,
:mod:`rmkit.change`, :mod:`rmkit.retention`, :mod:`rmkit.roi`, :mod:`rmkit.confidentiality`,
:mod:`rmkit.metrics` and :mod:`rmkit.importers` (survey exports); runs: :mod:`rmkit.runner` (``rmkit run``),
:mod:`rmkit.phases`, :mod:`rmkit.batch`, :mod:`rmkit.engine` (papermill), :mod:`rmkit.report`, :mod:`rmkit.manifest`.
"""

from __future__ import annotations

import importlib
from typing import Any

from ._version import __version__
from .errors import (
    InfeasibleError,
    InputError,
    PhaseError,
    Problem,
    RmkitError,
    RunError,
    UsageError,
    ValidationError,
)

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
    "propose_pairs": "rmkit.pairing",
    "prepare_pairing": "rmkit.pairing",
    "publish_pairs": "rmkit.publishing",
    "append_decision": "rmkit.publishing",
    "run_cohort": "rmkit.runner",
    "run_batch": "rmkit.batch",
    "score_responses": "rmkit.scoring",
    "waves_table": "rmkit.waves",
    "cronbach_alpha": "rmkit.reliability",
    "reliability_table": "rmkit.reliability",
    "paired_change": "rmkit.change",
    "retention_rates": "rmkit.retention",
    "phillips_roi": "rmkit.roi",
    "suppress": "rmkit.confidentiality",
    "metrics_table": "rmkit.metrics",
    "evaluate": "rmkit.metrics",
    "import_responses": "rmkit.importers",
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
