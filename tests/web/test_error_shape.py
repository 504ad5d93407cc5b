"""One error shape for every failure: every route × bad input gives a 4xx with
``{ok: false, status, error, errors}``, never a 500, never a traceback; nothing outside the
dataset directory is readable."""

from __future__ import annotations

import pytest

ROUTES = [
    "/api/health",
    "/api/indicators",
    "/api/classes",
    "/api/regions",
    "/api/regions/BU05990110",
    "/api/signals",
    "/api/map/buurt",
    "/api/export",
]

BAD = [
    ("/api/indicators?lang=fr", 422),
    ("/api/classes?lang=xx", 422),
    ("/api/regions?level=provincie", 422),
    ("/api/regions?limit=201", 422),
    ("/api/regions?limit=0", 422),
    ("/api/regions?limit=abc", 422),
    ("/api/regions?gemeente=Amsterdam", 422),
    ("/api/regions?q=" + "x" * 101, 422),
    ("/api/regions/BU99999999", 404),
    ("/api/regions/XX", 422),
    ("/api/regions/BU05990110?year=abc", 422),
    ("/api/regions/BU05990110?view=sideways", 422),
    ("/api/regions/BU05990110?year=1999", 400),
    ("/api/signals?level=land", 422),
    ("/api/signals?year=1999", 404),
    ("/api/signals?year=20x9", 422),
    ("/api/signals?view=x", 422),
    ("/api/signals?gemeente=GM99", 422),
    ("/api/signals?lang=de", 422),
    ("/api/map/provincie", 422),
    ("/api/map/buurt?year=1850", 422),
    ("/api/map/buurt?year=2001", 404),
    ("/api/map/buurt?zoom=-1", 422),
    ("/api/map/buurt?zoom=abc", 422),
    ("/api/map/buurt?indicator=nope", 404),
    ("/api/map/buurt?indicator=../../etc", 422),
    ("/api/export?format=xlsx", 422),
    ("/api/export?format=../../x", 422),
    ("/api/export?level=x", 422),
    ("/api/export?year=1999", 404),
    ("/api/nope", 404),
    ("/api/regions/..%2F..%2Fetc", 404),
    ("/api/regions/%2e%2e%2f%2e%2e%2fpyproject.toml", 404),
    ("/../../etc/passwd", 404),
    ("/static/../pyproject.toml", 404),
    ("/..%2F..%2F..%2Fpyproject.toml", 404),
    ("/%2e%2e/%2e%2e/%2e%2e/pyproject.toml", 404),
    ("/api/signals?%zz=%ff&year=%", 422),
]


def assert_shape(r, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"ok", "status", "error", "errors"}
    assert body["ok"] is False and body["status"] == status and body["error"]
    assert isinstance(body["errors"], list)
    assert all(set(e) == {"loc", "msg"} for e in body["errors"])
    assert "Traceback" not in r.text and 'File "' not in r.text
    return body


@pytest.mark.parametrize("url,status", BAD, ids=[u for u, _ in BAD])
def test_bad_input_gives_the_error_shape(client, url, status):
    body = assert_shape(client.get(url), status)
    if status == 422:
        assert body["errors"] and body["errors"][0]["loc"]


def test_unknown_year_lists_the_years(client):
    body = assert_shape(client.get("/api/signals?level=buurt&year=2001"), 404)
    assert "2018" in body["error"] and "2020" in body["error"]


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("url", ROUTES)
def test_write_methods_are_405(client, method, url):
    r = client.request(method, url, content=b"{}")
    assert_shape(r, 405)
    assert "GET" in r.headers["allow"]


@pytest.mark.parametrize("url", ROUTES)
def test_oversized_query_is_414(client, url):
    assert_shape(client.get(url + "?q=" + "a" * 3000), 414)


def test_get_with_body_is_413(client):
    assert_shape(client.request("GET", "/api/health", content=b"x" * 10), 413)


def test_head_and_options_are_not_405(client):
    assert client.head("/api/health").status_code == 200


def test_unexpected_exception_is_a_plain_500(client, monkeypatch, caplog):
    state = client.app.state.web

    def boom(*a, **k):
        raise RuntimeError("secret detail /etc/passwd")

    monkeypatch.setattr(state, "search", boom)
    r = client.get("/api/regions?q=x")
    body = assert_shape(r, 500)
    assert body["error"] == "interne fout"
    assert "secret" not in r.text
    assert "secret detail" in caplog.text  # logged server-side


def test_no_file_outside_the_dataset_is_readable(client, tiny_dataset):
    probes = [
        "/pyproject.toml",
        "/../pyproject.toml",
        "/%2e%2e/pyproject.toml",
        "/api/../../pyproject.toml",
        f"/{tiny_dataset}/manifest.json",
        "/manifest.json",
        "/panel.parquet",
        "/etc/passwd",
        "//etc/passwd",
    ]
    for url in probes:
        r = client.get(url)
        assert r.status_code == 404, url
        assert b"[project]" not in r.content and b"root:" not in r.content
