"""The Voilà server of a board: Voilà as rmkit starts it, with the guards a board with HR data needs.

``rmkit dashboard`` runs ``python -m rmkit.dashboards.voila_server NOTEBOOK [Voilà options]``. It is Voilà, with:

- **a token**: the random token of this start (``RMKIT_DASHBOARD_TOKEN`` in the server's environment, never on its
  command line, which every local user can read; removed before any kernel starts) is required by the page and
  by every kernel connection (jupyter_server's identity provider; the page's address carries it once, then a
  cookie for this host and port). An empty token turns this off (``rmkit dashboard --no-token``, a kiosk);
- **local names only**: a request whose ``Host`` is not a loopback address or ``localhost`` is refused (403;
  jupyter_server's check, which Voilà switches off by default), so a page elsewhere that makes its own name resolve
  to 127.0.0.1 (DNS rebinding) reaches nothing; websocket upgrades whose ``Origin`` is not the board's own are
  refused by jupyter_server's origin check;
- **a bound on open pages**: at most ``RMKIT_DASHBOARD_MAX_PAGES`` pages with a live kernel (default
  :data:`MAX_PAGES`); past it a new page says so, plainly, with a 503, instead of starting one more kernel of
  ~300 MB. Closed pages' kernels are culled within about a minute (``rmkit dashboard`` sets the culler), and the
  preheated kernel is never culled (Voilà keeps its pool).
"""

from __future__ import annotations

import html
import os
from typing import Any

import tornado.web
from voila.app import Voila
from voila.tornado.handler import TornadoVoilaHandler

__all__ = ["MAX_PAGES", "TOKEN_VARIABLE", "MAX_PAGES_VARIABLE", "page_kernels", "main"]

TOKEN_VARIABLE = "RMKIT_DASHBOARD_TOKEN"
MAX_PAGES_VARIABLE = "RMKIT_DASHBOARD_MAX_PAGES"
#: open pages served at once, each with its own kernel (~300 MB with charts): a workshop has a few facilitators
MAX_PAGES = 8

FULL_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>The board is open in too many tabs</title>
<style>body{{font:20px/1.5 -apple-system,"Segoe UI",Roboto,Arial,sans-serif;max-width:760px;margin:64px auto;color:#111}}
h1{{font-size:30px}}</style></head><body><h1>This board is already open in {pages} tabs</h1>
<p>That is the most this computer serves at once: each open tab keeps its own session running.</p>
<p>Close a tab of this board that you no longer use (its session ends within about a minute), then reload this
page.</p></body></html>"""


def page_kernels(kernel_manager: Any) -> int:
    """Kernels serving a page: every kernel but the preheated ones in Voilà's pool (ready, or still starting)."""
    ready: set[str] = set()
    starting = 0
    for pool in getattr(kernel_manager, "_pools", {}).values():
        for task in pool:
            if not task.done():
                starting += 1
            elif not task.cancelled() and task.exception() is None:
                ready.add(task.result().get("kernel_id"))
    return max(0, len(set(kernel_manager.list_kernel_ids()) - ready) - starting)


class BoundedVoilaHandler(TornadoVoilaHandler):
    """Voilà's page handler, refusing a new page when :data:`MAX_PAGES` pages are open."""

    @tornado.web.authenticated
    async def get(self, path: str | None = None) -> None:
        limit = int(os.environ.get(MAX_PAGES_VARIABLE) or MAX_PAGES)
        if not path and page_kernels(self.kernel_manager) >= limit:
            self.set_status(503)
            self.set_header("Retry-After", "60")
            self.finish(FULL_PAGE.format(pages=html.escape(str(limit))))
            return
        await super().get(path)


class BoardVoila(Voila):
    """Voilà with a required token, local ``Host`` names only and a bound on open pages."""

    def initialize(self, argv: list[str] | None = None) -> None:
        super().initialize(argv)
        token = os.environ.pop(TOKEN_VARIABLE, "")  # gone before a kernel inherits the environment
        self.token = token or None
        self.tornado_settings = {**self.tornado_settings, "allow_remote_access": False,
                                 "local_hostnames": ["localhost"]}

    def init_handlers(self) -> list:
        return [(h[0], BoundedVoilaHandler, *h[2:]) if len(h) > 1 and h[1] is TornadoVoilaHandler else h
                for h in super().init_handlers()]


def main(argv: list[str] | None = None) -> None:
    """Run the board's Voilà server (the arguments are Voilà's)."""
    BoardVoila.launch_instance(argv)


if __name__ == "__main__":
    main()
