"""Fetching CBS 83131NED's yearly CPI into ``prices/cpi.csv``, against a local OData v3 server.

The server (``Server``/``Route`` of test_fetch.py) answers in 83131NED's documented v3 shape:
``TableInfos`` with the table's ``Title``, and ``TypedDataSet`` pages of records keyed by
``Bestedingscategorieen`` (padded: ``'T001112  '`` is all items) and ``Perioden`` (``2019JJ00``
yearly, ``2019MM12`` monthly) with the measures ``CPI_1`` (2015 = 100), ``CPIAfgeleid_2``,
``MaandmutatieCPI_3``, ``MaandmutatieCPIAfgeleid_4``, ``JaarmutatieCPI_5`` and
``JaarmutatieCPIAfgeleid_6``, paged with ``odata.nextLink``.
"""

from __future__ import annotations

import json

import pytest
from test_fetch import Route, Server
from typer.testing import CliRunner

from wijkradar.catalogue.prices import FETCHED_CPI, cpi_for_data, load_cpi
from wijkradar.cli.app import app
from wijkradar.errors import FetchError, WijkradarError
from wijkradar.sources.fetch import ALL, CHOICES, BaseUrls, FetchPlan, cpi_title_matches, fetch
from wijkradar.sources.fetch._odata import CPI_FILTER

TABLE = "/cbs/83131NED"
TITLE = "Consumentenprijzen; prijsindex 2015=100"


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)


def _record(n: int, period: str, cpi: float | None, category: str = "T001112  ") -> dict:
    return {
        "ID": n,
        "Bestedingscategorieen": category,
        "Perioden": period,
        "CPI_1": cpi,
        "CPIAfgeleid_2": None if cpi is None else round(cpi - 1.2, 2),
        "MaandmutatieCPI_3": None,
        "MaandmutatieCPIAfgeleid_4": None,
        "JaarmutatieCPI_5": 2.6,
        "JaarmutatieCPIAfgeleid_6": 1.6,
    }


def _table_infos(title: str = TITLE) -> bytes:
    doc = {
        "odata.metadata": "{base}/cbs/83131NED/$metadata#Cbs.OData.WebAPI.TableInfos",
        "value": [
            {
                "ID": 0,
                "Title": title,
                "ShortTitle": "Consumentenprijzen; 2015=100",
                "Identifier": "83131NED",
                "Frequency": "Permaand",
                "Period": "januari 1996 - december 2025",
            }
        ],
    }
    return json.dumps(doc).encode()


PAGE1 = [
    _record(0, "2018JJ00", 103.44),
    _record(1, "2019MM12", 107.0),  # monthly: not a yearly figure
    _record(2, "2019JJ00", 106.16),
]
PAGE2 = [
    _record(3, "2020JJ00", 107.52),
    _record(4, "2021JJ00", None),  # no figure (yet): left out
    _record(5, "2020JJ00", 99.0, category="CPI011000"),  # another category
]


def _typed_dataset(query: dict) -> bytes:
    meta = "{base}/cbs/83131NED/$metadata#Cbs.OData.WebAPI.TypedDataSet"
    if query.get("$skiptoken") == "3":
        return json.dumps({"odata.metadata": meta, "value": PAGE2}).encode()
    link = "{base}/cbs/83131NED/TypedDataSet?$format=json&$skiptoken=3"
    return json.dumps({"odata.metadata": meta, "value": PAGE1, "odata.nextLink": link}).encode()


@pytest.fixture
def server():
    srv = Server()
    srv.routes.update(
        {
            f"{TABLE}/TableInfos": Route(_table_infos()),
            f"{TABLE}/TypedDataSet": Route(_typed_dataset),
        }
    )
    yield srv
    srv.close()


def _fetch(server, to, **kw):
    kw.setdefault("backoff", 0)
    kw.setdefault("timeout", 5)
    return fetch(kw.pop("years", []), to, what=["cpi"], base_urls=BaseUrls.local(server.root), **kw)


def test_the_yearly_all_items_index_lands_in_prices(server, tmp_path):
    seen = []
    report = _fetch(server, tmp_path, progress=lambda *a: seen.append(a))
    assert report.ok, report.failed
    out = tmp_path / FETCHED_CPI
    assert [w.path for w in report.written] == [out]
    cpi = load_cpi(out)
    assert cpi.to_dict() == {2018: 103.44, 2019: 106.16, 2020: 107.52}
    assert cpi_for_data(tmp_path).equals(cpi)  # a data folder's own index comes first
    text = out.read_text("utf-8")
    head = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    for needed in ("83131NED", TITLE, "CPI_1", "T001112", "CC BY 4.0", "Bron: CBS"):
        assert needed in head, needed
    assert f"{server.root}/cbs/83131NED/TypedDataSet" in head and CPI_FILTER in head
    assert text.splitlines()[-4:] == ["year,cpi", "2018,103.44", "2019,106.16", "2020,107.52"]
    # the title first, then the data, filtered on all items and yearly periods; both pages
    assert server.log[0][0] == f"{TABLE}/TableInfos"
    (_, query, _), (_, page2, _) = server.requests("TypedDataSet")
    assert query["$filter"] == CPI_FILTER
    assert "Bestedingscategorieen eq 'T001112  '" in CPI_FILTER
    assert "substringof('JJ',Perioden)" in CPI_FILTER
    assert query["$select"] == "Bestedingscategorieen,Perioden,CPI_1"
    assert query["$format"] == "json" and page2.get("$skiptoken") == "3"
    manifest = json.loads((tmp_path / "fetch-manifest.json").read_text("utf-8"))
    entry = manifest["files"]["prices/cpi.csv"]
    assert entry["records"] == 3 and entry["title"] == TITLE and entry["api"] == "v3"
    assert entry["query"] == CPI_FILTER and entry["size"] == out.stat().st_size
    assert entry["url"] == f"{server.root}/cbs/83131NED/TypedDataSet"
    assert any(label == "cpi" and done == 6 for label, done, _ in seen)


