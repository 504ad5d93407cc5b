"""Trends per region and indicator over a window of editions, with an honest noise band.

For each (code, indicator) the editions inside ``[year - window, year]`` give points
``(t_i, x_i, se_i)``; ``se_i`` comes from the indicator's noise model in the catalogue (binomial
or Poisson for small populations, CBS's rounding as a floor; see
:mod:`wijkradar.catalogue.noise`). With two editions the slope is their difference per year;
with more it is the Theil–Sen median of pairwise slopes (robust to one odd year; both are
:func:`_theil_sen`). Its standard error (:func:`_slope_se`) is the measurement error propagated
through the least-squares slope, and with three or more editions at least the residual standard
error. The call is :func:`~wijkradar.analysis.kernel.call_trend`: ``rising`` or ``falling`` only
when ``|slope| > z · se``, otherwise ``stable``; ``unknown`` with fewer than ``min_years``
editions or without a standard error. A series whose published figures stay within one
rounding step of CBS (``round(u)`` or ``round(u/base)`` in the noise model: counts rounded to
5 or 10) is ``stable`` whatever its slope: 0 → 10 persons on WW in a buurt of 500 is one
rounding step, not a trend (:func:`_within_one_step`). A series break (see ``breaks.parquet``)
cuts the series: only editions from the break on are compared.

Everything is vectorised over a (series × year) matrix, so a national panel takes seconds.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from wijkradar.analysis.kernel import call_trend, packaged
from wijkradar.catalogue import Catalogue
from wijkradar.catalogue.noise import standard_error
from wijkradar.frames import as_text
from wijkradar.vocab import SHOWN_STATUSES

TREND_COLUMNS = (
    "code",
    "level",
    "indicator",
    "n_years",
    "year_from",
    "year_to",
    "value_from",
    "value_to",
    "change",
    "slope",
    "se",
    "trend",
    "method",
    "break_year",
    "within_rounding",
)


def _shown(panel: pd.DataFrame) -> pd.Series:
    return panel["status"].isin(SHOWN_STATUSES) & panel["value"].notna()


def value_errors(panel: pd.DataFrame, catalogue: Catalogue) -> pd.Series:
    """Standard error of every shown value in ``panel`` (NaN where no model applies)."""
    se = pd.Series(np.nan, index=panel.index)
    models = {i: terms for i, terms in catalogue.noise.items() if terms}
    bases_needed = {t.base for terms in models.values() for t in terms if t.base}
    # Only the rows of modelled indicators and their bases, keyed by integers: string keys
    # for a national panel (millions of rows) would take longer than everything else.
    ind_all = panel["indicator"]
    if not isinstance(ind_all.dtype, pd.CategoricalDtype):
        ind_all = ind_all.astype(str).astype("category")
    names = {str(n): i for i, n in enumerate(ind_all.cat.categories)}
    codes = ind_all.cat.codes.to_numpy()
    useful = np.isin(codes, [names[i] for i in set(models) | bases_needed if i in names])
    pos = np.flatnonzero(useful & _shown(panel).to_numpy())
    if not len(pos):
        return se
    code = panel["code"].astype("category").cat.codes.to_numpy()[pos].astype(np.int64)
    key = code * 4096 + panel["year"].to_numpy()[pos].astype(np.int64) - 1900
    ind = codes[pos]
    value = panel["value"].to_numpy()[pos]
    index = panel.index[pos]
    base_vals = {}
    for b in bases_needed:
        m = ind == names.get(b, -2)
        base_vals[b] = pd.Series(value[m], index=key[m])
    for indicator, terms in models.items():
        m = ind == names.get(indicator, -2)
        if not m.any():
            continue
        k = key[m]
        bases = {b: base_vals[b].reindex(k).to_numpy() for b in {t.base for t in terms if t.base}}
        se[index[m]] = standard_error(terms, value[m], bases)
    return se


def _break_years(breaks: pd.DataFrame | None, codes: pd.Index, lo: int, hi: int) -> pd.Series:
    """Per code, the latest break year within (lo, hi] (series before it are not comparable)."""
    if breaks is None or breaks.empty:
        return pd.Series(np.nan, index=codes)
    b = breaks[(breaks["year"] > lo) & (breaks["year"] <= hi)]
    last = b.groupby(b["code"].astype(str))["year"].max()
    return last.reindex(codes).astype(float)


def _series(p: pd.DataFrame) -> tuple[pd.MultiIndex, np.ndarray, np.ndarray, np.ndarray]:
    """(code, indicator) rows × edition columns: the index, the years, values ``V`` and their
    standard errors ``S`` (NaN where an edition is absent)."""
    years = np.array(sorted(p["year"].unique()), dtype=float)
    wide = p.pivot_table(
        index=["code", "indicator"], columns="year", values="value", aggfunc="first", observed=True
    ).reindex(columns=years.astype(int))
    errs = p.pivot_table(
        index=["code", "indicator"], columns="year", values="se", aggfunc="first", observed=True
    ).reindex(index=wide.index, columns=years.astype(int))
    return wide.index, years, wide.to_numpy(float, copy=True), errs.to_numpy(float, copy=True)


def _theil_sen(V: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Per row of ``V``: the median of all pairwise slopes (NaN pairs ignored; NaN with fewer
    than two values)."""
    i, j = np.triu_indices(len(years), k=1)
    if not len(i):
        return np.full(len(V), np.nan)
    pair = (V[:, j] - V[:, i]) / (years[j] - years[i])
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows: slope stays NaN
        return np.nanmedian(pair, axis=1)


