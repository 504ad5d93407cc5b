"""The online fetcher against a real HTTP server on 127.0.0.1 (no internet).

The server speaks CBS OData v3 JSON (``TableInfos``, ``DataProperties``, ``TypedDataSet`` with
``odata.nextLink``) and OData v4 JSON (``Properties``, ``MeasureCodes``, ``MeasureGroups``,
``WijkenEnBuurtenCodes``, ``Observations`` with ``@odata.nextLink``) from the fixtures in
tests/data/fetch, serves zips and supports ``Range``/``If-Range`` so resuming can be tested;
routes can fail with given statuses first, answer with another status, or cut the connection
half-way through a body.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import random
import socket
import threading
import zipfile
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box
from typer.testing import CliRunner

import wijkradar
from wijkradar.catalogue import load_catalogue
from wijkradar.cli.app import app
from wijkradar.errors import FetchError, OfflineError, WijkradarError
from wijkradar.panel.harmonise import to_panel_rows
from wijkradar.sources import detect
from wijkradar.sources.fetch import (
    BaseUrls,
    FetchPlan,
    _odata,
    fetch,
    kwb_table_ids,
    kwb_title_matches,
    parse_years,
    region_filter,
)
from wijkradar.sources.odata import read_odata
from wijkradar.sources.odata4 import read_odata4
from wijkradar.sources.police import (
    POLICE_TITLES,
    police_title_matches,
    read_police,
)

FIX = Path(__file__).parent.parent / "data" / "fetch"


@dataclass
class Route:
    body: bytes | object  # bytes, or callable(query: dict) -> bytes | (status, type, bytes)
    status: int = 200  # a status other than 200 is answered with the body, no ranges
    content_type: str = "application/json;charset=utf-8"
    fail: list[int] = field(default_factory=list)  # statuses to answer first, one per request
    cut: int = 0  # number of requests to cut off half-way through the body

    @property
    def etag(self) -> str:
        data = self.body if isinstance(self.body, bytes) else b""
        return '"' + hashlib.md5(data).hexdigest() + '"'


class Server:
    """A threaded http.server on a free loopback port with a route table and a request log."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.log: list[tuple[str, dict, dict]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep pytest output clean
                pass

            def do_GET(self):  # noqa: N802
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                server.log.append((parts.path, query, dict(self.headers)))
                route = server.routes.get(parts.path)
                if route is None:
                    return self._send(404, b'{"odata.error":"not found"}', "application/json")
                if route.fail:
                    return self._send(route.fail.pop(0), b"Service Unavailable", "text/plain")
                body = route.body if isinstance(route.body, bytes) else route.body(query)
                status, ctype = route.status, route.content_type
                if isinstance(body, tuple):
                    status, ctype, body = body
                body = body.replace(b"{base}", server.root.encode())
                if status != 200:
                    return self._send(status, body, ctype)
                self._serve(route, body, ctype)

            def _serve(self, route, body, ctype):
                start, status = 0, 200
                rng = self.headers.get("Range")
                if_range = self.headers.get("If-Range")
                if rng and (if_range is None or if_range == route.etag):
                    start = int(rng.split("=")[1].split("-")[0])
                    if start >= len(body):
                        return self._send(416, b"", "text/plain")
                    status = 206
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body) - start))
                self.send_header("ETag", route.etag)
                self.send_header("Accept-Ranges", "bytes")
                if status == 206:
                    self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                self.end_headers()
                payload = body[start:]
                if route.cut:  # send half, then drop the connection
                    route.cut -= 1
                    self.wfile.write(payload[: len(payload) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.wfile.write(payload)

            def _send(self, status, body, ctype):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.root = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def requests(self, path_part: str) -> list[tuple[str, dict, dict]]:
        return [r for r in self.log if path_part in r[0]]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)


def _typed_dataset(query: dict) -> bytes:
    page = "page2" if query.get("$skiptoken") == "3" else "page1"
    return (FIX / f"cbs_84583NED_TypedDataSet_{page}.json").read_bytes()


def _observations(query: dict) -> bytes:
    page = "page2" if query.get("$skip") == "6" else "page1"
    return (FIX / f"cbs4_84583NED_Observations_{page}.json").read_bytes()


def _fix_json(name: str) -> dict:
    return json.loads((FIX / name).read_text("utf-8"))


def _titled(name: str, title: str) -> bytes:
    """A TableInfos (v3) or Properties (v4) fixture with another title."""
    doc = _fix_json(name)
    (doc["value"][0] if "value" in doc else doc)["Title"] = title
    return json.dumps(doc).encode()


def _police_dataset(query: dict) -> bytes:
    saved = json.loads((FIX / "police_crime_2019_47018NED_odata.json").read_text("utf-8"))
    doc = {
        "odata.metadata": "{base}/police/47018NED/$metadata#Cbs.OData.WebAPI.TypedDataSet",
        "value": saved["value"],
    }
    return json.dumps(doc).encode()


def _gpkg_zip(tmp: Path) -> bytes:
    gdf = gpd.GeoDataFrame(
        {"buurtcode": ["BU03630000", "BU03630001"], "buurtnaam": ["Kop Zeedijk", "Oudekerksplein"]},
        geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100)],
        crs="EPSG:28992",
    )
    gpkg = tmp / "WijkBuurtkaart_2019_v1.gpkg"
    gdf.to_file(gpkg, layer="buurten", driver="GPKG")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.write(gpkg, "WijkBuurtkaart_2019_v1/WijkBuurtkaart_2019_v1.gpkg")
        zf.writestr("WijkBuurtkaart_2019_v1/Toelichting.txt", "toelichting")
        # a zip packed on a Mac: resource forks that must not be taken for the GeoPackage
        zf.writestr("__MACOSX/WijkBuurtkaart_2019_v1/._WijkBuurtkaart_2019_v1.gpkg", b"\x00\x05")
        zf.writestr("WijkBuurtkaart_2019_v1/._Toelichting.gpkg", b"\x00\x05")
    return buf.getvalue()


