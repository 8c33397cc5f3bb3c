"""A pair's one-page brief: who the partner is, why they were matched, what each offers the other, conversation
starters drawn from what they share, and a mentoring agreement to fill in together.

:func:`pair_brief` gathers the content (plain data, testable without HTML); :func:`render_brief` makes the printable
page. The page follows the report's rules: every value from a cohort file is HTML-escaped, no script, nothing loaded
from anywhere (the Content-Security-Policy forbids it), and a print stylesheet that fits one A4 or Letter page.

The agreement is framed as a partnership in which both learn — the advice of the field for senior leaders who
resist being mentored by someone younger: the senior is the learner on the junior's subjects and the teacher on
their own, and either can ask for a change without having to explain it to the other.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from ..pairing.explain import Overlap, describe_overlap, join_words

__all__ = ["Side", "PairBrief", "pair_brief", "conversation_starters", "render_brief", "CSP", "agenda"]

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


@dataclass(frozen=True)
class Side:
    """One person of a pair, as the brief shows them."""

    person_id: str
    name: str
    first: str
    role: str
    department: str = ""
    level: str = ""
    location: str = ""
    offers: tuple[str, ...] = ()
    wants: tuple[str, ...] = ()


@dataclass(frozen=True)
class PairBrief:
    """The content of a brief (names by design: a facilitator-only output)."""

    program: str
    sponsor: str
    mentor: Side
    mentee: Side
    why: str
    overlap: Overlap
    starters: tuple[str, ...]
    first_meeting: str
    first_to_confirm: bool
    cadence: str
    goals_mentor: tuple[str, ...] = ()
    goals_mentee: tuple[str, ...] = ()
    goals_shared: tuple[str, ...] = ()

    @property
    def stem(self) -> str:
        return f"{self.mentor.person_id}-{self.mentee.person_id}"


def conversation_starters(mentor: str, mentee: str, overlap: Overlap) -> tuple[str, str, str]:
    """Three openers drawn from what the pair shares (skills each way, interests), filled up with general ones.

    Examples
    --------
    >>> conversation_starters("Ana", "Paul", Overlap(("AI tools",), ("strategy",), ("cycling",)))[0]
    'Paul: ask Ana to show how they use AI tools in a normal week, then try it together on something real.'
    >>> len(conversation_starters("Ana", "Paul", Overlap()))
    3
    """
    found = []
    if overlap.mentor_teaches:
        found.append(f"{mentee}: ask {mentor} to show how they use {overlap.mentor_teaches[0]} in a normal week, "
                     "then try it together on something real.")
    if overlap.mentee_teaches:
        found.append(f"{mentor}: ask {mentee} how a recent decision involving {overlap.mentee_teaches[0]} was really "
                     "made — who was in the room, and what nearly changed it.")
    if overlap.interests:
        found.append(f"You both care about {overlap.interests[0]}: what does it look like in each of your parts of "
                     "the organisation?")
    general = [
        "What would make these meetings worth your time three months from now?",
        f"{mentee}: what is one thing about how younger colleagues work that puzzles you? {mentor}: the same the "
        "other way round.",
        "What is one thing each of you wishes the other's generation knew about your work?",
    ]
    for line in general:
        if len(found) == 3:
            break
        found.append(line)
    return tuple(found[:3])  # type: ignore[return-value]


def agenda(brief: PairBrief) -> list[str]:
    """The coffee chat's agenda (the calendar event's description repeats it)."""
    return [
        "Introduce yourselves: your work, and what you hope to learn and to teach.",
        *[f"Talk about: {s}" for s in brief.starters],
        "Fill in the mentoring agreement together (goals for each of you, how often and how you meet, "
        "confidentiality, how to ask for a change).",
        f"Fix the next meetings: {brief.cadence}.",
    ]


def pair_brief(*, program: str, sponsor: str | None, mentor: Side, mentee: Side, overlap: Overlap, first_meeting: str,
               first_to_confirm: bool, cadence: str, goals: Sequence[tuple[str | None, str]] = ()) -> PairBrief:
    """The content of one pair's brief; ``goals`` are ``(side, goal)`` from ``agreements.csv`` (side ``None`` for
    a goal of the pair)."""
    why = describe_overlap(overlap, mentor=mentor.first, mentee=mentee.first)
    return PairBrief(
        program=program, sponsor=sponsor or "", mentor=mentor, mentee=mentee, why=why, overlap=overlap,
        starters=conversation_starters(mentor.first, mentee.first, overlap), first_meeting=first_meeting,
        first_to_confirm=first_to_confirm, cadence=cadence,
        goals_mentor=tuple(g for s, g in goals if s == "mentor"), goals_mentee=tuple(g for s, g in goals if s == "mentee"),
        goals_shared=tuple(g for s, g in goals if s not in ("mentor", "mentee")),
    )


# --------------------------------------------------------------------------------------------- HTML


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _person(side: Side, label: str) -> str:
    facts = " · ".join(_e(v) for v in (side.level, side.department, side.location) if v)
    offers = _e(join_words(list(side.offers))) or "—"
    wants = _e(join_words(list(side.wants))) or "—"
    return (f'<div class="person"><p class="role">{_e(label)}</p><p class="name">{_e(side.name)}</p>'
            f'<p class="facts">{facts}</p><p><b>Offers:</b> {offers}</p><p><b>Wants to learn:</b> {wants}</p></div>')


def _lines(goals: Sequence[str], blanks: int) -> str:
    filled = "".join(f"<li>{_e(g)}</li>" for g in goals)
    empty = "".join('<li class="blank">&nbsp;</li>' for _ in range(max(0, blanks - len(goals))))
    return f"<ol>{filled}{empty}</ol>"


def render_brief(brief: PairBrief) -> str:
    """The brief as a self-contained, printable HTML page (one A4 or Letter page)."""
    m, e, o = brief.mentor, brief.mentee, brief.overlap
    gives = []
    if o.mentor_teaches:
        gives.append(f"<li><b>{_e(m.first)} → {_e(e.first)}:</b> {_e(join_words(list(o.mentor_teaches)))}</li>")
    if o.mentee_teaches:
        gives.append(f"<li><b>{_e(e.first)} → {_e(m.first)}:</b> {_e(join_words(list(o.mentee_teaches)))}</li>")
    if not gives:
        gives.append("<li>No listed skill matches exactly: start from what each of you wants to learn.</li>")
    shared = []
    if o.interests:
        shared.append(f"<b>Shared interests:</b> {_e(join_words(list(o.interests)))}")
    if o.slots:
        shared.append(f"<b>Shared time slots:</b> {_e(', '.join(o.slots))}")
    confirm = ' <span class="confirm">(to confirm)</span>' if brief.first_to_confirm else ""
    sponsor = f" The program's sponsor: {_e(brief.sponsor)}." if brief.sponsor else ""
    shared_goals = (f"<p><b>Shared goals:</b></p>{_lines(brief.goals_shared, 0)}" if brief.goals_shared else "")
    return _PAGE.format(
        csp=CSP, css=_CSS, title=_e(f"{brief.program}: {m.name} and {e.name}"), program=_e(brief.program),
        mentor=_person(m, "Mentor (teaches digital and new ways of working)"),
        mentee=_person(e, "Mentee (shares strategy and business sense)"),
        why=_e(brief.why), gives="".join(gives), shared=" · ".join(shared) or "No shared interests or time slots are listed.",
        first=_e(brief.first_meeting) + confirm, cadence=_e(brief.cadence),
        starters="".join(f"<li>{_e(s)}</li>" for s in brief.starters),
        mfirst=_e(m.first), efirst=_e(e.first), sponsor=sponsor,
        goals_mentee=_lines(brief.goals_mentee, 2), goals_mentor=_lines(brief.goals_mentor, 2), shared_goals=shared_goals,
    )


_CSS = """
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 190mm; padding: 8mm 6mm; color: #1f2328; font: 10pt/1.35 -apple-system, "Segoe UI",
       Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 16pt; margin: 0 0 1mm; } h2 { font-size: 11pt; margin: 3mm 0 1mm; color: #0b5394; }
p { margin: 0.6mm 0; } ul, ol { margin: 0.6mm 0; padding-left: 5mm; } li { margin: 0.4mm 0; }
.sub { color: #59636e; margin-bottom: 2mm; }
.people { display: grid; grid-template-columns: 1fr 1fr; gap: 4mm; }
.person { border: 1px solid #d0d7de; border-radius: 2mm; padding: 2mm 3mm; }
.person .role { color: #59636e; font-size: 8.5pt; } .person .name { font-size: 12pt; font-weight: 700; }
.person .facts { color: #59636e; }
.confirm { color: #a40e26; font-weight: 600; }
.agreement { border: 2px solid #0b5394; border-radius: 2mm; padding: 1mm 3mm 2mm; margin-top: 3mm; }
.agreement .cols { display: grid; grid-template-columns: 1fr 1fr; gap: 4mm; }
li.blank { border-bottom: 1px solid #8c959f; height: 5.5mm; }
.sign { display: grid; grid-template-columns: 1fr 1fr; gap: 4mm; margin-top: 3mm; }
.sign div { border-top: 1px solid #8c959f; padding-top: 1mm; color: #59636e; font-size: 8.5pt; }
@page { size: auto; margin: 10mm; }
@media print { body { padding: 0; max-width: none; } }
"""

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
<h1>Your reverse-mentoring partnership</h1>
<p class="sub">{program} · for the two of you and your facilitator only</p>
<div class="people">{mentor}{mentee}</div>
<h2>Why you were matched</h2>
<p>{why}.</p>
<h2>What you can offer each other</h2>
<ul>{gives}</ul>
<p>{shared}</p>
<h2>Your first coffee chat</h2>
<p>{first}: 30 minutes to get to know each other. Then {cadence}.</p>
<h2>Three conversation starters</h2>
<ol>{starters}</ol>
<h2>A partnership in which both learn</h2>
<p>Each of you is the expert on some subjects and the learner on others. {efirst}, on digital tools and new ways of
working {mfirst} leads, whatever your seniority: ask questions, try things between meetings, and say what did not
make sense. {mfirst}, on strategy and how decisions are made {efirst} leads: bring real questions from your work.
Both of you: keep it practical, and tell each other what is and is not working.{sponsor}</p>
<div class="agreement">
<h2>Our mentoring agreement</h2>
<div class="cols">
<div><p><b>{efirst}'s goals</b> (what I want to be able to do)</p>{goals_mentee}</div>
<div><p><b>{mfirst}'s goals</b> (what I want to be able to do)</p>{goals_mentor}</div>
</div>
{shared_goals}
<p><b>How often and how we meet:</b> {cadence}; in person / by video (circle one), at ____________________.</p>
<p><b>Confidentiality:</b> what we discuss stays between us unless we both agree to share it. The program asks only
for a pulse rating (1–5) and the topics after each meeting; notes are never reported.</p>
<p><b>Asking for a change:</b> either of us can ask the facilitator for a change at any time, without explaining it to
the other. Pairs that do not click are swapped early: that is normal, not a failure.</p>
<div class="sign"><div>{efirst}, date</div><div>{mfirst}, date</div></div>
</div>
</body>
</html>
"""
