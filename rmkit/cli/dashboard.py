"""``rmkit dashboard pairing|checkins|evaluation COHORT [--port P]``: serve a board with Voilà on 127.0.0.1."""

from __future__ import annotations

import argparse

NAME = "dashboard"
HELP = "serve the pairing, check-in or evaluation board as a Voilà dashboard on 127.0.0.1"
DESCRIPTION = """\
Serve a facilitator's board for a cohort with Voilà, on this computer only (127.0.0.1), with the
notebook's code hidden. Open the printed address in a browser; stop with Ctrl-C.

  pairing     proposed pairs and why; lock, forbid, swap; publish pairs.csv
  checkins    which pairs are on track, need a check-in or are at risk
  evaluation  what the program achieved (Kirkpatrick levels, retention, ROI)

The cohort is validated first; a cohort with errors is refused (exit 2).

Every start makes a new random token: the printed address carries it, and the board refuses a page or a
connection without it, as well as any request made to another host name than 127.0.0.1 or localhost (a web
page elsewhere cannot reach it). --no-token serves without one: only for a trusted kiosk, since anyone with an
account on this computer could then open the board. A closed tab's session ends within about a minute; at most
--max-pages tabs are served at once (default 8)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("board", choices=["pairing", "checkins", "evaluation"], metavar="BOARD",
                        help="pairing, checkins or evaluation")
    parser.add_argument("cohort", metavar="COHORT", help="the cohort folder")
    parser.add_argument("--port", type=int, default=None, help="port to listen on (default: the first free one from 8866)")
    parser.add_argument("--no-token", action="store_true",
                        help="serve without a token (a trusted kiosk only: anyone on this computer could open it)")
    parser.add_argument("--max-pages", type=int, default=None, metavar="N",
                        help="the most tabs served at once, each with its own session (default 8)")


def run(args: argparse.Namespace) -> int:
    import signal
    import sys
    import threading

    from ..dashboards.serve import start_dashboard
    from ..errors import RunError, UsageError

    if args.port is not None and not 0 < args.port < 65536:
        raise UsageError(f"--port {args.port}: expected a port number from 1 to 65535")
    if args.max_pages is not None and args.max_pages < 1:
        raise UsageError(f"--max-pages {args.max_pages}: expected 1 or more")
    if args.no_token:
        print("warning: --no-token: the board needs no token, so anyone with an account on this computer can open "
              "it and change decisions; use it only on a trusted kiosk", file=sys.stderr, flush=True)
    # Ctrl-C, a closed terminal and a service manager's SIGTERM all stop the board cleanly, also when the shell
    # started rmkit with SIGINT ignored (a background job): the handlers are installed here, not inherited.
    stop_signals = [signal.SIGINT, signal.SIGTERM, *([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])]
    previous = {signum: signal.getsignal(signum) for signum in stop_signals}
    stop_requested = threading.Event()
    server = None

    def on_signal(signum: int, frame: object) -> None:
        if server is None:
            raise KeyboardInterrupt  # during the start: start_dashboard stops Voilà on its way out
        stop_requested.set()  # once serving: the loop below stops the board

    for signum in stop_signals:
        signal.signal(signum, on_signal)
    try:
        server = start_dashboard(args.board, args.cohort, port=args.port, no_token=args.no_token,
                                 max_pages=args.max_pages)
        print(f"The {args.board} board for {args.cohort} is at {server.url}", flush=True)
        print("Open it in a browser on this computer (only this computer can reach it)"
              + ("; the address holds this start's token: give it only to whom may see the board"
                 if server.token else "") + ". Press Ctrl-C to stop.", flush=True)
        print(f"(Voilà's messages are logged in {server.log})", flush=True)
        while not stop_requested.wait(0.5):
            if server.process.poll() is not None:
                raise RunError(f"the {args.board} board's server stopped by itself (exit code "
                               f"{server.process.returncode}); its messages are in {server.log}")
        print("\nstopping the dashboard…", flush=True)
    finally:
        if server is not None:
            server.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 0