def test_a_complete_index_is_skipped_without_requests(server, tmp_path):
    assert _fetch(server, tmp_path).ok
    n = len(server.log)
    again = _fetch(server, tmp_path)
    assert again.ok and not again.written and again.skipped == (tmp_path / FETCHED_CPI,)
    assert len(server.log) == n
    forced = _fetch(server, tmp_path, force=True)
    assert [w.path.name for w in forced.written] == ["cpi.csv"] and len(server.log) > n


def test_another_table_is_refused_before_its_data(server, tmp_path):
    server.routes[f"{TABLE}/TableInfos"] = Route(_table_infos("Consumentenprijzen; 2006=100"))
    (failed,) = _fetch(server, tmp_path).failed
    assert failed.what == "cpi" and failed.target == "83131NED"
    msg = str(failed.error)
    assert "83131NED: de tabel op" in msg and "'Consumentenprijzen; 2006=100'" in msg
    assert f"verwacht werd {TITLE!r}" in msg
    assert not server.requests("TypedDataSet") and not (tmp_path / FETCHED_CPI).exists()
    assert cpi_title_matches(TITLE) and not cpi_title_matches("Consumentenprijzen; 2006=100")


def test_an_answer_without_yearly_figures_is_an_error(server, tmp_path):
    empty = json.dumps({"value": [_record(0, "2019MM12", 107.0)]}).encode()
    server.routes[f"{TABLE}/TypedDataSet"] = Route(empty)
    (failed,) = _fetch(server, tmp_path).failed
    assert isinstance(failed.error, FetchError)
    assert "geen jaarcijfer CPI_1 voor alle bestedingen (T001112) in 1 rijen" in str(failed.error)
    assert "kolommen: Bestedingscategorieen, CPIAfgeleid_2" in str(failed.error)
    assert not (tmp_path / FETCHED_CPI).exists()


def test_a_figure_that_is_no_positive_number_is_an_error(server, tmp_path):
    bad = json.dumps({"value": [_record(0, "2019JJ00", -1.0)]}).encode()
    server.routes[f"{TABLE}/TypedDataSet"] = Route(bad)
    (failed,) = _fetch(server, tmp_path).failed
    assert "2019JJ00: CPI_1 is geen positief getal: -1.0" in str(failed.error)


def test_a_missing_table_is_a_404_failure(server, tmp_path):
    del server.routes[f"{TABLE}/TypedDataSet"]
    (failed,) = _fetch(server, tmp_path, retries=0).failed
    assert failed.error.status == 404
    assert "/cbs/83131NED/TypedDataSet?" in failed.error.url and "T001112" in failed.error.url


def test_cpi_is_fetched_only_when_asked_and_needs_no_years(tmp_path):
    assert "cpi" not in ALL and "cpi" in CHOICES
    FetchPlan(years=(), to=tmp_path, what=("cpi",))
    FetchPlan(years=(), to=tmp_path, what=("cpi", "leefbaarometer"))
    with pytest.raises(ValueError, match="years moet een niet-lege reeks"):
        FetchPlan(years=(), to=tmp_path, what=("cpi", "kwb"))
    with pytest.raises(ValueError, match="deelverzameling zijn van kwb, .*, cpi; gekregen"):
        FetchPlan(years=(2019,), to=tmp_path, what=("weather",))


def test_cli_fetches_the_index_without_years(server, tmp_path, monkeypatch):
    monkeypatch.setenv("WIJKRADAR_CBS_ODATA_URL", f"{server.root}/cbs")
    res = CliRunner().invoke(app, ["fetch", "--to", str(tmp_path), "--what", "cpi"])
    assert res.exit_code == 0, res.output
    assert load_cpi(tmp_path / FETCHED_CPI)[2019] == 106.16
    res = CliRunner().invoke(app, ["fetch", "--to", str(tmp_path / "x"), "--what", "kwb,cpi"])
    assert res.exit_code != 0 and isinstance(res.exception, WijkradarError)
    assert "--years is nodig voor kwb,cpi" in str(res.exception)
    assert not (tmp_path / "x").exists()
