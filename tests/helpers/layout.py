"""Checks of a rendered page as a reader sees it: nothing wider than the window, no axis labels on top of each other,
no label cut short (an axis label's ellipsis, a tab title the tab bar clips). Shared by the report's and the boards' screenshot tests."""

from __future__ import annotations

import os
from pathlib import Path

VIEWPORTS = ((1366, 768), (1920, 1080))

LAYOUT_JS = """
() => {
  const width = document.documentElement.clientWidth;
  const visible = (el) => { const s = getComputedStyle(el); const r = el.getBoundingClientRect();
    return s.display !== 'none' && s.visibility !== 'hidden' && r.width > 0 && r.height > 0; };
  const shown = (t) => visible(t) && parseFloat(getComputedStyle(t).opacity || '1') > 0 && t.getAttribute('opacity') !== '0';
  const wide = [...document.querySelectorAll('table, svg, canvas, img, pre')].filter(visible)
    .filter(el => !el.closest('svg') || el.tagName.toLowerCase() === 'svg')
    .filter(el => el.getBoundingClientRect().right > width + 1)
    .map(el => el.tagName + ' ' + (el.className && el.className.baseVal !== undefined ? el.className.baseVal : el.className)
               + ' right=' + Math.round(el.getBoundingClientRect().right));
  const overlaps = [], cut = [];
  let groups = 0;
  document.querySelectorAll('g.role-axis-label').forEach((g) => {
    const texts = [...g.querySelectorAll('text')].filter(shown);
    if (texts.length) groups += 1;
    const boxes = texts.map(t => t.getBoundingClientRect());
    texts.forEach(t => { if ((t.textContent || '').endsWith('…')) cut.push(t.textContent); });
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (x > 1 && y > 1) overlaps.push(texts[i].textContent + ' / ' + texts[j].textContent);
    }
  });
  document.querySelectorAll('.lm-TabBar-tabLabel, .p-TabBar-tabLabel').forEach((label) => {
    if (visible(label) && label.scrollWidth > label.clientWidth + 1) cut.push('tab ' + label.textContent);
  });  // a tab whose title the tab bar clips (ipywidgets' tabs have a fixed width)
  return {overflow: document.documentElement.scrollWidth - width, wide, overlaps, cut, axisGroups: groups};
}
"""


def check_layout(page) -> dict:
    """The layout findings of the page as it is now (see ``LAYOUT_JS``)."""
    return page.evaluate(LAYOUT_JS)


def assert_readable_layout(page, where: str) -> dict:
    found = check_layout(page)
    assert found["overflow"] <= 1, f"{where}: the page scrolls sideways by {found['overflow']} px"
    assert found["wide"] == [], f"{where}: wider than the window: {found['wide']}"
    assert found["overlaps"] == [], f"{where}: axis labels on top of each other: {found['overlaps'][:10]}"
    assert found["cut"] == [], f"{where}: labels cut short: {found['cut'][:10]}"
    return found


def screenshot_dir() -> Path | None:
    """Where screenshots are kept for a person to look at (``RMKIT_SCREENSHOTS``), if anywhere."""
    folder = os.environ.get("RMKIT_SCREENSHOTS")
    if not folder:
        return None
    Path(folder).mkdir(parents=True, exist_ok=True)
    return Path(folder)
