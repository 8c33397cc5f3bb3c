"""Where rmkit code is running: a Voilà dashboard or not (charts and notebooks render differently there)."""

from __future__ import annotations

import os

__all__ = ["in_dashboard"]


def in_dashboard() -> bool:
    """True inside a dashboard: ``rmkit dashboard`` sets ``RMKIT_DASHBOARD=1``; Voilà's kernels have
    ``VOILA_APP_PORT``.

    Examples
    --------
    >>> import os
    >>> in_dashboard() == (os.environ.get("RMKIT_DASHBOARD") == "1" or "VOILA_APP_PORT" in os.environ)
    True
    """
    return os.environ.get("RMKIT_DASHBOARD") == "1" or "VOILA_APP_PORT" in os.environ
