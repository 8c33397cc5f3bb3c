"""rmkit: a workbook for running and researching reverse-mentoring programs.

The public surface is small and imported lazily, so ``import rmkit`` stays fast (no altair, scipy or Jupyter
at import time). The subpackages follow the architecture, from the data edge inwards and back out:

- :mod:`rmkit.cohort`: the data contract — reading, validating and writing a cohort folder, templates, survey
  imports, synthetic cohorts;
- the pure core, plain functions over DataFrames: :mod:`rmkit.pairing` (proposing and explaining pairs),
  :mod:`rmkit.evaluation` (scores, waves, reliability, change, retention, ROI, confidentiality, the metrics table)
  and :mod:`rmkit.phases` (the objectives, intake and check-in computations, and the registry of phase notebooks);
- :mod:`rmkit.charts`: one function per chart, rendered offline;
- the edges: :mod:`rmkit.runs` (papermill runs, batches, manifests, reports), :mod:`rmkit.dashboards` (the Voilà
  boards) and :mod:`rmkit.cli` (the ``rmkit`` command).

Beside them: :mod:`rmkit.errors` (one root exception, problems located as ``FILE:ROW:COLUMN``) and
:mod:`rmkit.resources` (bundled files, and whether rmkit runs in a dashboard). Imports only go from an edge to the
core and from the core to the data contract, never back (``tests/test_layout.py`` checks it).
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
    "init_cohort": "rmkit.cohort.templates",
    "generate_cohort": "rmkit.cohort.synthetic",
    "write_cohort": "rmkit.cohort.synthetic",
    "example_cohort_dir": "rmkit.resources",
    "propose_pairs": "rmkit.pairing",
    "prepare_pairing": "rmkit.pairing",
    "publish_pairs": "rmkit.cohort.publishing",
    "append_decision": "rmkit.cohort.publishing",
    "run_cohort": "rmkit.runs.cohort_run",
    "run_batch": "rmkit.runs.batch_run",
    "score_responses": "rmkit.evaluation.scoring",
    "waves_table": "rmkit.evaluation.waves",
    "cronbach_alpha": "rmkit.evaluation.reliability",
    "reliability_table": "rmkit.evaluation.reliability",
    "paired_change": "rmkit.evaluation.change",
    "retention_rates": "rmkit.evaluation.retention",
    "phillips_roi": "rmkit.evaluation.roi",
    "suppress": "rmkit.evaluation.confidentiality",
    "metrics_table": "rmkit.evaluation.metrics_table",
    "evaluate": "rmkit.evaluation.metrics_table",
    "import_responses": "rmkit.cohort.importers",
    "simulate_power": "rmkit.evaluation.power_simulation",
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
