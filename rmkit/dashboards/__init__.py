"""Facilitator dashboards: widget classes (pairing board, check-in board, evaluation board) and the Voilà launcher.

The phase notebooks display these boards when they run inside a dashboard (``rmkit dashboard``); under papermill
and in reports the same notebooks show static tables and charts instead. The widget classes are plain Python
objects with their state in traitlets, unit-tested by driving their callbacks.
"""
