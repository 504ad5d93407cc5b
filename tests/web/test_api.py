"""Every endpoint's happy path, on the tiny dataset (everywhere) and on the real data."""

from __future__ import annotations

import io
import json
import sqlite3

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest

from wijkradar.web.schemas import PALETTE


def test_health_lists_levels_and_years(client, tiny_dataset):
    r = client.get("/api/health")
    assert r.status_code == 200
    body = r.json()
    assert body["ok"] is True and body["version"]
    assert set(body["dataset"]) == {"rows", "years", "built"}
    assert str(tiny_dataset) not in r.text  # path-free
    assert body["levels"]["buurt"] == {"years": [2018, 2019, 2020], "default_year": 2018}
    assert body["levels"]["wijk"]["default_year"] in body["levels"]["wijk"]["years"]


def test_health_gives_the_front_end_its_facts(client):
    """What the page reads instead of keeping JS copies: levels, views, domains, axes, buckets."""
    from wijkradar.catalogue import DOMAINS
    from wijkradar.web.mapdata import BUCKETS, bucket_of

    body = client.get("/api/health").json()
    assert body["levels_order"] == ["buurt", "wijk", "gemeente"]
    assert set(body["levels_order"]) == set(body["levels"])
    assert body["views"] == ["absolute", "relative"]
    assert body["domains"] == list(DOMAINS)
    assert body["axes"] == ["composition", "problems"]
    buckets = body["buckets"]
    assert [(b["max_zoom"], b["tolerance_m"]) for b in buckets] == list(BUCKETS)
    # the zoom the page asks with for a bucket (its top, capped at the map's z17) lands in it
    for i, b in enumerate(buckets):
        assert bucket_of(min(b["max_zoom"], 17)) == i
    assert body["compare_color"].startswith("#") and len(body["compare_color"]) == 7
    assert body["compare_color"].upper() not in PALETTE.values()


@pytest.mark.parametrize("lang,label", [("nl", "Aantal inwoners"), ("en", "Population")])
def test_indicators_labels_per_language(client, lang, label):
    body = client.get(f"/api/indicators?lang={lang}").json()
    assert body["count"] == len(body["data"]) > 10
    pop = next(d for d in body["data"] if d["id"] == "population")
    assert pop["label"] == label
    assert set(pop) == {
        "id", "label", "unit", "domain", "domain_label", "topic", "topic_label", "kind",
        "direction", "weight", "featured", "sensitive", "description",
    }  # fmt: skip
    assert pop["topic"] == "bevolking" and pop["featured"] is True


def test_indicators_search_by_word(client):
    body = client.get("/api/indicators?search=inkomen").json()
    ids = {d["id"] for d in body["data"]}
    assert {"income_per_inhabitant", "low_income_households_pct"} <= ids
    assert "population" not in ids and body["count"] == len(ids)


def test_classes_carry_the_palette(client):
    body = client.get("/api/classes?lang=en").json()
    got = {d["id"]: d["color"] for d in body["data"]}
    assert got == PALETTE
    assert next(d for d in body["data"] if d["id"] == "alarm")["label"] == "Alarm"
    # the risico layer's ramp comes from the same palette: one fewer bound than colours
    from wijkradar.palette import RISK_BOUNDS, RISK_RAMP

    assert body["risk_ramp"] == list(RISK_RAMP) and body["risk_bounds"] == list(RISK_BOUNDS)
    assert len(body["risk_bounds"]) == len(body["risk_ramp"]) - 1


def test_region_search_accent_and_case_insensitive(client):
    body = client.get("/api/regions", params={"q": "stadsdriehoek"}).json()
    assert [d["code"] for d in body["data"]] == ["BU05990110"]
    assert body["data"][0]["gemeente_name"] == "Rotterdam"
    by_code = client.get("/api/regions", params={"q": "bu0599", "limit": 1}).json()
    assert by_code["count"] == 1 and by_code["data"][0]["code"].startswith("BU0599")
    levels = client.get("/api/regions", params={"level": "gemeente"}).json()
    assert {d["level"] for d in levels["data"]} == {"gemeente"}


