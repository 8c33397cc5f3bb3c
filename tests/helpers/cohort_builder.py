"""A tiny, fully controlled cohort for validation tests: every row number in a test is visible here.

participants.csv rows (header = row 1):
  2 m1 mentor Marketing   3 m2 mentor Sales   4 m3 mentor IT
  5 e1 mentee Finance     6 e2 mentee IT      7 e3 mentee Sales
"""

from __future__ import annotations

from pathlib import Path

PROGRAM = """\
program: Tiny program
cohort: tiny
start_date: 2026-01-05
waves: [baseline, month6]
min_group_size: 2
instrument: tiny.yaml
objectives:
  - {id: grow, measure: skills, target_change: 0.5}
pairing:
  strategy: optimal
  weights: {skill_gap: 1, interests: 0.5}
  rules: {different_department: true}
"""

INSTRUMENT = """\
id: tiny
response_scale: {min: 1, max: 5, labels: [Strongly disagree, Disagree, Neutral, Agree, Strongly agree]}
scales:
  - {id: skills, label: Skills, scoring: mean}
  - {id: happy, label: Happiness, scoring: percent_favorable}
items:
  - {id: s1, scale: skills, text: I know things}
  - {id: s2, scale: skills, text: I do not know things, reverse: true}
  - {id: h1, scale: happy, text: I am happy here}
"""

TABLES = {
    "participants": [
        "person_id,role,name,email,department,timezone,tenure_years,offers,wants,interests,work_style,availability,capacity,manager_id",
        "m1,mentor,Ana Example,ana@example.org,Marketing,0,1.5,social media; AI tools,strategy,music,introvert,Mon AM; Tue PM,1,",
        "m2,mentor,Ben Example,ben@example.org,Sales,1,2,LinkedIn,finance; strategy,running,extrovert,Mon AM,2,",
        "m3,mentor,Cai Example,cai@example.org,IT,0,0.5,AI tools,leadership,,introvert,Wed AM,,e2",
        "e1,mentee,Dee Example,dee@example.org,Finance,0,20,strategy; finance,social media,music,introvert,Mon AM,,",
        "e2,mentee,Eve Example,eve@example.org,IT,-5,15,leadership,AI tools; LinkedIn,running,ambivert,Tue PM,,",
        "e3,mentee,Fay Example,fay@example.org,Sales,1,25,finance,social media,,extrovert,Mon AM,,",
    ],
    "responses": [
        "person_id,wave,submitted_at,s1,s2,h1",
        "m1,baseline,2026-01-02,3,2,4",
        "m2,baseline,2026-01-03,4,1,5",
        "e1,baseline,2026-01-03,2,4,3",
        "m1,month6,2026-07-01,4,1,5",
        "e1,month6,2026-07-02T09:30:00+02:00,3,,4",
    ],
    "checkins": [
        "mentor_id,mentee_id,date,duration_min,pulse,topics,note",
        "m1,e1,2026-01-12,45,4,LinkedIn; AI tools,",
        "m2,e3,2026-01-14,60,5,,good start",
    ],
    "outcomes": [
        "person_id,group,start_date,end_date,end_reason",
        "m1,participant,2026-01-05,,",
        "e1,participant,2026-01-05,2026-06-30,resigned",
        "c1,comparison,2026-01-05,,",
    ],
    "costs": [
        "kind,item,amount,attribution,confidence,note",
        "cost,facilitator time,10000,,,",
        "benefit,training avoided,8000,0.5,0.8,",
    ],
    "pairs": [
        "mentor_id,mentee_id,score,locked,reasons",
        "m1,e1,0.8,false,mentor offers social media",
        "m2,e3,0.6,true,",
    ],
    "decisions": [
        "at,by,action,mentor_id,mentee_id,note",
        "2026-01-01T10:00:00Z,facilitator,lock,m2,e3,asked together",
        "2026-01-01T10:05:00Z,facilitator,publish,,,",
    ],
}


def write_tiny_cohort(folder: Path, *, skip: tuple[str, ...] = ()) -> Path:
    """Write the tiny cohort into ``folder`` (tables named in ``skip`` are left out)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "program.yaml").write_text(PROGRAM, encoding="utf-8")
    (folder / "tiny.yaml").write_text(INSTRUMENT, encoding="utf-8")
    for name, lines in TABLES.items():
        if name not in skip:
            (folder / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def set_cell(folder: Path, table: str, row: int, column: str, value: str) -> None:
    """Change one cell of a CSV table of the tiny cohort (row as a spreadsheet counts it, header = 1)."""
    path = folder / f"{table}.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[row - 1].split(",")
    cells[header.index(column)] = value
    lines[row - 1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
