"""Tables for people: what the phase notebooks, the report and the boards show instead of a raw DataFrame.

:func:`readable_table` turns a tidy frame into text cells a sponsor can read, and :func:`table_html` into an HTML
table (every cell escaped: values come from cohort files):

- column ids become labels with their unit (``adherence`` → "Adherence (%)", ``p_value`` → "p", ``mean_change`` →
  "Change"); an unknown id becomes a sentence-case label (``days_since_last`` → "Days since last");
- ``ci_low`` and ``ci_high`` become one "95% CI" column ("0.22 to 0.93");
- booleans say yes / no; dates are dates ("6 Apr 2025"; a time only when there is one); lists are joined with ";";
- p-values in APA style ("< 0.001", "0.042"); percentages with "%"; money and counts with thousands separators and
  no decimals; other numbers with two decimals (or ``decimals``), never "-0.00"; empty cells "–";
- groups as people say them (``role=mentee`` → "mentees", ``department=Sales`` → "Sales", ``all`` → "everyone");
  a ``value`` of a percent-favourable scale (a ``scoring`` column says so) gets its "%";
- long text (reasons, rules, evidence) is marked to wrap in a column wide enough to read, short text never breaks.

It imports nothing heavy and no widget, so the runner, the boards and the notebooks share it.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = ["LABELS", "column_label", "readable_table", "table_html", "format_p", "format_number", "group_label",
           "TABLE_CSS"]

# id -> label (with its unit). Kept to ids rmkit's own tables use.
LABELS: dict[str, str] = {
    "mentor_id": "Mentor", "mentee_id": "Mentee", "person_id": "Person", "role": "Role", "status": "Status",
    "rule": "Why", "meetings": "Meetings", "first_meeting": "First met", "last_meeting": "Last met",
    "days_since_last": "Days since last meeting", "expected_meetings": "Meetings expected", "adherence": "Adherence (%)",
    "pulse_mean": "Pulse, mean (1–5)", "pulse_recent": "Pulse, recent (1–5)", "pulse_last": "Pulse, last (1–5)",
    "pulse_mentor": "Mentor's pulse (1–5)", "pulse_mentee": "Mentee's pulse (1–5)", "direction": "Learning flows",
    "goals": "Goals", "done": "Done", "open": "Open", "dropped": "Dropped", "overdue": "Overdue",
    "done_share": "Goals done (%)", "goals_mentor": "Mentor's goals", "goals_mentee": "Mentee's goals",
    "score": "Compatibility (0–1)", "locked": "Locked", "reasons": "Why they were matched",
    "skill_gap": "Skill gap (0–1)", "reverse_gap": "Reverse gap (0–1)", "interests": "Interests (0–1)",
    "work_style": "Work style (0–1)", "availability": "Time slots (0–1)", "below_threshold": "Below threshold",
    "robustness": "Robustness (0–1)",
    "overrides": "Rules overridden", "code": "Code", "reason": "Reason", "strategy": "Strategy",
    "matched": "Pairs", "total": "Total score", "mean": "Mean", "worst": "Worst pair", "unmatched": "Unpaired",
    "new_pairs": "New pairs", "total_change": "Change in total score", "other_pairs_changed": "Other pairs changed",
    "n": "n", "value": "Value", "sd": "SD", "scale": "Scale", "label": "Scale", "group": "Group", "wave": "Wave",
    "scoring": "Scoring", "first_wave": "First wave", "last_wave": "Last wave", "mean_before": "Before",
    "mean_after": "After", "mean_change": "Change", "sd_change": "SD of change", "t": "t", "dof": "df",
    "p_value": "p", "cohen_dz": "Cohen's d_z", "hedges_g": "Hedges' g", "wilcoxon_w": "Wilcoxon W",
    "wilcoxon_p": "Wilcoxon p", "suppressed": "Suppressed", "objective": "Objective", "measure": "Measure",
    "target": "Target", "result": "Result", "evidence": "Evidence", "description": "Description",
    "estimate": "Estimate", "learner": "Learner", "taught_by": "Taught by", "kirkpatrick": "Kirkpatrick level",
    "alpha": "Cronbach's α", "n_items": "Items", "warning": "Warning", "item": "Item", "reverse": "Reverse-coded",
    "r_drop": "Item–rest r", "alpha_if_deleted": "α if deleted", "kind": "Kind", "amount": "Amount",
    "attribution": "Attribution (0–1)", "confidence": "Confidence (0–1)", "counted": "Counted", "note": "Note",
    "metric": "Metric", "participant": "Participants (%)", "comparison": "Comparison (%)",
    "difference": "Difference (points)", "n_participant": "n participants", "n_comparison": "n comparison",
    "logrank_z": "Log-rank z", "left": "Left", "censored_early": "Censored early", "se": "SE", "pairs": "Pairs",
    "percent": "Share (%)", "statistic": "Statistic", "period": "Month", "low": "Lower quartile",
    "high": "Upper quartile", "intangible": "Intangible benefit", "level": "Level", "level_name": "Level",
    "for": "For", "first": "First wave", "last": "Last wave", "change": "Change", "duration_min": "Duration (min)",
    "date": "Date", "topics": "Topics", "department": "Department", "tenure_years": "Tenure (years)",
    "wanted_by": "Wanted by", "offered_by": "Offered by", "skill": "Skill", "side": "Side", "goal": "Goal",
    "target_date": "Due", "reverse_share": "To the mentee (%)", "to_mentee": "Topics for the mentee",
    "to_mentor": "Topics for the mentor",
}
PERCENT = {"adherence", "done_share", "percent", "participant", "comparison", "reverse_share", "retained",
           "survival", "share"}
P_VALUES = {"p_value", "wilcoxon_p", "p", "logrank_p"}
MONEY = {"amount", "counted", "costs", "benefits"}
LONG_TEXT = 40  # characters: a text column with a longer cell wraps in a wide column


def column_label(name: str, labels: Mapping[str, str] | None = None) -> str:
    """The label of a column id.

    Examples
    --------
    >>> column_label("adherence"), column_label("days_since_last"), column_label("Already nice")
    ('Adherence (%)', 'Days since last meeting', 'Already nice')
    >>> column_label("share_of_time")
    'Share of time'
    """
    if labels and name in labels:
        return labels[name]
    if name in LABELS:
        return LABELS[name]
    if "_" in name or name.islower():
        words = name.replace("_", " ").strip()
        return words[:1].upper() + words[1:]
    return name


def format_p(p: float) -> str:
    """A p-value in APA style.

    Examples
    --------
    >>> format_p(0.0000412), format_p(0.0423), format_p(0.5), format_p(float("nan"))
    ('< 0.001', '0.042', '0.500', '–')
    """
    if p is None or not np.isfinite(p):
        return "–"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def format_number(value: float, decimals: int = 2, *, percent: bool = False, thousands: bool = False) -> str:
    """A number for people: no "-0.00", thousands separated when asked, "%" when a percentage.

    Examples
    --------
    >>> format_number(-0.001), format_number(12500.4, 0, thousands=True), format_number(45.26, 1, percent=True)
    ('0.00', '12,500', '45.3%')
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    value = float(value)
    if abs(value) < 0.5 * 10 ** (-decimals):
        value = 0.0
    text = f"{value:,.{decimals}f}" if thousands else f"{value:.{decimals}f}"
    return text + ("%" if percent else "")


