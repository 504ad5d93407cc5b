"""The two axes of the signalling map — composition and problems — per region.

An axis has a *score* (the catalogue-weighted mean percentile of its indicators, see
:mod:`~wijkradar.analysis.scores`), its *level* (the band the score falls in) and a *trend*.
The trend is the weighted mean of its indicators' slopes, each expressed in units of that
indicator's spread between regions (robust SD = IQR/1.349 at that level) and signed by its
direction, so that positive always means "more vulnerable / more problems". Its standard error
propagates the indicators' own errors; the axis is ``rising`` (worsening) or ``falling``
(improving) only beyond ``z`` standard errors. Score, band and trend call are the rules of
:mod:`~wijkradar.analysis.kernel`, with the numbers of ``signals.toml`` as
:class:`~wijkradar.analysis.kernel.AxisSettings`. Working on (region × indicator) matrices lets
the sensitivity analysis recombine weights and thresholds without recomputing anything else.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from wijkradar.analysis.kernel import AxisSettings, band, call_trend, coverage, weighted_score
from wijkradar.analysis.scores import percentiles, scored_indicators
from wijkradar.analysis.trends import indicator_trends, value_errors
from wijkradar.catalogue import Catalogue
from wijkradar.vocab import AXES, Axis, View

IQR_PER_SD = 1.349
"""Interquartile range of a normal distribution in standard deviations (robust SD = IQR / this)."""


@dataclass(frozen=True)
class AxisInputs:
    """Matrices (codes × scored indicators) an axis is computed from.

    Attributes
    ----------
    codes, indicators
        Row and column labels.
    percentile, value_pct, pct_year
        Latest percentile (direction-aware), raw-value percentile and its year.
    slope, se, spread
        Indicator slopes per year and their standard errors; ``spread`` per indicator.
    direction, weight, domain
        Per indicator, from the catalogue.
    trends
        The long indicator-trend frame (for reasons).
    """

    codes: pd.Index
    indicators: pd.Index
    percentile: np.ndarray
    value_pct: np.ndarray
    pct_year: np.ndarray
    group_size: np.ndarray
    group_gemeenten: np.ndarray
    slope: np.ndarray
    se: np.ndarray
    spread: np.ndarray
    direction: np.ndarray
    weight: np.ndarray
    domain: np.ndarray
    trends: pd.DataFrame


def _robust_spread(values: pd.Series) -> float:
    q1, q3 = np.nanpercentile(values, [25, 75]) if len(values) else (np.nan, np.nan)
    s = (q3 - q1) / IQR_PER_SD
    if not s > 0:
        s = float(np.nanstd(values)) if len(values) > 1 else np.nan
    return s if s > 0 else np.nan


@dataclass(frozen=True)
class Prepared:
    """What every window of one (level, year, view) shares: rows, their errors, percentiles."""

    rows: pd.DataFrame
    errors: np.ndarray
    percentiles: pd.DataFrame
    year: int
    codes: pd.Index  # the regions of ``level`` in the edition ``year`` (any indicator)


def prepare(
    panel: pd.DataFrame,
    catalogue: Catalogue,
    settings: AxisSettings,
    *,
    level: str,
    year: int,
    view: View,
) -> Prepared:
    """Rows of ``level`` within the widest window (``settings.max_window``), their standard
    errors and the latest percentile of each (code, indicator): computed once, reused for
    every window."""
    max_window = settings.max_window
    in_window = (
        (panel["level"] == level) & (panel["year"] <= year) & (panel["year"] >= year - max_window)
    ).to_numpy()
    code = panel["code"]
    if not isinstance(code.dtype, pd.CategoricalDtype):
        code = code.astype(str).astype("category")
    in_year = code.cat.codes.to_numpy()[in_window & (panel["year"] == year).to_numpy()]
    present = pd.Index(sorted(code.cat.categories[np.unique(in_year)].astype(str)))
    # Only the scored indicators and the bases of their noise models: the other (context)
    # indicators are most of a national panel and play no part in a signal.
    use = set(scored_indicators(catalogue).index)
    use |= {t.base for i in use for t in catalogue.noise.get(i, ()) if t.base}
    rows = panel[in_window & panel["indicator"].isin(use).to_numpy()].reset_index(drop=True)
    errors = value_errors(rows, catalogue).reindex(rows.index).to_numpy()
    pc = percentiles(rows, catalogue, view=view, min_units=settings.min_units(view))
    pc = pc.sort_values("year").drop_duplicates(["code", "indicator"], keep="last")
    pc["code"] = pc["code"].astype(str)
    return Prepared(rows=rows, errors=errors, percentiles=pc, year=year, codes=present)


def axis_inputs(
    prep: Prepared,
    catalogue: Catalogue,
    settings: AxisSettings,
    *,
    breaks: pd.DataFrame | None,
) -> AxisInputs:
    """Collect the matrices for one window (``settings.window``) from the prepared rows."""
    use = scored_indicators(catalogue)
    inds = pd.Index(sorted(use.index))
    year, window = prep.year, settings.window
    pc = prep.percentiles[prep.percentiles["year"] >= year - window]
    tr = indicator_trends(
        prep.rows,
        catalogue,
        year=year,
        window=window,
        z=settings.z,
        min_years=settings.min_years,
        breaks=breaks,
        indicators=list(inds),
        errors=prep.errors,
    )
    # A region gets a signal for ``year`` only when it exists in that edition: an old code
    # (e.g. a buurt of an earlier indeling) keeps its signals in its own years, and never
    # overlaps the buurten that replaced it.
    codes = prep.codes

    def mat(frame: pd.DataFrame, col: str) -> np.ndarray:
        if frame.empty:
            return np.full((len(codes), len(inds)), np.nan)
        w = frame.pivot_table(
            index="code", columns="indicator", values=col, aggfunc="first", observed=True
        )
        return w.reindex(index=codes, columns=inds).to_numpy(float)

    spread = np.array([_robust_spread(pc.loc[pc["indicator"] == i, "value"]) for i in inds])
    return AxisInputs(
        codes=codes,
        indicators=inds,
        percentile=mat(pc, "percentile"),
        value_pct=mat(pc, "value_pct"),
        pct_year=mat(pc, "year"),
        group_size=mat(pc, "group_size"),
        group_gemeenten=mat(pc, "group_gemeenten"),
        slope=mat(tr, "slope"),
        se=mat(tr, "se"),
        spread=spread,
        direction=use.loc[inds, "direction"].map({"+": 1.0, "-": -1.0}).to_numpy(float),
        weight=use.loc[inds, "weight"].to_numpy(float),
        domain=use.loc[inds, "domain"].to_numpy(str),
        trends=tr,
    )


def axis_state(
    inp: AxisInputs,
    axis: Axis,
    settings: AxisSettings,
    *,
    weights: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Score, level (band), trend slope/se and trend call of one axis for every code.

    The score and the trend each need their share of the domain's weight
    (``settings.min_score_share``, ``settings.min_trend_share``) or all indicators of one of
    the axis's sufficient sets; ``weights`` replaces the catalogue weights (a variation).
    """
    cols = inp.domain == axis
    names = inp.indicators[cols]
    sets = settings.sets(axis)
    w = (inp.weight if weights is None else weights)[cols]
    score, score_share = weighted_score(
        inp.percentile[:, cols], w, names, min_share=settings.min_score_share, sufficient_sets=sets
    )
    with np.errstate(all="ignore"):
        zs = inp.direction[cols] * inp.slope[:, cols] / inp.spread[cols]
        ze = inp.se[:, cols] / inp.spread[cols]
        has_t = ~np.isnan(zs) & ~np.isnan(ze)
        wt = (has_t * w).sum(1)
        slope = np.where(has_t, zs, 0).dot(w) / wt
        se = np.sqrt((np.where(has_t, ze * w, 0) ** 2).sum(1)) / wt
    trend_share, known = coverage(
        has_t, w, names, min_share=settings.min_trend_share, sufficient_sets=sets
    )
    slope, se = np.where(known, slope, np.nan), np.where(known, se, np.nan)
    return {
        "score": score,
        "level": band(score, settings.weak, settings.strong),
        "slope": slope,
        "se": se,
        "trend": call_trend(slope, se, settings.z),
        "score_share": score_share,
        "trend_share": trend_share,
    }


def axis_states(
    inp: AxisInputs, settings: AxisSettings, *, weights: np.ndarray | None = None
) -> dict[Axis, dict[str, np.ndarray]]:
    """:func:`axis_state` of both axes."""
    return {a: axis_state(inp, a, settings, weights=weights) for a in AXES}
