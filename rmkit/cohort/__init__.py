"""The data contract at the edge: reading, validating and writing a cohort folder.

Everything that touches a cohort's files lives here, and nothing else in rmkit reads or writes them:

- :mod:`~rmkit.cohort.folder`: the typed :class:`Cohort`, finding its files, reading the decision log;
- :mod:`~rmkit.cohort.validation`: :func:`validate_cohort` / :func:`load_cohort` (every problem in one pass), with
  :mod:`~rmkit.cohort.pairing_inputs` (the checks that span files: preferences, levels, the manager chain, earlier
  cycles) and :mod:`~rmkit.cohort.verdict` (showing the result to people: the summary line, the problems, the gate
  of every command that needs valid input);
- :mod:`~rmkit.cohort.schemas`: the declared columns of every table, type conversion and value checks (pandera);
- :mod:`~rmkit.cohort.config`: ``program.yaml`` and survey instruments (pydantic models, YAML with located errors);
- :mod:`~rmkit.cohort.safe_yaml`: reading YAML safely (no objects, aliases bounded, errors located);
- :mod:`~rmkit.cohort.tables`: CSV/XLSX in and out (encodings, delimiters, formula-safe atomic writes);
- :mod:`~rmkit.cohort.escaping`: cohort text made safe for markdown and HTML (never interpreted as markup);
- :mod:`~rmkit.cohort.publishing`: the two writes into a cohort folder, the decision log and published pairs;
- :mod:`~rmkit.cohort.templates`: blank templates generated from the schemas (``rmkit init``);
- :mod:`~rmkit.cohort.importers`: survey-tool exports (Qualtrics, Microsoft Forms, Google Forms) into responses;
- :mod:`~rmkit.cohort.survey_exports`: how those tools lay out their exports (Qualtrics' header rows in three
  layouts) and write their timestamps (zones by name or abbreviation, through the zone database);
- :mod:`~rmkit.cohort.synthetic`: seeded synthetic cohorts of any size (the bundled example is one), with
  :mod:`~rmkit.cohort.synthetic_meetings` (both sides' check-in reports and the pairs' agreements) and
  :mod:`~rmkit.cohort.synthetic_comparison` (comparison people who answer the survey too).

Import rule: this package imports only :mod:`rmkit.errors` and :mod:`rmkit.resources` from the rest of rmkit;
every other subpackage may import it.
"""

from __future__ import annotations

from .folder import Cohort, find_table, order_decisions, read_decisions, resolve_instrument
from .validation import ValidationReport, load_cohort, validate_cohort

__all__ = ["Cohort", "ValidationReport", "validate_cohort", "load_cohort", "find_table", "resolve_instrument",
           "read_decisions", "order_decisions"]
