"""Running phase notebooks: one cohort (``rmkit run``), many (``rmkit batch``), and what a run leaves behind.

- :mod:`~rmkit.runs.execute`: executing one notebook with papermill, robustly (kernel retries, timeouts, logs);
- :mod:`~rmkit.runs.cohort_run`: a run — validate, claim a fresh run folder, run each phase, write the report;
- :mod:`~rmkit.runs.kernels`: the run's phase workers, each keeping one kernel for its phases, cleared between them;
- :mod:`~rmkit.runs.phase_files`: which phase wrote which table and figure, and what the run hands its phases (the
  validated cohort, the executive summary) in its private folder;
- :mod:`~rmkit.runs.batch_run`: many cohorts in parallel worker processes, one failure never stopping the others;
- :mod:`~rmkit.runs.batch_worker`: one cohort of a batch in its own process, its events and its outcome;
- :mod:`~rmkit.runs.dask_batch`: the same as tasks of a `dask.distributed` cluster (`rmkit batch --scheduler`);
- :mod:`~rmkit.runs.results`: :class:`~rmkit.runs.results.PhaseResult` and :class:`~rmkit.runs.results.RunResult`;
- :mod:`~rmkit.runs.manifest`: ``manifest.json`` (versions, parameters, hashes of inputs and outputs);
- :mod:`~rmkit.runs.report`: the offline, sanitized ``report.html`` built from the executed notebooks, in the page
  of :mod:`~rmkit.runs.report_template`;
- :mod:`~rmkit.runs.summary`: the executive summary a sponsor reads first (the report's top, ``summary.html``);
- :mod:`~rmkit.runs.pool_report`: the pooled report of several cohorts (``rmkit pool``, the end of a batch);
- :mod:`~rmkit.runs.power_report`: the files and offline report of ``rmkit simulate`` (power curves);
- :mod:`~rmkit.runs.workbook`: ``tables.xlsx``, every table of the run as a sheet with readable headers;
- :mod:`~rmkit.runs.sanitize`: what the report lets through (an allow-list HTML sanitizer, rmkit's own charts as
  cleaned inline SVG, the detector of external references);
- :mod:`~rmkit.runs.phase_context`: :func:`~rmkit.runs.phase_context.start_phase`, what every phase notebook calls
  first (parameters, validation, output folder, display helpers).

Import rule: runs may import the core (:mod:`rmkit.cohort`, :mod:`rmkit.pairing`, :mod:`rmkit.evaluation`,
:mod:`rmkit.phases`), :mod:`rmkit.charts` and, from a preheated dashboard kernel only, :mod:`rmkit.dashboards.preheat`;
never the command line. The modules import papermill and pandas inside their functions: importing any of them is
cheap.
"""
