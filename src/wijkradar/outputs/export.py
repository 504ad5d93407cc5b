"""Signals as files for download: CSV (Excel-NL friendly), GeoPackage and GeoParquet.

Every writer writes to a temporary file in the target folder and moves it into place with
``os.replace`` at the end, so a failure never leaves a half-written file under the final name.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from wijkradar.errors import WijkradarError

if TYPE_CHECKING:
    from wijkradar.dataset import Dataset

FORMATS = ("csv", "gpkg", "parquet")
ATTRIBUTION = "Bron: CBS, Kadaster, Leefbaarometer (BZK)"
SUFFIX = {"csv": ".csv", "gpkg": ".gpkg", "parquet": ".parquet"}
COLUMNS = (
    "code",
    "name",
    "level",
    "year",
    "view",
    "composition_score",
    "composition_level",
    "composition_trend",
    "problems_score",
    "problems_level",
    "problems_trend",
    "signal",
    "signal_label",
    "variations_changed",
    "stable_under_variations",
    "reasons",
    "reason_details",
)


def export_frame(
    ds: Dataset,
    *,
    level: str,
    year: int | None = None,
    view: str = "absolute",
    gemeente: str | None = None,
    lang: str = "nl",
) -> pd.DataFrame:
    """The signals of ``level`` as one flat row per region.

    Returns
    -------
    DataFrame
        ``code, name, level, year, view, composition_score, composition_level,
        composition_trend, problems_score, problems_level, problems_trend, signal,
        signal_label, variations_changed, stable_under_variations, reasons`` (sentences in
        ``lang`` joined by ``" | "``), ``reason_details`` (JSON text) and ``bron`` (the
        attribution, the same in every row).
    """
    from wijkradar.outputs.tables import signals_table

    if year is None and gemeente:
        year = ds.latest_year(level, gemeente=gemeente)
    res = ds.signals(level=level, year=year, view=view)
    table = signals_table(ds, res, gemeente=gemeente, lang=lang)
    out = table[[c for c in COLUMNS if c in table.columns]].copy()
    out["reasons"] = out["reasons"].map(" | ".join)
    out["reason_details"] = out["reason_details"].map(
        lambda d: json.dumps(d, ensure_ascii=False, default=str)
    )
    for c in out.columns:
        if isinstance(out[c].dtype, pd.CategoricalDtype):
            out[c] = out[c].astype(str)
    out["bron"] = ATTRIBUTION
    return out


def export_signals(
    ds: Dataset,
    path: str | Path,
    *,
    level: str,
    fmt: str = "csv",
    year: int | None = None,
    view: str = "absolute",
    gemeente: str | None = None,
    lang: str = "nl",
) -> Path:
    """Write the signals of ``level`` to ``path`` as CSV, GeoPackage or GeoParquet.

    Parameters
    ----------
    ds
        The dataset.
    path
        Target file (its folder must exist).
    level, year, view, gemeente, lang
        As in :meth:`wijkradar.dataset.Dataset.signals` and
        :func:`wijkradar.outputs.tables.signals_table`.
    fmt
        ``csv``: comma-separated, UTF-8 with a byte-order mark so Excel (Dutch locale
        included) detects the encoding; no geometry. ``gpkg``: GeoPackage layer ``signalen``
        in EPSG:28992. ``parquet``: GeoParquet in EPSG:28992. Regions without a geometry
        keep an empty geometry in the spatial formats.

    Returns
    -------
    Path
        ``path``; every format has the columns of :func:`export_frame`, including ``bron``.

    Raises
    ------
    WijkradarError
        For an unknown ``fmt``, level or year.
    """
    if fmt not in FORMATS:
        raise WijkradarError(f"formaat moet {', '.join(FORMATS)} zijn, niet {fmt!r}")
    path = Path(path)
    frame = export_frame(ds, level=level, year=year, view=view, gemeente=gemeente, lang=lang)
    tmp = path.with_name(f".{path.name}.tmp{SUFFIX[fmt]}")
    try:
        if fmt == "csv":
            frame.to_csv(tmp, index=False, encoding="utf-8-sig")
        else:
            geom = ds.regions.set_index("code").geometry
            gdf = gpd.GeoDataFrame(
                frame, geometry=frame["code"].map(geom).to_numpy(), crs=ds.regions.crs
            )
            if fmt == "gpkg":
                gdf.to_file(tmp, layer="signalen", driver="GPKG")
            else:
                gdf.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
