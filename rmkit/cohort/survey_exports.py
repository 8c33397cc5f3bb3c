"""How survey tools lay out their exports: Qualtrics' header rows, and the timestamps of every tool with their zone.

Qualtrics has written three layouts of CSV export over the years (:func:`qualtrics_layout`):

- **current** (since 2017): three header rows: column names (``Q1_1``), question texts, and a JSON object per column
  (``{"ImportId":"QID1_1"}``; date columns add ``"timeZone"``);
- **2016–2017**: the same three rows, but the third row is a Python-style dict with single quotes
  (``{'ImportId': 'QID1-1'}``), which JSON cannot read: it is read as a Python literal (``ast.literal_eval``, which
  evaluates no code);
- **legacy** ("Use legacy exports"): two header rows: ``V1``…``V10`` then the question ids, and a second row with
  ``ResponseID``, ``ResponseSet``, ``Name``, ``ExternalDataReference``, ``EmailAddress``, ``IPAddress``, ``Status``,
  ``StartDate``, ``EndDate``, ``Finished``, then the question texts. The ``V`` columns take their second-row names.

Timestamps (:func:`parse_export_time`): ISO 8601, ``GMT±h``/``UTC±h`` suffixes, IANA zone names
(``2025-07-31 11:59:34 Europe/Helsinki``) and zone abbreviations (``2025/07/31 11:59:34 am EEST``, as Google
Forms writes the respondent's zone). An abbreviation is looked up in the zone database (:mod:`zoneinfo`): the zones
that use it *on that date* give its UTC offset; when they disagree (``IST`` is India and Ireland; ``CST``
China and the US), the zone given as ``--timezone`` decides if it uses that abbreviation then, else the time is
reported as ambiguous and left empty.
"""

from __future__ import annotations

import ast
import datetime as dt
import functools
import json
import re
import zoneinfo

import pandas as pd

__all__ = ["qualtrics_layout", "parse_export_time", "zone_offsets", "LEGACY_NAMES"]

#: the second-row names of a legacy Qualtrics export's V columns (V1 = ResponseID … V10 = Finished)
LEGACY_NAMES = ("ResponseID", "ResponseSet", "Name", "ExternalDataReference", "EmailAddress", "IPAddress", "Status",
                "StartDate", "EndDate", "Finished")


def _import_id(cell: object) -> dict | None:
    """The third header row's object: JSON, else a Python-style dict (2016–2017 exports); ``None`` otherwise."""
    text = str(cell).strip()
    if not text.startswith("{"):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return None
    return value if isinstance(value, dict) else None


def qualtrics_layout(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str], dict[str, dict], int, str]:
    """Read a Qualtrics export's header rows.

    Parameters
    ----------
    frame : DataFrame
        The export read as text with its first row as the header (every later row as data).

    Returns
    -------
    (frame, texts, import_ids, header_rows, layout)
        ``frame`` with legacy ``V`` columns renamed to their second-row names, the question text of each column,
        the third row's object per column (empty for the legacy layout), how many data rows are header rows (1 or
        2), and ``"current"``, ``"2016"`` or ``"legacy"``.

    Examples
    --------
    >>> frame = pd.DataFrame([["Start Date", "Q1 text"], ["{'ImportId': 'startDate', 'timeZone': 'UTC'}", "{'ImportId': 'QID1'}"]],
    ...                      columns=["StartDate", "Q1"])
    >>> _, texts, ids, skip, layout = qualtrics_layout(frame)
    >>> texts["Q1"], ids["Q1"], skip, layout
    ('Q1 text', {'ImportId': 'QID1'}, 2, '2016')
    """
    headers = [str(c) for c in frame.columns]
    if frame.empty:
        return frame, {h: h for h in headers}, {}, 0, "current"
    second = frame.iloc[0]
    legacy = any(re.fullmatch(r"V\d+", h) for h in headers) and any(str(second[h]).strip().casefold() == "responseid" for h in headers)
    if legacy:
        renamed = {h: str(second[h]).strip() for h in headers if re.fullmatch(r"V\d+", h) and str(second[h]).strip()}
        frame = frame.rename(columns=renamed)
        texts = {renamed.get(h, h): (str(second[h]).strip() or h) for h in headers}
        return frame, texts, {}, 1, "legacy"
    texts = {h: (str(second[h]).strip() or h) for h in headers}
    if len(frame) > 1:
        objects = {h: _import_id(frame.iloc[1][h]) for h in headers}
        if any(o is not None and "ImportId" in o for o in objects.values()):
            single = any(str(frame.iloc[1][h]).lstrip().startswith("{'") for h in headers)
            return frame, texts, {h: (o or {}) for h, o in objects.items()}, 2, "2016" if single else "current"
    return frame, texts, {}, 1, "current"


@functools.lru_cache(maxsize=4096)
def zone_offsets(abbreviation: str, day: dt.date) -> dict[dt.timedelta, tuple[str, ...]]:
    """The UTC offsets the zone database gives ``abbreviation`` at noon on ``day``, each with the zones using it.

    Examples
    --------
    >>> {k.total_seconds() / 3600: len(v) > 0 for k, v in zone_offsets("EEST", dt.date(2025, 7, 31)).items()}
    {3.0: True}
    >>> sorted(k.total_seconds() / 3600 for k in zone_offsets("IST", dt.date(2025, 7, 31)))
    [1.0, 5.5]
    """
    wanted = abbreviation.upper()
    found: dict[dt.timedelta, list[str]] = {}
    for name in sorted(zoneinfo.available_timezones()):
        try:
            zone = zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            continue
        moment = dt.datetime.combine(day, dt.time(12), tzinfo=zone)
        if (moment.tzname() or "").upper() == wanted:
            found.setdefault(moment.utcoffset() or dt.timedelta(0), []).append(name)
    return {offset: tuple(names) for offset, names in found.items()}


