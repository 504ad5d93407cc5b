"""The raw long frame every reader returns: one row per (source row, source column).

Columns (all readers, same dtypes):

========  =======  ===============================================================
(text columns are categorical: same values, far less memory)

source    string   the file the value came from (path as given)
row       int64    1-based line (CSV) or sheet row (xlsx) in that file, for tracing
code      string   normalised CBS code (``GM0363``, ``WK036300``, ``BU03630001``, ``NL00``);
                   empty when the file names regions only (see ``name``)
name      string   the region name as the file gives it (stripped), may be <NA>
year      int64    the KWB edition / measurement year the value belongs to
column    string   source column key for the catalogue: a normalised StatLine label path
                   (``... gemiddeld inkomen per inwoner``), a shapefile name (``AANT_INW``),
                   an OData key stem (``AantalInwoners``), a Leefbaarometer name (``RLBVEI``),
                   or a catalogue id (user tables mapped through a mapping file)
unit      string   normalised unit label where the format states one (``aantal``, ``%``,
                   ``per 1 000 inwoners``, ``x 1 000 euro``), else empty
value     float64  the number (NaN unless status is observed)
status    string   ``observed``, ``suppressed`` (CBS secret) or ``missing``
========  =======  ===============================================================

``format`` (``statline``, ``odata``, ``kwbkaart``, ``lbm``, ``user``) is stored in
``frame.attrs["format"]`` and tells the catalogue which source-name column to match.
"""

from __future__ import annotations

import pandas as pd

RAW_COLUMNS = ("source", "row", "code", "name", "year", "column", "unit", "value", "status")
# Text columns repeat the same few labels millions of times in a national table: categorical
# (dictionary) dtype keeps a 20,000 × 100 table at a few bytes per value.
RAW_DTYPES = {
    "source": "category",
    "row": "int64",
    "code": "category",
    "name": "category",
    "year": "int64",
    "column": "category",
    "unit": "category",
    "value": "float64",
    "status": "category",
}
FORMATS = ("statline", "odata", "odata4", "kwbkaart", "lbm", "user", "police")


def raw_frame(data: dict | pd.DataFrame, *, fmt: str) -> pd.DataFrame:
    """Build a raw long frame with the contract's columns, order and dtypes."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}; got {fmt!r}")
    df = pd.DataFrame(data)
    for col in RAW_COLUMNS:
        if col not in df:
            df[col] = pd.NA if col not in ("unit",) else ""
    df = df[list(RAW_COLUMNS)].astype(RAW_DTYPES)
    df.attrs["format"] = fmt
    return df


def empty_raw(fmt: str) -> pd.DataFrame:
    """An empty raw frame of format ``fmt``."""
    return raw_frame({c: [] for c in RAW_COLUMNS}, fmt=fmt)


def melt_wide(
    wide: pd.DataFrame,
    *,
    value_columns: dict[str, tuple[str, str]],
    parsed: dict[str, tuple[pd.Series, pd.Series]],
    source: str,
    year: pd.Series | int,
    fmt: str,
) -> pd.DataFrame:
    """Melt a wide table (one row per region) into the raw long frame.

    ``wide`` must hold ``code``, ``name`` and ``row``; ``value_columns`` maps each wide column
    to its (column key, unit); ``parsed`` maps it to its (value, status) series.
    """
    parts = []
    n = len(wide)
    years = year if isinstance(year, pd.Series) else pd.Series([year] * n, index=wide.index)
    for col, (key, unit) in value_columns.items():
        value, status = parsed[col]
        parts.append(
            pd.DataFrame(
                {
                    "source": source,
                    "row": wide["row"].to_numpy(),
                    "code": wide["code"].to_numpy(),
                    "name": wide["name"].to_numpy(),
                    "year": years.to_numpy(),
                    "column": key,
                    "unit": unit,
                    "value": value.to_numpy(),
                    "status": status.to_numpy(),
                }
            )
        )
    if not parts:
        return empty_raw(fmt)
    return raw_frame(pd.concat(parts, ignore_index=True), fmt=fmt)
