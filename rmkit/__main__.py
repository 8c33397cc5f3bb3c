"""``python -m rmkit`` is the same as the ``rmkit`` command."""

import sys

from .cli import main

sys.exit(main())
