"""What the phase notebooks share, so that each notebook stays a parameters cell, a few calls and short markdown.

``start_phase`` resolves the notebook's parameters (``cohort_dir``, ``output_dir``), validates and loads the cohort,
and returns a :class:`Phase` with small display and output helpers:

- ``cohort_dir``: the parameter, else the ``RMKIT_COHORT_DIR`` environment variable (set by ``rmkit dashboard``),
  else the bundled example cohort;
- ``output_dir``: the parameter, else ``RMKIT_OUTPUT_DIR``, else nothing is written inside a dashboard and
  ``./rmkit-output/<cohort>`` elsewhere. Tables go to ``output_dir/tables/``, figures to ``output_dir/figures/``.

Every table written goes through :func:`rmkit.cohort.tables.write_table` (formula-safe); notebook outputs and written tables
identify people by ``person_id`` only.

Cohort text is never markup: :meth:`Phase.show_table` HTML-escapes every cell, header and caption, and
:meth:`Phase.say` (with :func:`rmkit.cohort.escaping.markdown_text`) escapes every value it interpolates, so a department called
``<img src=x onerror=alert(1)>`` is shown as those characters in JupyterLab, Voilà and the report. Charts shown by
:meth:`Phase.chart` are marked as rmkit's (output metadata ``{"rmkit": {"chart": name}}``): the report inlines those
SVGs only (see :mod:`rmkit.runs.sanitize`).
"""

from __future__ import annotations

import os
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..cohort import Cohort, ValidationReport, validate_cohort
from ..cohort.escaping import markdown_text
from ..errors import ValidationError
from ..resources import in_dashboard

__all__ = ["Phase", "start_phase", "resolve_cohort_dir", "resolve_output_dir", "preheating", "markdown_text",
           "SUMMARY_VARIABLE", "VALIDATED_VARIABLE"]

SUMMARY_VARIABLE = "RMKIT_SUMMARY_FILE"  # set by ``rmkit run`` for the evaluation phase: see Phase.share_summary
VALIDATED_VARIABLE = "RMKIT_VALIDATED_COHORT"  # set by ``rmkit run``: the cohort it validated (see start_phase)


class _MarkdownFormatter(string.Formatter):
    """``str.format`` whose every field is :func:`markdown_text`-escaped after its format spec is applied."""

    def format_field(self, value: Any, format_spec: str) -> str:
        return markdown_text(super().format_field(value, format_spec))


def resolve_cohort_dir(cohort_dir: str | os.PathLike[str] | None) -> Path:
    """The cohort folder a notebook works on (parameter → ``RMKIT_COHORT_DIR`` → the bundled example)."""
    from ..resources import example_cohort_dir

    if cohort_dir:
        return Path(cohort_dir).expanduser().resolve()
    if os.environ.get("RMKIT_COHORT_DIR"):
        return Path(os.environ["RMKIT_COHORT_DIR"]).expanduser().resolve()
    return example_cohort_dir()


def resolve_output_dir(output_dir: str | os.PathLike[str] | None, cohort_name: str) -> Path | None:
    """Where a notebook writes (parameter → ``RMKIT_OUTPUT_DIR`` → none in a dashboard → ``./rmkit-output/<cohort>``)."""
    if output_dir:
        return Path(output_dir).expanduser().resolve()
    if os.environ.get("RMKIT_OUTPUT_DIR"):
        return Path(os.environ["RMKIT_OUTPUT_DIR"]).expanduser().resolve()
    if in_dashboard():
        return None
    return (Path.cwd() / "rmkit-output" / cohort_name).resolve()