_ZONE_AT_END = re.compile(r"^(.*\d(?:\s*[ap]\.?m\.?)?)\s+([A-Za-z][A-Za-z_+\-/]*[A-Za-z]|[A-Z]{2,6})$", re.IGNORECASE)
_GMT = re.compile(r"^(.*?)\s*(?:GMT|UTC)\s*([+-]\d{1,2})?(?::?(\d{2}))?$")


def _localize(stamp: pd.Timestamp, zone: str) -> pd.Timestamp | None:
    try:
        return stamp.tz_localize(zone, ambiguous="NaT", nonexistent="shift_forward").tz_convert("UTC")
    except Exception:
        return None


def parse_export_time(text: str, timezone: str = "UTC") -> tuple[pd.Timestamp | None, str]:
    """A timestamp as a survey tool writes it, in UTC, and why it could not be read (``""`` when it could).

    Parameters
    ----------
    text : str
        The cell.
    timezone : str
        The IANA zone of times written without a zone, and the one that decides an ambiguous abbreviation.

    Examples
    --------
    >>> parse_export_time("2025/07/31 11:59:34 am EEST")
    (Timestamp('2025-07-31 08:59:34+0000', tz='UTC'), '')
    >>> parse_export_time("2025/07/31 11:59:34 pm IST", "Asia/Kolkata")[0]
    Timestamp('2025-07-31 18:29:34+0000', tz='UTC')
    >>> parse_export_time("2025/07/31 11:59:34 pm IST")[1]
    'the zone IST is ambiguous on 2025-07-31 (UTC+01:00, UTC+05:30); give --timezone with the zone meant'
    >>> parse_export_time("2025-02-28 10:15:32 GMT+1")[0]
    Timestamp('2025-02-28 09:15:32+0000', tz='UTC')
    """
    value = " ".join(str(text).split())
    offset: dt.timedelta | None = None
    zone: str | None = None
    match = _GMT.match(value)
    if match and (match.group(2) or value.upper().endswith(("GMT", "UTC"))):
        value = match.group(1)
        hours, minutes = int(match.group(2) or 0), int(match.group(3) or 0)
        sign = -1 if (match.group(2) or "").startswith("-") else 1
        offset = sign * dt.timedelta(hours=abs(hours), minutes=minutes)
    else:
        tail = _ZONE_AT_END.match(value)
        if tail and not re.fullmatch(r"[ap]\.?m\.?", tail.group(2), re.IGNORECASE):
            value, zone = tail.group(1), tail.group(2)
    try:
        iso = re.match(r"^\d{4}-\d\d-\d\d", value)
        stamp = pd.Timestamp(pd.to_datetime(value, format="ISO8601" if iso else "mixed"))
    except (ValueError, TypeError, OverflowError):
        return None, "not a date and time that can be read"
    if stamp is pd.NaT:
        return None, "not a date and time that can be read"
    if stamp.tzinfo is not None:
        return stamp.tz_convert("UTC"), ""
    if offset is not None:
        return (stamp - offset).tz_localize("UTC"), ""
    if zone is None:
        return (_localize(stamp, timezone) or stamp.tz_localize("UTC")), ""
    if "/" in zone or zone.upper() == "UTC":
        try:
            zoneinfo.ZoneInfo(zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return None, f"the zone {zone} is not in the zone database"
        found = _localize(stamp, zone)
        return (found, "") if found is not None else (None, f"{stamp} does not exist or is ambiguous in {zone}")
    offsets = zone_offsets(zone, stamp.date())
    if not offsets:
        return None, f"the zone {zone} is not an abbreviation the zone database uses on {stamp.date()}"
    if len(offsets) > 1:
        decided = _localize(stamp, timezone)
        if decided is not None and (stamp.tz_localize(timezone, ambiguous="NaT").tzname() or "").upper() == zone.upper():
            return decided, ""
        shown = ", ".join(f"UTC{_hours(o)}" for o in sorted(offsets))
        return None, f"the zone {zone} is ambiguous on {stamp.date()} ({shown}); give --timezone with the zone meant"
    return (stamp - next(iter(offsets))).tz_localize("UTC"), ""


def _hours(offset: dt.timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def zone_name_hint(text: str, year: int | None = None) -> str:
    """What to write instead of a time-zone name in ``participants.timezone`` (a UTC offset in hours), or "".

    Examples
    --------
    >>> zone_name_hint("Europe/Madrid", 2026)
    "; 'Europe/Madrid' is a time-zone name: write its UTC offset in hours, 1 (2 in summer)"
    >>> zone_name_hint("Asia/Kolkata", 2026), zone_name_hint("Mars/Olympus")
    ("; 'Asia/Kolkata' is a time-zone name: write its UTC offset in hours, 5.5", '')
    """
    name = text.strip()
    if "/" not in name and name.upper() != "UTC":
        return ""
    try:
        zone = zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return ""
    year = year or dt.date.today().year
    winter, summer = (dt.datetime(year, month, 15, 12, tzinfo=zone).utcoffset().total_seconds() / 3600  # type: ignore[union-attr]
                      for month in (1, 7))
    standard, daylight = min(winter, summer), max(winter, summer)
    extra = f" ({daylight:g} in summer)" if daylight != standard else ""
    return f"; {name!r} is a time-zone name: write its UTC offset in hours, {standard:g}{extra}"
