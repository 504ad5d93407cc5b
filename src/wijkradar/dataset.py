"""The Python API over a built dataset: ``open_dataset(path)`` → :class:`Dataset`."""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path

import duckdb
import geopandas as gpd
import pandas as pd

from wijkradar.catalogue import Catalogue, load_catalogue
from wijkradar.panel.store import resolve_dataset

TABLES = ("panel", "regions", "links", "breaks")


class Dataset:
    """A built wijkradar dataset.

    Attributes
    ----------
    path
        The dataset folder.
    panel
        The long panel (``code, level, year, indicator, value, status, source``).
    regions
        GeoDataFrame of regions (``code, level, name, gemeente_code, gemeente_name, wijk_code,
        first_year, last_year, geometry_source, geometry_year, geometry``), EPSG:28992.
    indicators
        The :class:`~wijkradar.catalogue.Catalogue` the dataset was built with.
    links
        Code changes between years (``level, year_from, year_to, code_from, code_to, share``).
    breaks
        Series breaks (``code, level, year, previous_year, reason``).
    quality
        The data-quality report (dict, as in ``quality.json``).

    Examples
    --------
    >>> ds = open_dataset("wijkradar-data")                         # doctest: +SKIP
    >>> ds.query("select count(*) from panel where level = 'buurt'")  # doctest: +SKIP
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        m = self.manifest
        return f"<Dataset {self.path} — {m.get('rows', '?'):,} rows, years {m.get('years', [])}>"

    @cached_property
    def manifest(self) -> dict:
        return json.loads((self.path / "manifest.json").read_text(encoding="utf-8"))

    @cached_property
    def panel(self) -> pd.DataFrame:
        return pd.read_parquet(self.path / "panel.parquet")

    @cached_property
    def regions(self) -> gpd.GeoDataFrame:
        regions = gpd.read_parquet(self.path / "regions.parquet")
        return regions.drop(columns=["bbox"], errors="ignore")  # GeoParquet 1.1 covering column

    @cached_property
    def links(self) -> pd.DataFrame:
        return pd.read_parquet(self.path / "links.parquet")

    @cached_property
    def breaks(self) -> pd.DataFrame:
        return pd.read_parquet(self.path / "breaks.parquet")

    @cached_property
    def indicators(self) -> Catalogue:
        return load_catalogue(self.path / "catalogue")

    @cached_property
    def quality(self) -> dict:
        return json.loads((self.path / "quality.json").read_text(encoding="utf-8"))

    @cached_property
    def con(self) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection with views ``panel``, ``regions``, ``links``, ``breaks``,
        ``indicators`` over the dataset's files (nothing is loaded until queried)."""
        con = duckdb.connect()
        for t in TABLES:
            f = str(self.path / f"{t}.parquet").replace("'", "''")
            con.execute(f"CREATE VIEW {t} AS SELECT * FROM read_parquet('{f}')")
        ind = str(self.path / "catalogue" / "indicators.csv").replace("'", "''")
        con.execute(
            f"CREATE VIEW indicators AS SELECT * FROM read_csv('{ind}', header=true, "
            "all_varchar=true)"
        )
        return con

    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        """Run SQL (DuckDB dialect) over the dataset's tables and return a DataFrame."""
        return self.con.execute(sql, params or []).df()

    def series(self, code: str, indicator: str) -> pd.DataFrame:
        """One region's values of one indicator over the years."""
        p = self.panel
        return p[(p["code"] == code) & (p["indicator"] == indicator)].sort_values("year")


def open_dataset(path: str | Path | None = None) -> Dataset:
    """Open a built dataset (default ``WIJKRADAR_DATASET`` or ``./wijkradar-data``).

    Raises
    ------
    DataNotFoundError
        When the folder holds no dataset.
    """
    return Dataset(resolve_dataset(path))
