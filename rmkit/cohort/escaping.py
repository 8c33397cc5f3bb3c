"""Cohort text made safe for where it is shown: every value typed into a cohort's files is text, never markup.

Spreadsheet formulas are neutralized where tables are written (:func:`rmkit.cohort.tables.neutralize_formula`);
this module does the same for markdown and HTML:

- :func:`markdown_text`: a value as markdown that shows exactly its characters (the phase notebooks' ``say``);
- :func:`html_cells`: a table's cells as text for an escaping HTML renderer (the phase notebooks' ``show_table``).
"""

from __future__ import annotations

import html
import re

import pandas as pd

__all__ = ["markdown_text", "html_cells"]

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


def markdown_text(value: object) -> str:
    r"""``value`` as markdown that shows exactly its characters: HTML-escaped, markdown punctuation backslash-escaped,
    on one line (a line break in a cell cannot start a heading, a list or a block of HTML).

    Examples
    --------
    >>> markdown_text("<img src=x onerror=alert(1)> *R&D* [a](b)")
    '&lt;img src=x onerror=alert\\(1\\)&gt; \\*R&amp;D\\* \\[a\\]\\(b\\)'
    >>> markdown_text("two\nlines")
    'two lines'
    """
    text = " ".join(str(value).splitlines())
    return html.escape(_MARKDOWN_SPECIAL.sub(r"\\\1", text), quote=False)


def html_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with list cells joined by ``; `` and every other non-number cell as text, ready for an escaping
    table renderer (pandas' ``Styler(escape="html")`` escapes text cells only).

    Examples
    --------
    >>> html_cells(pd.DataFrame({"offers": [["<b>AI</b>", "SQL"]], "n": [3]}))["offers"].tolist()
    ['<b>AI</b>; SQL']
    """
    out = frame.copy()
    for column in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[column]) or pd.api.types.is_bool_dtype(out[column])
                or pd.api.types.is_datetime64_any_dtype(out[column])):
            out[column] = out[column].map(lambda v: "; ".join(map(str, v)) if isinstance(v, list | tuple | set)
                                          else v if (isinstance(v, str | int | float | bool) or v is None
                                                     or v is pd.NA or v is pd.NaT) else str(v))
    return out
