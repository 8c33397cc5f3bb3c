"""The report's safety rules on hostile or awkward HTML: nothing external, no scripts, no names (rmkit.runs.report,
rmkit.runs.sanitize). The same payloads opened in a browser: tests/runs/test_report_payloads.py."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rmkit.runs.report import external_references, inline_svg, private_terms, redact, sanitize_html

HOSTILE = [
    '<script src="https://cdn.example.org/vega.js"></script>',
    "<SCRIPT>alert(1)</SCRIPT>",
    '<link rel="stylesheet" href="https://fonts.example.org/css">',
    "<style>@import url('https://fonts.example.org/x.css'); .a { background: url(http://t.example.org/p.png) }</style>",
    '<img src=http://t.example.org/p.gif alt="pixel">',
    "<img src='//t.example.org/p.gif'>",
    '<img srcset="https://t.example.org/a.png 2x">',
    '<iframe src="https://example.org"><p>inside the frame</p></iframe>',
    '<object data="https://example.org/x.swf"></object>',
    '<div style="background-image: url(https://t.example.org/bg.png)">styled</div>',
    '<svg><use xlink:href="https://example.org/sprite.svg#icon"/><image href="https://example.org/i.png"/></svg>',
    '<a href="https://example.org/docs" onclick="steal()">the docs</a>',
    '<p onmouseover="x()">hover</p><!-- <img src="https://example.org/c.png"> -->',
    '<form action="https://example.org/post"><input name="q"></form>',
    '<video poster="https://example.org/p.jpg"></video>',
    '<base href="https://example.org/">',
]


@pytest.mark.parametrize("fragment", HOSTILE)
def test_nothing_external_survives(fragment: str) -> None:
    if "example.org" in fragment and "<!--" not in fragment:  # a comment loads nothing
        assert external_references(fragment), "the detector must see the reference in the raw fragment"
    clean = sanitize_html(fragment)
    assert external_references(clean) == []
    assert "example.org" not in clean and "<script" not in clean.lower() and " on" not in clean


def test_harmless_content_is_kept() -> None:
    fragment = ('<table><tbody><tr><td class="x">1 &amp; 2</td></tr></tbody></table>'
                '<a href="#section">in-page</a><img alt="chart" src="data:image/png;base64,iVBORw0KGgo=">')
    assert sanitize_html(fragment) == fragment
    # a table's own stylesheet (pandas' Styler) and style attributes go: the report's stylesheet styles tables
    assert sanitize_html('<style>#T_1 td { padding: 4px; }</style><div style="color: red">styled</div>') == "<div>styled</div>"
    assert sanitize_html('<a href="https://example.org/docs">the docs</a>') == "<a>the docs</a>"
    assert sanitize_html('<iframe src="x"><p>inside</p></iframe><p>after</p>') == "<p>after</p>"


def test_svg_ids_are_made_unique_and_case_is_kept() -> None:
    svg = ('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE svg>\n<svg xmlns="http://www.w3.org/2000/svg" '
           'xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 9 9"><defs><linearGradient id="gradient_0"/>'
           '<clipPath id="clip1"><rect/></clipPath></defs><g clip-path="url(#clip1)" fill="url(#gradient_0)">'
           '<use xlink:href="#clip1"/></g><script>alert(1)</script></svg>')
    first, second = inline_svg(svg, prefix="a"), inline_svg(svg, prefix="b")
    assert first.startswith('<svg viewBox="0 0 9 9">') and "http" not in first and "<script" not in first
    assert 'id="a-clip1"' in first and 'url(#a-clip1)' in first and "<use" not in first  # no element that links
    assert 'url(#a-gradient_0)' in first and "<linearGradient" in first
    assert 'id="b-clip1"' in second and 'id="a-clip1"' not in second


def test_redaction_of_names_and_emails() -> None:
    people = pd.DataFrame({"person_id": ["p1", "p2", "p3"], "name": ["Ana Ruiz", "Seán O'Brien", "Li"],
                           "email": ["ana.ruiz@corp.example", None, "li@corp.example"]})
    terms = private_terms(people)
    assert terms == {"Ana Ruiz": "p1", "Seán O'Brien": "p2", "ana.ruiz@corp.example": "p1", "li@corp.example": "p3"}
    text = ("<td>ANA RUIZ</td><td>Se&aacute;n</td><td>Seán O&#x27;Brien</td><td>Ana\nRuiz</td>"
            "<td>ana.ruiz@corp.example</td><td>someone@else.example</td><td>Ana Ruizova</td><td>Li</td>")
    clean, count = redact(text, terms)
    assert clean == ("<td>p1</td><td>Se&aacute;n</td><td>p2</td><td>p1</td><td>p1</td><td>[e-mail removed]</td>"
                     "<td>Ana Ruizova</td><td>Li</td>")
    assert count == 5
    assert redact("nothing private here", terms) == ("nothing private here", 0)


def _redact_by_alternation(document: str, private: dict[str, str]) -> str:
    """The names as one alternation, longest first (how redact matched them before the trie): the reference."""
    import html
    import re

    lookup = {}
    for term, replacement in private.items():
        for form in {term, html.escape(term)}:
            lookup[" ".join(form.split()).casefold()] = html.escape(replacement)
    words = sorted(lookup, key=len, reverse=True)
    if not words:
        return document
    pattern = "|".join(r"\s+".join(re.escape(part) for part in word.split(" ")) for word in words)
    return re.sub(rf"(?<![\w+/=])(?:{pattern})(?![\w+/=])", lambda m: lookup[" ".join(m[0].split()).casefold()],
                  document, flags=re.I)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text("abAB ", min_size=3, max_size=6).map(str.strip).filter(lambda t: len(t) >= 3), max_size=8, unique=True),
       st.lists(st.sampled_from(["ab", "a", "b", "AB", " ", "\n", "<td>", "x", "'", "&", "+"]), max_size=30))
def test_redaction_by_trie_matches_the_longest_first_alternation(names: list[str], pieces: list[str]) -> None:
    """Names that are prefixes of each other, repeated, in any case and spacing: the same text as before."""
    terms = {name: f"p{k}" for k, name in enumerate(names)}
    document = "".join(pieces) + " " + " ".join(names) + "".join(reversed(pieces))
    assert redact(document, terms)[0] == _redact_by_alternation(document, terms)


def test_redaction_of_thousands_of_names_is_one_pass() -> None:
    """4,000 participants: the names match where they are, and nowhere else."""
    people = pd.DataFrame({"person_id": [f"p{k:04d}" for k in range(4000)],
                           "name": [f"Person{k:04d} Family{k % 97:02d}" for k in range(4000)]})
    text = "<p>" + " and ".join(f"person{k:04d}  family{k % 97:02d}" for k in range(0, 4000, 7)) + " Person1 Family01</p>"
    clean, count = redact(text, private_terms(people))
    assert count == len(range(0, 4000, 7)) and "Family" not in clean.replace("Person1 Family01", "")
    assert clean.startswith("<p>p0000 and p0007 and ") and clean.endswith(" Person1 Family01</p>")
