"""The dataset directory: Parquet/GeoParquet files written atomically, read through DuckDB.

A dataset is a folder with ``panel.parquet``, ``regions.parquet`` (GeoParquet, EPSG:28992),
``links.parquet`` (code changes between years), ``breaks.parquet`` (series breaks),
``quality.json``/``quality.txt``, the catalogue it was built with (``catalogue/``) and
``manifest.json``. :func:`write_dataset` writes everything into a temporary sibling folder and
swaps it in with two renames, so a failed build never leaves a half dataset and the previous
one stays untouched.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import geopandas as gpd
import pandas as pd

from wijkradar.errors import DataNotFoundError, WijkradarError

SCHEMA_VERSION = 1
MANIFEST = "manifest.json"
CATALOGUE_FILES = ("indicators.csv", "sources.csv", "kwb_tables.csv", "topics.csv", "ignored.csv")


def _is_dataset(path: Path) -> bool:
    return (path / MANIFEST).is_file()


def write_dataset(out: Path, writer: Callable[[Path], None]) -> Path:
    """Run ``writer(tmpdir)`` and atomically replace ``out`` with the result.

    Raises
    ------
    WijkradarError
        When ``out`` exists, is not empty and is not a wijkradar dataset (we never delete a
        folder we did not make).
    """
    out = Path(out).absolute()
    if out.exists() and not (out.is_dir() and (_is_dataset(out) or not any(out.iterdir()))):
        raise WijkradarError(
            "{path} bestaat al en is geen wijkradar-dataset; kies een andere map voor de "
            "dataset of verwijder deze",
            path=out,
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    token = uuid.uuid4().hex[:8]
    tmp = out.parent / f".{out.name}.tmp-{token}"
    old = out.parent / f".{out.name}.old-{token}"
    tmp.mkdir()
    try:
        writer(tmp)
        catalogue_dir = tmp / "catalogue"
        catalogue_dir.mkdir(exist_ok=True)
        for name in CATALOGUE_FILES:
            src = resources.files("wijkradar.catalogue").joinpath(name)
            (catalogue_dir / name).write_bytes(src.read_bytes())
        if out.exists():
            os.replace(out, old)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old.exists() and not out.exists():
            os.replace(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)
    return out


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Parquet with zstd compression (GeoParquet for GeoDataFrames)."""
    if isinstance(frame, gpd.GeoDataFrame):
        frame.to_parquet(
            path, compression="zstd", index=False, schema_version="1.1.0", write_covering_bbox=True
        )
    else:
        frame.to_parquet(path, compression="zstd", index=False)


def write_json(obj: object, path: Path) -> None:
    path.write_text(
        json.dumps(obj, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
    )


def resolve_dataset(path: str | Path | None) -> Path:
    """The dataset folder: ``path``, else ``WIJKRADAR_DATASET``, else ``./wijkradar-data``."""
    if path is None:
        from wijkradar.settings import get_settings

        path = get_settings().dataset
    path = Path(path)
    if not _is_dataset(path):
        raise DataNotFoundError(
            "geen wijkradar-dataset in {path} (geen {manifest}); bouw eerst een dataset in "
            "deze map",
            path=path,
            manifest=MANIFEST,
        )
    return path
