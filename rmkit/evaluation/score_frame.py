"""The score frame every estimator of :mod:`rmkit.evaluation.effects` takes (``person_id, wave, scale, score, group,
role``): its check, the waves compared, and the paired sample of the people scored at both."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from .change import change_waves

__all__ = ["SCORE_FRAME_COLUMNS", "check_scores", "wave_ends", "paired_scores"]

SCORE_FRAME_COLUMNS = ["person_id", "wave", "scale", "score", "group", "role"]


def check_scores(scores: pd.DataFrame) -> None:
    """Raise ValueError unless ``scores`` has the columns of a score frame and only the two groups."""
    missing = [c for c in ("person_id", "wave", "scale", "score", "group") if c not in scores.columns]
    if missing:
        raise ValueError(f"scores has no column {', '.join(missing)}; expected {', '.join(SCORE_FRAME_COLUMNS)}")
    unknown = set(scores["group"].dropna().astype(str)) - {"participant", "comparison"}
    if unknown:
        raise ValueError(f"group holds {', '.join(sorted(unknown))}; allowed: participant, comparison")


def wave_ends(scores: pd.DataFrame, first: str | None, last: str | None, waves: Sequence[str] | None) -> tuple[str | None, str | None]:
    """``first`` and ``last``, by default the first and last of ``waves`` at which participants were scored."""
    if first is None or last is None:
        participants = scores[scores["group"] == "participant"]
        auto = change_waves(participants["wave"].astype(object).unique().tolist(), waves)
        first, last = first or auto[0], last or auto[1]
    return first, last


def paired_scores(scores: pd.DataFrame, first: str, last: str) -> pd.DataFrame:
    """One row per person and scale scored at both ``first`` and ``last``: ``person_id``, ``scale``, ``group``,
    ``role``, ``before``, ``after``, ``change``, sorted by scale and person.

    Examples
    --------
    >>> scores = pd.DataFrame({"person_id": ["a", "a", "b"], "wave": ["w0", "w1", "w0"], "scale": "s",
    ...                        "score": [3.0, 4.0, 2.0], "group": "participant", "role": "mentee"})
    >>> paired_scores(scores, "w0", "w1")[["person_id", "before", "after", "change"]]
      person_id  before  after  change
    0         a     3.0    4.0     1.0
    """
    frame = scores[scores["wave"].astype(str).isin([first, last]) & scores["score"].notna()]
    frame = frame.assign(wave=frame["wave"].astype(str)).drop_duplicates(["person_id", "scale", "wave"])
    wide = frame.pivot(index=["scale", "person_id"], columns="wave", values="score")
    if first not in wide.columns or last not in wide.columns:
        return pd.DataFrame(columns=["person_id", "scale", "group", "role", "before", "after", "change"])
    wide = wide[[first, last]].dropna()
    people = frame.drop_duplicates("person_id").set_index("person_id")
    out = pd.DataFrame({"person_id": wide.index.get_level_values("person_id"),
                        "scale": wide.index.get_level_values("scale"),
                        "before": wide[first].to_numpy(dtype="float64"), "after": wide[last].to_numpy(dtype="float64")})
    out["group"] = people["group"].reindex(out["person_id"]).to_numpy()
    out["role"] = people["role"].reindex(out["person_id"]).to_numpy() if "role" in people.columns else None
    out["change"] = out["after"] - out["before"]
    return out[["person_id", "scale", "group", "role", "before", "after", "change"]].reset_index(drop=True)