def test_profile_of_a_buurt(client):
    body = client.get("/api/regions/bu05990110").json()
    assert body["code"] == "BU05990110" and body["name"] == "Stadsdriehoek"
    assert body["gemeente"] == {"code": "GM0599", "name": "Rotterdam"}
    assert body["signal"]["class"] == "insufficient_data"
    assert body["clusters_pending"] is False and "clusters" not in body  # warming is off


def test_signals_rows_have_the_contract_members(client):
    body = client.get("/api/signals?level=wijk&lang=en").json()
    assert (body["level"], body["year"], body["view"]) == ("wijk", 2019, "absolute")
    assert body["count"] == len(body["data"]) > 0
    row = body["data"][0]
    assert set(row) == {
        "code",
        "name",
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
    }
    assert isinstance(row["reasons"], list)
    assert row["signal_label"] == "Insufficient data"


def test_map_layer_is_geojson_in_wgs84(client):
    r = client.get("/api/map/buurt?zoom=13")
    assert r.status_code == 200
    assert r.headers["content-encoding"] == "gzip"  # served pre-compressed
    body = r.json()
    assert body["type"] == "FeatureCollection" and body["missing_geometry"] == 0
    feats = {f["properties"]["code"]: f for f in body["features"]}
    assert set(feats) == {"BU05990110", "BU05992705"}
    f = feats["BU05990110"]
    assert f["geometry"]["type"] == "Polygon"
    lon, lat = f["geometry"]["coordinates"][0][0]
    assert 4.4 < lon < 4.6 and 51.8 < lat < 52.0  # Rotterdam
    assert all(len(str(c).split(".")[1]) <= 5 for c in (lon, lat))
    base = {"code", "name", "signal", "composition_score", "problems_score", "known_axes"}
    people = {"population", "dwellings", "population_change", "dwellings_change"}
    assert base | people <= set(f["properties"]) <= base | people | {"small", "housing"}


def test_map_indicator_value(client):
    body = client.get("/api/map/buurt?indicator=population").json()
    vals = {f["properties"]["code"]: f["properties"]["value"] for f in body["features"]}
    assert vals["BU05990110"] == 16045  # statline_rotterdam_2018.csv, Stadsdriehoek


def test_map_counts_regions_without_geometry(client):
    body = client.get("/api/map/wijk").json()
    assert body["missing_geometry"] + body["count"] == len(
        client.get("/api/signals?level=wijk").json()["data"]
    )


@pytest.mark.parametrize("fmt", ["csv", "gpkg", "parquet"])
def test_export_downloads(client, fmt, tmp_path):
    r = client.get(f"/api/export?level=buurt&format={fmt}")
    assert r.status_code == 200
    assert r.headers["content-disposition"].startswith("attachment;")
    path = tmp_path / f"x.{fmt}"
    path.write_bytes(r.content)
    if fmt == "csv":
        assert r.content.startswith(b"\xef\xbb\xbf")  # BOM for Excel
        frame = pd.read_csv(io.BytesIO(r.content), encoding="utf-8-sig")
    elif fmt == "gpkg":
        frame = pyogrio.read_dataframe(path)
        assert frame.crs.to_epsg() == 28992
    else:
        frame = gpd.read_parquet(path)
    assert {"code", "reasons", "signal", "bron"} <= set(frame.columns)
    assert set(frame["code"]) == {"BU05990110", "BU05992705"}
    assert (frame["bron"] == "Bron: CBS, Kadaster, Leefbaarometer (BZK)").all()


