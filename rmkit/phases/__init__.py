"""What each phase computes that is neither pairing nor evaluation, and the registry of the phase notebooks.

- :mod:`~rmkit.phases.registry`: the phase notebooks (``NN_name.ipynb``): finding, choosing and checking them;
- :mod:`~rmkit.phases.objectives`: the objectives phase — goals as a table and the readiness check;
- :mod:`~rmkit.phases.intake`: the intake phase — who is in the cohort, without names;
- :mod:`~rmkit.phases.checkins`: the check-ins phase — pair health (on track / needs check-in / at risk), cadence,
  pulse over time, both sides' ratings, reciprocity of the topics, the agreements' goals;
- :mod:`~rmkit.phases.readable`: tables for people (labels and units, yes/no, dates, p-values), shared by the
  notebooks, the report and the boards.

Import rule: this package imports :mod:`rmkit.cohort`, :mod:`rmkit.pairing`, :mod:`rmkit.evaluation`,
:mod:`rmkit.errors` and :mod:`rmkit.resources` only — never runs, dashboards, charts or the command line.
The registry imports nothing heavy (``rmkit --help`` and the runner use it).
"""
