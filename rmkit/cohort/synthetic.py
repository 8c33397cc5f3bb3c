"""Synthetic cohorts: every file of the data contract, seeded, any size, with the structure of real programs.

What the generator builds in (the structure of real reverse-mentoring programs):

- mentors are junior (Gen Z, Millennial) and offer digital skills; mentees are senior (Gen X, Baby Boomer) and offer
  business skills; each side wants what the other offers, but supply and demand only partly match (some digital
  skills the seniors want are rare among the juniors);
- a small department (fewer people than ``min_group_size``) and a few reporting lines inside the cohort;
- survey answers from a latent score per person and scale, with item noise (Cronbach's alpha around 0.75–0.85),
  reverse-coded items answered consistently, a few missing answers and some people skipping later waves;
  true gains from baseline to the last wave are d ≈ 0.3–0.6 (digital confidence for mentees, business insight for
  mentors, collaboration, intergenerational communication, feeling valued);
- published pairs, meetings at the cadence for most pairs, some pairs drifting off-cadence or never meeting;
- both sides report their meetings (``reported_by``, each with a pulse and topics from what they want to learn): a
  few pairs rate their meetings far apart, a few slide into one-way, top-down mentoring; each pair's goals
  (``agreements.csv``), more of them done where a pair meets often;
- participants retained better than a comparison group (about 11 points at 12 months); the comparison people's
  department, level, generation and tenure in ``outcomes.csv``;
- comparison people who answer the survey too (``comparison_respondents``), with no program gain but a shared trend
  (what happened to everyone that year: a company-wide digital push, a re-organisation), starting slightly lower
  (people who opt in are not a random sample), and more of them dropping out over the waves than participants
  (differential attrition);
- a Phillips cost and benefit sheet with attribution and confidence estimates.

Names are obviously fictional and e-mails use the reserved ``example.org`` domain.

Examples
--------
>>> cohort = generate_cohort(n_mentors=6, n_mentees=6, seed=1)
>>> sorted(cohort.tables)
['agreements', 'checkins', 'costs', 'decisions', 'outcomes', 'pairs', 'participants', 'responses']
>>> cohort.tables["participants"]["role"].value_counts().to_dict()
{'mentor': 6, 'mentee': 6}
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from .synthetic_comparison import comparison_people, comparison_responses
from .synthetic_meetings import agreements_of, both_sides
from .tables import join_list

__all__ = ["SyntheticCohort", "generate_cohort", "write_cohort", "DIGITAL_SKILLS", "BUSINESS_SKILLS"]

# Skill, interest and name pools. The weights make supply and demand only partly match.
DIGITAL_SKILLS = {  # skill: (how often juniors offer it, how often seniors want it)
    "social media": (5, 5),
    "AI tools": (4, 6),
    "LinkedIn": (4, 3),
    "data visualisation": (3, 3),
    "collaboration tools": (3, 2),
    "video content": (3, 1),
    "no-code automation": (2, 3),
    "Gen Z consumer trends": (2, 3),
    "e-commerce": (2, 2),
    "podcasting": (1, 1),
    "inclusive language": (2, 2),
    "cybersecurity basics": (0.3, 3),
    "blockchain": (0.0, 1),
}
BUSINESS_SKILLS = {
    "strategy": (5, 5),
    "leadership": (4, 4),
    "negotiation": (3, 3),
    "finance": (3, 2),
    "stakeholder management": (3, 3),
    "public speaking": (2, 3),
    "decision-making": (3, 2),
    "industry knowledge": (3, 2),
    "career planning": (2, 4),
    "managing people": (3, 2),
    "board reporting": (1, 0.3),
}
INTERESTS = ["sustainability", "running", "music", "diversity and inclusion", "travel", "cooking", "gaming",
             "photography", "volunteering", "football", "books", "art", "cycling", "gardening"]
WORK_STYLES = ["introvert", "extrovert", "ambivert"]
SLOTS = [f"{day} {half}" for day in ("Mon", "Tue", "Wed", "Thu", "Fri") for half in ("AM", "PM")]
DEPARTMENTS = {"Marketing": 5, "Sales": 5, "Finance": 4, "Operations": 5, "IT": 4, "HR": 3, "Product": 4}
SMALL_DEPARTMENT = "Legal"
LOCATIONS = [("London", 0.0, 5), ("Berlin", 1.0, 3), ("Madrid", 1.0, 2), ("New York", -5.0, 1), ("Bangalore", 5.5, 1)]
FIRST_NAMES = ["Amira", "Paul", "Noor", "Tomasz", "Yuki", "Chidi", "Lena", "Mateo", "Priya", "Sven", "Aiko", "Bruno",
               "Farah", "Jonas", "Kemi", "Liam", "Mei", "Nikolai", "Olu", "Rosa", "Sami", "Tara", "Uma", "Viktor",
               "Wen", "Ximena", "Yusuf", "Zara", "Ines", "Hugo", "Greta", "Dev", "Elif", "Finn", "Hana", "Ivo"]
SURNAMES = ["Testfield", "Sampleton", "Mockridge", "Placeholt", "Demoford", "Fictionby", "Dummerton", "Exampleworth",
            "Specimen", "Prototyne", "Synthwick", "Makebelieve", "Stubbins", "Fakenham", "Pretendre", "Notreal"]

SCALE_EFFECTS = {
    # scale: (baseline mean mentors, baseline mean mentees, gain d for mentors, gain d for mentees)
    "digital_confidence": (4.0, 2.8, 0.10, 0.55),
    "business_insight": (2.7, 4.1, 0.50, 0.05),
    "collaboration": (3.2, 3.3, 0.40, 0.35),
    "intergenerational": (3.1, 3.2, 0.45, 0.45),
    "feeling_valued": (3.0, 3.7, 0.50, 0.15),
    "satisfaction": (4.2, 4.2, 0.45, 0.35),
    "relationship_quality": (3.9, 3.9, 0.0, 0.0),
    "application": (3.3, 3.4, 0.30, 0.35),
}
POST_ONLY = {"relationship_quality", "application"}


@dataclass
class SyntheticCohort:
    """The files of a generated cohort: ``program`` (the parsed YAML as a dict) and one DataFrame per table."""

    name: str
    program: dict
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


def _pick(rng: np.random.Generator, pool: dict[str, tuple[float, float]], side: int, low: int, high: int) -> list[str]:
    names = list(pool)
    weights = np.array([pool[n][side] for n in names], dtype=float)
    weights = weights / weights.sum()
    k = int(rng.integers(low, high + 1))
    k = min(k, int((weights > 0).sum()))
    return [names[i] for i in rng.choice(len(names), size=k, replace=False, p=weights)]


def _people(rng: np.random.Generator, n_mentors: int, n_mentees: int) -> pd.DataFrame:
    n = n_mentors + n_mentees
    width = len(str(n))
    departments = list(DEPARTMENTS)
    dept_weights = np.array(list(DEPARTMENTS.values()), dtype=float)
    dept_weights /= dept_weights.sum()
    small = min(3, max(1, n // 20))  # a department smaller than min_group_size
    rows = []
    used_names: set[str] = set()
    for k in range(n):
        role = "mentor" if k < n_mentors else "mentee"
        junior = role == "mentor"
        while True:
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
            if name not in used_names or len(used_names) >= len(FIRST_NAMES) * len(SURNAMES):
                break
        used_names.add(name)
        location, tz, _ = LOCATIONS[int(rng.choice(len(LOCATIONS), p=np.array([w for *_, w in LOCATIONS]) / 12))]
        if junior:
            generation = rng.choice(["Gen Z", "Millennial"], p=[0.65, 0.35])
            tenure = round(float(rng.gamma(2.0, 1.2)), 1)
            level = rng.choice(["Associate", "Analyst", "Specialist", "Coordinator"])
            offers = _pick(rng, DIGITAL_SKILLS, 0, 2, 4)
            wants = _pick(rng, BUSINESS_SKILLS, 1, 1, 3)
        else:
            generation = rng.choice(["Gen X", "Baby Boomer", "Millennial"], p=[0.6, 0.3, 0.1])
            tenure = round(float(rng.uniform(6, 30)), 1)
            level = rng.choice(["Director", "Vice President", "Head of Department", "Senior Manager"])
            offers = _pick(rng, BUSINESS_SKILLS, 0, 2, 4)
            wants = _pick(rng, DIGITAL_SKILLS, 1, 1, 3)
        rows.append({
            "person_id": f"p{k + 1:0{width}d}",
            "role": role,
            "name": name,
            "email": f"{name.lower().replace(' ', '.')}.{k + 1}@example.org",
            "department": departments[int(rng.choice(len(departments), p=dept_weights))],
            "location": location,
            "timezone": tz,
            "generation": str(generation),
            "tenure_years": tenure,
            "level": str(level),
            "offers": offers,
            "wants": wants,
            "interests": list(rng.choice(INTERESTS, size=int(rng.integers(1, 4)), replace=False)),
            "work_style": str(rng.choice(WORK_STYLES, p=[0.4, 0.35, 0.25])),
            "availability": sorted(rng.choice(SLOTS, size=int(rng.integers(2, 6)), replace=False), key=SLOTS.index),
            "capacity": 1 if junior else None,
            "manager_id": None,
        })
    people = pd.DataFrame(rows)
    # a small department: a few people, both roles
    for idx in list(people.index[people["role"] == "mentor"][:1]) + list(people.index[people["role"] == "mentee"][: small - 1]):
        people.at[idx, "department"] = SMALL_DEPARTMENT
    # mentors may take two mentees where mentees outnumber mentors; one mentor is on leave this cycle
    mentors = people.index[people["role"] == "mentor"]
    extra = max(0, n_mentees - n_mentors)
    for idx in rng.choice(mentors, size=min(len(mentors), extra), replace=False) if extra else []:
        people.at[idx, "capacity"] = 2
    if n_mentors >= 10:
        people.at[mentors[-1], "capacity"] = 0
    # reporting lines inside the cohort: a few mentors report to a mentee of their department
    mentees = people[people["role"] == "mentee"]
    for idx in rng.choice(mentors, size=min(len(mentors), max(1, n_mentors // 8)), replace=False):
        same = mentees[mentees["department"] == people.at[idx, "department"]]
        if len(same):
            people.at[idx, "manager_id"] = same["person_id"].iloc[int(rng.integers(len(same)))]
    people["capacity"] = people["capacity"].astype("Int64")
    return people


def _allowed(people: pd.DataFrame, mentor: pd.Series, mentee: pd.Series) -> bool:
    return (
        mentor["department"] != mentee["department"]
        and mentor["manager_id"] != mentee["person_id"]
        and mentee["manager_id"] != mentor["person_id"]
    )


def _publish_pairs(rng: np.random.Generator, people: pd.DataFrame) -> pd.DataFrame:
    """Pairs as a facilitator published them at kick-off: a greedy match on skill overlap under the rules."""
    mentors = people[people["role"] == "mentor"].reset_index(drop=True)
    mentees = people[people["role"] == "mentee"].sample(frac=1, random_state=int(rng.integers(1 << 31))).reset_index(drop=True)
    left = dict(zip(mentors["person_id"], mentors["capacity"].fillna(1).astype(int), strict=True))
    offers = [{s.casefold() for s in o} for o in mentors["offers"]]
    rows = []
    large = len(mentors) * len(mentees) > 250_000
    for _, mentee in mentees.iterrows():
        wants = {s.casefold() for s in mentee["wants"]}
        candidates = [i for i in (rng.permutation(len(mentors))[:50] if large else range(len(mentors)))
                      if left[mentors.at[i, "person_id"]] > 0 and _allowed(people, mentors.loc[i], mentee)]
        if not candidates:
            continue
        best = max(candidates, key=lambda i: (len(wants & offers[i]), rng.random()))
        mentor_id = mentors.at[best, "person_id"]
        left[mentor_id] -= 1
        shared = sorted(wants & offers[best])
        reason = f"offers {', '.join(shared)}, which the mentee wants" if shared else "allowed by the rules"
        rows.append({"mentor_id": mentor_id, "mentee_id": mentee["person_id"],
                     "score": round(0.3 + 0.15 * len(shared) + 0.1 * rng.random(), 3), "locked": False, "reasons": reason})
    return pd.DataFrame(rows, columns=["mentor_id", "mentee_id", "score", "locked", "reasons"])


def _responses(rng: np.random.Generator, people: pd.DataFrame, instrument: dict, waves: list[str], start: dt.date) -> pd.DataFrame:
    scale_of = {item["id"]: item["scale"] for item in instrument["items"]}
    reverse = {item["id"]: bool(item.get("reverse", False)) for item in instrument["items"]}
    low, high = instrument["response_scale"]["min"], instrument["response_scale"]["max"]
    n_waves = len(waves)
    wave_dates = [start - dt.timedelta(days=7) + dt.timedelta(days=int(round(365 * k / max(1, n_waves - 1)))) for k in range(n_waves)]
    person_sd, change_sd, item_sd = 0.6, 0.7, 0.55
    rows = []
    latent_base = {s: rng.normal(0, person_sd, len(people)) for s in SCALE_EFFECTS}
    latent_change = {s: rng.normal(0, change_sd, len(people)) for s in SCALE_EFFECTS}
    dropout = rng.random(len(people))
    for p, person in enumerate(people.itertuples(index=False)):
        mentor = person.role == "mentor"
        for w, wave in enumerate(waves):
            if w > 0 and dropout[p] < 0.06 * w:  # some people skip later waves
                continue
            progress = w / max(1, n_waves - 1)
            row: dict[str, object] = {"person_id": person.person_id, "wave": wave,
                                      "submitted_at": (wave_dates[w] + dt.timedelta(days=int(rng.integers(0, 10)))).isoformat()}
            for item, scale in scale_of.items():
                if scale in POST_ONLY and w == 0:
                    row[item] = None
                    continue
                base_mentor, base_mentee, d_mentor, d_mentee = SCALE_EFFECTS.get(scale, (3.3, 3.3, 0.2, 0.2))
                base = base_mentor if mentor else base_mentee
                d = d_mentor if mentor else d_mentee
                # individual change: mean d x change_sd, spread change_sd, reached gradually over the waves
                latent = base + latent_base[scale][p] + progress * (d * change_sd + latent_change[scale][p])
                value = latent + rng.normal(0, item_sd)
                value = int(np.clip(np.rint(value), low, high))
                if reverse[item]:
                    value = low + high - value
                row[item] = None if rng.random() < 0.03 else value
            rows.append(row)
    frame = pd.DataFrame(rows)
    for item in scale_of:
        frame[item] = frame[item].astype("Int64")
    return frame


def _checkins(rng: np.random.Generator, pairs: pd.DataFrame, start: dt.date, weeks: int, every_weeks: float) -> pd.DataFrame:
    topics_pool = list(DIGITAL_SKILLS) + list(BUSINESS_SKILLS)
    rows = []
    end = start + dt.timedelta(weeks=weeks)
    for pair in pairs.itertuples(index=False):
        fate = rng.random()
        if fate < 0.05:
            continue  # never met
        drift_after = end if fate > 0.25 else start + dt.timedelta(days=int(rng.integers(30, 7 * weeks)))
        quality = rng.normal(4.0 if fate > 0.25 else 3.0, 0.4)
        day = start + dt.timedelta(days=int(rng.integers(2, 12)))
        while day <= min(end, drift_after):
            rows.append({
                "mentor_id": pair.mentor_id, "mentee_id": pair.mentee_id, "date": day.isoformat(),
                "duration_min": int(rng.choice([30, 45, 60, 60, 90])),
                "pulse": int(np.clip(np.rint(quality + rng.normal(0, 0.6)), 1, 5)),
                "topics": list(rng.choice(topics_pool, size=int(rng.integers(1, 3)), replace=False)),
                "note": "",
            })
            day += dt.timedelta(days=int(round(7 * every_weeks + rng.normal(0, 3))))
    return pd.DataFrame(rows, columns=["mentor_id", "mentee_id", "date", "duration_min", "pulse", "topics", "note"])


def _outcomes(rng: np.random.Generator, people: pd.DataFrame, start: dt.date, as_of: dt.date, n_comparison: int) -> pd.DataFrame:
    """Leavers drawn so that each group's 12-month attrition is close to its rate (participants ≈ 8%, comparison
    ≈ 19%): the design's "participants retained 5–20 points more" holds in small cohorts too."""
    horizon = (as_of - start).days
    reasons = ["resigned", "resigned", "resigned", "dismissed", "retired"]

    def group(ids: list[str], rate_12m: float, label: str) -> list[dict[str, str]]:
        n = len(ids)
        within_year = int(round(rate_12m * n))
        later = int(round(rate_12m * n * max(0, horizon - 365) / 365))
        leavers = rng.permutation(n)[: min(n, within_year + later)]
        days = {int(k): int(rng.integers(1, 366)) for k in leavers[:within_year]}
        days.update({int(k): int(rng.integers(366, max(367, horizon))) for k in leavers[within_year:]})
        rows = []
        for k, person in enumerate(ids):
            end = start + dt.timedelta(days=days[k]) if k in days and days[k] < horizon else None
            rows.append({"person_id": person, "group": label, "start_date": start.isoformat(),
                         "end_date": end.isoformat() if end else "", "end_reason": str(rng.choice(reasons)) if end else ""})
        return rows

    width = len(str(n_comparison))
    participants = group(list(people["person_id"]), 0.08, "participant")
    comparison = group([f"c{k + 1:0{width}d}" for k in range(n_comparison)], 0.19, "comparison")
    return pd.DataFrame(participants + comparison)


