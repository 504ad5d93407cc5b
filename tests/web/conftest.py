"""Web fixtures: session-scoped TestClients on a tiny dataset (tests/data, runs everywhere) and
on the real data (``shared_data``; skipped locally without ../shared/data)."""

from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from fastapi.testclient import TestClient

from wijkradar.panel.build import build
from wijkradar.settings import Settings
from wijkradar.web import create_app

TINY_KWB = (
    "statline_rotterdam_2018.csv",
    "wijk_2017_kaart.csv",
    "kwb-2019.xls",
    "kwb_plain_export_2020.csv",
    "kwb_r_84583NED.csv",
)


def _synthetic_squares(path: Path, names: dict[str, str]) -> None:
    """SYNTHETIC 500 m squares near Rotterdam (RD New) for ``codes`` — test geometry only."""
    geoms = [
        shapely.box(92_000 + i * 500, 437_000, 92_500 + i * 500, 437_500) for i in range(len(names))
    ]
    gdf = gpd.GeoDataFrame(
        {"statcode": list(names), "statnaam": list(names.values())},
        geometry=geoms,
        crs="EPSG:28992",
    )
    gdf.to_file(path, driver="GPKG")


@pytest.fixture(scope="session")
def tiny_dataset(tmp_path_factory, test_data) -> Path:
    root = tmp_path_factory.mktemp("tinyweb")
    data = root / "data"
    (data / "kwb").mkdir(parents=True)
    for name in TINY_KWB:
        shutil.copy(test_data / "kwb" / name, data / "kwb")
    (data / "geo").mkdir()
    shutil.copy(test_data / "geo" / "squares_2020_layer.topojson", data / "geo")
    _synthetic_squares(
        data / "geo" / "buurt_2018_SYNTHETIC_squares.gpkg",
        {"BU05990110": "Stadsdriehoek", "BU05992705": "Noordzeeweg"},
    )
    return build(data, root / "ds").path


@pytest.fixture(scope="session")
def client(tiny_dataset) -> TestClient:
    """A TestClient on the tiny dataset (no background clusters)."""
    app = create_app(Settings(dataset=tiny_dataset, warm_clusters=False))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="session")
def real_dataset(tmp_path_factory, shared_data) -> Path:
    return build(shared_data, tmp_path_factory.mktemp("realweb") / "ds").path


@pytest.fixture(scope="session")
def real_client(real_dataset) -> TestClient:
    """A TestClient on the real data (clusters are not warmed: numba compiling takes ~17 s)."""
    app = create_app(Settings(dataset=real_dataset, warm_clusters=False))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c
