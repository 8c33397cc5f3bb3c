"""A lean reference for ``rmkit pair``: the least work that pairs a cohort the same way, written plainly.

Reads ``participants.csv`` and the pairing weights and rules of ``program.yaml``; builds sparse one-hot incidence
matrices for skills, interests and slots; computes the five components with matrix products; masks the rules;
expands mentors into capacity places; one ``scipy.optimize.linear_sum_assignment`` (most pairs, then the highest
total); writes the pairs as CSV. No validation, no decisions, no explanations.

Usage: python lean_reference.py COHORT OUT.csv
"""

import sys

import numpy as np
import pandas as pd
import yaml
from scipy import sparse
from scipy.optimize import linear_sum_assignment


def one_hot(series_a, series_b):
    both = pd.concat([series_a, series_b], ignore_index=True).fillna("")
    items = both.str.split(";").explode()
    items = items.str.strip().str.casefold()
    items = items[items != ""]
    rows = items.index.to_numpy()
    codes, vocab = pd.factorize(items)
    matrix = sparse.csr_matrix((np.ones(len(rows)), (rows, codes)), shape=(len(both), len(vocab)))
    matrix.data[:] = 1.0
    return matrix[: len(series_a)], matrix[len(series_a):]


def share(numerator, denominator):
    out = np.zeros(np.broadcast_shapes(numerator.shape, denominator.shape))
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def main(cohort, out):
    with open(f"{cohort}/program.yaml", encoding="utf-8") as handle:
        program = yaml.safe_load(handle) or {}
    pairing = program.get("pairing") or {}
    weights = pairing.get("weights") or {"skill_gap": 0.5, "reverse_gap": 0.2, "interests": 0.15, "work_style": 0.1, "availability": 0.05}
    rules = pairing.get("rules") or {"no_reporting_line": True}
    people = pd.read_csv(f"{cohort}/participants.csv", dtype=str, keep_default_na=False)
    mentors = people[people["role"] == "mentor"].sort_values("person_id").reset_index(drop=True)
    mentees = people[people["role"] == "mentee"].sort_values("person_id").reset_index(drop=True)
    n_m = len(mentors)
    sk_m, sk_e = one_hot(pd.concat([mentors["offers"], mentors["wants"]], ignore_index=True),
                         pd.concat([mentees["offers"], mentees["wants"]], ignore_index=True))
    offers_m, wants_m, offers_e, wants_e = sk_m[:n_m], sk_m[n_m:], sk_e[: len(mentees)], sk_e[len(mentees):]
    int_m, int_e = one_hot(mentors["interests"], mentees["interests"])
    av_m, av_e = one_hot(mentors["availability"], mentees["availability"])
    count = lambda m: np.asarray(m.sum(axis=1)).ravel()  # noqa: E731
    comp = {}
    comp["skill_gap"] = share(offers_m @ wants_e.T.toarray(), count(wants_e)[None, :])
    comp["reverse_gap"] = share(wants_m @ offers_e.T.toarray(), count(wants_m)[:, None])
    shared = int_m @ int_e.T.toarray()
    comp["interests"] = share(shared, count(int_m)[:, None] + count(int_e)[None, :] - shared)
    comp["availability"] = share(av_m @ av_e.T.toarray(), np.minimum(count(av_m)[:, None], count(av_e)[None, :]))
    sm = mentors["work_style"].str.strip().str.casefold().to_numpy()
    se = mentees["work_style"].str.strip().str.casefold().to_numpy()
    same = (sm[:, None] == se[None, :]) & (sm != "")[:, None]
    partial = ((sm == "ambivert")[:, None] & (se != "")[None, :]) | ((sm != "")[:, None] & (se == "ambivert")[None, :])
    comp["work_style"] = np.where(same, 1.0, np.where(partial, 0.5, 0.0))
    total_weight = sum(weights.values())
    score = np.round(sum(w * comp[c] for c, w in weights.items()) / total_weight, 6)
    allowed = np.ones(score.shape, dtype=bool)
    if rules.get("different_department"):
        dm = mentors["department"].str.strip().str.casefold().to_numpy()
        de = mentees["department"].str.strip().str.casefold().to_numpy()
        allowed &= ~((dm[:, None] == de[None, :]) & (dm != "")[:, None])
    if rules.get("no_reporting_line", True):
        allowed &= ~(mentors["manager_id"].to_numpy()[:, None] == mentees["person_id"].to_numpy()[None, :])
        allowed &= ~(mentors["person_id"].to_numpy()[:, None] == mentees["manager_id"].to_numpy()[None, :])
    if rules.get("max_timezone_gap") is not None:
        tm = pd.to_numeric(mentors["timezone"], errors="coerce").to_numpy()
        te = pd.to_numeric(mentees["timezone"], errors="coerce").to_numpy()
        allowed &= ~(np.nan_to_num(np.abs(tm[:, None] - te[None, :])) > rules["max_timezone_gap"])
    capacity = pd.to_numeric(mentors["capacity"], errors="coerce").fillna(1).astype(int).to_numpy()
    places = np.repeat(np.arange(n_m), capacity)
    gain = np.where(allowed, score + 2 * min(len(places), len(mentees)) + 1, 0.0)[places]
    r, c = linear_sum_assignment(gain, maximize=True)
    keep = allowed[places[r], c]
    m, e = places[r[keep]], c[keep]
    pd.DataFrame({"mentor_id": mentors["person_id"].to_numpy()[m], "mentee_id": mentees["person_id"].to_numpy()[e],
                  "score": score[m, e]}).to_csv(out, index=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