LBM_DIR = "Leefbaarometer 3.0 - meting 2024 - open data"
LBM_SCORES = tuple(
    f"Leefbaarometer-scores {level} 2002-2024.csv" for level in ("buurten", "wijken", "gemeenten")
)


def _lbm_zip(levels: tuple[str, ...] = ("buurten", "wijken", "gemeenten")) -> bytes:
    """The open-data zip: a scores CSV per level, plus files the fetcher must leave alone."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for level in levels:
            csv = FIX / f"Leefbaarometer-scores {level} 2002-2024.csv"
            zf.write(csv, f"{LBM_DIR}/{csv.name}")
            # macOS resource forks carry the same names: never extracted
            zf.writestr(f"__MACOSX/{LBM_DIR}/._{csv.name}", b"\x00\x05\x16\x07junk")
            zf.writestr(f"{LBM_DIR}/._{csv.name}", b"\x00\x05\x16\x07junk")
        zf.writestr(f"{LBM_DIR}/Leefbaarometer-ontwikkeling buurten 2002-2024.csv", "bu_code\n")
        zf.writestr(f"{LBM_DIR}/Leefbaarometer-scores PC4 2002-2024.csv", "pc4,jaar,lbm\n")
        zf.writestr(f"{LBM_DIR}/leesmij.pdf", b"%PDF-1.4")
    return buf.getvalue()


@pytest.fixture
def server(tmp_path_factory):
    srv = Server()
    cbs4 = "/cbs4/84583NED"
    srv.routes.update(
        {
            "/cbs/84583NED/TableInfos": Route((FIX / "cbs_84583NED_TableInfos.json").read_bytes()),
            "/cbs/84583NED/DataProperties": Route(
                (FIX / "cbs_84583NED_DataProperties.json").read_bytes()
            ),
            "/cbs/84583NED/TypedDataSet": Route(_typed_dataset),
            **{
                f"{cbs4}/{name}": Route((FIX / f"cbs4_84583NED_{name}.json").read_bytes())
                for name in ("Properties", "MeasureCodes", "MeasureGroups", "WijkenEnBuurtenCodes")
            },
            f"{cbs4}/Observations": Route(_observations),
            "/police/47018NED/TableInfos": Route(
                (FIX / "police_47018NED_TableInfos.json").read_bytes()
            ),
            "/police/47018NED/DataProperties": Route(
                (FIX / "police_47018NED_DataProperties.json").read_bytes()
            ),
            "/police/47018NED/TypedDataSet": Route(_police_dataset),
            "/geo/wijkbuurtkaart_2019_v1.zip": Route(
                _gpkg_zip(tmp_path_factory.mktemp("gpkg")), content_type="application/zip"
            ),
            "/lbm/open-data-leefbaarometer-meting-2024.zip": Route(
                _lbm_zip(), content_type="application/zip"
            ),
        }
    )
    yield srv
    srv.close()


def _fetch(server, to, **kw):
    kw.setdefault("backoff", 0)
    kw.setdefault("timeout", 5)
    return fetch(kw.pop("years", [2019]), to, base_urls=BaseUrls.local(server.root), **kw)


def test_all_sources_land_in_the_layout(server, tmp_path):
    seen = []
    report = _fetch(server, tmp_path, progress=lambda *a: seen.append(a))
    assert report.ok, report.failed
    kwb = json.loads((tmp_path / "kwb" / "kwb_2019_84583NED_odata.json").read_text("utf-8"))
    assert kwb["table"] == "84583NED" and kwb["year"] == 2019
    assert [p["Key"] for p in kwb["DataProperties"]][-1] == "AantalInwoners_5"
    # both pages, in order: nextLink followed
    assert [r["WijkenEnBuurten"].strip() for r in kwb["value"]] == [
        "NL00",
        "GM0363",
        "WK036300",
        "BU03630000",
        "BU03630001",
    ]
    assert [q.get("$skiptoken") for p, q, _ in server.log if p == "/cbs/84583NED/TypedDataSet"] == [
        None,
        "3",
    ]
    police = tmp_path / "police" / "police_crime_2019_47018NED_odata.json"
    frame = read_police(police)
    got = frame.set_index(["code", "column"])["value"]
    assert got[("GM0363", "Geweld")] == 700 + 30 + 600 + 2100 + 3900 + 700 + 90
    flt = server.requests("/police/47018NED/TypedDataSet")[0][1]["$filter"]
    assert "Perioden eq '2019JJ00'" in flt and "SoortMisdrijf eq '1.1.1 '" in flt
    gpkg = tmp_path / "geo" / "WijkBuurtkaart_2019_v1.gpkg"
    assert list(gpd.read_file(gpkg)["buurtcode"]) == ["BU03630000", "BU03630001"]
    assert not list((tmp_path / "geo").glob("*.zip")) and not list(tmp_path.rglob("*.part"))
    assert [p.name for p in (tmp_path / "geo").iterdir()] == [gpkg.name]  # no ._ forks
    lbm = tmp_path / "leefbaarometer" / "Leefbaarometer-scores buurten 2002-2024.csv"
    assert lbm.read_bytes() == (FIX / lbm.name).read_bytes()
    assert not (tmp_path / "leefbaarometer" / "leesmij.pdf").exists()
    manifest = json.loads((tmp_path / "fetch-manifest.json").read_text("utf-8"))
    assert manifest["files"]["kwb/kwb_2019_84583NED_odata.json"]["records"] == 5
    assert kwb["title"] == "Kerncijfers wijken en buurten 2019" and kwb["api"] == "v3"
    assert manifest["files"]["kwb/kwb_2019_84583NED_odata.json"]["api"] == "v3"
    # the titles were checked first; v3 was up, so v4 was never asked
    assert server.log[0][0] == "/cbs/84583NED/TableInfos"
    assert server.requests("/police/47018NED/TableInfos")
    assert not server.requests("/cbs4/")
    assert {w.path.name for w in report.written} >= {gpkg.name, lbm.name, police.name}
    assert any(label == "kwb 2019" and done == 5 for label, done, _ in seen)


def test_second_run_skips_complete_files_without_requests(server, tmp_path):
    first = _fetch(server, tmp_path)
    assert first.ok and not first.skipped
    n = len(server.log)
    second = _fetch(server, tmp_path)
    assert second.ok and not second.written
    assert len(second.skipped) == 4  # kwb, police, geometry zip, leefbaarometer zip
    assert len(server.log) == n
    # a damaged output (size differs from the manifest) is fetched again
    (tmp_path / "kwb" / "kwb_2019_84583NED_odata.json").write_text("{}", "utf-8")
    third = _fetch(server, tmp_path, what=["kwb"])
    assert [w.path.name for w in third.written] == ["kwb_2019_84583NED_odata.json"]


def test_region_filter_is_sent_and_changes_invalidate(server, tmp_path):
    _fetch(server, tmp_path, what=["kwb"])
    report = _fetch(server, tmp_path, what=["kwb"], regions="GM0363")
    assert len(report.written) == 1  # a different query is not "complete"
    sent = server.requests("/cbs/84583NED/TypedDataSet")[-2][1]["$filter"]
    assert sent == region_filter(["GM0363"])
    assert "startswith(WijkenEnBuurten,'BU0363')" in sent
    with pytest.raises(ValueError, match="regions"):
        _fetch(server, tmp_path, regions="Amsterdam")


def test_odataapi_base_pages_with_skip(server, tmp_path, monkeypatch):
    rows = json.loads((FIX / "cbs_84583NED_TypedDataSet_page1.json").read_text())["value"]
    rows += json.loads((FIX / "cbs_84583NED_TypedDataSet_page2.json").read_text())["value"]

    def api(query):
        skip, top = int(query.get("$skip", 0)), int(query["$top"])
        return json.dumps({"value": rows[skip : skip + top]}).encode()

    server.routes["/ODataApi/odata/84583NED/TypedDataSet"] = Route(api)
    for name in ("DataProperties", "TableInfos"):
        server.routes[f"/ODataApi/odata/84583NED/{name}"] = server.routes[f"/cbs/84583NED/{name}"]
    monkeypatch.setattr(_odata, "ODATA_API_PAGE", 2)
    urls = BaseUrls(cbs_odata=f"{server.root}/ODataApi/odata")
    report = fetch([2019], tmp_path, what=["kwb"], base_urls=urls, backoff=0)
    assert report.ok
    skips = [q.get("$skip") for p, q, _ in server.log if p.endswith("TypedDataSet")]
    assert skips == [None, "2", "4"]
    doc = json.loads((tmp_path / "kwb" / "kwb_2019_84583NED_odata.json").read_text())
    assert len(doc["value"]) == 5


def test_retries_after_two_503s(server, tmp_path):
    server.routes["/cbs/84583NED/DataProperties"].fail = [503, 503]
    report = _fetch(server, tmp_path, what=["kwb"], retries=3)
    assert report.ok
    assert len(server.requests("/cbs/84583NED/DataProperties")) == 3


def test_gives_up_after_retries_with_status(server, tmp_path):
    server.routes["/cbs/84583NED/DataProperties"].fail = [503, 503, 503]
    report = _fetch(server, tmp_path, what=["kwb"], retries=1, api="v3")  # no v4 fallback
    (failed,) = report.failed
    assert failed.error.status == 503 and "DataProperties" in failed.error.url
    assert len(server.requests("/cbs/84583NED/DataProperties")) == 2


def test_resume_after_connection_cut(server, tmp_path):
    data = random.Random(7).randbytes(300_000)
    path = "/pdok/2021/atom/downloads/wijkenbuurten_2021.gpkg"
    server.routes[path] = Route(data, content_type="application/geopackage+sqlite3", cut=1)
    first = _fetch(server, tmp_path, years=[2021], what=["geometry"], retries=0)
    assert not first.ok and "(opgegeven na 1 pogingen)" in str(first.failed[0].error)
    part = tmp_path / "geo" / "wijkenbuurten_2021.gpkg.part"
    assert 0 < part.stat().st_size < len(data)
    half = part.stat().st_size
    second = _fetch(server, tmp_path, years=[2021], what=["geometry"], retries=0)
    assert second.ok
    headers = server.requests(path)[-1][2]
    assert headers["Range"] == f"bytes={half}-"
    assert headers["If-Range"] == server.routes[path].etag
    assert (tmp_path / "geo" / "wijkenbuurten_2021.gpkg").read_bytes() == data
    assert not part.exists()


def test_resume_within_one_run_and_restart_on_200(server, tmp_path):
    data = random.Random(8).randbytes(200_000)
    path = "/pdok/2021/atom/downloads/wijkenbuurten_2021.gpkg"
    server.routes[path] = Route(data, cut=1)
    assert _fetch(server, tmp_path, years=[2021], what=["geometry"], retries=2).ok
    assert "Range" in server.requests(path)[-1][2]
    # a stale part whose ETag no longer matches: the server answers 200 and we restart
    out = tmp_path / "geo" / "wijkenbuurten_2021.gpkg"
    out.unlink()
    (tmp_path / "geo" / "wijkenbuurten_2021.gpkg.part").write_bytes(b"stale bytes")
    manifest = json.loads((tmp_path / "fetch-manifest.json").read_text())
    manifest["files"].clear()
    manifest["partial"] = {"geo/wijkenbuurten_2021.gpkg": {"url": "x", "etag": '"old"'}}
    (tmp_path / "fetch-manifest.json").write_text(json.dumps(manifest))
    assert _fetch(server, tmp_path, years=[2021], what=["geometry"]).ok
    assert out.read_bytes() == data


def test_404_is_a_fetch_error_with_the_url(server, tmp_path):
    report = _fetch(server, tmp_path, years=[2018], what=["kwb"])
    (failed,) = report.failed
    assert isinstance(failed.error, FetchError) and failed.error.status == 404
    # the title is the first thing asked for
    assert "/cbs/84286NED/TableInfos" in str(failed.error)
    assert "/cbs/84286NED/TableInfos" in failed.error.url
    with pytest.raises(
        FetchError,
        match=r"HTTP 404 van .*84286NED.* \(niet gevonden: bestaat deze tabel of dit jaar\?\)",
    ):
        report.raise_on_failure()


def test_geometry_not_found_names_every_url(server, tmp_path):
    report = _fetch(server, tmp_path, years=[2017], what=["geometry"])
    msg = str(report.failed[0].error)
    assert "wijkbuurtkaart_2017_v3.zip" in msg and "wijkenbuurten_2017.gpkg" in msg


def test_connection_refused_is_offline(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again before the fetch: nothing listens
    with pytest.raises(OfflineError, match="127.0.0.1 is niet bereikbaar"):
        fetch(
            [2019],
            tmp_path,
            what=["kwb"],
            retries=1,
            backoff=0,
            timeout=2,
            base_urls=BaseUrls.local(f"http://127.0.0.1:{port}"),
        )


def test_unresolvable_host_is_offline(tmp_path):
    with pytest.raises(
        OfflineError,
        match=r"wijkradar-test.invalid is niet bereikbaar.*\(de naam is niet op te zoeken \(DNS\)",
    ):
        fetch(
            [2019],
            tmp_path,
            what=["police"],
            retries=3,
            backoff=10,
            timeout=2,
            base_urls=BaseUrls.local("http://wijkradar-test.invalid"),
        )


def test_parse_years():
    assert parse_years("2017-2019,2021") == (2017, 2018, 2019, 2021)
    assert parse_years(" 2021, 2019,2019 ") == (2019, 2021)
    for bad in ("20x1", "2019-x", "2021-2019", ",", ""):
        with pytest.raises(ValueError, match=f"{bad!r}: verwacht bv. 2017-2024 of 2019,2021"):
            parse_years(bad)


def test_kwb_table_ids_are_the_catalogues_tables():
    assert kwb_table_ids() == load_catalogue().tables
    assert kwb_table_ids()[2019] == "84583NED"


def test_requests_name_the_installed_version(server, tmp_path):
    _fetch(server, tmp_path, what=["kwb"])
    agents = {headers.get("User-Agent") for _, _, headers in server.log}
    assert agents == {
        f"wijkradar/{wijkradar.__version__} (open data fetcher; +https://github.com/wijkradar)"
    }


def test_plan_validation_and_env_urls(monkeypatch, tmp_path):
    with pytest.raises(
        ValueError, match=r"geen KWB-tabel voor \[1999\]; bekende jaren: 2013, 2014, "
    ):
        FetchPlan((1999,), tmp_path, ("kwb",))
    with pytest.raises(
        ValueError, match="deelverzameling zijn van kwb, .*; gekregen \\['weather'\\]"
    ):
        FetchPlan((2019,), tmp_path, ("weather",))
    assert FetchPlan((1999,), tmp_path, ("geometry",)).years == (1999,)
    monkeypatch.setenv("WIJKRADAR_CBS_ODATA_URL", "http://mirror/odata")
    urls = BaseUrls.from_settings()
    assert urls.cbs_odata == "http://mirror/odata"
    assert urls.police_odata == BaseUrls().police_odata


# -- titles ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "ok"),
    [
        ("Kerncijfers wijken en buurten 2019", True),
        ("Kerncijfers Wijken en Buurten, 2019 ", True),
        ("Kerncijfers wijken en buurten 2018", False),
        ("Kerncijfers wijken en buurten 2019 (indeling 2018)", False),
        ("Bevolking; wijken en buurten 2019", False),
    ],
)
def test_kwb_title_matches(title, ok):
    assert kwb_title_matches(title, 2019) is ok


def test_v3_title_mismatch_is_an_error_and_writes_nothing(server, tmp_path):
    found = "Kerncijfers wijken en buurten 2018"
    server.routes["/cbs/84583NED/TableInfos"] = Route(
        _titled("cbs_84583NED_TableInfos.json", found)
    )
    report = _fetch(server, tmp_path, what=["kwb"])  # auto: a wrong table is no outage
    (failed,) = report.failed
    msg = str(failed.error)
    assert "84583NED" in msg and f"{server.root}/cbs/84583NED/TableInfos" in msg
    assert repr(found) in msg and "'Kerncijfers wijken en buurten 2019'" in msg
    assert failed.error.url.endswith("/cbs/84583NED/TableInfos") and failed.error.title == found
    assert not (tmp_path / "kwb").exists()
    assert not server.requests("TypedDataSet") and not server.requests("/cbs4/")


def test_v4_title_mismatch_is_an_error(server, tmp_path):
    found = "Kerncijfers wijken en buurten 2020"
    server.routes["/cbs4/84583NED/Properties"] = Route(
        _titled("cbs4_84583NED_Properties.json", found)
    )
    (failed,) = _fetch(server, tmp_path, what=["kwb"], api="v4").failed
    assert "/cbs4/84583NED/Properties" in str(failed.error) and repr(found) in str(failed.error)
    assert not server.requests("Observations") and not (tmp_path / "kwb").exists()


def test_police_title_check_tells_the_tables_apart(server, tmp_path):
    yearly, monthly = POLICE_TITLES["47018NED"], POLICE_TITLES["47022NED"]
    assert police_title_matches("47018NED", yearly) and police_title_matches("47022NED", monthly)
    assert police_title_matches("47018NED", yearly.upper().replace(";", ","))
    assert not police_title_matches("47018NED", monthly)
    assert not police_title_matches("47022NED", yearly)
    # the yearly table id serving the monthly table: refused before any data are fetched
    server.routes["/police/47018NED/TableInfos"] = Route(
        _titled("police_47018NED_TableInfos.json", monthly)
    )
    (failed,) = _fetch(server, tmp_path, what=["police"]).failed
    assert "47018NED" in str(failed.error) and "maandcijfers" in str(failed.error)
    assert repr(yearly) in str(failed.error)
    assert not server.requests("/police/47018NED/TypedDataSet")
    assert not (tmp_path / "police").exists()


# -- OData v4 ----------------------------------------------------------------------------------


def _panel(frame):
    rows, _ = to_panel_rows(frame, load_catalogue())
    out = pd.DataFrame(
        {
            "code": rows["code"].astype(str),
            "year": rows["year"].astype(int),
            "indicator": rows["indicator"].astype(str),
            "value": rows["value"].astype(float),
            "status": rows["status"].astype(str),
        }
    )
    return out.sort_values(["code", "indicator"]).reset_index(drop=True)


def test_v4_fetch_reads_to_the_same_values_as_v3(server, tmp_path):
    report = _fetch(server, tmp_path / "v4", what=["kwb"], api="v4")
    assert report.ok, report.failed
    out = tmp_path / "v4" / "kwb" / "kwb_2019_84583NED_odata4.json"
    assert [w.path for w in report.written] == [out]
    assert not (tmp_path / "v4" / "kwb" / "kwb_2019_84583NED_odata.json").exists()
    assert not server.requests("/cbs/")  # v3 was not asked at all
    # both Observations pages, by the @odata.nextLink
    assert [q.get("$skip") for p, q, _ in server.requests("/cbs4/84583NED/Observations")] == [
        None,
        "6",
    ]
    doc = json.loads(out.read_text("utf-8"))
    assert doc["format"] == "cbs-odata4" and doc["api"] == "v4" and len(doc["value"]) == 10
    assert doc["title"] == "Kerncijfers wijken en buurten 2019"
    assert [m["Identifier"] for m in doc["MeasureCodes"]] == ["M000380", "T001036"]
    entry = json.loads((tmp_path / "v4" / "fetch-manifest.json").read_text())["files"]
    assert entry["kwb/kwb_2019_84583NED_odata4.json"]["api"] == "v4"
    assert entry["kwb/kwb_2019_84583NED_odata4.json"]["records"] == 10

    reader, _ = detect(out)
    assert reader is not None and reader.name == "odata4"
    v4 = read_odata4(out)
    assert v4.attrs["format"] == "odata4" and v4.attrs["text_measures"] == ["M000380"]
    assert set(v4["column"]) == {"Bevolking/Aantal inwoners"}
    assert v4.set_index("code")["name"]["BU03630000"] == "Kop Zeedijk"

    assert _fetch(server, tmp_path / "v3", what=["kwb"], api="v3").ok
    v3 = read_odata(tmp_path / "v3" / "kwb" / "kwb_2019_84583NED_odata.json")
    # the same panel rows: codes, year, indicator, value and status
    got, want = _panel(v4), _panel(v3)
    assert list(got["indicator"].unique()) == ["population"]
    pd.testing.assert_frame_equal(got, want)
    assert got.set_index("code").loc["BU03630001", "status"] == "missing"


def test_v4_pages_by_nextlink_across_three_pages(server, tmp_path):
    obs = _fix_json("cbs4_84583NED_Observations_page1.json")["value"]
    obs += _fix_json("cbs4_84583NED_Observations_page2.json")["value"]
    pages = [obs[:4], obs[4:8], obs[8:]]

    def observations(query):
        n = int(query.get("$skiptoken", 0))
        doc = {"@odata.context": "x", "value": pages[n]}
        if n + 1 < len(pages):
            doc["@odata.nextLink"] = (
                "{base}/cbs4/84583NED/Observations?$filter=x&$skiptoken=" + str(n + 1)
            )
        return json.dumps(doc).encode()

    server.routes["/cbs4/84583NED/Observations"] = Route(observations)
    seen = []
    report = _fetch(server, tmp_path, what=["kwb"], api="v4", progress=lambda *a: seen.append(a))
    assert report.ok, report.failed
    sent = [q.get("$skiptoken") for p, q, _ in server.requests("/cbs4/84583NED/Observations")]
    assert sent == [None, "1", "2"]
    doc = json.loads((tmp_path / "kwb" / "kwb_2019_84583NED_odata4.json").read_text("utf-8"))
    assert [o["Id"] for o in doc["value"]] == list(range(10))
    assert [done for label, done, _ in seen if label == "kwb 2019"] == [4, 8, 10]


def _break_page_two(server, api: str, how: str) -> str:
    """Break the nextLink of page 1 (or, ``loop``, of page 2); returns the broken link."""
    if api == "v3":
        route, page1, page2 = (
            "/cbs/84583NED/TypedDataSet",
            "cbs_84583NED_TypedDataSet",
            "$skiptoken",
        )
        url, back = "/cbs/84583NED/TypedDataSet?$format=json&$skiptoken=3", "?$format=json"
        key, value = "odata.nextLink", "3"
    else:
        route, page1, page2 = "/cbs4/84583NED/Observations", "cbs4_84583NED_Observations", "$skip"
        url, back, key, value = "/cbs4/84583NED/Observations?$skip=6", "", "@odata.nextLink", "6"
    first = (FIX / f"{page1}_page1.json").read_bytes()
    second = _fix_json(f"{page1}_page2.json")
    if how == "loop":  # page 2 links back to page 1
        second[key] = "{base}" + route + back
        url = route + back
    answers = {
        "404": (404, "application/json", b'{"odata.error":"not found"}'),
        "html": (200, "text/html", b"<html><body>Onderhoud</body></html>"),
        "novalue": (200, "application/json", b'{"odata.error": {"message": "busy"}}'),
        "loop": (200, "application/json", json.dumps(second).encode()),
    }
    server.routes[route] = Route(
        lambda q: answers[how] if q.get(page2) == value else first  # noqa: B023
    )
    return server.root + url


@pytest.mark.parametrize("api", ["v3", "v4"])
@pytest.mark.parametrize(
    ("how", "page", "what"),
    [
        ("404", 1, "mislukte (HTTP 404"),
        ("html", 1, "mislukte ("),
        ("novalue", 1, "antwoordde met JSON zonder lijst 'value'"),
        ("loop", 2, "wijst terug naar een pagina die al is opgehaald"),
    ],
)
def test_broken_nextlink_is_one_error_and_keeps_the_earlier_file(
    server, tmp_path, api, how, page, what
):
    assert _fetch(server, tmp_path, what=["kwb"], api=api).ok
    name = "kwb_2019_84583NED_odata.json" if api == "v3" else "kwb_2019_84583NED_odata4.json"
    out = tmp_path / "kwb" / name
    before, manifest = out.read_bytes(), (tmp_path / "fetch-manifest.json").read_bytes()
    url = _break_page_two(server, api, how)
    report = _fetch(server, tmp_path, what=["kwb"], api=api, force=True)
    (failed,) = report.failed
    msg = str(failed.error)
    assert f"de nextLink na pagina {page} is kapot: " in msg and what in msg
    assert unquote(failed.error.url) == url and f"kapot: {url} " in unquote(msg)
    assert "Er is niets geschreven" in msg
    if how == "404":
        assert failed.error.status == 404
    assert out.read_bytes() == before and not list(tmp_path.rglob("*.part"))
    assert (tmp_path / "fetch-manifest.json").read_bytes() == manifest


def test_broken_nextlink_in_auto_mode_does_not_fall_back(server, tmp_path):
    _break_page_two(server, "v3", "404")
    (failed,) = _fetch(server, tmp_path, what=["kwb"]).failed
    assert "de nextLink na pagina 1 is kapot" in str(failed.error)
    assert not server.requests("/cbs4/")


# -- auto: v3 first, v4 when v3 is down --------------------------------------------------------


def test_auto_falls_back_to_v4_when_v3_answers_503(server, tmp_path):
    server.routes["/cbs/84583NED/TableInfos"].fail = [503] * 10
    report = _fetch(server, tmp_path, what=["kwb"], retries=1)
    assert report.ok, report.failed
    assert len(server.requests("/cbs/84583NED/TableInfos")) == 2  # retried once, then v4
    assert not server.requests("/cbs/84583NED/TypedDataSet")
    assert (tmp_path / "kwb" / "kwb_2019_84583NED_odata4.json").exists()
    assert not (tmp_path / "kwb" / "kwb_2019_84583NED_odata.json").exists()
    # 503 half-way through the v3 download is an outage too
    server.routes["/cbs/84583NED/TableInfos"].fail = []
    server.routes["/cbs/84583NED/TypedDataSet"].fail = [503] * 10
    report = _fetch(server, tmp_path / "b", what=["kwb"], retries=1)
    assert report.ok and [w.path.name for w in report.written] == ["kwb_2019_84583NED_odata4.json"]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again before the fetch: nothing listens


def test_auto_falls_back_to_v4_when_the_v3_host_refuses(server, tmp_path):
    down = f"http://127.0.0.1:{_closed_port()}"
    urls = dataclasses.replace(BaseUrls.local(server.root), cbs_odata=f"{down}/cbs")
    report = fetch([2019], tmp_path, what=["kwb"], base_urls=urls, retries=0, backoff=0, timeout=2)
    assert report.ok, report.failed
    assert [w.path.name for w in report.written] == ["kwb_2019_84583NED_odata4.json"]
    # v3 only, or v4 down as well: the run stops with OfflineError (telling both, for auto)
    with pytest.raises(OfflineError, match="127.0.0.1 is niet bereikbaar"):
        fetch([2019], tmp_path, what=["kwb"], base_urls=urls, retries=0, backoff=0, api="v3")
    both = dataclasses.replace(urls, cbs_odata4=f"{down}/cbs4")
    with pytest.raises(
        OfflineError, match="OData v3 mislukte.*de terugval op OData v4 mislukte ook"
    ) as exc:
        fetch([2019], tmp_path / "c", what=["kwb"], base_urls=both, retries=0, backoff=0)
    assert f"{down}/cbs/84583NED/TableInfos" in str(exc.value)
    assert f"{down}/cbs4/84583NED/Properties" in str(exc.value)


def test_auto_does_not_fall_back_on_a_v3_404(server, tmp_path):
    server.routes["/cbs4/84286NED/Properties"] = Route(
        _titled("cbs4_84583NED_Properties.json", "Kerncijfers wijken en buurten 2018")
    )
    (failed,) = _fetch(server, tmp_path, years=[2018], what=["kwb"]).failed
    assert failed.error.status == 404 and "/cbs/84286NED/TableInfos" in failed.error.url
    assert "terugval" not in str(failed.error)
    assert not server.requests("/cbs4/")


def test_both_apis_failing_tell_both(server, tmp_path):
    server.routes["/cbs/84583NED/TableInfos"].fail = [503] * 10
    server.routes["/cbs4/84583NED/MeasureCodes"].fail = [502] * 10
    (failed,) = _fetch(server, tmp_path, what=["kwb"], retries=1).failed
    msg = str(failed.error)
    assert "HTTP 503" in msg and "/cbs/84583NED/TableInfos" in msg
    assert (
        "de terugval op OData v4 mislukte ook" in msg
        and "HTTP 502" in msg
        and "/cbs4/84583NED/MeasureCodes" in msg
    )
    assert failed.error.status == 503 and failed.error.url.endswith("/cbs/84583NED/TableInfos")
    assert failed.error.fallback.status == 502
    assert not (tmp_path / "kwb").exists() or not list((tmp_path / "kwb").iterdir())


def test_one_copy_per_table_when_the_api_changes(server, tmp_path):
    kwb = tmp_path / "kwb"
    v3, v4 = kwb / "kwb_2019_84583NED_odata.json", kwb / "kwb_2019_84583NED_odata4.json"

    def listed():
        return sorted(json.loads((tmp_path / "fetch-manifest.json").read_text())["files"])

    assert _fetch(server, tmp_path, what=["kwb"]).ok
    assert v3.exists() and listed() == ["kwb/kwb_2019_84583NED_odata.json"]
    # v3 down: v4 takes over and the v3 copy goes (file and manifest entry)
    server.routes["/cbs/84583NED/TableInfos"].fail = [503] * 10
    assert _fetch(server, tmp_path, what=["kwb"], retries=1, force=True).ok
    assert v4.exists() and not v3.exists() and listed() == ["kwb/kwb_2019_84583NED_odata4.json"]
    # auto takes either copy as complete: no request when one is there
    n = len(server.log)
    assert _fetch(server, tmp_path, what=["kwb"]).skipped == (v4,) and len(server.log) == n
    # v3 back and asked for: v3 replaces the v4 copy
    server.routes["/cbs/84583NED/TableInfos"].fail = []
    report = _fetch(server, tmp_path, what=["kwb"], api="v3")
    assert [w.path for w in report.written] == [v3]
    assert not v4.exists() and listed() == ["kwb/kwb_2019_84583NED_odata.json"]
    # and the other way round with api="v4"
    assert _fetch(server, tmp_path, what=["kwb"], api="v4").ok
    assert not v3.exists() and listed() == ["kwb/kwb_2019_84583NED_odata4.json"]
    # a failed fetch drops nothing
    server.routes["/cbs/84583NED/TableInfos"].fail = [503] * 10
    assert not _fetch(server, tmp_path, what=["kwb"], api="v3", retries=0).ok
    assert v4.exists() and listed() == ["kwb/kwb_2019_84583NED_odata4.json"]


def test_unknown_api_is_refused():
    with pytest.raises(ValueError, match="api moet een van auto, v3, v4 zijn; gekregen 'v5'"):
        fetch([2019], "unused", what=["kwb"], api="v5")


def test_cli_names_the_valid_api_choices(tmp_path):
    res = CliRunner().invoke(
        app, ["fetch", "--years", "2019", "--to", str(tmp_path), "--api", "v5"]
    )
    assert res.exit_code != 0
    assert isinstance(res.exception, WijkradarError)
    assert "--api" in str(res.exception) and "auto, v3, v4" in str(res.exception)
    assert "'v5'" in str(res.exception)
    assert not list(tmp_path.iterdir())  # refused before anything was fetched


# -- Leefbaarometer ----------------------------------------------------------------------------


def test_lbm_zip_gives_the_buurt_wijk_and_gemeente_scores(server, tmp_path):
    report = _fetch(server, tmp_path, what=["leefbaarometer"])
    assert report.ok, report.failed
    lbm = tmp_path / "leefbaarometer"
    assert sorted(p.name for p in lbm.iterdir()) == sorted(LBM_SCORES)  # zip gone, no junk
    for name in LBM_SCORES:
        assert (lbm / name).read_bytes() == (FIX / name).read_bytes()
    assert sorted(w.path.name for w in report.written) == sorted(LBM_SCORES)
    entry = json.loads((tmp_path / "fetch-manifest.json").read_text())["files"]
    extracted = entry["leefbaarometer/open-data-leefbaarometer-meting-2024.zip"]["extracted"]
    assert sorted(extracted) == sorted(f"leefbaarometer/{n}" for n in LBM_SCORES)


def test_lbm_zip_without_gemeenten_is_an_error_and_is_kept(server, tmp_path):
    path = "/lbm/open-data-leefbaarometer-meting-2024.zip"
    server.routes[path] = Route(_lbm_zip(("buurten", "wijken")), content_type="application/zip")
    report = _fetch(server, tmp_path, what=["leefbaarometer"])
    (failed,) = report.failed
    msg = str(failed.error)
    assert "geen Leefbaarometer-scorebestand voor gemeenten" in msg
    assert "Leefbaarometer-scores wijken 2002-2024.csv" in msg and "leesmij.pdf" in msg
    assert "._" not in msg  # the resource forks are no members worth naming
    assert failed.error.url.endswith(path)
    zip_path = tmp_path / "leefbaarometer" / "open-data-leefbaarometer-meting-2024.zip"
    assert zip_path.exists() and str(zip_path) in msg
    assert not list((tmp_path / "leefbaarometer").glob("*.csv"))
    files = json.loads((tmp_path / "fetch-manifest.json").read_text())["files"]
    assert "leefbaarometer/open-data-leefbaarometer-meting-2024.zip" not in files
    # not complete: the next run downloads it again (and succeeds once the zip is whole)
    server.routes[path] = Route(_lbm_zip(), content_type="application/zip")
    n = len(server.requests(path))
    again = _fetch(server, tmp_path, what=["leefbaarometer"])
    assert again.ok and len(server.requests(path)) == n + 1 and not zip_path.exists()
