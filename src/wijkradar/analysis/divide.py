"""Tweedeling per gemeente: how unevenly low-income households are spread over its buurten.

Two views per gemeente and year: the dissimilarity index D of low-income versus other
households over the gemeente's buurten (or wijken), and the gap in low-income share between
corporation-heavy buurten (more than two thirds corporation housing) and the rest.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd
from segregation.singlegroup import Dissim

from wijkradar.analysis.results import DIVIDE_COLUMNS, DivideResult
from wijkradar.codes import gemeenten_of
from wijkradar.frames import as_text
from wijkradar.vocab import SHOWN_STATUSES

__all__ = ["DIVIDE_COLUMNS", "DivideResult", "divide"]

HOUSEHOLDS = "households"
LOW_INCOME_PCT = "low_income_households_pct"
CORPORATION_PCT = "corporation_housing_pct"
USABLE_STATUS = SHOWN_STATUSES
"""Only these panel rows are used; suppressed and missing rows never carry a value."""
UNIT_LEVELS = {"buurt": "buurten", "wijk": "wijken"}
"""Levels the measures can be computed over, with the Dutch plural used in notes."""


def divide(
    panel: pd.DataFrame,
    *,
    level: str = "buurt",
    years: Iterable[int] | None = None,
    corporation_threshold: float = 200 / 3,
    min_units: int = 3,
) -> DivideResult:
    """Tweedeling measures per gemeente and year over its buurten (or wijken).

    Parameters
    ----------
    panel : pandas.DataFrame
        The long panel (``code, level, year, indicator, value, status, ...``). Uses the
        indicators ``households``, ``low_income_households_pct`` and
        ``corporation_housing_pct`` at ``level``, rows with status observed or derived only.
    level : {"buurt", "wijk"}, default "buurt"
        The units within each gemeente.
    years : iterable of int, optional
        Years to compute; default all years with low-income data at ``level``.
    corporation_threshold : float, default 200/3
        A unit is corporation-heavy when ``corporation_housing_pct`` is strictly above this
        percentage (the default is two thirds).
    min_units : int, default 3
        Fewer units with data than this and the measures of that gemeente-year are NaN.

    Returns
    -------
    DivideResult
        ``.to_frame()`` has one row per gemeente and year (gemeente-years where no unit has a
        low-income row at all are not listed: the figure was not published there), with
        columns:

        - ``gemeente_code``, ``year``, ``level``
        - ``n_units``: units with both a household count and a low-income share
        - ``units_left_out``: units with a suppressed or missing household count or
          low-income share (they are left out of every measure)
        - ``households``: households in the ``n_units`` units
        - ``dissimilarity``: D of low-income versus other households, 0 (even) to 1
        - ``corp_heavy_units``: used units above ``corporation_threshold``
        - ``units_corp_unknown``: used units without a corporation share (in D, not in the
          comparison below)
        - ``corp_heavy_households_share``: share (0–1) of households living in
          corporation-heavy units, of those in units with a known corporation share
        - ``low_income_pct_corp_heavy`` / ``low_income_pct_rest``: household-weighted
          low-income percentage in corporation-heavy units / in the other units
        - ``gap``: ``low_income_pct_corp_heavy − low_income_pct_rest`` (percentage points)
        - ``note``: why a measure is NaN ("" when none is)

    Raises
    ------
    ValueError
        For an unknown ``level``, ``min_units < 2`` or a threshold outside 0–100.

    Notes
    -----
    Low-income households per unit are ``households × low_income_households_pct / 100``. D is
    the index of dissimilarity (Duncan & Duncan 1955),
    ``D = ½ Σ_i |g_i / G − (t_i − g_i) / (T − G)|``, computed by
    :class:`segregation.singlegroup.Dissim`: the share of low-income (or of other) households
    that would have to move for every unit to have the gemeente's mix. D depends on the units:
    it is higher over buurten than over wijken, and only comparable between gemeenten with
    similarly sized units. CBS rounds the low-income percentage and suppresses it for small
    buurten, which is why those buurten are left out and counted.

    The unit's gemeente is read from its code (``BU03630001`` → ``GM0363``).

    References
    ----------
    Duncan, O. D., & Duncan, B. (1955). A methodological analysis of segregation indexes.
    *American Sociological Review*, 20(2), 210–217.

    Examples
    --------
    >>> res = divide(ds.panel, level="buurt")                    # doctest: +SKIP
    >>> res.to_frame().query("gemeente_code == 'GM0363'")        # doctest: +SKIP
    """
    if level not in UNIT_LEVELS:
        raise ValueError(f"level must be one of {sorted(UNIT_LEVELS)}, got {level!r}")
    if min_units < 2:
        raise ValueError(f"min_units must be at least 2, got {min_units!r}")
    if not 0 <= corporation_threshold <= 100:
        raise ValueError(
            f"corporation_threshold is a percentage (0–100), got {corporation_threshold!r}"
        )

    units = _unit_table(panel, level, years)
    rows = [
        _measures(gm, int(year), level, group, corporation_threshold, min_units)
        for (gm, year), group in units.groupby(["gemeente_code", "year"], sort=True)
    ]
    table = pd.DataFrame(rows, columns=list(DIVIDE_COLUMNS))
    table = table.astype(
        {
            "year": "int64",
            "n_units": "int64",
            "units_left_out": "int64",
            "corp_heavy_units": "int64",
            "units_corp_unknown": "int64",
        }
    )
    return DivideResult(
        table=table,
        level=level,
        years=tuple(sorted(int(y) for y in table["year"].unique())),
        corporation_threshold=float(corporation_threshold),
        min_units=int(min_units),
    )


def _unit_table(panel: pd.DataFrame, level: str, years: Iterable[int] | None) -> pd.DataFrame:
    """One row per unit and year: usable values (NaN otherwise) of the three indicators.

    Only units with a household or low-income row of any status are listed, in gemeente-years
    where at least one unit has a low-income row.
    """
    wanted = [HOUSEHOLDS, LOW_INCOME_PCT, CORPORATION_PCT]
    p = panel[(panel["level"] == level) & panel["indicator"].isin(wanted)]
    if years is not None:
        p = p[p["year"].isin(list(years))]
    p = pd.DataFrame(
        {
            "code": as_text(p["code"]).to_numpy(),
            "year": p["year"].astype("int64").to_numpy(),
            "indicator": as_text(p["indicator"]).to_numpy(),
            "value": p["value"].where(p["status"].isin(USABLE_STATUS)).to_numpy(dtype=float),
        }
    )
    wide = p.set_index(["code", "year", "indicator"])["value"].unstack("indicator")
    present = p.assign(one=1).set_index(["code", "year", "indicator"])["one"].unstack("indicator")
    wide = wide.reindex(columns=wanted)
    present = present.reindex(columns=wanted).notna()
    wide = wide[(present[HOUSEHOLDS] | present[LOW_INCOME_PCT]).to_numpy()].reset_index()
    wide["gemeente_code"] = gemeenten_of(wide["code"]).astype(object)
    has_low = present[LOW_INCOME_PCT].reindex(pd.MultiIndex.from_frame(wide[["code", "year"]]))
    wide["has_low_row"] = has_low.fillna(False).to_numpy(dtype=bool)
    published = wide.groupby(["gemeente_code", "year"])["has_low_row"].transform("any")
    return wide[published.to_numpy()]


def _measures(
    gm: str, year: int, level: str, units: pd.DataFrame, threshold: float, min_units: int
) -> dict:
    """The row of one gemeente-year."""
    plural = UNIT_LEVELS[level]
    used = units[units[HOUSEHOLDS].notna() & units[LOW_INCOME_PCT].notna()]
    hh = used[HOUSEHOLDS].to_numpy(dtype=float)
    pct = used[LOW_INCOME_PCT].to_numpy(dtype=float)
    corp = used[CORPORATION_PCT].to_numpy(dtype=float)
    known = ~np.isnan(corp)
    heavy = known & (corp > threshold)
    rest = known & ~heavy
    row = {
        "gemeente_code": gm,
        "year": year,
        "level": level,
        "n_units": len(used),
        "units_left_out": len(units) - len(used),
        "households": float(hh.sum()),
        "dissimilarity": np.nan,
        "corp_heavy_units": int(heavy.sum()),
        "units_corp_unknown": int((~known).sum()),
        "corp_heavy_households_share": np.nan,
        "low_income_pct_corp_heavy": np.nan,
        "low_income_pct_rest": np.nan,
        "gap": np.nan,
        "note": "",
    }
    if len(used) < min_units:
        row["note"] = f"minder dan {min_units} {plural} met gegevens"
        # Say which figure is lacking when it is lacking everywhere (e.g. an income-only file).
        if units[HOUSEHOLDS].isna().all():
            row["note"] += " (geen aantallen huishoudens)"
        elif units[LOW_INCOME_PCT].isna().all():
            row["note"] += " (geen aandeel lage inkomens)"
        return row

    notes = []
    row["dissimilarity"], note = _dissimilarity(hh, hh * pct / 100)
    notes.append(note)

    thr = _threshold_text(threshold)
    if not known.any():
        notes.append("geen gegevens over corporatiebezit")
    else:
        if hh[known].sum() > 0:
            row["corp_heavy_households_share"] = hh[heavy].sum() / hh[known].sum()
        row["low_income_pct_corp_heavy"] = _weighted_mean(pct[heavy], hh[heavy])
        row["low_income_pct_rest"] = _weighted_mean(pct[rest], hh[rest])
        row["gap"] = row["low_income_pct_corp_heavy"] - row["low_income_pct_rest"]
        if not heavy.any():
            notes.append(f"geen {plural} met >{thr} corporatiebezit")
        elif not rest.any():
            notes.append(f"geen {plural} met ≤{thr} corporatiebezit")
    row["note"] = "; ".join(n for n in notes if n)
    return row


def _dissimilarity(total: np.ndarray, group: np.ndarray) -> tuple[float, str]:
    """D of ``group`` versus the rest, or NaN and the reason when it is undefined."""
    t, g = total.sum(), group.sum()
    if t <= 0:
        return np.nan, "geen huishoudens"
    if g <= 0:
        return np.nan, "geen huishoudens met een laag inkomen"
    if g >= t:
        return np.nan, "alle huishoudens hebben een laag inkomen"
    data = pd.DataFrame({"group": group, "total": total})
    return float(Dissim(data, group_pop_var="group", total_pop_var="total").statistic), ""


def _weighted_mean(values: np.ndarray, weights: np.ndarray) -> float:
    return float(np.sum(values * weights) / weights.sum()) if weights.sum() > 0 else np.nan


def _threshold_text(threshold: float) -> str:
    """``2/3`` for the default threshold, else the percentage (as in the notes)."""
    return "2/3" if math.isclose(threshold, 200 / 3) else f"{threshold:g}%"
