"""The pooled report of several cohorts (``rmkit pool``, and the end of ``rmkit batch``): ``pooled.csv``,
``cohorts.csv`` (what each cohort contributed), a forest plot per metric (``figures/forest-<metric>.svg``) and one
offline ``report.html``.

The page is built as the run report is (:mod:`rmkit.runs.report`): the same stylesheet and tables for people, every
value escaped, the forest plots through the chart sanitizer (:func:`rmkit.runs.sanitize.inline_svg`), the whole page
once more through the allow-list sanitizer, and the same Content-Security-Policy: nothing runs, nothing is fetched.
Cohorts appear by their cohort id; no person is named (the metrics are aggregates, already suppressed by each
cohort's ``min_group_size``).
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..evaluation.pooling import PooledCohorts

__all__ = ["build_pool_report", "write_pooled"]

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
{body}
<footer>Made with rmkit {version}. This report is self-contained: it needs no internet connection.</footer>
</body>
</html>
"""

_HOW = ("Each cohort's effect is its published metric: the paired change from the first to the last wave for the "
        "whole cohort (<code>change:</code>), and the change against the comparison group (<code>did:</code>) where "
        "a cohort has one. Each cohort's standard error is recovered from its 95% interval, SE = (upper − lower) / "
        "(2 × t<sub>0.975, n−1</sub>), as both intervals are Student's t intervals on n − 1 degrees of freedom. "
        "The cohorts are pooled by a random-effects meta-analysis (DerSimonian–Laird, τ² truncated at 0 as metafor "
        "does); the interval is estimate ± 1.96 SE. τ² is the variance of the true effects between cohorts; I² the "
        "share (%) of the variation across cohorts that is heterogeneity rather than chance (about 25% low, 50% "
        "moderate, 75% high). Suppressed groups take no part. With few cohorts τ² is estimated imprecisely: read "
        "the pooled interval as a summary, not as a prediction for the next cohort.")


def _metric_title(metric: str, labels: dict[str, str]) -> str:
    kind, _, scale = metric.partition(":")
    name = labels.get(scale, scale.replace("_", " "))
    return f"{name} · change, whole cohort" if kind == "change" else f"{name} · against the comparison group"


def slug(name: str, fallback: str) -> str:
    """A file-name part for ``name`` (``fallback`` when nothing of it is left)."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or fallback


def _slug(metric: str) -> str:
    return slug(metric, "metric")


def write_files(out_dir: str | os.PathLike[str], tables: dict[str, Any], figures: dict[str, str], page: str) -> Path:
    """Write each table as ``<name>.csv``, each figure as ``figures/<name>.svg`` and ``page`` as ``report.html``
    into ``out_dir`` (formula-safe tables, atomic writes); return the report's path. Shared by ``rmkit pool`` and
    ``rmkit simulate``."""
    from ..cohort.tables import atomic_write, write_table

    out = Path(out_dir)
    (out / "figures").mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        write_table(table, out / f"{name}.csv")
    for name, svg in figures.items():
        with atomic_write(out / "figures" / f"{name}.svg", "w", encoding="utf-8") as handle:
            handle.write(svg)
    report = out / "report.html"
    with atomic_write(report, "w", encoding="utf-8") as handle:
        handle.write(page)
    return report


def _forest_svgs(result: PooledCohorts) -> dict[str, str]:
    from ..charts import to_svg
    from ..charts.forest import forest_chart

    svgs = {}
    for row in result.pooled.itertuples(index=False):
        part = result.inputs[result.inputs["metric"] == row.metric]
        chart = forest_chart(part, row._asdict())  # the heading above it names the metric
        svgs[row.metric] = to_svg(chart)
    return svgs


def build_pool_report(result: PooledCohorts, *, svgs: dict[str, str] | None = None,
                      when: dt.datetime | None = None) -> str:
    """The pooled report as one HTML document (``svgs``: forest plots by metric, drawn when not given)."""
    from .._version import __version__
    from ..phases.readable import TABLE_CSS, table_html
    from .report_template import _CSS
    from .sanitize import CONTENT_SECURITY_POLICY, inline_svg, sanitize_html

    svgs = _forest_svgs(result) if svgs is None else svgs
    when = when or dt.datetime.now(dt.UTC)
    esc = html.escape
    parts = [f"<h1>{esc(str(len(result.cohorts)))} cohorts pooled</h1>",
             '<p class="subtitle">Pooled report: the effects cohorts share, combined by a random-effects meta-analysis</p>',
             '<dl class="facts">',
             f"<dt>Cohorts</dt><dd>{esc(', '.join(result.cohorts))}</dd>",
             f"<dt>Made</dt><dd>{esc(f'{when:%d %B %Y, %H:%M} UTC')}</dd>",
             "<dt>Method</dt><dd>random effects (DerSimonian–Laird)</dd></dl>",
             '<h2 id="pooled">Pooled effects</h2>']
    if result.pooled.empty:
        parts.append("<p>No metric is published by two or more of these cohorts (unsuppressed, with an interval), so "
                     "nothing could be pooled.</p>")
    else:
        shown = result.pooled.assign(metric=[_metric_title(m, result.labels) for m in result.pooled["metric"]])
        parts.append(sanitize_html(table_html(
            shown.drop(columns=["method"]), decimals=3,
            labels={"k": "Cohorts", "n": "People", "estimate": "Pooled estimate", "tau2": "τ²", "i2": "I² (%)"},
            caption="Pooled estimate with its 95% CI; τ² between-cohort variance; I² heterogeneity (%)")))
    parts.append(f"<p>{_HOW}</p>")
    for k, row in enumerate(result.pooled.itertuples(index=False)):
        title = _metric_title(row.metric, result.labels)
        parts.append(f'<h3 id="forest-{k}">{esc(title)}</h3>')
        parts.append(f"<p>{esc(str(row.k))} cohorts, {esc(str(row.n))} people: pooled {row.estimate:.2f} "
                     f"(95% CI {row.ci_low:.2f} to {row.ci_high:.2f}), τ² = {row.tau2:.3f}, I² = {row.i2:.0f}%.</p>")
        if row.metric in svgs:
            parts.append(f"<figure>{inline_svg(svgs[row.metric], prefix=f'forest{k}')}</figure>")
    if not result.inputs.empty:
        parts.append('<h2 id="cohorts">What each cohort contributed</h2>')
        parts.append(sanitize_html(table_html(result.inputs, decimals=3, labels={"se": "SE (from the CI)"})))
    if result.notes:
        parts.append('<h2 id="notes">Not pooled</h2><ul>' + "".join(f"<li>{esc(n)}</li>" for n in result.notes)
                     + "</ul>")
    return _PAGE.format(csp=CONTENT_SECURITY_POLICY, title=esc(f"Pooled report · {', '.join(result.cohorts)}"),
                        css=_CSS + TABLE_CSS, body="\n".join(parts), version=esc(__version__))


def write_pooled(result: PooledCohorts, out_dir: str | os.PathLike[str]) -> Path:
    """Write ``pooled.csv``, ``cohorts.csv``, ``figures/forest-<metric>.svg`` and ``report.html`` into ``out_dir``
    (formula-safe tables, atomic writes); return the report's path."""
    svgs = _forest_svgs(result)
    return write_files(out_dir, {"pooled": result.pooled, "cohorts": result.inputs},
                       {f"forest-{_slug(metric)}": svg for metric, svg in svgs.items()},
                       build_pool_report(result, svgs=svgs))
