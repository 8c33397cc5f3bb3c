"""Synthetic comparison people: their covariates (``outcomes.csv``: department, level, generation, tenure) and their
survey answers, for :func:`rmkit.cohort.synthetic.generate_cohort`.

Comparison people get the participants' answer model without the program's gain, plus a shared trend of everyone's
scales over the year (what the comparison group is there to isolate); they start a little lower than participants
(people who opt in are not a random sample) and drop out of later waves more often (differential attrition).
Scales about the mentoring itself (asked only after pairing) are left unanswered.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

__all__ = ["SHARED_TREND", "COMPARISON_SHIFT", "comparison_people", "comparison_responses"]

# the shared trend of everyone's scales over the year (in units of the SD of change), which the comparison group
# isolates; the program's own gains (scale_effects) are those of the participants
SHARED_TREND = {"digital_confidence": 0.20, "business_insight": 0.0, "collaboration": 0.10, "intergenerational": 0.0,
                "feeling_valued": 0.05, "satisfaction": 0.10}
COMPARISON_SHIFT = -0.15  # comparison people start a little lower on every scale (selection into the program)


def comparison_people(rng: np.random.Generator, ids: list[str], departments: dict[str, float]) -> pd.DataFrame:
    """Covariates of comparison people: half junior, half senior, like the participants."""
    names = list(departments)
    weights = np.array(list(departments.values()), dtype=float)
    weights /= weights.sum()
    junior = rng.random(len(ids)) < 0.5
    rows = []
    for person, young in zip(ids, junior, strict=True):
        if young:
            generation = str(rng.choice(["Gen Z", "Millennial"], p=[0.6, 0.4]))
            level = str(rng.choice(["Associate", "Analyst", "Specialist", "Coordinator"]))
            tenure = round(float(rng.gamma(2.0, 1.4)), 1)
        else:
            generation = str(rng.choice(["Gen X", "Baby Boomer", "Millennial"], p=[0.55, 0.3, 0.15]))
            level = str(rng.choice(["Director", "Vice President", "Head of Department", "Senior Manager"]))
            tenure = round(float(rng.uniform(5, 30)), 1)
        rows.append({"person_id": person, "department": names[int(rng.choice(len(names), p=weights))],
                     "level": level, "generation": generation, "tenure_years": tenure, "junior": bool(young)})
    return pd.DataFrame(rows)


def comparison_responses(rng: np.random.Generator, people: pd.DataFrame, instrument: dict, waves: list[str],
                         start: dt.date, attrition: float, scale_effects: dict[str, tuple[float, float, float, float]],
                         post_only: set[str]) -> pd.DataFrame:
    """Survey answers of comparison people: the participants' model without the program's gain, with the shared
    trend; scales about the mentoring itself (asked after pairing) are left unanswered."""
    scale_of = {item["id"]: item["scale"] for item in instrument["items"]}
    reverse = {item["id"]: bool(item.get("reverse", False)) for item in instrument["items"]}
    low, high = instrument["response_scale"]["min"], instrument["response_scale"]["max"]
    n_waves = len(waves)
    wave_dates = [start - dt.timedelta(days=7) + dt.timedelta(days=int(round(365 * k / max(1, n_waves - 1)))) for k in range(n_waves)]
    person_sd, change_sd, item_sd = 0.6, 0.7, 0.55
    latent_base = {s: rng.normal(0, person_sd, len(people)) for s in scale_effects}
    latent_change = {s: rng.normal(0, change_sd, len(people)) for s in scale_effects}
    dropout = rng.random(len(people))
    rows = []
    for p, person in enumerate(people.itertuples(index=False)):
        for w, wave in enumerate(waves):
            if w > 0 and dropout[p] < attrition * w:
                continue
            progress = w / max(1, n_waves - 1)
            row: dict[str, object] = {"person_id": person.person_id, "wave": wave,
                                      "submitted_at": (wave_dates[w] + dt.timedelta(days=int(rng.integers(0, 10)))).isoformat()}
            for item, scale in scale_of.items():
                if scale in post_only:
                    row[item] = None
                    continue
                base_junior, base_senior, *_ = scale_effects.get(scale, (3.3, 3.3, 0.2, 0.2))
                base = (base_junior if person.junior else base_senior) + COMPARISON_SHIFT
                latent = base + latent_base[scale][p] + progress * (SHARED_TREND.get(scale, 0.0) * change_sd
                                                                    + latent_change[scale][p])
                value = int(np.clip(np.rint(latent + rng.normal(0, item_sd)), low, high))
                if reverse[item]:
                    value = low + high - value
                row[item] = None if rng.random() < 0.03 else value
            rows.append(row)
    frame = pd.DataFrame(rows, columns=["person_id", "wave", "submitted_at", *scale_of])
    for item in scale_of:
        frame[item] = frame[item].astype("Int64")
    return frame
