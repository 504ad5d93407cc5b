"""The online fetcher against a real HTTP server on 127.0.0.1 (no internet).

The server speaks CBS OData v3 JSON (fixtures in tests/data/fetch), serves zips and supports
``Range``/``If-Range`` so resuming can be tested; routes can fail with given statuses first or
cut the connection half-way through a body.
"""

from __future__ import annotations

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
from urllib.parse import parse_qs, urlsplit

import geopandas as gpd
import pytest
from shapely.geometry import box

from wijkradar.errors import FetchError, OfflineError
from wijkradar.sources import fetch as fetch_mod
from wijkradar.sources.fetch import BaseUrls, FetchPlan, fetch, region_filter
from wijkradar.sources.police import read_police

FIX = Path(__file__).parent.parent / "data" / "fetch"


@dataclass
class Route:
    body: bytes | object  # bytes, or callable(query: dict) -> bytes
    status: int = 200
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
                body = body.replace(b"{base}", server.root.encode())
                self._serve(route, body)

            def _serve(self, route, body):
                start, status = 0, 200
                rng = self.headers.get("Range")
                if_range = self.headers.get("If-Range")
                if rng and (if_range is None or if_range == route.etag):
                    start = int(rng.split("=")[1].split("-")[0])
                    if start >= len(body):
                        return self._send(416, b"", "text/plain")
                    status = 206
                self.send_response(status)
                self.send_header("Content-Type", route.content_type)
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
    return buf.getvalue()


def _lbm_zip() -> bytes:
    buf = io.BytesIO()
    csv = FIX / "Leefbaarometer-scores buurten 2002-2024.csv"
    with zipfile.ZipFile(buf, "w") as zf:
        zf.write(csv, f"Leefbaarometer 3.0 - meting 2024 - open data/{csv.name}")
        zf.writestr("Leefbaarometer 3.0 - meting 2024 - open data/leesmij.pdf", b"%PDF-1.4")
    return buf.getvalue()


@pytest.fixture
def server(tmp_path_factory):
    srv = Server()
    srv.routes.update(
        {
            "/cbs/84583NED/DataProperties": Route(
                (FIX / "cbs_84583NED_DataProperties.json").read_bytes()
            ),
            "/cbs/84583NED/TypedDataSet": Route(_typed_dataset),
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
    lbm = tmp_path / "leefbaarometer" / "Leefbaarometer-scores buurten 2002-2024.csv"
    assert lbm.read_bytes() == (FIX / lbm.name).read_bytes()
    assert not (tmp_path / "leefbaarometer" / "leesmij.pdf").exists()
    manifest = json.loads((tmp_path / "fetch-manifest.json").read_text("utf-8"))
    assert manifest["files"]["kwb/kwb_2019_84583NED_odata.json"]["records"] == 5
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
    server.routes["/ODataApi/odata/84583NED/DataProperties"] = server.routes[
        "/cbs/84583NED/DataProperties"
    ]
    monkeypatch.setattr(fetch_mod, "ODATA_API_PAGE", 2)
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
    report = _fetch(server, tmp_path, what=["kwb"], retries=1)
    (failed,) = report.failed
    assert failed.error.status == 503 and "DataProperties" in failed.error.url
    assert len(server.requests("/cbs/84583NED/DataProperties")) == 2


def test_resume_after_connection_cut(server, tmp_path):
    data = random.Random(7).randbytes(300_000)
    path = "/pdok/2021/atom/downloads/wijkenbuurten_2021.gpkg"
    server.routes[path] = Route(data, content_type="application/geopackage+sqlite3", cut=1)
    first = _fetch(server, tmp_path, years=[2021], what=["geometry"], retries=0)
    assert not first.ok and "gave up" in str(first.failed[0].error)
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
    assert "/cbs/84286NED/DataProperties" in str(failed.error)
    with pytest.raises(FetchError, match="HTTP 404 from .*84286NED"):
        report.raise_on_failure()


def test_geometry_not_found_names_every_url(server, tmp_path):
    report = _fetch(server, tmp_path, years=[2017], what=["geometry"])
    msg = str(report.failed[0].error)
    assert "wijkbuurtkaart_2017_v3.zip" in msg and "wijkenbuurten_2017.gpkg" in msg


def test_connection_refused_is_offline(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again before the fetch: nothing listens
    with pytest.raises(OfflineError, match="cannot reach 127.0.0.1"):
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
    with pytest.raises(OfflineError, match="cannot reach wijkradar-test.invalid.*resolve"):
        fetch(
            [2019],
            tmp_path,
            what=["police"],
            retries=3,
            backoff=10,
            timeout=2,
            base_urls=BaseUrls.local("http://wijkradar-test.invalid"),
        )


def test_plan_validation_and_env_urls(monkeypatch, tmp_path):
    with pytest.raises(ValueError, match="known years"):
        FetchPlan((1999,), tmp_path, ("kwb",))
    with pytest.raises(ValueError, match="subset"):
        FetchPlan((2019,), tmp_path, ("weather",))
    assert FetchPlan((1999,), tmp_path, ("geometry",)).years == (1999,)
    monkeypatch.setenv("WIJKRADAR_CBS_ODATA_URL", "http://mirror/odata")
    urls = BaseUrls.from_env()
    assert urls.cbs_odata == "http://mirror/odata"
    assert urls.police_odata == BaseUrls().police_odata