def _is_bool(series: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(series.dtype):
        return True
    values = series.dropna()
    return len(values) > 0 and series.dtype == object and values.map(lambda v: isinstance(v, bool | np.bool_)).all()


def _format_date(value: object) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return "–"
    stamp = pd.Timestamp(value)
    if stamp is pd.NaT:
        return "–"
    text = f"{stamp.day} {stamp:%b %Y}"
    if (stamp.hour, stamp.minute, stamp.second) != (0, 0, 0):
        text += f" {stamp:%H:%M}" + (" UTC" if stamp.tzinfo is not None else "")
    return text


def _cell(value: object) -> str:
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value) or "–"
    if isinstance(value, dt.date | pd.Timestamp):
        return _format_date(value)
    return str(value)


def _decimals_for(name: str, values: pd.Series, default: int) -> int:
    finite = values.dropna()
    finite = finite[np.isfinite(finite.astype(float))]
    if name in MONEY or (len(finite) and (finite.astype(float) % 1 == 0).all()):
        return 0
    if name in PERCENT:
        return 1
    return default


def readable_table(frame: pd.DataFrame, *, labels: Mapping[str, str] | None = None, decimals: int = 2,
                   percent: Sequence[str] = ()) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Text cells for people (see the module's docstring); returns the table, the labels of the columns whose long
    text should wrap, and the labels of the numeric columns (aligned right).

    Examples
    --------
    >>> frame = pd.DataFrame({"mentor_id": ["p1"], "locked": [True], "last_meeting": pd.to_datetime(["2025-04-06"]),
    ...                       "mean_change": [-0.0001], "ci_low": [-0.2], "ci_high": [0.3], "p_value": [0.0002],
    ...                       "adherence": [66.666]})
    >>> readable_table(frame)[0].iloc[0].to_dict()
    {'Mentor': 'p1', 'Locked': 'yes', 'Last met': '6 Apr 2025', 'Change': '0.00', '95% CI': '-0.20 to 0.30', 'p': '< 0.001', 'Adherence (%)': '66.7%'}
    """
    out: dict[str, pd.Series] = {}
    wrap: list[str] = []
    numeric: list[str] = []
    short: list[str] = []
    percent = set(percent) | PERCENT
    columns = list(frame.columns)
    merge_ci = "ci_low" in columns and "ci_high" in columns
    for name in columns:
        if merge_ci and name == "ci_high":
            continue
        series = frame[name]
        key = str(name)
        if merge_ci and key == "ci_low":
            digits = _decimals_for("ci", pd.concat([frame["ci_low"], frame["ci_high"]]).astype(float), decimals)
            if digits == 0 and frame["ci_low"].dropna().astype(float).abs().max() < 10:
                digits = decimals
            low = frame["ci_low"].map(lambda v, d=digits: format_number(v, d))
            high = frame["ci_high"].map(lambda v, d=digits: format_number(v, d))
            out["95% CI"] = pd.Series([("–" if a == "–" or b == "–" else f"{a} to {b}") for a, b in zip(low, high, strict=True)],
                                      index=frame.index)
            numeric.append("95% CI")
            continue
        label = column_label(key, labels)
        if label in out:  # two ids with one label (scale and label): keep both, told apart
            label = f"{label} ({key})"
        if _is_bool(series):
            out[label] = series.map(lambda v: "–" if v is None or v is pd.NA else ("yes" if bool(v) else "no"))
        elif pd.api.types.is_datetime64_any_dtype(series.dtype):
            out[label] = series.map(_format_date)
        elif key in P_VALUES and pd.api.types.is_numeric_dtype(series.dtype):
            out[label] = series.astype(float).map(format_p)
            numeric.append(label)
        elif pd.api.types.is_numeric_dtype(series.dtype):
            values = series.astype(float)
            digits = _decimals_for(key, values, decimals)
            is_pct = key in percent
            out[label] = values.map(lambda v, d=digits, p=is_pct, k=key: format_number(
                v, d, percent=p, thousands=k in MONEY or (abs(v) >= 10000 if v == v else False)))
            numeric.append(label)
        else:
            text = series.map(_cell)
            if key in GROUP_COLUMNS:
                text = text.map(group_label)
            out[label] = text
            longest = int(text.map(len).max()) if len(text) else 0
            if longest > LONG_TEXT:
                wrap.append(label)
            elif longest <= SHORT_TEXT:
                short.append(label)
    if "value" in columns and "scoring" in columns and pd.api.types.is_numeric_dtype(frame["value"].dtype):
        label = column_label("value", labels)
        pct = frame["scoring"].isin(["percent_favorable", "pomp"])
        out[label] = [format_number(v, 0, percent=True) if p_ and v == v else t
                      for v, p_, t in zip(frame["value"].astype(float), pct, out[label], strict=True)]
    table = pd.DataFrame(out, index=frame.index)
    table.attrs["short"] = short
    return table, wrap, numeric


GROUP_COLUMNS = {"group", "for"}
SHORT_TEXT = 24


def group_label(text: str) -> str:
    """A group as people say it.

    Examples
    --------
    >>> group_label("role=mentee"), group_label("department=Sales"), group_label("all")
    ('mentees', 'Sales', 'everyone')
    """
    if text == "all":
        return "everyone"
    if text.startswith("role="):
        return text[5:] + "s"
    if "=" in text:
        return text.split("=", 1)[1]
    return text


TABLE_CSS = """
table.rmkit-readable { border-collapse: collapse; margin: 0.8em 0; font-size: 0.9em; max-width: 100%; }
table.rmkit-readable caption { caption-side: top; text-align: left; font-weight: 600; padding: 4px 0; }
table.rmkit-readable th, table.rmkit-readable td { border-bottom: 1px solid #d0d7de; padding: 4px 8px;
  text-align: left; vertical-align: top; overflow-wrap: normal; word-break: normal; hyphens: manual; }
table.rmkit-readable th { background: #f6f8fa; font-weight: 600; vertical-align: bottom; }
table.rmkit-readable td.num { text-align: right; white-space: nowrap; } table.rmkit-readable th.num { text-align: right; }
table.rmkit-readable td.short { white-space: nowrap; }
table.rmkit-readable td.wrap { min-width: 18em; max-width: 40em; overflow-wrap: break-word; }
"""


def table_html(frame: pd.DataFrame, *, caption: str | None = None, labels: Mapping[str, str] | None = None,
               decimals: int = 2, percent: Sequence[str] = ()) -> str:
    """An HTML table for people: :func:`readable_table`, every cell and header escaped.

    Examples
    --------
    >>> html_text = table_html(pd.DataFrame({"item": ["<b>x</b>"], "amount": [12000.0]}))
    >>> '&lt;b&gt;x&lt;/b&gt;</td>' in html_text, ">12,000</td>" in html_text
    (True, True)
    """
    table, wrap, numeric = readable_table(frame, labels=labels, decimals=decimals, percent=percent)

    short = set(table.attrs.get("short", ()))

    def cls(label: str) -> str:  # a class for the report's stylesheet, the same as inline style for notebooks
        if label in numeric:
            return ' class="num" style="text-align: right; white-space: nowrap"'
        if label in wrap:
            return ' class="wrap" style="min-width: 18em; text-align: left"'
        return ' class="short" style="text-align: left; white-space: nowrap"' if label in short else ' style="text-align: left"'

    def head_cls(label: str) -> str:
        return ' class="num" style="text-align: right"' if label in numeric else ' style="text-align: left"'

    head = "".join(f"<th{head_cls(c)}>{html.escape(str(c))}</th>" for c in table.columns)
    body = "".join("<tr>" + "".join(f"<td{cls(c)}>{html.escape(str(v))}</td>" for c, v in zip(table.columns, row, strict=True))
                   + "</tr>" for row in table.itertuples(index=False))
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f'<table class="rmkit-readable">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