def _costs(n_people: int, n_pairs: int) -> pd.DataFrame:
    rows = [
        ("cost", "facilitator time (program design, matching, check-ins)", 18000, "", "", "0.2 FTE for 6 months, fully loaded"),
        ("cost", "participants' time in meetings", round(n_pairs * 2 * 8 * 1.0 * 55), "", "", "8 meetings of 1 h, both people, EUR 55/h loaded"),
        ("cost", "launch and closing events", 4500, "", "", "venue, catering, materials"),
        ("cost", "evaluation (surveys, analysis)", 3500, "", "", ""),
        ("benefit", "recruitment avoided: juniors retained", round(n_people / 80 * 96000), 0.5, 0.7, "4 fewer leavers x EUR 24,000 replacement cost"),
        ("benefit", "external digital training avoided", round(n_people / 80 * 40000), 0.8, 0.8, "20 seniors x EUR 2,000 course"),
        ("benefit", "time saved with adopted digital tools", round(n_people / 80 * 36000), 0.4, 0.6, "estimated by participants"),
    ]
    return pd.DataFrame(rows, columns=["kind", "item", "amount", "attribution", "confidence", "note"])


def _decisions(pairs: pd.DataFrame, people: pd.DataFrame, start: dt.date) -> pd.DataFrame:
    if pairs.empty:
        return pd.DataFrame(columns=["at", "by", "action", "mentor_id", "mentee_id", "note"])
    at = dt.datetime.combine(start - dt.timedelta(days=10), dt.time(10, 0), tzinfo=dt.UTC)
    first = pairs.iloc[0]
    rows = [{"at": at.isoformat(), "by": "facilitator", "action": "lock", "mentor_id": first.mentor_id,
             "mentee_id": first.mentee_id, "note": "asked to work together"}]
    mentors = people[people["role"] == "mentor"]
    if len(pairs) > 1:
        other = pairs.iloc[1]
        spare = mentors[~mentors["person_id"].isin([other.mentor_id])]
        if len(spare):
            rows.append({"at": (at + dt.timedelta(minutes=5)).isoformat(), "by": "facilitator", "action": "forbid",
                         "mentor_id": spare["person_id"].iloc[0], "mentee_id": other.mentee_id, "note": "same project team"})
    rows.append({"at": (at + dt.timedelta(minutes=20)).isoformat(), "by": "facilitator", "action": "publish",
                 "mentor_id": "", "mentee_id": "", "note": f"{len(pairs)} pairs"})
    return pd.DataFrame(rows)


