"""The ``rmkit`` command line: the entry point (:mod:`~rmkit.cli.main`) and one module per command, named after it
(``rmkit pair`` is :mod:`rmkit.cli.pair`; ``rmkit import`` is ``rmkit/cli/import.py``, loaded by name): init,
validate, pair, rounds, intro, score, metrics, plan, simulate, pool, import, run, batch, demo, dashboard, synth.

Each command module declares ``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int`` and imports
its heavy dependencies inside ``run``, so that ``rmkit --help`` stays fast. :mod:`~rmkit.cli._output` holds what
several commands share about output files.

Import rule: the command line may import anything in rmkit; nothing in rmkit imports it (``python -m rmkit`` goes
through :mod:`rmkit.__main__`).
"""

from __future__ import annotations

from .main import COMMANDS, build_parser, main

__all__ = ["main", "build_parser", "COMMANDS"]
