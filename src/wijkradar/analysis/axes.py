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
from wijkradar.analysis.prices import deflate_panel
from wijkradar.analysis.scores import percentiles, scored_indicators
from wijkradar.analysis.trends import indicator_trends, value_errors
from wijkradar.catalogue import Catalogue
from wijkradar.codes import gemeenten_of
from wijkradar.frames import as_text
from wijkradar.vocab import AXES, Axis, View

NATIONAL = "NL00"
MEDIAN_OF_GROUP = "median:"
"""Prefix of ``group_code`` where the group's trend is its median region's (``median:NL00``)."""
MIN_MEDIAN_GROUP = 3

IQR_PER_SD = 1.349
"""Interquartile range of a normal distribution in standard deviations (robust SD = IQR / this)."""


@dataclass(frozen=True)
class AxisInputs:
    """Matrices (codes × scored indicators) an axis is computed from.

    Attributes
    ----------
    codes, indicators
        Row and column labels.
    percentile, value_pct, value, pct_year
        Latest percentile (direction-aware), raw-value percentile, the value and its year.
    slope, se, spread
        Indicator slopes per year and their standard errors; ``spread`` per indicator.
    direction, weight, domain
        Per indicator, from the catalogue.
    trends
        The long indicator-trend frame (for reasons); with ``against_group`` its ``slope``,
        ``se`` and ``trend`` are the region's development against its comparison group's
        (``own_slope``/``own_trend`` keep the region's own, ``group_*`` the group's).
    history
        ``(year, percentile matrix)`` for every edition in the window, newest first: what an
        axis's run in the structural band is counted over.
    """

    codes: pd.Index
    indicators: pd.Index
    percentile: np.ndarray
    value_pct: np.ndarray
    value: np.ndarray
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
    history: tuple[tuple[int, np.ndarray], ...] = ()


def _robust_spread(values: pd.Series) -> float:
    q1, q3 = np.nanpercentile(values, [25, 75]) if len(values) else (np.nan, np.nan)
    s = (q3 - q1) / IQR_PER_SD
    if not s > 0:
        s = float(np.nanstd(values)) if len(values) > 1 else np.nan
    return s if s > 0 else np.nan


@dataclass(frozen=True)
class Prepared:
    """What every window of one (level, year, view) shares: rows, their errors, percentiles,
    and the rows of the comparison groups (the country, or the gemeenten) for their trends."""

    rows: pd.DataFrame
    errors: np.ndarray
    percentiles: pd.DataFrame
    history: pd.DataFrame
    year: int
    view: View
    codes: pd.Index  # the regions of ``level`` in the edition ``year`` (any indicator)
    group_rows: pd.DataFrame
    group_errors: np.ndarray


def reference_lags(catalogue: Catalogue) -> dict[str, int]:
    """Indicator → years between a KWB edition and the year its figure refers to (the
    catalogue's ``reference_lag``: edition 2019 carries the income of 2017)."""
    lag = catalogue.indicators["reference_lag"]
    return {str(i): int(v) for i, v in lag[lag > 0].items()}


def after_breaks(rows: pd.DataFrame, breaks: pd.DataFrame | None, year: int) -> pd.DataFrame:
    """``rows`` without the editions before each code's latest series break up to ``year``:
    a reused code (another place under the same code) or a redrawn one is not compared across
    the cut, neither in a trend nor as a stale "latest" value."""
    if breaks is None or breaks.empty or rows.empty:
        return rows
    b = breaks[breaks["year"] <= year]
    last = b.groupby(b["code"].astype(str))["year"].max()
    if last.empty:
        return rows
    code = rows["code"]
    if isinstance(code.dtype, pd.CategoricalDtype):
        cut = last.reindex(code.cat.categories.astype(str)).to_numpy(float)
        at = np.where(code.cat.codes.to_numpy() >= 0, cut[code.cat.codes.to_numpy()], np.nan)
    else:
        at = last.reindex(code.astype(str)).to_numpy(float)
    keep = np.isnan(at) | (rows["year"].to_numpy(float) >= at)
    return rows[keep].reset_index(drop=True)


def _group_codes(codes: pd.Index, view: View) -> list[str]:
    """The comparison groups whose own figures the trends are measured against."""
    if view == "relative":
        return sorted(set(gemeenten_of(pd.Series(codes)).dropna()))
    return [NATIONAL]


