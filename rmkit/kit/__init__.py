"""The facilitator's introduction kit (``rmkit intro``): what turns published pairs into a running program.

For each published pair: a one-page brief to print or send (who the partner is, why they were matched, what each
offers the other, conversation starters, and a mentoring agreement to fill in together), a calendar file with the
first coffee chat and the recurring meetings, and one mail-merge row per person. A facilitator's calendar holds the
check-ins of ``program.yaml: feedback``.

- :mod:`~rmkit.kit.schedule`: when pairs meet — time slots read in each person's time zone, the first coffee chat
  in a shared slot, the cadence until the planned end, the facilitator's check-in weeks;
- :mod:`~rmkit.kit.briefs`: a pair's brief as content (:class:`~rmkit.kit.briefs.PairBrief`) and as printable HTML;
- :mod:`~rmkit.kit.calendars`: the iCalendar files (with the ``icalendar`` library, imported when a calendar is
  made);
- :mod:`~rmkit.kit.mailmerge`: the mail-merge table;
- :mod:`~rmkit.kit.intro_kit`: the whole kit of a cohort (pure), and writing it into a folder (the one module here
  that writes files).

These outputs are **for the facilitator only and carry names and e-mail addresses by design**; nothing else in rmkit
does. Every value from a cohort file is HTML-escaped in the briefs; the mail-merge table is formula-safe.

Import rule: the kit imports :mod:`rmkit.cohort`, :mod:`rmkit.pairing`, :mod:`rmkit.phases`, :mod:`rmkit.errors` and
:mod:`rmkit.resources` only; only the command line imports it.
"""
