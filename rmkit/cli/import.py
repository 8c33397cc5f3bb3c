"""``rmkit import FORMAT FILE --out responses.csv``: a survey export (Qualtrics, Microsoft Forms, Google Forms) into
``responses.csv`` rows for one wave."""

from __future__ import annotations

import argparse
import sys

NAME = "import"
HELP = "convert a Qualtrics, Microsoft Forms or Google Forms export into responses.csv"
DESCRIPTION = """\
Convert a survey export into responses.csv rows for one wave (person_id, wave, submitted_at, one
column per item). FORMAT is qualtrics (CSV with three header rows), msforms (the XLSX download) or
google (the CSV download). Columns are matched to items by question text, or by an explicit map
(--map: YAML "column: item_id", or a CSV with columns column,item). Labels such as "Strongly agree"
become numbers through the instrument's labels. E-mail addresses become person_id through
participants.csv (--cohort or --participants) and are never written out.
Every problem is reported at once, one FILE:ROW:COLUMN line each, with exit 2; input files are
never overwritten."""


FORMATS = ("qualtrics", "msforms", "google")  # = rmkit.cohort.importers.FORMATS, without importing pandas for --help


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("format", metavar="FORMAT", choices=FORMATS, help=f"the export's format: {', '.join(FORMATS)}")
    parser.add_argument("file", metavar="FILE", help="the export file")
    parser.add_argument("--out", metavar="responses.csv", required=True, help="where to write (.csv or .xlsx)")
    parser.add_argument("--wave", required=True, help="the wave of these answers (one of program.yaml's waves)")
    parser.add_argument("--instrument", metavar="I", help="an instrument id (rm-core) or YAML file; default: the cohort's")
    who = parser.add_mutually_exclusive_group()
    who.add_argument("--cohort", metavar="DIR", help="the cohort folder (participants, instrument and waves)")
    who.add_argument("--participants", metavar="FILE", help="participants.csv, to map e-mails to person_id")
    parser.add_argument("--map", metavar="MAP", help="explicit column map: YAML (column: item_id) or CSV (column,item)")
    parser.add_argument("--email-column", metavar="COLUMN", help="the column holding e-mails, if not the usual one")
    parser.add_argument("--timezone", default="UTC", help="time zone of timestamps written without one (default UTC)")


def _instrument(name: str):  # type: ignore[no-untyped-def]
    from pathlib import Path

    from ..cohort import resolve_instrument
    from ..cohort.config import parse_instrument
    from ..errors import UsageError, ValidationError

    path = resolve_instrument(name, Path.cwd())
    if path is None:
        raise UsageError(f"{name}: no such instrument (a YAML file, or the id of a bundled one such as rm-core)")
    instrument, problems = parse_instrument(path.read_text(encoding="utf-8-sig"), file=path.name)
    if instrument is None:
        raise ValidationError(problems)
    return instrument, path


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..cohort.importers import import_responses
    from ..cohort.tables import write_table
    from ..cohort.verdict import require_valid
    from ..errors import UsageError
    from ._output import output_path

    export = Path(args.file)
    if not export.is_file():
        raise UsageError(f"{export}: no such file")
    inputs = [export]
    participants = None
    instrument = None
    if args.cohort:
        cohort = require_valid(args.cohort).cohort
        assert cohort is not None
        inputs += cohort.input_files()
        participants = cohort.participants
        instrument = cohort.instrument
        if cohort.program.waves and args.wave not in cohort.program.waves:
            raise UsageError(f"--wave {args.wave!r} is not a wave of {cohort.path / 'program.yaml'}; "
                             f"allowed: {', '.join(cohort.program.waves)}")
    elif args.participants:
        participants = Path(args.participants)
        if not participants.is_file():
            raise UsageError(f"{participants}: no such file")
        inputs.append(participants)
    if args.instrument:
        instrument, path = _instrument(args.instrument)
        inputs.append(path)
    if instrument is None:
        raise UsageError("give --instrument (an instrument id or YAML file), or --cohort to use the cohort's")
    if args.map:
        if not Path(args.map).is_file():
            raise UsageError(f"{args.map}: no such file")
        inputs.append(Path(args.map))
    out = output_path(args.out, inputs)
    result = import_responses(export, args.format, instrument, wave=args.wave, participants=participants,
                              mapping=args.map, email_column=args.email_column, timezone=args.timezone)
    for problem in result.warnings:
        print(str(problem), file=sys.stderr)
    write_table(result.responses, out, sheet_name="responses")
    print(f"imported {len(result.responses)} responses for wave {args.wave} ({len(result.mapping)} of "
          f"{len(instrument.item_ids)} items matched) to {out}")
    return 0