def prepare(
    panel: pd.DataFrame,
    catalogue: Catalogue,
    settings: AxisSettings,
    *,
    level: str,
    year: int,
    view: View,
    breaks: pd.DataFrame | None = None,
    cpi: pd.Series | None = None,
) -> Prepared:
    """Rows of ``level`` within the widest window (``settings.max_window``), their standard
    errors and the latest percentile of each (code, indicator): computed once, reused for
    every window. Editions before a series break are left out; money amounts are in prices
    of the signal year (:func:`~wijkradar.analysis.prices.deflate_panel`, ``cpi`` default the
    packaged index)."""
    max_window = settings.max_window
    years = panel["year"].to_numpy()
    in_window = ((years <= year) & (years >= year - max_window)) & (
        panel["level"] == level
    ).to_numpy()
    code = panel["code"]
    if not isinstance(code.dtype, pd.CategoricalDtype):
        code = code.astype(str).astype("category")
    in_year = code.cat.codes.to_numpy()[in_window & (years == year)]
    present = pd.Index(sorted(code.cat.categories[np.unique(in_year)].astype(str)))
    # Only the scored indicators and the bases of their noise models: the other (context)
    # indicators are most of a national panel and play no part in a signal.
    use = set(scored_indicators(catalogue).index)
    use |= {t.base for i in use for t in catalogue.noise.get(i, ()) if t.base}
    wanted = panel["indicator"].isin(use).to_numpy()
    rows = panel[in_window & wanted].reset_index(drop=True)
    rows = after_breaks(rows, breaks, year)
    groups = _group_codes(present, view)
    is_group = np.asarray(code.cat.categories.astype(str).isin(groups))  # per category, once
    cc = code.cat.codes.to_numpy()
    in_group = (years <= year) & (years >= year - max_window) & (cc >= 0) & is_group[cc]
    group_rows = panel[in_group & wanted].reset_index(drop=True)
    pc = percentiles(rows, catalogue, view=view, min_units=settings.min_units(view))
    pc["code"] = as_text(pc["code"])
    history = pc[["code", "indicator", "year", "percentile"]]
    latest = pc.sort_values("year").drop_duplicates(["code", "indicator"], keep="last")
    lag = reference_lags(catalogue)
    rows = deflate_panel(rows, catalogue, year, cpi=cpi, lag=lag)
    group_rows = deflate_panel(group_rows, catalogue, year, cpi=cpi, lag=lag)
    errors = value_errors(rows, catalogue).reindex(rows.index).to_numpy()
    group_errors = value_errors(group_rows, catalogue).reindex(group_rows.index).to_numpy()
    return Prepared(
        rows=rows,
        errors=errors,
        percentiles=latest,
        history=history,
        year=year,
        view=view,
        codes=present,
        group_rows=group_rows,
        group_errors=group_errors,
    )