def test_export_leaves_no_temp_files(client, tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert client.get("/api/export?level=wijk&format=gpkg").status_code == 200
    assert list(tmp_path.iterdir()) == []


def test_openapi_documents_every_route(client):
    spec = client.get("/openapi.json").json()
    assert {
        "/api/health",
        "/api/indicators",
        "/api/classes",
        "/api/regions",
        "/api/regions/{code}",
        "/api/signals",
        "/api/map/{level}",
        "/api/export",
    } <= set(spec["paths"])
    assert client.get("/docs").status_code == 200


def test_front_end_is_served_at_root(client):
    from wijkradar.web.app import STATIC

    if not (STATIC / "index.html").exists():
        pytest.skip("front end not built yet")
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")


def test_clusters_pending_then_ready(tiny_dataset, monkeypatch):
    """With warming on, a profile says clusters are pending until the thread has finished."""
    import threading

    from fastapi.testclient import TestClient

    from wijkradar.dataset import Dataset
    from wijkradar.settings import Settings
    from wijkradar.web import create_app
    from wijkradar.web.state import WebState

    # Hold the background computation until the first answer is in: no race with the thread.
    gate, real = threading.Event(), Dataset.clusters

    def held(self, **kw):
        gate.wait(60)
        return real(self, **kw)

    monkeypatch.setattr(Dataset, "clusters", held)
    monkeypatch.setattr(WebState, "warm", lambda self: None)  # only the profile asks
    app = create_app(Settings(dataset=tiny_dataset, warm_clusters=True))
    with TestClient(app) as c:
        state = app.state.web
        first = c.get("/api/regions/WK059901").json()
        key = ("wijk", first["signal"]["year"], "absolute")
        assert first["clusters_pending"] is True
        assert "clusters" not in first
        gate.set()
        assert state.clusters.wait(*key, timeout=120) == "ready"
        later = c.get("/api/regions/WK059901").json()
        assert later["clusters_pending"] is False
        assert set(later["clusters"]) == {"composition", "problems"}


# -- the real data --------------------------------------------------------------------------


def test_real_search_bijlmer(real_client):
    body = real_client.get("/api/regions?q=bijlmer&level=buurt").json()
    names = [d["name"] for d in body["data"]]
    assert "Bijlmer-Centrum (D. F. H)" in names and "Bijlmer-Oost (E. G. K)" in names
    assert all(n.lower().startswith("bijlmer") for n in names[:2])
    assert real_client.get("/api/regions?q=BIJLMÉR&level=buurt").json() == body


def test_real_profile_has_reasons(real_client):
    body = real_client.get("/api/regions/BU03630001").json()
    assert body["name"] and body["signal"]["reasons"]
    assert all(r["sentence"] for r in body["signal"]["reasons"])


def test_real_map_amsterdam(real_client):
    body = real_client.get("/api/map/buurt?gemeente=GM0363&zoom=12").json()
    assert body["count"] > 100
    f = next(f for f in body["features"] if f["properties"]["code"] == "BU03630001")
    assert f["geometry"]["type"] in ("Polygon", "MultiPolygon")
    ring = f["geometry"]["coordinates"][0]
    ring = ring[0] if f["geometry"]["type"] == "MultiPolygon" else ring
    lon, lat = ring[0]
    assert abs(lon - 4.9) < 0.05 and abs(lat - 52.37) < 0.05


def test_real_signals_and_export(real_client):
    sig = real_client.get("/api/signals?gemeente=GM0363").json()
    assert sig["count"] > 100 and any(row["reasons"] for row in sig["data"])
    r = real_client.get("/api/export?format=csv&gemeente=GM0363")
    frame = pd.read_csv(io.BytesIO(r.content), encoding="utf-8-sig")
    assert len(frame) == sig["count"] and frame["reasons"].notna().any()


def test_real_export_gpkg_has_geometry(real_client, tmp_path):
    r = real_client.get("/api/export?level=wijk&format=gpkg")
    (tmp_path / "w.gpkg").write_bytes(r.content)
    gdf = pyogrio.read_dataframe(tmp_path / "w.gpkg")
    # wijken of 2019: Amsterdam's 99, every one with a boundary
    assert len(gdf) == 99 and gdf.geometry.notna().all()
    with sqlite3.connect(tmp_path / "w.gpkg") as con:
        assert con.execute("select table_name from gpkg_contents").fetchone()[0] == "signalen"
    assert json.loads(gdf["reason_details"].iloc[0]) is not None


def test_real_report_pdf_and_actions(real_client):
    r = real_client.get("/api/regions/BU03632702/report.pdf")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    assert r.content[:5] == b"%PDF-"
    html = real_client.get("/api/regions/BU03632702/report.html?lang=en")
    assert html.status_code == 200 and "Parooldriehoek" in html.text
    a = real_client.get("/api/regions/BU03632702/actions").json()
    assert a and isinstance(a, dict)
    missing = real_client.get("/api/regions/BU99999999/report.pdf")
    assert missing.status_code == 404 and missing.json()["ok"] is False
    bad = real_client.get("/api/regions/BU03632702/report.docx")
    assert bad.status_code in (404, 422) and bad.json()["ok"] is False
