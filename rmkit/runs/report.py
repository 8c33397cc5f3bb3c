"""The run report: one self-contained, offline ``report.html`` built from a run's executed notebooks.

A facilitator can e-mail it and open it anywhere, without internet:

- the executive summary first (:mod:`rmkit.runs.summary`: one screen for a sponsor), then a title page (program,
  cohort, date, each phase's status) and a table of contents, then one section per phase that ran, in phase order;
- markdown and the notebooks' outputs only, never code: rmkit's static charts (inline SVG; other pictures as inline
  data), tables, text the notebooks printed; a failed phase shows its error where the notebook stopped;
- nothing runs and nothing is fetched: every output is rebuilt by the allow-list sanitizer of
  :mod:`rmkit.runs.sanitize` (no script, style, frame, form or event handler; only in-page links and inline raster
  images), no widget output and no widget state (widgets cannot work offline), and the page's
  ``Content-Security-Policy`` forbids scripts and every network load anyway; the CSS is the report's own, inline,
  and prints cleanly;
- people by ``person_id`` only: a participant's name or e-mail address that reached a notebook output anyway is
  replaced by their ``person_id`` (and counted, so that the run can warn).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .report_template import _CSS, _TEMPLATE
from .sanitize import external_references, inline_svg, sanitize_html, svg_as_image

if TYPE_CHECKING:
    import pandas as pd

    from .results import PhaseResult, RunResult

__all__ = ["build_report", "private_terms", "sanitize_html", "inline_svg", "external_references", "redact"]

SKIP_CELL_TAGS = {"parameters", "injected-parameters", "papermill-error-cell-tag", "remove-cell", "remove_cell"}
SKIP_OUTPUT_TAGS = {"remove-output", "remove_output"}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


# --------------------------------------------------------------------------------------------- the document


def build_report(result: RunResult, *, private: Mapping[str, str] | None = None,
                 as_of: dt.date | None = None, summary: Any = None) -> tuple[str, int]:
    """The report of a run as an HTML document, and how many names or e-mail addresses were replaced.

    Parameters
    ----------
    result : RunResult
        The run (its phases point at their executed notebooks).
    private : mapping, optional
        Text that must not appear (names, e-mail addresses) → what replaces it (the person_id);
        see :func:`private_terms`.
    as_of : date, optional
        The date the cohort's data describe, shown on the title page.
    summary : rmkit.runs.summary.Summary, optional
        The executive summary the report opens with.
    """
    from .._version import __version__

    sections, toc = [], []
    for phase in result.phases:
        if phase.status == "skipped":
            continue
        body, headings = _phase_section(phase)
        sections.append(body)
        toc.append((phase, headings))
    from ..phases.readable import TABLE_CSS
    from .summary import CSP, SUMMARY_CSS, summary_section

    document = _TEMPLATE.format(
        title=html.escape(f"{result.program} · {result.cohort} · run report"),
        csp=CSP,
        css=_CSS + TABLE_CSS + SUMMARY_CSS,
        summary=summary_section(summary) if summary is not None else "",
        summary_link='<li><a href="#summary">Executive summary</a></li>' if summary is not None else "",
        program=html.escape(result.program),
        facts=_facts(result, as_of, __version__),
        statuses=_status_table(result.phases),
        toc=_toc(toc),
        sections="\n".join(sections),
        version=html.escape(__version__),
    )
    return redact(document, private or {})


def _facts(result: RunResult, as_of: dt.date | None, version: str) -> str:
    failed = [p for p in result.phases if p.status == "failed"]
    ran = [p for p in result.phases if p.status != "skipped"]
    outcome = (f"{len(failed)} of {len(ran)} phases failed: see their sections" if failed
               else f"all {len(ran)} phases ran")
    facts = [("Cohort", result.cohort), ("Run", f"{result.started:%d %B %Y, %H:%M} UTC ({result.run_dir.name})")]
    if as_of is not None:
        facts.append(("Data as of", f"{as_of:%d %B %Y}"))
    facts += [("Outcome", outcome), ("Made with", f"rmkit {version}")]
    return "\n".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in facts)


def _status_table(phases: Iterable[PhaseResult]) -> str:
    rows = []
    for p in phases:
        duration = "" if p.duration_s is None else f"{p.duration_s:.1f} s"
        note = p.reason or (p.notebook.name if p.notebook else "")
        rows.append(f'<tr><td>{p.number:02d}</td><td>{html.escape(p.title)}</td>'
                    f'<td><span class="status {p.status}">{p.status}</span></td><td>{duration}</td>'
                    f'<td>{html.escape(note)}</td></tr>')
    return "\n".join(rows)


def _toc(entries: list[tuple[PhaseResult, list[tuple[str, str]]]]) -> str:
    items = []
    for phase, headings in entries:
        subs = "".join(f'<li><a href="#{anchor}">{text}</a></li>' for anchor, text in headings[1:])
        title = headings[0][1] if headings else html.escape(phase.title)
        status = "" if phase.status == "ok" else f' <span class="status {phase.status}">{phase.status}</span>'
        items.append(f'<li><a href="#phase-{phase.number:02d}">{title}</a>{status}'
                     + (f"<ol>{subs}</ol>" if subs else "") + "</li>")
    return "\n".join(items)


def _phase_section(phase: PhaseResult) -> tuple[str, list[tuple[str, str]]]:
    """A phase's section, and its headings (anchor, text) for the table of contents."""
    anchor = f"phase-{phase.number:02d}"
    readable = phase.notebook is not None and phase.notebook.is_file()
    parts = _notebook_parts(phase.notebook, key=f"p{phase.number:02d}") if readable else []
    if not parts or not parts[0].lstrip().startswith("<h2"):
        parts.insert(0, f"<h2>Phase {phase.number} · {html.escape(phase.title)}</h2>")
    if phase.error is not None:
        where = "before its first cell" if phase.error.cell_index is None else "where the error is shown below"
        parts.insert(1, f'<div class="failed-phase"><strong>This phase failed</strong> {where}: '
                        f"{html.escape(phase.error.ename)}: {html.escape(phase.error.evalue)}. The rest of the run "
                        f"went on. The executed notebook <code>{html.escape(phase.notebook.name if phase.notebook else '')}"
                        "</code> in the run folder holds the details.</div>")
    headings: list[tuple[str, str]] = []

    def label(match: re.Match[str]) -> str:
        level, inner = match[1], match[2]
        ident = anchor if not headings else f"{anchor}-{len(headings)}"
        headings.append((ident, re.sub(r"<[^>]+>", "", inner)))
        return f'<h{level} id="{ident}">{inner}</h{level}>'

    body = re.sub(r"<h([2-3])>(.*?)</h[2-3]>", label, "\n".join(parts), flags=re.S)
    return f'<section class="phase" id="section-{phase.number:02d}">\n{body}\n</section>', headings


