"""The consumer price index (CPI) as data: CBS's yearly index (83131NED, 2015 = 100), shipped as
``catalogue/cpi.csv`` (its ``#`` header says where each figure comes from) or fetched by
``wijkradar fetch --what cpi`` into ``<data>/prices/cpi.csv``. Deflating with it is
:mod:`wijkradar.analysis.prices`; this module only reads and checks the table, so the build,
the analysis and the fetcher share one reader.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from wijkradar.errors import CpiError, DataNotFoundError

CPI_COLUMNS = ("year", "cpi")
FETCHED_CPI = Path("prices") / "cpi.csv"
"""Where ``wijkradar fetch --what cpi`` puts the index, relative to the data folder."""


def packaged_cpi_path() -> Path:
    """The CPI file shipped with wijkradar (``wijkradar/catalogue/cpi.csv``)."""
    return Path(str(resources.files("wijkradar.catalogue").joinpath("cpi.csv")))


def load_cpi(path: Path | str | None = None) -> pd.Series:
    """The consumer price index: year (int) → index (float), sorted by year.

    ``path`` is a ``year,cpi`` CSV (lines starting with ``#`` are comments); default the
    packaged file. Read once per file version (cached on path, size and modification time);
    every call returns its own copy. ``attrs["file"]`` is the file it came from.

    Raises
    ------
    DataNotFoundError
        When ``path`` does not exist.
    CpiError
        When the file lacks the columns ``year`` and ``cpi``, a row is not a year with a
        positive number, or a year is there twice.
    """
    file = Path(path) if path is not None else packaged_cpi_path()
    try:
        stat = file.stat()
    except FileNotFoundError:
        raise DataNotFoundError(
            "prijsindex {file}: bestand niet gevonden", file=str(file)
        ) from None
    cpi = _read_cpi(str(file), stat.st_size, stat.st_mtime_ns).copy()
    cpi.attrs["file"] = str(file)
    return cpi


def cpi_for_data(data_dir: Path | str | None) -> pd.Series:
    """The index for a data folder: its fetched ``prices/cpi.csv`` when it has one, else the
    packaged file (also for ``data_dir=None``)."""
    if data_dir is not None:
        fetched = Path(data_dir) / FETCHED_CPI
        if fetched.is_file():
            return load_cpi(fetched)
    return load_cpi()


@lru_cache(maxsize=8)
def _read_cpi(file: str, size: int, mtime_ns: int) -> pd.Series:  # noqa: ARG001 (cache key)
    try:
        table = pd.read_csv(file, comment="#", dtype=str, skip_blank_lines=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError):
        table = pd.DataFrame()
    table.columns = [str(c).strip().lower() for c in table.columns]
    if not set(CPI_COLUMNS) <= set(table.columns) or table.empty:
        found = ", ".join(table.columns) or "-"
        raise CpiError(
            "prijsindex {file}: verwacht de kolommen year en cpi met minstens één jaar; "
            "gevonden {found}",
            file=file,
            found=found,
        )
    year = pd.to_numeric(table["year"].str.strip(), errors="coerce")
    cpi = pd.to_numeric(table["cpi"].str.strip(), errors="coerce")
    bad = year.isna() | (year % 1 != 0) | ~(cpi > 0) | ~np.isfinite(cpi)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise CpiError(
            "prijsindex {file}, rij {row}: verwacht een jaartal en een positief getal, "
            "gekregen {got}",
            file=file,
            row=row + 1,
            got=repr(f"{table['year'].iloc[row]},{table['cpi'].iloc[row]}"),
        )
    years = year.astype(np.int64)
    twice = years[years.duplicated()]
    if len(twice):
        raise CpiError(
            "prijsindex {file}: jaar {year} staat er meer dan eens in",
            file=file,
            year=int(twice.iloc[0]),
        )
    out = pd.Series(cpi.to_numpy(float), index=pd.Index(years.to_numpy(), name="year"), name="cpi")
    return out.sort_index()
