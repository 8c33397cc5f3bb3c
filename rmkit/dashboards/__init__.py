"""Facilitator dashboards: widget classes (pairing board, check-in board, evaluation board) and serving them.

- :mod:`~rmkit.dashboards.pairing_board`, :mod:`~rmkit.dashboards.checkin_board`,
  :mod:`~rmkit.dashboards.evaluation_board`: the boards, plain Python objects with their state in traitlets,
  unit-tested by driving their callbacks;
- :mod:`~rmkit.dashboards.decided_by`: the pairing board's "Your name" field (remembered by the browser tab) and
  the confirmation that shows what publishing changes;
- :mod:`~rmkit.dashboards.swap_panel`: the pairing board's swap suggestions with their Apply buttons;
- :mod:`~rmkit.dashboards.every_wave_tab`: the evaluation board's "Every wave" tab (mixed model, attrition);
- :mod:`~rmkit.dashboards.fragile_pairs`: the pairing board's robustness, fragile pairs first and flagged;
- :mod:`~rmkit.dashboards.style`: the shared widget styles (projector-sized type, status colours in words);
- :mod:`~rmkit.dashboards.serve`: ``rmkit dashboard`` — Voilà on 127.0.0.1 with a preheated kernel, a token per
  start, kernels of closed tabs culled, a private log;
- :mod:`~rmkit.dashboards.voila_server`: the Voilà server a board runs in (token required, local host names only,
  a bound on open pages);
- :mod:`~rmkit.dashboards.preheat`: what a preheated kernel does before its page is requested.

The phase notebooks display these boards when they run inside a dashboard; under papermill and in reports the same
notebooks show static tables and charts instead.

Import rule: dashboards may import the core (:mod:`rmkit.cohort`, :mod:`rmkit.pairing`, :mod:`rmkit.evaluation`,
:mod:`rmkit.phases`) and :mod:`rmkit.charts`; never :mod:`rmkit.runs` or the command line.
"""
