"""The evaluation statistics (Kirkpatrick levels 1–4 and Phillips ROI): pure functions over DataFrames.

- :mod:`~rmkit.evaluation.scoring`: scale scores from survey responses (reverse coding, proration, POMP);
- :mod:`~rmkit.evaluation.waves`: scales per wave and group with their intervals (t, Wilson);
- :mod:`~rmkit.evaluation.reliability`: Cronbach's alpha per scale and wave (Feldt CI), item diagnostics;
- :mod:`~rmkit.evaluation.change`: paired change first → last wave, effect sizes, objectives judged met or not;
- :mod:`~rmkit.evaluation.effects`: the program's effect against a comparison group as pure estimators over one score
  frame (difference-in-differences, ANCOVA, adjusted), with :mod:`~rmkit.evaluation.balance` (baseline balance) and
  :mod:`~rmkit.evaluation.score_frame` (the frame they share);
- :mod:`~rmkit.evaluation.comparison`: that evidence for a cohort, suppressed, and why it is absent when it is;
- :mod:`~rmkit.evaluation.mixed_model`: every wave at once, a random-intercept mixed model per scale (wave × group,
  wave × role), so people with a missing wave still count; :mod:`~rmkit.evaluation.attrition`: who dropped out
  (respondents per wave, the WWC's overall and differential attrition, stayers' and leavers' first-wave scores);
  :mod:`~rmkit.evaluation.every_wave`: both for a cohort, suppressed, and the ``mixed:<scale>`` metrics rows;
- :mod:`~rmkit.evaluation.reliable_change`: Jacobson–Truax reliable change per person, the share of participants
  reliably improved, unchanged and worse per scale;
- :mod:`~rmkit.evaluation.pair_outcomes`: does the pairing matter — each side's learning against the pair's
  compatibility, meetings and pulse (OLS, errors clustered by mentor);
- :mod:`~rmkit.evaluation.retention`: Kaplan–Meier retention, participants against the comparison group;
- :mod:`~rmkit.evaluation.roi`: Phillips ROI and BCR, attribution and confidence, intangibles;
- :mod:`~rmkit.evaluation.planning`: the detectable change and power of each scale objective (``rmkit plan``);
- :mod:`~rmkit.evaluation.power_simulation`: power by simulation for the cohort's own design, each estimator the
  evaluation reports (``rmkit simulate``), from the design and synthetic cohorts of
  :mod:`~rmkit.evaluation.simulated_design`;
- :mod:`~rmkit.evaluation.pooling`: random-effects meta-analysis of the metrics several cohorts share (``rmkit pool``);
- :mod:`~rmkit.evaluation.roi_sensitivity`: ROI under the conservative and the estimated adjustments, break-even attribution;
- :mod:`~rmkit.evaluation.goals`: Kirkpatrick level 3 from the mentoring agreements (the share of goals done);
- :mod:`~rmkit.evaluation.groups`: the groups every aggregate is broken down by;
- :mod:`~rmkit.evaluation.confidentiality`: suppression of small groups (``min_group_size``);
- :mod:`~rmkit.evaluation.metrics_table`: the tidy metrics table and :func:`~rmkit.evaluation.metrics_table.evaluate`;
- :mod:`~rmkit.evaluation.views`: the evaluation phase's tables for people (objectives, learning, Kirkpatrick).

Import rule: this package imports :mod:`rmkit.cohort` and :mod:`rmkit.errors` only — never runs, dashboards,
charts or the command line. No file I/O, widgets or printing. Importing the package itself imports nothing;
scipy and statsmodels load with the modules that use them.
"""