def _notebook_parts(path: Path, *, key: str) -> list[str]:
    """The HTML of a notebook's markdown cells and outputs, in order (code and parameter cells left out); ``key``
    makes the ids inside its charts unique in the report."""
    import nbformat

    try:
        notebook = nbformat.read(str(path), as_version=4)
    except (OSError, ValueError) as exc:
        return [f'<div class="failed-phase">The executed notebook could not be read: {html.escape(str(exc))}</div>']
    parts: list[str] = []
    for index, cell in enumerate(notebook.cells):
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & SKIP_CELL_TAGS:
            continue
        if cell.cell_type == "markdown":
            parts.append(_markdown(cell.source, cell.get("attachments")))
        elif cell.cell_type == "code" and not tags & SKIP_OUTPUT_TAGS:
            for k, output in enumerate(cell.get("outputs", [])):
                parts.append(_output(output, f"{key}-c{index}-o{k}"))
    return [p for p in parts if p.strip()]


def _markdown(source: str, attachments: Mapping[str, Any] | None = None) -> str:
    import mistune

    for name, bundle in (attachments or {}).items():
        for mime, data in bundle.items():
            if mime.startswith("image/") and mime != "image/svg+xml":
                source = source.replace(f"attachment:{name}", f"data:{mime};base64,{''.join(data)}")
    rendered = mistune.create_markdown(escape=False, plugins=["table", "strikethrough"])(source)
    shifted = re.sub(r"<(/?)h([1-5])\b", lambda m: f"<{m[1]}h{int(m[2]) + 1}", str(rendered))
    return sanitize_html(shifted)


