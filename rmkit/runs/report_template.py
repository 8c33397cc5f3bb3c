"""The page around the run report: its stylesheet (screen and print) and its HTML template, kept apart from
:mod:`rmkit.runs.report`, which fills it in. The template carries the Content-Security-Policy of every page rmkit
renders: nothing may load (``default-src 'none'``), images only as inline data, styles only inline.
"""

from __future__ import annotations

__all__ = ["_CSS", "_TEMPLATE"]

_CSS = """
:root { --ink: #1f2328; --muted: #59636e; --rule: #d0d7de; --accent: #0b5394; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 980px; padding: 24px 32px 64px; color: var(--ink); background: #fff;
       font: 15px/1.5 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 2em; margin: 0.2em 0; } h2 { font-size: 1.5em; border-bottom: 2px solid var(--rule); padding-bottom: 4px; }
h3 { font-size: 1.2em; margin-top: 1.6em; } h4, h5, h6 { font-size: 1em; }
.subtitle { color: var(--muted); font-size: 1.1em; margin: 0 0 1em; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 1em 0; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; }
th, td { border-bottom: 1px solid var(--rule); padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
nav.toc ol { padding-left: 1.4em; } nav.toc > ol > li { margin: 4px 0; } nav.toc a { color: var(--accent); }
.status { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 0.85em; font-weight: 600; }
.status.ok { background: #dafbe1; color: #116329; } .status.failed { background: #ffebe9; color: #a40e26; }
.status.skipped { background: #eaeef2; color: #59636e; } .status.running { background: #fff8c5; color: #7d4e00; }
section.phase { margin-top: 2.5em; }
figure { margin: 1em 0; } figure svg, figure img { max-width: 100%; height: auto; }
pre { background: #f6f8fa; padding: 8px 12px; border-radius: 6px; overflow-x: auto; white-space: pre-wrap; }
.error, .failed-phase { border-left: 4px solid #cf222e; background: #ffebe9; padding: 8px 12px; margin: 1em 0; }
.note { color: var(--muted); font-style: italic; }
footer { margin-top: 3em; color: var(--muted); font-size: 0.85em; border-top: 1px solid var(--rule); padding-top: 8px; }
@page { margin: 16mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  section.phase { page-break-before: always; }
  figure, table, pre, .error, .failed-phase { page-break-inside: avoid; }
  h2, h3 { page-break-after: avoid; }
  nav.toc a { color: inherit; text-decoration: none; }
}
"""

_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
<header class="title-page">
<h1>{program}</h1>
{summary}
<p class="subtitle">Run report: the executed phase notebooks of one cohort</p>
<dl class="facts">
{facts}
</dl>
<table class="phases">
<thead><tr><th>#</th><th>Phase</th><th>Status</th><th>Duration</th><th>Notebook</th></tr></thead>
<tbody>
{statuses}
</tbody>
</table>
<p class="note">People appear by their person_id only. Charts are static pictures; the executed notebooks in the
run folder hold every detail, and the tables written by the run are in its tables/ folder.</p>
<nav class="toc">
<h2>Contents</h2>
<ol>
{summary_link}
{toc}
</ol>
</nav>
</header>
<main>
{sections}
</main>
<footer>Made with rmkit {version}. This report is self-contained: it needs no internet connection.</footer>
</body>
</html>
"""
