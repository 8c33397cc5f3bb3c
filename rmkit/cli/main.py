"""The ``rmkit`` entry point: the parser of every command, and the exit-code and no-traceback rules.

Exit codes (the README's "Commands"): 0 done; 1 a run failed (a notebook raised); 2 bad input or usage.
Bad input prints one ``FILE:ROW:COLUMN: message`` line per problem and never a traceback.

Each command lives in its own module under :mod:`rmkit.cli` and declares ``NAME``, ``HELP``,
``add_arguments(parser)`` and ``run(args) -> int``; modules import their heavy dependencies inside ``run`` so that
``rmkit --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from .._version import __version__
from ..errors import RmkitError

__all__ = ["main", "build_parser", "COMMANDS"]

# Order is the order shown by `rmkit --help`.
COMMANDS = (
    "init",
    "validate",
    "pair",
    "rounds",
    "intro",
    "score",
    "metrics",
    "plan",
    "simulate",
    "pool",
    "import",
    "run",
    "batch",
    "demo",
    "dashboard",
    "synth",
)

DESCRIPTION = """\
rmkit: run and research reverse-mentoring programs.
Objectives -> intake -> pairing -> check-ins -> evaluation, one cohort folder per program."""

EPILOG = """\
exit codes: 0 done; 1 a run failed; 2 bad input or usage.
Start with `rmkit demo`, or `rmkit init my-cohort` for a new cohort folder."""


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with a one-line message (and the usage) on a usage error, as argparse does,
    but never with a traceback."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="rmkit", description=DESCRIPTION, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"rmkit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        module = importlib.import_module(f"rmkit.cli.{name}")
        command = sub.add_parser(module.NAME, help=module.HELP, description=getattr(module, "DESCRIPTION", module.HELP),
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "run", None) is None:
        parser.print_help()
        return 2
    try:
        return int(args.run(args) or 0)
    except RmkitError as exc:
        for line in exc.lines():
            print(line, file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("rmkit: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # a full disk, a folder that became read-only: the user's environment, not a bug
        where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
        print(f"rmkit: could not read or write{where}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # a bug in rmkit, not the user's fault: say so briefly
        if os.environ.get("RMKIT_DEBUG"):
            raise
        print(f"rmkit: internal error: {exc.__class__.__name__}: {exc}", file=sys.stderr)
        print("rmkit: this is a bug in rmkit; rerun with RMKIT_DEBUG=1 for the details and report it", file=sys.stderr)
        return 1
