"""Tables for people: every rule of rmkit.phases.readable on a frame built to trip it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rmkit.phases.readable import readable_table, table_html


def test_labels_units_and_formats() -> None:
    frame = pd.DataFrame({
        "mentor_id": ["p1", "p2"], "locked": [True, False], "last_meeting": pd.to_datetime(["2025-04-06", None]),
        "mean_change": [-0.0004, 0.5], "ci_low": [-0.21, 0.2], "ci_high": [0.3, np.nan], "p_value": [0.0004, 0.0423],
        "adherence": [66.666, 100.0], "amount": [12500.4, 3.0], "meetings": [3.0, 8.0], "group": ["role=mentee", "department=IT"],
        "topics": [["AI tools", "strategy"], []],
    })
    table, wrap, numeric = readable_table(frame)
    assert list(table.columns) == ["Mentor", "Locked", "Last met", "Change", "95% CI", "p", "Adherence (%)", "Amount",
                                   "Meetings", "Group", "Topics"]
    assert table.iloc[0].tolist() == ["p1", "yes", "6 Apr 2025", "0.00", "-0.21 to 0.30", "< 0.001", "66.7%", "12,500",
                                      "3", "mentees", "AI tools; strategy"]
    assert table.iloc[1].tolist() == ["p2", "no", "–", "0.50", "–", "0.042", "100.0%", "3", "8", "IT", "–"]
    assert "Change" in numeric and wrap == []


def test_long_text_wraps_and_every_cell_is_escaped() -> None:
    reasons = "the mentor offers social media and AI tools, which the mentee wants; both care about cycling"
    page = table_html(pd.DataFrame({"reasons": [reasons], "note": ['<img src=x onerror="alert(1)">']}), caption="<b>c</b>")
    assert 'class="wrap"' in page and "min-width: 18em" in page
    assert "<img" not in page and "&lt;img src=x" in page and "&lt;b&gt;c&lt;/b&gt;" in page


def test_percent_favourable_values_say_percent() -> None:
    frame = pd.DataFrame({"scale": ["Satisfaction", "Collaboration"], "scoring": ["percent_favorable", "mean"],
                          "value": [72.9, 3.456]})
    assert readable_table(frame)[0]["Value"].tolist() == ["73%", "3.46"]
