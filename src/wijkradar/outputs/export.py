"""Signals as files for download: CSV (Excel-NL friendly), GeoPackage and GeoParquet.

The rows are :meth:`Dataset.export_frame <wijkradar.dataset.Dataset.export_frame>`; every writer
goes through :func:`wijkradar.files.atomic_path`, so a failure never leaves a half-written file
under the final name.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd

from wijkradar.errors import WijkradarError
from wijkradar.files import atomic_path
from wijkradar.vocab import EXPORT_FORMATS as FORMATS

if TYPE_CHECKING:
    from wijkradar.dataset import Dataset

SUFFIX = {"csv": ".csv", "gpkg": ".gpkg", "parquet": ".parquet"}


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
        As in :meth:`wijkradar.dataset.Dataset.export_frame`.
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
        raise WijkradarError(
            "formaat moet {choices} zijn, niet {fmt}", choices=", ".join(FORMATS), fmt=repr(fmt)
        )
    path = Path(path)
    frame = ds.export_frame(level=level, year=year, view=view, gemeente=gemeente, lang=lang)
    with atomic_path(path, suffix=SUFFIX[fmt]) as tmp:
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
    return path
