"""Score frames (``person_id, wave, scale, score, group, role``) with known effects, for the estimators of
rmkit.evaluation.effects: each person has a latent level, everyone shares a trend over the waves, participants
gain an injected effect on top, and each score has measurement noise."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def score_frame(seed: int, *, n_participants: int = 60, n_comparison: int = 60, effect: float = 0.4,
                trend: float = 0.2, head_start: float = 0.3, waves: Sequence[str] = ("w0", "w1"),
                person_sd: float = 0.6, noise_sd: float = 0.5, missing: float = 0.0,
                scale: str = "s") -> pd.DataFrame:
    """Scores over ``waves`` (the effect and the trend reached linearly by the last wave); participants start
    ``head_start`` higher (a stable difference, which the DiD removes); ``missing`` is the chance that a person's
    score at a wave after the first is absent (missing completely at random)."""
    rng = np.random.default_rng(seed)
    n = n_participants + n_comparison
    treated = np.arange(n) < n_participants
    level = rng.normal(0, person_sd, n) + head_start * treated
    roles = np.where(np.arange(n) % 2 == 0, "mentor", "mentee")
    rows = []
    last = len(waves) - 1
    for w, wave in enumerate(waves):
        progress = w / last if last else 0.0
        score = 3.0 + level + progress * (trend + effect * treated) + rng.normal(0, noise_sd, n)
        keep = np.ones(n, dtype=bool) if w == 0 else rng.random(n) >= missing
        for i in np.flatnonzero(keep):
            rows.append({"person_id": f"{'p' if treated[i] else 'c'}{i:04d}", "wave": wave, "scale": scale,
                         "score": float(score[i]), "group": "participant" if treated[i] else "comparison",
                         "role": roles[i] if treated[i] else None})
    return pd.DataFrame(rows)
