"""Preheated Voilà kernels: the work a board's kernel does before its page is requested.

``rmkit dashboard`` starts Voilà with one preheated kernel. While it waits for a browser, the kernel validates the
cohort, loads the chart machinery and runs the phase's main computation once, so that opening the page costs only
what depends on the files as they are then (:func:`validate_when_the_page_is_opened`, called by
:func:`rmkit.runs.phase_context.start_phase`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..cohort import ValidationReport, validate_cohort
from ..cohort.folder import folder_fingerprint

__all__ = ["validate_when_the_page_is_opened"]


def _warm_up_charts() -> None:
    """Load what the first chart of a page would otherwise load after the page is requested: altair with its offline
    JupyterChart bundle, and vl-convert's engine (its first conversion takes most of a second)."""
    import altair as alt

    from .. import charts

    alt.JupyterChart.enable_offline()
    charts.to_svg(alt.Chart(pd.DataFrame({"x": [1]})).mark_point().encode(x="x:Q"))


def _warm_up_phase(name: str, report: ValidationReport) -> None:
    """Run the phase's main computation once and throw the result away, so that its code (scipy's solvers and
    statistics, first-use caches) is loaded before the page is requested. The notebook computes again afterwards,
    from the files as they are then; a failure here is left for that real computation to report."""
    cohort = report.cohort
    if cohort is None:
        return
    try:
        if name == "pairing":
            from ..pairing import prepare_pairing
            from .pairing_board import PairingBoard  # noqa: F401  (widgets and the board's imports)

            prepare_pairing(cohort.participants, cohort.program, decisions=cohort.decisions).solve(
                cohort.program.pairing.strategy)
        elif name == "checkins" and cohort.checkins is not None:
            from ..phases.checkins import pair_health, pairs_to_watch
            from .checkin_board import CheckinBoard  # noqa: F401

            pair_health(pairs_to_watch(cohort.pairs, cohort.checkins), cohort.checkins, cohort.program,
                        participants=cohort.participants)
        elif name == "evaluation":
            from ..evaluation.metrics_table import evaluate
            from .evaluation_board import EvaluationBoard  # noqa: F401

            evaluate(cohort)
    except Exception:  # noqa: BLE001  (see the docstring: the notebook's own call reports it with context)
        pass


def validate_when_the_page_is_opened(name: str, folder: Path) -> ValidationReport:
    """In a preheated Voilà kernel, validate while waiting for a browser (so the page is ready sooner), pause until
    the page is requested, and validate again only if a file changed meanwhile: the board always shows the cohort
    as it is when the page is opened."""
    from voila.utils import wait_for_request

    report = validate_cohort(folder)
    before = folder_fingerprint(folder)
    _warm_up_charts()
    _warm_up_phase(name, report)
    wait_for_request()
    if folder_fingerprint(folder) != before:
        report = validate_cohort(folder)
    return report