def _slope_se(V: np.ndarray, S: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Per row: the standard errors ``S`` of the values ``V`` propagated through the
    least-squares slope, and with three or more values at least the residual standard error."""
    mask = ~np.isnan(V)
    n = mask.sum(1)
    T = np.broadcast_to(years, V.shape)
    with np.errstate(all="ignore"):
        tbar = np.nansum(np.where(mask, T, 0), 1) / np.where(n > 0, n, 1)
        dt = np.where(mask, T - tbar[:, None], 0.0)
        sxx = (dt**2).sum(1)
        sxx = np.where(sxx > 0, sxx, np.nan)
        se_meas = np.sqrt((dt**2 * np.where(np.isnan(S), 0.0, S) ** 2).sum(1)) / sxx
        # an edition without a standard error (no noise model, base unknown): no measured band
        se_meas[(mask & np.isnan(S)).any(1)] = np.nan
        xbar = np.nansum(np.where(mask, V, 0), 1) / np.where(n > 0, n, 1)
        b_ols = (dt * np.where(mask, V - xbar[:, None], 0)).sum(1) / sxx
        resid = np.where(mask, V - xbar[:, None] - b_ols[:, None] * dt, 0.0)
        se_res = np.sqrt((resid**2).sum(1) / np.where(n > 2, n - 2, np.nan) / sxx)
    return np.where(n >= 3, np.fmax(se_meas, se_res), se_meas)


def _within_one_step(
    keys: pd.MultiIndex, years: np.ndarray, V: np.ndarray, win: pd.DataFrame, catalogue: Catalogue
) -> np.ndarray:
    """Per series: whether its values over the window stay within one rounding step of the
    published figures (the implied count for ``round(u/base)``, the value for ``round(u)``)."""
    out = np.zeros(len(V), dtype=bool)
    inds = keys.get_level_values(1)
    codes = keys.get_level_values(0)
    for indicator in pd.unique(inds):
        step = [t for t in catalogue.noise.get(indicator, ()) if t.kind == "round"]
        if not step:
            continue
        t = step[0]
        rows = np.flatnonzero(inds == indicator)
        X = V[rows]
        if t.base:
            b = win[win["indicator"] == t.base]
            B = (
                b.pivot_table(
                    index="code", columns="year", values="value", aggfunc="first", observed=True
                )
                .reindex(index=codes[rows], columns=years.astype(int))
                .to_numpy(float)
            )
            X = X * B / 1000.0
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows stay False
            spread = np.nanmax(X, axis=1) - np.nanmin(X, axis=1)
        out[rows] = spread <= t.number * (1 + 1e-9)
    return out


def _method(n: np.ndarray) -> np.ndarray:
    """How each slope was found, in words (Dutch)."""
    return np.where(
        n >= 3,
        [f"Theil-Sen over {k} metingen" for k in n],
        np.where(n == 2, "verschil tussen twee metingen", "te weinig metingen"),
    )


def indicator_trends(
    panel: pd.DataFrame,
    catalogue: Catalogue,
    *,
    year: int,
    window: int,
    z: float | None = None,
    min_years: int | None = None,
    breaks: pd.DataFrame | None = None,
    indicators: list[str] | None = None,
    errors: pd.Series | None = None,
) -> pd.DataFrame:
    """Trend of each indicator of each region over ``[year - window, year]``.

    ``z`` and ``min_years`` default to the packaged ``signals.toml`` (``[trends]``). The slope
    is :func:`_theil_sen`, its error :func:`_slope_se`, the call
    :func:`~wijkradar.analysis.kernel.call_trend`.

    Returns
    -------
    DataFrame
        ``code, level, indicator, n_years, year_from, year_to, value_from, value_to, change,
        slope`` (per year), ``se`` (of the slope), ``trend`` (rising | falling | stable |
        unknown), ``method`` (Dutch), ``break_year`` (editions before it were left out).

    ``errors``, when given, holds the standard error of every row of ``panel`` (as
    :func:`value_errors` gives), so calls for other windows do not recompute it.
    """
    z = packaged().z if z is None else z
    min_years = packaged().min_years if min_years is None else min_years
    lo = year - window
    inwin = ((panel["year"] >= lo) & (panel["year"] <= year)).to_numpy()
    win = panel[inwin].reset_index(drop=True)
    if errors is not None:  # precomputed for every row of ``panel`` (same order)
        se_all = pd.Series(np.asarray(errors)[inwin])
    else:
        se_all = value_errors(win, catalogue)  # bases (population, households) live in `win`
    p = win[win["indicator"].isin(indicators)] if indicators is not None else win
    p = p[_shown(p)].copy()
    if p.empty:
        return pd.DataFrame(columns=list(TREND_COLUMNS))
    p["se"] = se_all.reindex(p.index)
    p["code"] = as_text(p["code"])
    p["indicator"] = as_text(p["indicator"])
    keys, years, V, S = _series(p)
    codes = keys.get_level_values(0)
    brk = _break_years(breaks, pd.Index(codes.unique()), lo, year).reindex(codes).to_numpy()
    cut = np.where(np.isnan(brk), -np.inf, brk)[:, None] > years[None, :]
    V[cut] = np.nan
    S[cut] = np.nan
    mask = ~np.isnan(V)
    n = mask.sum(1)
    has = n > 0
    first = np.where(has, mask.argmax(1), 0)
    last = np.where(has, V.shape[1] - 1 - mask[:, ::-1].argmax(1), 0)
    rows = np.arange(len(V))
    v_from, v_to = V[rows, first], V[rows, last]
    known = n >= min_years
    slope = np.where(known, _theil_sen(V, years), np.nan)
    se = np.where(known, _slope_se(V, S, years), np.nan)
    steady = known & _within_one_step(keys, years, V, win, catalogue)
    level_of = p.drop_duplicates("code").set_index("code")["level"].astype(str)
    out = pd.DataFrame(
        {
            "code": codes,
            "level": level_of.reindex(codes).to_numpy(),
            "indicator": keys.get_level_values(1),
            "n_years": n,
            "year_from": np.where(has, years[first], np.nan),
            "year_to": np.where(has, years[last], np.nan),
            "value_from": v_from,
            "value_to": v_to,
            "change": v_to - v_from,
            "slope": slope,
            "se": se,
            # no noise model and no residuals (2 editions of an unmodelled indicator): unknown
            "trend": np.where(steady, "stable", call_trend(slope, se, z)),
            "method": _method(n),
            "break_year": brk,
            "within_rounding": steady,
        }
    )
    for c in ("year_from", "year_to", "break_year"):
        out[c] = out[c].astype("Int16")
    return out