def against_group(
    tr: pd.DataFrame, group_tr: pd.DataFrame, *, view: View, z: float
) -> pd.DataFrame:
    """Each region's indicator trends against its comparison group's over the same window.

    The group is the country (``NL00``) in the absolute view and the region's gemeente in the
    relative view; where the group's own figure is not in the data (the Leefbaarometer
    dimensions are deviations from the national mean and have no national row) it is the
    median trend of the group's regions, when there are at least three. The slope becomes the
    difference, its error both errors combined; the call is made again on that. A series
    within one rounding step stays ``stable``: its own change is not known to be any.
    """
    out = tr.copy()
    out["own_slope"], out["own_se"], out["own_trend"] = tr["slope"], tr["se"], tr["trend"]
    gcode = (
        gemeenten_of(tr["code"]).astype(object)
        if view == "relative"
        else pd.Series(NATIONAL, index=tr.index, dtype=object)
    )
    gcode = gcode.where(gcode != tr["code"], None)  # a gemeente is not its own comparison
    g = group_tr.set_index(["code", "indicator"])
    key = pd.MultiIndex.from_arrays([gcode.fillna(""), tr["indicator"]])
    cols = ["slope", "se", "value_from", "value_to", "year_from", "year_to"]
    own = g.reindex(key)[cols].reset_index(drop=True).set_axis(tr.index)
    # fallback: the median region of the group (its own figure is not in the data)
    known = tr["slope"].notna()
    grp = [gcode.fillna(""), tr["indicator"]]
    by = tr[known].groupby([gcode[known].fillna(""), tr.loc[known, "indicator"]])
    med = pd.DataFrame(
        {
            "slope": by["slope"].median(),
            "se": 1.2533 * by["slope"].std() / np.sqrt(by["slope"].count()),
            "value_from": by["value_from"].median(),
            "value_to": by["value_to"].median(),
            "year_from": by["year_from"].min().astype(float),
            "year_to": by["year_to"].max().astype(float),
            "n": by["slope"].count(),
        }
    )
    med = med[med["n"] >= MIN_MEDIAN_GROUP].reindex(pd.MultiIndex.from_arrays(grp))
    med = med.reset_index(drop=True).set_axis(tr.index)
    use_own = own["slope"].notna()
    for c in cols:
        out[f"group_{c}"] = np.where(use_own, own[c].astype(float), med[c].astype(float))
    has = out["group_slope"].notna() & gcode.notna()
    out["group_code"] = np.where(
        has & use_own, gcode, np.where(has, MEDIAN_OF_GROUP + gcode.fillna(""), None)
    )
    # a series within one rounding step has no known change of its own: 0 against the group's
    own_slope = np.where(tr["within_rounding"].astype(bool), 0.0, tr["slope"])
    out["slope"] = np.where(has, own_slope - out["group_slope"], own_slope)
    out["se"] = np.where(has, np.hypot(tr["se"], out["group_se"].fillna(0.0)), tr["se"])
    out["trend"] = np.where(
        tr["within_rounding"].astype(bool) & ~has,
        "stable",
        call_trend(out["slope"].to_numpy(float), out["se"].to_numpy(float), z),
    )
    return out


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
    trend_args = {
        "year": year,
        "window": window,
        "z": settings.z,
        "min_years": settings.min_years,
        "indicators": list(inds),
    }
    tr = indicator_trends(prep.rows, catalogue, breaks=breaks, errors=prep.errors, **trend_args)
    if settings.against_group and len(tr):
        group_tr = indicator_trends(
            prep.group_rows, catalogue, errors=prep.group_errors, **trend_args
        )
        tr = against_group(tr, group_tr, view=prep.view, z=settings.z)
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
    hist = prep.history[prep.history["year"] >= year - window]
    history = tuple(
        (int(y), mat(hist[hist["year"] == y], "percentile"))
        for y in sorted(hist["year"].unique(), reverse=True)
    )
    return AxisInputs(
        codes=codes,
        indicators=inds,
        percentile=mat(pc, "percentile"),
        value_pct=mat(pc, "value_pct"),
        value=mat(pc, "value"),
        pct_year=mat(pc, "year"),
        group_size=mat(pc, "group_size"),
        group_gemeenten=mat(pc, "group_gemeenten"),
        # without a comparison group, a series within one rounding step moves no axis
        slope=np.where(
            (mat(tr, "within_rounding") > 0) & (not settings.against_group), 0.0, mat(tr, "slope")
        ),
        se=mat(tr, "se"),
        spread=spread,
        direction=use.loc[inds, "direction"].map({"+": 1.0, "-": -1.0}).to_numpy(float),
        weight=use.loc[inds, "weight"].to_numpy(float),
        domain=use.loc[inds, "domain"].to_numpy(str),
        trends=tr,
        history=history,
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
    run, since = weak_run(inp, cols, w, names, score, settings, axis)
    return {
        "score": score,
        "level": band(score, settings.weak, settings.strong),
        "slope": slope,
        "se": se,
        "trend": call_trend(slope, se, settings.z),
        "score_share": score_share,
        "trend_share": trend_share,
        "weak_run": run,
        "weak_since": since,
    }


def weak_run(
    inp: AxisInputs,
    cols: np.ndarray,
    weight: np.ndarray,
    names: pd.Index,
    score: np.ndarray,
    settings: AxisSettings,
    axis: Axis,
) -> tuple[np.ndarray, np.ndarray]:
    """Per region: the editions in a row, back from the newest, in which the axis score stood
    in the structural band (``>= settings.structural``), and the first year of that run.

    An edition without a score for the region (no data that year) neither counts nor ends the
    run; one below the band ends it; a current score below the band means no run at all.
    """
    n = len(score)
    run = np.zeros(n, dtype=int)
    since = np.full(n, np.nan)
    idx = np.flatnonzero(score >= settings.structural)  # only these can have a run
    alive = np.ones(len(idx), dtype=bool)
    for y, pct in inp.history:
        if not alive.any():
            break
        s, _ = weighted_score(
            pct[idx][:, cols],
            weight,
            names,
            min_share=settings.min_score_share,
            sufficient_sets=settings.sets(axis),
        )
        has = ~np.isnan(s)
        hit = alive & has & (s >= settings.structural)
        run[idx[hit]] += 1
        since[idx[hit]] = y
        alive &= ~(has & (s < settings.structural))
    return run, since


def axis_states(
    inp: AxisInputs, settings: AxisSettings, *, weights: np.ndarray | None = None
) -> dict[Axis, dict[str, np.ndarray]]:
    """:func:`axis_state` of both axes."""
    return {a: axis_state(inp, a, settings, weights=weights) for a in AXES}
