"""What the run report lets through: an allow-list HTML sanitizer (nh3, Rust's ammonia), rmkit's own charts as
cleaned inline SVG, and a detector of anything that would make a browser fetch something.

The report never interprets cohort text as markup: :meth:`rmkit.runs.phase_context.Phase.show_table` and
:meth:`~rmkit.runs.phase_context.Phase.say` escape every value they are given, and everything a notebook output holds is
then cleaned here, so markup typed into a CSV cell is shown as text and markup that reaches an output some other
way is reduced to the harmless tags below:

- HTML (:func:`sanitize_html`): text, headings, lists, tables, emphasis, code, in-page links (``href="#…"``) and
  images whose ``src`` is inline raster data (``data:image/png|jpeg|gif;base64``). No script, style, frame, form,
  SVG, MathML, event handler, ``style`` attribute or comment survives; ``<script>`` and ``<style>`` go with their
  content. (A mutation-XSS payload such as ``<svg><style><img onerror=…>`` is parsed as a browser would and
  rebuilt from the tree: there is nothing left to mutate.)
- SVG (:func:`inline_svg`): only the outputs that :meth:`~rmkit.runs.phase_context.Phase.chart` marked as rmkit's
  charts (``metadata["rmkit"]["chart"]``) are inlined, and only with the elements and attributes Vega's SVG
  renderer writes; a ``url(…)`` must point inside the chart (``url(#id)``). Any other SVG output is shown as an
  ``<img>`` of inline data, where a browser runs no script and loads nothing.

The report adds ``Content-Security-Policy: default-src 'none'; img-src data:; style-src 'unsafe-inline'`` on top:
even a sanitizer bug could then neither run a script nor reach the network.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["CONTENT_SECURITY_POLICY", "sanitize_html", "inline_svg", "svg_as_image", "external_references"]

CONTENT_SECURITY_POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

_HTML_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del", "details", "div", "dl",
    "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li",
    "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "u", "ul", "var",
}
_HTML_ATTRIBUTES = {
    "*": {"class", "title", "lang", "dir"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start", "type"},
}
_RASTER_DATA = re.compile(r"data:image/(?:png|jpeg|gif);base64,[A-Za-z0-9+/]*={0,2}")
#: what an <img> may show: inline pictures (an SVG shown as an image runs no script and loads nothing)
_IMAGE_DATA = re.compile(r"data:image/(?:png|jpeg|gif|svg\+xml);base64,[A-Za-z0-9+/]*={0,2}")

_SVG_TAGS = {"svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "tspan", "defs",
             "clipPath", "linearGradient", "radialGradient", "stop", "title", "desc"}
_SVG_PRESENTATION = {
    "class", "transform", "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity",
    "stroke-dasharray", "stroke-dashoffset", "stroke-linecap", "stroke-linejoin", "stroke-miterlimit", "opacity",
    "clip-path", "clip-rule", "display", "visibility", "font-family", "font-size", "font-style", "font-weight",
    "font-variant", "text-anchor", "dominant-baseline", "alignment-baseline", "baseline-shift", "letter-spacing",
    "pointer-events", "shape-rendering", "text-rendering", "role", "aria-label", "aria-hidden",
    "aria-roledescription", "id",
}
_SVG_GEOMETRY = {"x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "width", "height", "d", "points",
                 "dx", "dy", "rotate", "textLength", "lengthAdjust", "offset", "stop-color", "stop-opacity",
                 "gradientUnits", "gradientTransform", "clipPathUnits", "fx", "fy", "spreadMethod"}
_SVG_ATTRIBUTES = {"*": _SVG_PRESENTATION, **{tag: _SVG_GEOMETRY for tag in _SVG_TAGS},
                   "svg": _SVG_GEOMETRY | {"viewBox", "preserveAspectRatio", "version"}}
_LOCAL_URL = re.compile(r"url\(\s*#[A-Za-z0-9_.:-]+\s*\)")
_CSS_URL = re.compile(r"url\(\s*(['\"]?)(?!data:image/|#)[^)]*\1\s*\)", re.I)
_CSS_IMPORT = re.compile(r"@import[^;]*;?", re.I)


def _html_attribute(element: str, attribute: str, value: str) -> str | None:
    if attribute == "href":
        return value if value.startswith("#") else None
    if attribute == "src":
        return value if element == "img" and _RASTER_DATA.fullmatch(value) else None
    return value


def sanitize_html(fragment: str) -> str:
    """``fragment`` rebuilt from an allow-list: safe tags and attributes only, no external reference.

    Examples
    --------
    >>> sanitize_html('<p onclick="x()">Hi <img src="http://t.co/p.gif"><script>alert(1)</script></p>')
    '<p>Hi <img></p>'
    >>> sanitize_html('<a href="https://example.org">docs</a> <a href="#top">top</a>')
    '<a>docs</a> <a href="#top">top</a>'
    >>> sanitize_html('<svg><style><img src=x onerror=alert(1)></style></svg> &lt;b&gt;')
    '<img> &lt;b&gt;'
    """
    import nh3

    return nh3.clean(fragment, tags=_HTML_TAGS, attributes=_HTML_ATTRIBUTES, attribute_filter=_html_attribute,
                     clean_content_tags={"script", "style", "template", "noscript", "iframe", "object", "embed",
                                         "textarea", "title", "xmp", "noembed", "noframes", "math", "svg",
                                         "select", "option"},
                     strip_comments=True, link_rel=None, url_schemes={"data"})


def _svg_attribute(element: str, attribute: str, value: str) -> str | None:
    lowered = value.casefold()
    if "url(" in lowered:
        return value if _LOCAL_URL.fullmatch(value.strip()) else None
    if any(bad in lowered for bad in ("javascript:", "expression(", "@import", "data:")):
        return None
    return value


def inline_svg(svg: str, *, prefix: str) -> str:
    """One of rmkit's chart SVGs ready to inline in HTML: no XML declaration, doctype or comment, only the elements
    and attributes of a static chart, references only inside the chart, and its ids prefixed so that several charts
    on one page keep their own clip paths and gradients.

    Examples
    --------
    >>> inline_svg('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 2 2">'
    ...            '<clipPath id="clip1"/><g clip-path="url(#clip1)"/><animate attributeName="href"/></svg>',
    ...            prefix="f1")
    '<svg viewBox="0 0 2 2"><clipPath id="f1-clip1"></clipPath><g clip-path="url(#f1-clip1)"></g></svg>'
    """
    import nh3

    start = svg.find("<svg")
    body = svg[start:] if start >= 0 else svg
    ids = set(re.findall(r'\bid="([^"]+)"', body))
    if ids:
        def rename(match: re.Match[str]) -> str:
            ident = match[2]
            return f"{match[1]}{prefix}-{ident}{match[3]}" if ident in ids else match[0]

        body = re.sub(r'(\bid=")([^"]+)(")', rename, body)
        body = re.sub(r"(url\(#)([^)]+)(\))", rename, body)
    return nh3.clean(body, tags=_SVG_TAGS, attributes=_SVG_ATTRIBUTES, attribute_filter=_svg_attribute,
                     clean_content_tags={"script", "style", "foreignObject"}, strip_comments=True, link_rel=None,
                     url_schemes=set())


def svg_as_image(svg: str, *, alt: str = "chart") -> str:
    """An SVG that is not one of rmkit's charts, as an ``<img>`` of inline data: shown, but never run (a browser
    neither runs scripts nor loads anything for an SVG image).

    Examples
    --------
    >>> svg_as_image("<svg/>")
    '<img alt="chart" src="data:image/svg+xml;base64,PHN2Zy8+">'
    """
    import base64
    import html

    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/svg+xml;base64,{data}">'


class _References(HTMLParser):
    """Collects what would load or leave the page: URL attributes of real tags, and CSS in ``<style>`` and
    ``style`` attributes (text that merely shows such characters is not markup and is not collected)."""

    URL_ATTRIBUTES = {"src", "href", "srcset", "xlink:href", "action", "formaction", "poster", "data", "background",
                      "ping", "manifest", "cite", "longdesc", "usemap"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            value = value or ""
            inline = tag == "img" and name == "src" and _IMAGE_DATA.fullmatch(value)
            if name in self.URL_ATTRIBUTES and not value.startswith("#") and not inline:
                self.found.append(f'{name}="{value}"')
            elif name == "style":
                self._css(value)
        self._style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._style = False

    def handle_data(self, data: str) -> None:
        if self._style:
            self._css(data)

    def _css(self, css: str) -> None:
        self.found += [m[0] for m in _CSS_URL.finditer(css)] + _CSS_IMPORT.findall(css)


def external_references(document: str) -> list[str]:
    """Every reference in ``document`` that would make a browser fetch something or leave the page: ``src``,
    ``href``, ``srcset``, ``xlink:href``, ``action``, ``poster``, ``data`` (…) values other than in-page anchors and
    ``<img>`` of inline data, and CSS ``url()`` and ``@import`` in stylesheets and ``style`` attributes. A
    self-contained report has none.

    Examples
    --------
    >>> external_references('<img src="https://x.org/a.png"><a href="#top">top</a><style>b{background:url(y.png)}</style>')
    ['src="https://x.org/a.png"', 'url(y.png)']
    >>> external_references("<td>&lt;img src=https://x.org/a.png&gt;</td>")  # text, not markup
    []
    """
    parser = _References()
    parser.feed(document)
    parser.close()
    return parser.found
