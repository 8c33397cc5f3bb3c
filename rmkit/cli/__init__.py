"""One module per ``rmkit`` command (see :mod:`rmkit.cli`)."""
