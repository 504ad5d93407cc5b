"""Consumer prices: money amounts deflated with CBS's consumer price index (CPI) before any trend.

The index is a ``year,cpi`` table (yearly mean, all items, 2015 = 100, CBS 83131NED): the packaged
``wijkradar/catalogue/cpi.csv`` (its ``#`` header says where each figure comes from), or the one
``wijkradar fetch --what cpi`` writes to ``<data>/prices/cpi.csv``, read by
:mod:`wijkradar.catalogue.prices`. An amount of year ``y`` in prices of year ``t`` is
``value * cpi[t] / cpi[y]``.

KWB money figures lag their edition: edition 2019 carries the income of 2017. ``lag`` maps an
indicator to that lag in years; the CPI year of a row is then ``year - lag`` and the price year
of edition ``to_year`` is ``to_year - lag`` too, so the reasons can say "in prijzen van 2017"
(:func:`price_year`).

Everything works on whole columns (a national panel has millions of rows): the index becomes a
lookup array by year, and categorical ``indicator`` columns are mapped through their categories.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from wijkradar.catalogue.prices import load_cpi
from wijkradar.errors import CpiError

MONEY_UNIT = "euro"


def money_indicators(catalogue) -> list[str]:
    """The indicators whose unit is an amount of money (contains "euro", e.g. "x 1 000 euro"),
    in catalogue order. ``catalogue`` is a :class:`~wijkradar.catalogue.Catalogue` or its
    ``indicators`` frame (indexed by id, with a ``unit`` column)."""
    table = getattr(catalogue, "indicators", catalogue)
    unit = table["unit"].astype(str).str.lower()
    return [str(i) for i in table.index[unit.str.contains(MONEY_UNIT, regex=False).to_numpy()]]


def price_year(indicator: str, edition_year: int, lag: Mapping[str, int] | None = None) -> int:
    """The year whose prices a figure of ``indicator`` in KWB edition ``edition_year`` is in
    after :func:`deflate_panel` to ``edition_year``: ``edition_year - lag[indicator]`` (lag 0
    when the indicator has none). Edition 2019 with income lag 2 → 2017."""
    return int(edition_year) - int((lag or {}).get(indicator, 0))


def deflate(
    values: np.ndarray,
    years: np.ndarray,
    to_year: int | np.ndarray,
    cpi: pd.Series,
) -> np.ndarray:
    """``values`` of ``years`` in prices of ``to_year``: ``value * cpi[to_year] / cpi[year]``.

    ``to_year`` is one year or one per value. NaN values stay NaN and need no index; every
    other value's year, and every target year, must be in ``cpi``.

    Raises
    ------
    CpiError
        Naming the file (``cpi.attrs["file"]``), the missing years and the years it has.
    """
    values = np.asarray(values, dtype=float)
    years = np.asarray(years)
    target = np.broadcast_to(np.asarray(to_year), values.shape)
    if not values.size:
        return values.copy()
    have = ~np.isnan(values)
    lut, first = _lookup(cpi)
    base = _index_of(lut, first, years, have)
    wanted = _index_of(lut, first, target, have)
    missing = have & (np.isnan(base) | np.isnan(wanted))
    if missing.any():
        absent = np.union1d(years[missing & np.isnan(base)], target[missing & np.isnan(wanted)])
        raise _missing_years(cpi, absent)
    with np.errstate(invalid="ignore"):
        return values * wanted / base


def _lookup(cpi: pd.Series) -> tuple[np.ndarray, int]:
    """The index as an array by year (NaN where the file has no year) and its first year."""
    years = cpi.index.to_numpy(np.int64)
    first = int(years.min())
    lut = np.full(int(years.max()) - first + 1, np.nan)
    lut[years - first] = cpi.to_numpy(float)
    return lut, first


def _index_of(lut: np.ndarray, first: int, years: np.ndarray, have: np.ndarray) -> np.ndarray:
    """``lut`` at ``years`` (NaN outside it or where ``have`` is False: no lookup needed)."""
    pos = np.asarray(years, dtype=np.int64) - first
    inside = have & (pos >= 0) & (pos < len(lut))
    out = np.full(pos.shape, np.nan)
    out[inside] = lut[pos[inside]]
    return out


def _missing_years(cpi: pd.Series, absent: np.ndarray) -> CpiError:
    years = cpi.index
    return CpiError(
        "prijsindex {file}: geen jaar {year}; beschikbaar {first}–{last}",
        file=cpi.attrs.get("file", "?"),
        year=", ".join(str(int(y)) for y in absent),
        first=int(years.min()),
        last=int(years.max()),
    )


def deflate_panel(
    rows: pd.DataFrame,
    catalogue,
    to_year: int,
    cpi: pd.Series | None = None,
    lag: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """A copy of long panel ``rows`` whose money indicators' values are in prices of ``to_year``.

    ``rows`` has the panel columns (``code, level, year, indicator, value, status, source``;
    ``code``/``indicator`` may be categoricals); only ``year``, ``indicator`` and ``value`` are
    read and only ``value`` of the :func:`money_indicators` rows changes. ``to_year`` is a KWB
    edition year. With ``lag`` (indicator → years between edition and reference year) a row's
    CPI year is ``year - lag`` and its price year ``to_year - lag`` (:func:`price_year`).
    ``cpi`` defaults to :func:`load_cpi`. ``attrs["price_years"]`` maps each money indicator in
    ``rows`` to its price year.

    Raises
    ------
    CpiError
        When a money value's (lagged) year or target year is not in ``cpi``.
    """
    cpi = load_cpi() if cpi is None else cpi
    lag = dict(lag or {})
    money = money_indicators(catalogue)
    out = rows.copy()
    is_money, shift = _per_row(out["indicator"], money, lag)
    present = sorted(set(pd.unique(out["indicator"][is_money]).astype(str))) if len(out) else []
    out.attrs["price_years"] = {i: price_year(i, to_year, lag) for i in present}
    if not is_money.any():
        return out
    value = out["value"].to_numpy(float, copy=True)
    year = out["year"].to_numpy(np.int64)[is_money] - shift[is_money]
    target = int(to_year) - shift[is_money]
    value[is_money] = deflate(value[is_money], year, target, cpi)
    out["value"] = value
    return out


def _per_row(
    indicator: pd.Series, money: list[str], lag: Mapping[str, int]
) -> tuple[np.ndarray, np.ndarray]:
    """(is a money indicator, its lag) per row, looked up once per category."""
    if not isinstance(indicator.dtype, pd.CategoricalDtype):
        indicator = indicator.astype("category")
    cats = indicator.cat.categories.astype(str)
    codes = indicator.cat.codes.to_numpy()
    cat_money = np.append(cats.isin(money), False)  # code -1 (NaN) indexes the last: no money
    cat_lag = np.append(np.array([int(lag.get(c, 0)) for c in cats], dtype=np.int64), 0)
    return cat_money[codes], cat_lag[codes]