def generate_cohort(
    *,
    n_mentors: int = 40,
    n_mentees: int = 40,
    seed: int = 0,
    name: str = "acme-2025-spring",
    start_date: dt.date = dt.date(2025, 3, 3),
    waves: tuple[str, ...] = ("baseline", "month6", "month12"),
    n_comparison: int | None = None,
    comparison_respondents: int | None = None,
    comparison_attrition: float = 0.10,
    with_pairs: bool = True,
    pair_with: Callable[[dict[str, pd.DataFrame], dict[str, Any]], pd.DataFrame] | None = None,
) -> SyntheticCohort:
    """Generate a cohort with every file of the contract.

    Parameters
    ----------
    n_mentors, n_mentees : int
        Cohort size (any size; ``n_mentors >= 1`` and ``n_mentees >= 1``).
    seed : int
        The same seed gives the same cohort.
    name : str
        The cohort id.
    start_date : datetime.date
        Kick-off; survey waves are spread over the following year.
    waves : tuple of str
        Survey waves, first = baseline.
    n_comparison : int, optional
        Size of the comparison group for retention (default: 1.5 × the cohort).
    comparison_respondents : int, optional
        How many comparison people answer the survey at the first wave (default: as many as there are
        participants, at most the comparison group; 0 for none).
    comparison_attrition : float
        The share of comparison respondents lost per wave after the first (default 0.10; participants lose about
        0.06 per wave), so the attrition table has a differential to report.
    with_pairs : bool
        Also generate published pairs, check-ins and decisions.
    pair_with : callable, optional
        ``pair_with(tables, program) -> pairs``: how the published pairs are made from the participants (and the
        facilitator's decisions, when ``tables`` holds them). ``rmkit synth`` passes rmkit's own pairing, so the
        published pairs are what the cohort's pairing proposes; without it a quick greedy match stands in (this
        package cannot import the pairing).
    """
    if n_mentors < 1 or n_mentees < 1:
        raise ValueError("a cohort needs at least one mentor and one mentee")
    if not waves:
        raise ValueError("at least one wave is needed")
    from ..resources import instruments_dir

    rng = np.random.default_rng(seed)
    instrument = yaml.safe_load((instruments_dir() / "rm-core.yaml").read_text(encoding="utf-8"))
    weeks, every = 24, 3
    as_of = start_date + dt.timedelta(days=365 + 60)
    program = yaml.safe_load((instruments_dir().parent / "program.yaml").read_text(encoding="utf-8"))
    program.update({"cohort": name, "start_date": start_date, "as_of": as_of, "waves": list(waves),
                    "duration_weeks": weeks, "checkin_every_weeks": every})
    people = _people(rng, n_mentors, n_mentees)
    tables = {"participants": people}
    tables["responses"] = _responses(rng, people, instrument, list(waves), start_date)
    tables["outcomes"] = _outcomes(rng, people, start_date, as_of, n_comparison if n_comparison is not None else int(1.5 * len(people)))
    # comparison people's covariates and survey answers come from a stream of their own: the tables the main stream
    # draws (participants, their answers, pairs, check-ins) do not change with them
    outsiders = np.random.default_rng([seed, 16])
    outcomes = tables["outcomes"]
    comparison_ids = list(outcomes.loc[outcomes["group"] == "comparison", "person_id"])
    covariates = comparison_people(outsiders, comparison_ids, DEPARTMENTS)
    if len(covariates):
        extra = covariates.set_index("person_id").drop(columns="junior")
        tables["outcomes"] = outcomes.join(extra, on="person_id")
    respondents = min(len(comparison_ids), len(people) if comparison_respondents is None else comparison_respondents)
    if respondents > 0:
        chosen = covariates.iloc[np.sort(outsiders.permutation(len(covariates))[:respondents])]
        answers = comparison_responses(outsiders, chosen, instrument, list(waves), start_date, comparison_attrition,
                                       SCALE_EFFECTS, POST_ONLY)
        tables["responses"] = pd.concat([tables["responses"], answers], ignore_index=True)
    if with_pairs:
        if pair_with is None:
            pairs = _publish_pairs(rng, people)
            decisions = _decisions(pairs, people, start_date)
        else:  # the decisions are taken on the first proposal; the pairs published are the proposal with them
            decisions = _decisions(pair_with({"participants": people}, program), people, start_date)
            pairs = pair_with({"participants": people, "decisions": decisions}, program)
        tables["pairs"] = pairs
        tables["checkins"] = _checkins(rng, pairs, start_date, weeks, every)
        tables["decisions"] = decisions
        tables["costs"] = _costs(len(people), len(pairs))
        facilitation = np.random.default_rng([seed, 18])  # a stream of its own: the tables above do not change
        tables["checkins"] = both_sides(facilitation, tables["checkins"], people, start_date, weeks,
                                        list(DIGITAL_SKILLS) + list(BUSINESS_SKILLS))
        tables["agreements"] = agreements_of(facilitation, pairs, tables["checkins"], people, start_date, weeks)
    else:
        tables["costs"] = _costs(len(people), min(n_mentors, n_mentees))
    return SyntheticCohort(name=name, program=program, tables=tables)


def write_cohort(cohort: SyntheticCohort, folder: str | os.PathLike[str], *, xlsx: bool = False, overwrite: bool = False) -> Path:
    """Write a generated cohort as a cohort folder (CSV in UTF-8, or XLSX). Refuses a non-empty folder unless
    ``overwrite``."""
    from ..errors import UsageError

    folder = Path(folder)
    if folder.is_dir() and any(folder.iterdir()) and not overwrite:
        raise UsageError(f"{folder}: the folder exists and is not empty")
    folder.mkdir(parents=True, exist_ok=True)
    header = "# A synthetic cohort generated by `rmkit synth`: every person and figure in it is fictional.\n"
    (folder / "program.yaml").write_text(header + yaml.safe_dump(cohort.program, sort_keys=False, allow_unicode=True), encoding="utf-8")
    for name, frame in cohort.tables.items():
        out = frame.copy()
        for column in out.columns:
            if out[column].map(lambda v: isinstance(v, list)).any():
                out[column] = out[column].map(join_list)
        if xlsx:
            out.to_excel(folder / f"{name}.xlsx", index=False, sheet_name=name)
        else:
            out.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")
    return folder