def _output(output: Any, prefix: str) -> str:
    kind = output.get("output_type")
    if kind == "stream":
        return f'<pre class="stream">{html.escape(output.text)}</pre>' if output.get("name") == "stdout" else ""
    if kind == "error":
        return (f'<div class="error"><strong>{html.escape(output.ename)}</strong>: '
                f"{html.escape(output.evalue)}</div>")
    data = output.get("data", {})
    if not data or WIDGET_VIEW in data:
        return ""
    if "image/svg+xml" in data:
        svg = _text(data["image/svg+xml"])
        if _is_rmkit_chart(output):
            return f'<figure>{inline_svg(svg, prefix=prefix)}</figure>'
        return f"<figure>{svg_as_image(svg)}</figure>"
    for mime in ("image/png", "image/jpeg", "image/gif"):
        if mime in data:
            payload = re.sub(r"\s", "", _text(data[mime]))
            if re.fullmatch(r"[A-Za-z0-9+/]*={0,2}", payload):
                return f'<figure><img alt="chart" src="data:{mime};base64,{payload}"></figure>'
            return ""
    if "text/html" in data:
        markup = _text(data["text/html"])
        note = _INTERACTIVE if re.search(r"<script\b", markup, re.I) else ""
        return f'<div class="output">{sanitize_html(markup)}</div>{note}'
    if "text/markdown" in data:
        return f'<div class="output">{_markdown(_text(data["text/markdown"]))}</div>'
    if any(mime != "text/plain" and mime != "text/latex" for mime in data):
        return _INTERACTIVE
    text = _text(data.get("text/latex") or data.get("text/plain") or "")
    return f'<pre class="result">{html.escape(text)}</pre>' if text else ""


def _is_rmkit_chart(output: Any) -> bool:
    """Whether :meth:`rmkit.runs.phase_context.Phase.chart` marked this output as one of rmkit's charts."""
    metadata = output.get("metadata") or {}
    for scope in (metadata, metadata.get("image/svg+xml") or {}):
        mark = scope.get("rmkit") if isinstance(scope, Mapping) else None
        if isinstance(mark, Mapping) and mark.get("chart"):
            return True
    return False


_INTERACTIVE = ('<p class="note">(An interactive output was left out: it needs JavaScript. '
                "Open the executed notebook to see it.)</p>")


def _text(value: str | list[str]) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


# --------------------------------------------------------------------------------------------- safety


def private_terms(participants: pd.DataFrame) -> dict[str, str]:
    """Names and e-mail addresses of the participants → their person_id (names shorter than 3 characters are
    left out: too likely to match ordinary text).

    Examples
    --------
    >>> import pandas as pd
    >>> private_terms(pd.DataFrame({"person_id": ["p1"], "name": ["Ana Ruiz"], "email": ["ana@example.org"]}))
    {'Ana Ruiz': 'p1', 'ana@example.org': 'p1'}
    """
    import pandas as pd

    terms: dict[str, str] = {}
    for column in ("name", "email"):
        if column not in participants.columns:
            continue
        for person, value in zip(participants["person_id"], participants[column], strict=True):
            text = "" if pd.isna(value) else " ".join(str(value).split())
            if len(text) >= 3:
                terms[text] = str(person)
    return terms


def redact(document: str, private: Mapping[str, str]) -> tuple[str, int]:
    """Replace each private term (case-insensitively, as a whole word, also in its HTML-escaped form) by its
    replacement, and any other e-mail address by ``[e-mail removed]``; return the text and the number replaced.

    Examples
    --------
    >>> redact("<td>Ana  Ruiz</td><td>x.y@corp.example</td><td>Anagram</td>", {"Ana Ruiz": "p1"})
    ('<td>p1</td><td>[e-mail removed]</td><td>Anagram</td>', 2)
    """
    count = 0

    def swap(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return lookup.get(_fold(match[0]), "[e-mail removed]")

    lookup = {}
    for term, replacement in private.items():
        for form in {term, html.escape(term)}:
            lookup[_fold(form)] = html.escape(replacement)
    trie = _trie_pattern(lookup)
    names = rf"(?<![\w+/=])(?:{trie})(?![\w+/=])" if trie else None
    document = _EMAIL.sub(swap, document)
    if names:
        document = re.sub(names, swap, document, flags=re.I)
    return document, count


def _trie_pattern(words: Iterable[str]) -> str:
    """One regular expression matching any of ``words`` (spaces in a word match any run of whitespace), as a
    trie: ``ana|anna|ann`` becomes ``an(?:a|n(?:a)?)``. An alternation of thousands of names (2,000 + 2,000 people)
    is tried name by name at every position of the report; the trie is tried character by character. Each optional
    continuation is greedy, so the longest name that matches wins, as with the names sorted longest first.

    Examples
    --------
    >>> _trie_pattern(["ana", "anna", "ann", "a b"])
    'a(?:\\\\s+b|n(?:a|n(?:a)?))'
    """
    root: dict = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # a word ends here

    def emit(node: dict) -> str:
        branches = [(r"\s+" if char == " " else re.escape(char)) + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
        return f"(?:{body})?" if "" in node else body

    return emit(root)


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()
