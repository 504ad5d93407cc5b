"""The harmonised panel: the one data contract every later stage reads.

Long form, one row per (code, year, indicator):

=========  ========  ==========================================================
code       category  CBS region code (``BU03630001``, ``WK0363AD``, ``GM0363``, ``NL00``)
level      category    ``land``, ``gemeente``, ``wijk`` or ``buurt`` (from the code)
year       int16     KWB edition year / Leefbaarometer measurement year
indicator  category    catalogue id
value      float64   NaN unless status is observed or derived
status     category    ``observed``, ``derived`` (computed by wijkradar from observed
                     counts), ``suppressed`` (CBS secret or under CBS's publication
                     threshold) or ``missing``
source     category    file (relative to the data folder) the value or its numerator came from
=========  ========  ==========================================================
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wijkradar.codes import LEVELS, invalid_codes
from wijkradar.sources._markers import STATUSES
from wijkradar.vocab import SHOWN_STATUSES

PANEL_COLUMNS = ("code", "level", "year", "indicator", "value", "status", "source")
# Text columns are categorical (dictionary-encoded in Parquet): a national panel repeats a few
# thousand codes and a few dozen indicators millions of times.
PANEL_DTYPES = {
    "code": "category",
    "level": "category",
    "year": "int16",
    "indicator": "category",
    "value": "float64",
    "status": "category",
    "source": "category",
}
KEY = ["code", "year", "indicator"]


def empty_panel() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in PANEL_DTYPES.items()})


def validate_panel(panel: pd.DataFrame) -> pd.DataFrame:
    """Check the panel contract; returns the panel (columns ordered, dtypes set).

    Raises ``ValueError`` naming the first violation (a programming error, not bad input:
    readers have already rejected bad files).
    """
    missing = [c for c in PANEL_COLUMNS if c not in panel]
    if missing:
        raise ValueError(f"panel lacks columns {missing}")
    panel = panel[list(PANEL_COLUMNS)].astype(PANEL_DTYPES)
    cats = pd.Series(panel["code"].cat.categories)
    bad = invalid_codes(cats)
    if bad.any():
        raise ValueError(f"panel has invalid code {cats[bad].iloc[0]!r}")
    if not panel["level"].isin(LEVELS).all():
        raise ValueError("panel has an unknown level")
    if not panel["status"].isin(STATUSES).all():
        bad_status = panel.loc[~panel["status"].isin(STATUSES), "status"].iloc[0]
        raise ValueError(f"panel has unknown status {bad_status!r}")
    shown = panel["status"].isin(SHOWN_STATUSES)
    if panel.loc[~shown, "value"].notna().any():
        raise ValueError("panel has a value on a suppressed/missing row")
    k = sort_key(panel)
    # A sorted panel proves its keys unique in one pass; otherwise hash them.
    if len(k) > 1 and not (k[1:] > k[:-1]).all() and pd.Series(k).duplicated().any():
        row = panel[panel.duplicated(KEY, keep=False)].iloc[0]
        raise ValueError(f"panel has duplicate key {tuple(row[KEY])}")
    return panel


def sort_key(panel: pd.DataFrame) -> np.ndarray:
    """An int64 per row that orders the panel by level, code, indicator and year.

    Built from category codes (categories are sorted labels), so sorting a national panel is
    one numpy argsort instead of a multi-column sort; equal keys mean equal (code, year,
    indicator), as the level follows from the code.
    """
    cat = {
        c: panel[c]
        if isinstance(panel[c].dtype, pd.CategoricalDtype)
        else panel[c].astype("category")
        for c in ("level", "code", "indicator")
    }
    # In place on one int64 array: a national panel has 25 M rows (200 MB per temporary).
    key = cat["level"].cat.codes.to_numpy().astype(np.int64)
    key *= max(1, len(cat["code"].cat.categories))
    key += cat["code"].cat.codes.to_numpy()
    key *= max(1, len(cat["indicator"].cat.categories))
    key += cat["indicator"].cat.codes.to_numpy()
    key *= 1024
    key += panel["year"].to_numpy()
    key -= 1800
    return key
