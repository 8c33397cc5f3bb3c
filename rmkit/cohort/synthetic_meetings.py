"""The running program in a synthetic cohort: both sides' check-in reports and each pair's mentoring agreement.

Kept apart from :mod:`rmkit.cohort.synthetic` (which calls these after the check-ins are drawn) and drawn from a
random stream of their own, so that adding them changed none of the other tables of a seeded cohort.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

__all__ = ["both_sides", "agreements_of", "GOAL_TEXT"]


def both_sides(rng: np.random.Generator, checkins: pd.DataFrame, people: pd.DataFrame, start: dt.date,
               weeks: int, others: list[str]) -> pd.DataFrame:
    """Both sides speak: each meeting is reported by the mentor, the mentee or both (``reported_by``), with each
    side's own pulse and topics. Topics follow what each side wants to learn; a few pairs rate their meetings far
    apart, and a few slide into one-way, top-down mentoring in the second half (only the mentor's wants — what the
    senior teaches — are discussed any more); now and then a topic from ``others``. Drawn from its own random
    stream, so the rest of the cohort is the same with or without it."""
    if checkins.empty:
        return checkins.assign(reported_by=pd.Series(dtype=object))
    wants = people.set_index("person_id")["wants"].to_dict()
    halfway = pd.Timestamp(start + dt.timedelta(weeks=weeks / 2))
    keys = list(dict.fromkeys(zip(checkins["mentor_id"], checkins["mentee_id"], strict=True)))
    meets = checkins.groupby(["mentor_id", "mentee_id"]).size()
    regular = [key for key in keys if meets[key] >= 5]  # the slips show in pairs that keep meeting
    few = max(1, round(0.08 * len(keys))) if len(regular) >= 2 else 0
    chosen = [regular[k] for k in rng.permutation(len(regular))[: 2 * few]]
    kind = {key: "two-way" for key in keys} | {key: "apart" for key in chosen[:few]} | {key: "top-down" for key in chosen[few:]}
    rows = []
    for meeting in checkins.itertuples(index=False):
        key = (meeting.mentor_id, meeting.mentee_id)
        digital, business = list(wants.get(meeting.mentee_id, [])), list(wants.get(meeting.mentor_id, []))
        late = pd.Timestamp(meeting.date) >= halfway
        topics = []
        if digital and not (kind[key] == "top-down" and late) and rng.random() < 0.8:
            topics.append(str(rng.choice(digital)))  # the junior teaching the senior
        if business and rng.random() < 0.7:
            topics.append(str(rng.choice(business)))  # the senior teaching the junior
        if rng.random() < 0.2:
            topics.append(str(rng.choice(others)))
        topics = list(dict.fromkeys(topics)) or [str(rng.choice(others))]
        sides = ["mentor", "mentee"] if rng.random() < 0.6 else [str(rng.choice(["mentor", "mentee"]))]
        for side in sides:
            pulse = float(meeting.pulse) + rng.normal(0, 0.4)
            if kind[key] == "apart":
                pulse += 0.4 if side == "mentor" else -1.7
            side_topics = topics if len(sides) == 1 or rng.random() < 0.7 else topics[:1]
            rows.append({**meeting._asdict(), "pulse": int(np.clip(np.rint(pulse), 1, 5)), "topics": side_topics,
                         "reported_by": side})
    return pd.DataFrame(rows, columns=[*checkins.columns, "reported_by"])


GOAL_TEXT = {
    "mentee": ["use {skill} in a real piece of work", "try {skill} with my team", "explain {skill} to my peers"],
    "mentor": ["understand {skill} from the inside", "practise {skill} in a meeting", "shadow a decision on {skill}"],
}


def agreements_of(rng: np.random.Generator, pairs: pd.DataFrame, checkins: pd.DataFrame, people: pd.DataFrame,
                start: dt.date, weeks: int) -> pd.DataFrame:
    """Each pair's mentoring agreement: one or two goals per side drawn from what each wants to learn, due within
    the program; pairs that meet often get more done, pairs that never met have only open goals (some overdue).
    Its own random stream, like :func:`both_sides`."""
    wants = people.set_index("person_id")["wants"].to_dict()
    met = checkins.groupby(["mentor_id", "mentee_id"])["date"].nunique().to_dict() if not checkins.empty else {}
    expected = max(1, weeks // 3)
    rows = []
    for pair in pairs.itertuples(index=False):
        meetings = met.get((pair.mentor_id, pair.mentee_id), 0)
        progress = min(1.0, meetings / expected)
        for side, person in (("mentee", pair.mentee_id), ("mentor", pair.mentor_id)):
            skills = list(wants.get(person, []))
            for skill in rng.permutation(skills)[: int(rng.integers(1, 3))] if skills else []:
                target = start + dt.timedelta(days=int(rng.integers(6 * 7, weeks * 7 + 1)))
                draw = rng.random()
                status = "done" if draw < 0.75 * progress else ("dropped" if draw > 0.95 else "open")
                rows.append({"mentor_id": pair.mentor_id, "mentee_id": pair.mentee_id,
                             "goal": str(rng.choice(GOAL_TEXT[side])).format(skill=skill), "side": side,
                             "target_date": target.isoformat(), "status": status})
    return pd.DataFrame(rows, columns=["mentor_id", "mentee_id", "goal", "side", "target_date", "status"])
