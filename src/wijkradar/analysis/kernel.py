"""The scoring kernel: the three rules that turn indicator matrices into scores and calls.

Each rule is written here once and shared by :mod:`~wijkradar.analysis.scores`,
:mod:`~wijkradar.analysis.trends` and :mod:`~wijkradar.analysis.axes` (and through them the
signal, the action facts and :meth:`Dataset.latest_year`):

* :func:`weighted_score`: the catalogue-weighted mean percentile of a row of indicators, where
  enough of them are known (:func:`coverage`): at least ``min_share`` of the weight, or every
  indicator of one of the ``sufficient_sets``;
* :func:`call_trend`: ``rising`` when ``slope - z·se > 0``, ``falling`` when
  ``slope + z·se < 0``, else ``stable``; ``unknown`` without a slope or its error;
* :func:`band`: ``weak`` from ``weak`` up, ``strong`` below ``strong``, else ``middle``;
  ``unknown`` without a score.

Their numbers come from ``signals.toml`` through :class:`AxisSettings`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from wijkradar.catalogue.rules import Rules, load_rules
from wijkradar.vocab import AXES, Axis, View

SHARE_TOLERANCE = 1e-9
"""A weight share counts as reached within this margin (sums of weights are not exact)."""


@dataclass(frozen=True)
class AxisSettings:
    """The numbers of ``signals.toml`` the scores, trends and axes use.

    Built with :meth:`from_rules`; a sensitivity variation is ``dataclasses.replace(s, z=1.96)``.

    Attributes
    ----------
    min_score_share, min_trend_share
        Share of a domain's weight a score (``[scores] min_weight_share``) or an axis trend
        (``[trends] min_weight_share``) needs.
    sufficient_sets
        ``(axis, sets)`` pairs: indicator sets that carry an axis alone, whatever their weight
        share (``[scores.sufficient_sets]``); see :meth:`sets`.
    min_relative_units
        Regions of a gemeente the ``relative`` view needs (``[scores]``).
    window, max_window
        Trend window in years back from the signal year, and the widest window any
        sensitivity variation asks for (what :func:`~wijkradar.analysis.axes.prepare` keeps).
    min_years, z
        Editions a trend needs, and how many standard errors a trend call needs (``[trends]``).
    weak, strong, structural
        Band thresholds (``[levels]``); ``structural`` bounds the band an axis must stay in,
        edition after edition, to count as structurally weak.
    against_group
        Whether trends are measured against the comparison group's (``[trends] against``).
    """

    min_score_share: float
    min_trend_share: float
    sufficient_sets: tuple[tuple[Axis, tuple[tuple[str, ...], ...]], ...]
    min_relative_units: int
    window: int
    max_window: int
    min_years: int
    z: float
    weak: float
    strong: float
    structural: float = 80.0
    against_group: bool = True

    @classmethod
    def from_rules(cls, rules: Rules) -> AxisSettings:
        """The settings in ``rules`` (see :func:`~wijkradar.catalogue.rules.load_rules`)."""
        scores, trends, levels = rules["scores"], rules["trends"], rules["levels"]
        sets = scores.get("sufficient_sets", {})
        window = int(trends["window"])
        return cls(
            min_score_share=scores["min_weight_share"],
            min_trend_share=trends["min_weight_share"],
            sufficient_sets=tuple(
                (a, tuple(tuple(g) for g in sets.get(a, ()))) for a in AXES if a in sets
            ),
            min_relative_units=scores["min_relative_units"],
            window=window,
            max_window=max([window, *map(int, rules.sensitivity.get("window", []))]),
            min_years=trends["min_years"],
            z=trends["z"],
            weak=levels["weak"],
            strong=levels["strong"],
            structural=levels.get("structural", levels["weak"]),
            against_group=trends.get("against", "comparison_group") == "comparison_group",
        )

    def sets(self, axis: str) -> tuple[tuple[str, ...], ...]:
        """The sufficient sets of ``axis`` (empty when it has none)."""
        return dict(self.sufficient_sets).get(axis, ())

    def min_units(self, view: View) -> int:
        """Regions a comparison group needs for a percentile in ``view``."""
        return self.min_relative_units if view == "relative" else 1


@cache
def packaged() -> AxisSettings:
    """The settings of the packaged ``signals.toml`` (read once): the public defaults."""
    return AxisSettings.from_rules(load_rules())


def _complete(present: np.ndarray, names: Sequence[str], sets) -> np.ndarray:
    """Rows where every indicator of at least one of ``sets`` is present."""
    pos = {n: i for i, n in enumerate(names)}
    ok = np.zeros(len(present), dtype=bool)
    for group in sets:
        idx = [pos[i] for i in group if i in pos]
        if idx and len(idx) == len(group):
            ok |= present[:, idx].all(1)
    return ok


def coverage(
    present: np.ndarray,
    weight: np.ndarray,
    names: Sequence[str],
    *,
    min_share: float,
    sufficient_sets: Sequence[Sequence[str]] = (),
) -> tuple[np.ndarray, np.ndarray]:
    """Per row of ``present`` (rows × indicators ``names``): the share of ``weight`` present,
    and whether that is enough (``min_share`` reached, or one sufficient set complete)."""
    with np.errstate(all="ignore"):
        share = (present * weight).sum(1) / weight.sum()
    enough = (share >= min_share - SHARE_TOLERANCE) | _complete(present, names, sufficient_sets)
    return share, enough


def weighted_score(
    values: np.ndarray,
    weight: np.ndarray,
    names: Sequence[str],
    *,
    min_share: float,
    sufficient_sets: Sequence[Sequence[str]] = (),
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted mean of each row of ``values`` (rows × indicators ``names``; NaN = missing).

    Returns ``(score, share)``: ``score`` is NaN where :func:`coverage` says too little is
    known; ``share`` is the share of ``weight`` present.
    """
    has = ~np.isnan(values)
    share, enough = coverage(
        has, weight, names, min_share=min_share, sufficient_sets=sufficient_sets
    )
    with np.errstate(all="ignore"):
        score = (np.where(has, values, 0) * weight).sum(1) / (has * weight).sum(1)
    return np.where(enough, score, np.nan), share


def call_trend(slope: np.ndarray, se: np.ndarray, z: float) -> np.ndarray:
    """``rising``/``falling`` where ``slope`` clears ``z`` standard errors ``se``, else
    ``stable``; ``unknown`` where either is NaN (no trend, or no noise band to judge it by)."""
    slope, se = np.asarray(slope, dtype=float), np.asarray(se, dtype=float)
    with np.errstate(invalid="ignore"):
        called = np.where(
            slope - z * se > 0, "rising", np.where(slope + z * se < 0, "falling", "stable")
        )
    return np.where(np.isnan(slope) | np.isnan(se), "unknown", called)


def band(score: np.ndarray, weak: float, strong: float) -> np.ndarray:
    """``weak`` where ``score >= weak``, ``strong`` where ``score < strong``, else ``middle``;
    ``unknown`` where there is no score."""
    score = np.asarray(score, dtype=float)
    return np.where(
        np.isnan(score),
        "unknown",
        np.where(score >= weak, "weak", np.where(score < strong, "strong", "middle")),
    )