@dataclass
class Phase:
    """A phase notebook's context: the loaded cohort, where to write, and display helpers."""

    name: str
    cohort: Cohort
    report: ValidationReport
    output_dir: Path | None
    written: list[Path] = field(default_factory=list)

    @property
    def dashboard(self) -> bool:
            return in_dashboard()

    # -- output ----------------------------------------------------------------------------------

    @property
    def person_tables(self) -> bool:
        """Whether per-person tables are written: ``RMKIT_PERSON_TABLES`` (set by ``rmkit run``), else
        ``program.yaml: person_tables`` (default true)."""
        setting = os.environ.get("RMKIT_PERSON_TABLES")
        if setting is not None:
            return setting.strip() not in {"0", "false", "no"}
        return self.cohort.program.person_tables

    def save_table(self, frame: pd.DataFrame, name: str, *, per_person: bool = False) -> None:
        """Write ``output_dir/tables/<name>.csv`` (formula-safe, atomic); nothing when there is no output folder,
        nor for a ``per_person`` table (one row per person's answers: a researcher's file, not an aggregate) when
        :attr:`person_tables` is false.

        Returns nothing, so that a cell ending with it shows no path; the files written are in ``written``."""
        from ..cohort.tables import write_table

        if per_person and not self.person_tables:
            return
        if self.output_dir is not None:
            self._wrote(write_table(frame, self.output_dir / "tables" / f"{name}.csv"))

    def chart(self, chart: Any, name: str | None = None, *, interactive: bool | None = None) -> None:
        """Show a chart offline and save it as ``figures/<name>.svg`` when there is an output folder.

        Interactive (``alt.JupyterChart``, with tooltips) in a dashboard unless ``interactive=False``; static SVG
        elsewhere. A static chart is cheaper to send to a browser: use it for charts that need no interaction."""
        from IPython.display import SVG, display

        from .. import charts

        if interactive is None:
            interactive = self.dashboard
        if interactive:
            charts.show(chart, interactive=True)
            return
        svg = charts.to_svg(chart)
        display(SVG(svg), metadata={"rmkit": {"chart": name or "chart"}})  # the report inlines only rmkit's charts
        if name and self.output_dir is not None:
            from ..cohort.tables import atomic_write

            path = self.output_dir / "figures" / f"{name}.svg"
            with atomic_write(path, "w", encoding="utf-8") as handle:
                handle.write(svg)
            self._wrote(path)

    def share_summary(self, evaluation: Any) -> None:
        """Under ``rmkit run``, hand the run the executive summary of this phase's ``evaluation`` (the report and
        ``summary.html`` open with it), so that the run need not evaluate the cohort a second time. It goes to the
        private file named by ``RMKIT_SUMMARY_FILE``; elsewhere (JupyterLab, plain papermill, a board) nothing
        happens. A summary that cannot be computed here is computed by the run itself, as without this call."""
        target = os.environ.get(SUMMARY_VARIABLE)
        if not target or self.dashboard:
            return
        from ..cohort.tables import atomic_write
        from .summary import executive_summary, summary_to_json

        try:
            text = summary_to_json(executive_summary(self.cohort, evaluation))
            with atomic_write(Path(target), "w", encoding="utf-8") as handle:
                handle.write(text)
        except Exception:  # noqa: BLE001 - the run computes the summary itself when this file is missing
            return

    def _wrote(self, path: Path) -> None:
        """Record a file written: in ``written``, and for ``rmkit run`` (whose phases run at the same time) in the
        file named by ``RMKIT_PHASE_FILES``, which tells the run which phase wrote it."""
        self.written.append(path)
        listing = os.environ.get("RMKIT_PHASE_FILES")
        if listing:
            with open(listing, "a", encoding="utf-8") as handle:
                handle.write(f"{path}\n")

    # -- display ---------------------------------------------------------------------------------

    def say(self, text: str, /, **values: Any) -> None:
        """Show markdown (a line for the facilitator: what this is, what to do next).

        ``{name}`` fields of ``text`` are filled from ``values`` (format specs work: ``{start:%d %B %Y}``), each
        escaped with :func:`markdown_text`: cohort text (names of programs, departments, skills, problems found)
        goes in ``values``, never into ``text`` itself. Without ``values``, ``text`` is shown as it is."""
        from IPython.display import Markdown, display

        display(Markdown(_MarkdownFormatter().format(text, **values) if values else text))

    def show_table(self, frame: pd.DataFrame, *, max_rows: int = 30, caption: str | None = None, precision: int = 2,
                   labels: dict[str, str] | None = None) -> None:
        """Show a table for people (:func:`rmkit.phases.readable.table_html`: labels and units instead of column
        ids, yes/no, dates, p-values, every cell escaped), at most ``max_rows`` rows (the rest are counted)."""
        from IPython.display import HTML, display

        from ..phases.readable import table_html

        display(HTML(table_html(frame.head(max_rows), caption=caption, decimals=precision, labels=labels)))
        if len(frame) > max_rows:
            self.say(f"*… and {len(frame) - max_rows} more rows (all of them are in the tables written for this run).*")

    def missing(self, table: str, purpose: str) -> bool:
        """If the cohort has no ``table``, say so in one clear line and return True (the notebook carries on)."""
        if self.cohort.table(table) is not None:
            return False
        self.say(f"**No `{table}.csv` in this cohort**, so {purpose} is skipped. Add the file to the cohort folder and rerun.")
        return True


def preheating() -> bool:
    """True in a Voilà kernel started ahead of the page (``--preheat_kernel``), which waits for the request."""
    return os.environ.get("VOILA_PREHEAT") == "True"


def _validated_by_the_run(folder: Path) -> ValidationReport | None:
    """Under ``rmkit run``, the validation the run made before starting the phases, when the cohort's files are
    still exactly as it read them (same names, sizes and modification times); else ``None``, and the phase
    validates the folder itself."""
    import pickle

    from ..cohort.folder import folder_fingerprint

    path = os.environ.get(VALIDATED_VARIABLE)
    if not path:
        return None
    try:
        if hasattr(os, "getuid") and (  # only a pickle this user wrote, in a folder nobody else can write
                os.stat(path).st_uid != os.getuid() or os.stat(Path(path).parent).st_mode & 0o022):
            return None
        with open(path, "rb") as handle:  # written by the run (rmkit.runs.phase_files.PhaseFiles)
            read_as, report = pickle.load(handle)
        same = (isinstance(report, ValidationReport) and report.ok and report.cohort is not None
                and Path(report.cohort.path).resolve() == folder and folder_fingerprint(folder) == read_as)
    except Exception:  # noqa: BLE001 - anything unexpected: validate afresh
        return None
    return report if same else None


def start_phase(name: str, cohort_dir: str | os.PathLike[str] | None = None, output_dir: str | os.PathLike[str] | None = None) -> Phase:
    """Resolve the parameters, validate and load the cohort, prepare the output folder.

    Under ``rmkit run`` the cohort the run validated is taken as it is when the folder's files have not changed
    since (``RMKIT_VALIDATED_COHORT``); otherwise, and everywhere else, the folder is validated here.

    Raises
    ------
    ValidationError
        If the cohort has errors (its message lists every ``FILE:ROW:COLUMN`` problem).
    """
    folder = resolve_cohort_dir(cohort_dir)
    if preheating():
        from ..dashboards.preheat import validate_when_the_page_is_opened

        report = validate_when_the_page_is_opened(name, folder)
    else:
        report = _validated_by_the_run(folder) or validate_cohort(folder)
    if not report.ok:
        raise ValidationError(report.problems)
    assert report.cohort is not None
    out = resolve_output_dir(output_dir, report.cohort.name)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    return Phase(name=name, cohort=report.cohort, report=report, output_dir=out)
