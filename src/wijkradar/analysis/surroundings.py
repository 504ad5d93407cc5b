"""Meerschalig: does a region move with its surroundings or against them?

Per region, axis and edition: the change of its axis score since its own previous edition
(never across a series cut), beside the spatial lag of that change — the mean change of its
queen neighbours of the same level over their own previous editions. Each change is *moving*
when it reaches ``move_points`` (score points; ``[surroundings]`` in ``signals.toml``), and the
two together give the relation:

* ``with`` — it moves the way its neighbours move;
* ``against`` — it moves one way, its neighbours the other;
* ``alone`` — it moves, its neighbours stay about where they were;
* ``holds`` — it stays about where it was while its neighbours move;
* ``stable`` — neither moves;
* ``unknown`` — no previous edition, or no neighbour with one.

The scores are "higher = more vulnerable", so a positive change is a worsening. A relation
describes an area's course beside its neighbours', never its residents.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wijkradar.analysis.dynamics import cut_years
from wijkradar.analysis.warning import neighbour_stats, previous_value

RELATIONS = ("with", "against", "alone", "holds", "stable", "unknown")
SURROUNDINGS_COLUMNS = (
    "code",
    "year",
    "previous_year",
    "axis",
    "score",
    "change",
    "neighbours_change",
    "neighbours",
    "relation",
)


def relation(own: np.ndarray, nb: np.ndarray, move_points: float) -> np.ndarray:
    """The :data:`RELATIONS` label of each pair of changes (NaN: ``unknown``)."""
    a = np.where(np.abs(own) >= move_points, np.sign(own), 0.0)
    b = np.where(np.abs(nb) >= move_points, np.sign(nb), 0.0)
    out = np.select(
        [a == 0, b == 0, a == b],
        [np.where(b == 0, "stable", "holds"), "alone", "with"],
        "against",
    ).astype(object)
    out[np.isnan(own) | np.isnan(nb)] = "unknown"
    return out


def surroundings(
    scores: pd.DataFrame,
    adjacency,
    order: pd.Index,
    *,
    breaks: pd.DataFrame | None = None,
    move_points: float = 5.0,
) -> pd.DataFrame:
    """:data:`SURROUNDINGS_COLUMNS`, one row per (code, year, axis) of ``scores`` (``code,
    year, domain, score`` of one level) with a score.

    ``adjacency``/``order``: the level's sparse queen-contiguity matrix and the codes of its
    rows (:func:`wijkradar.dataset.neighbours.adjacency`); without one, every relation is
    ``unknown``.
    """
    cuts = cut_years(breaks)
    parts = []
    for axis, rows in scores.dropna(subset=["score"]).groupby("domain", sort=True):
        s = rows.drop_duplicates(["code", "year"]).set_index(["code", "year"])["score"]
        s = s.sort_index()
        years = pd.Series(s.index.get_level_values("year").to_numpy(float), index=s.index)
        change = s - previous_value(s, cuts)
        prev_year = previous_value(years, cuts)
        if adjacency is None or order is None:
            nb = pd.Series(np.nan, index=s.index)
            n = pd.Series(0, index=s.index)
        else:
            nb, n = neighbour_stats(change, adjacency, order)
        parts.append(
            pd.DataFrame(
                {
                    "code": s.index.get_level_values("code").astype(str),
                    "year": s.index.get_level_values("year").astype(int),
                    "previous_year": prev_year.to_numpy(),
                    "axis": str(axis),
                    "score": s.to_numpy(float),
                    "change": change.to_numpy(float),
                    "neighbours_change": nb.to_numpy(float),
                    "neighbours": n.to_numpy(int),
                    "relation": relation(change.to_numpy(float), nb.to_numpy(float), move_points),
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=list(SURROUNDINGS_COLUMNS))
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["code", "year", "axis"]).reset_index(drop=True)
