"""The early warning, stijgers en dalers and trajectories over the API: the shapes, the
choices the API makes for the page (the editions to compare), and bad input as the one error
shape in the request's language. Error paths on the tiny dataset (everywhere); the answers
themselves on the real data (``real_client``)."""

from __future__ import annotations

import pytest

from wijkradar.analysis.warning import METRIC_COLUMNS
from wijkradar.errors import WijkradarError
from wijkradar.wording import words


def assert_shape(r, status: int) -> dict:
    """The one error shape (as in test_error_shape.py)."""
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"ok", "status", "error", "errors"}
    assert body["ok"] is False and body["status"] == status and body["error"]
    assert "Traceback" not in r.text
    return body


BAD = [
    ("/api/warning?outcome=worse", 422),
    ("/api/warning?horizon=0", 422),
    ("/api/warning?horizon=x", 422),
    ("/api/warning?level=land", 422),
    ("/api/warning?gemeente=Rotterdam", 422),
    ("/api/warning?lang=de", 422),
    ("/api/warning", 400),  # the tiny data have no outcome to learn from
    ("/api/warning/backtest?outcome=x", 422),
    ("/api/warning/backtest", 400),
    ("/api/movers?by=../etc", 422),
    ("/api/movers?n=0", 422),
    ("/api/movers?from=abc", 422),
    ("/api/movers?by=nonsense", 400),
    ("/api/movers?by=signal", 400),
    ("/api/movers?from=2020&to=2018", 400),
    ("/api/movers?gemeente=GM9999", 400),
    ("/api/movers", 400),  # no two editions with a problems score
    ("/api/regions/BU99999999/trajectory", 404),
    ("/api/regions/XX/trajectory", 422),
    ("/api/regions/BU05990110/trajectory?view=sideways", 422),
]


@pytest.mark.parametrize("url,status", BAD, ids=[u for u, _ in BAD])
def test_bad_input_gives_the_error_shape(client, url, status):
    assert_shape(client.get(url), status)


def _library_message(call) -> WijkradarError:
    with pytest.raises(WijkradarError) as e:
        call()
    return e.value


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_errors_are_the_librarys_message_in_the_requested_language(client, lang):
    ds = client.app.state.web.ds
    movers = {"level": "buurt", "year_from": 1, "year_to": 2}
    cases = [
        ("/api/movers?by=nonsense", lambda: ds.movers(**movers, by="nonsense")),
        ("/api/movers?by=signal", lambda: ds.movers(**movers, by="signal")),
        ("/api/warning?level=wijk", lambda: ds.warning(level="wijk")),
    ]
    for url, call in cases:
        r = client.get(f"{url}&lang={lang}")
        body = assert_shape(r, 400)
        assert r.headers["content-language"] == lang
        assert body["error"] == _library_message(call).render(words(lang))


def test_movers_without_two_editions_says_which_editions_there_are(client):
    body = assert_shape(client.get("/api/movers?level=wijk&by=composition"), 400)
    assert "composition op wijkniveau heeft geen twee edities" in body["error"]


def test_trajectory_of_a_buurt_has_its_wijk_and_gemeente_beside_it(client):
    r = client.get("/api/regions/bu05990110/trajectory")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["code"] == "BU05990110" and body["level"] == "buurt"
    scales = body["scales"]
    assert [(s["scale"], s["code"], s["level"]) for s in scales] == [
        ("region", "BU05990110", "buurt"),
        ("wijk", "WK059901", "wijk"),
        ("gemeente", "GM0599", "gemeente"),
    ]
    assert scales[0]["name"] == "Stadsdriehoek"
    for s in scales:
        years = [row["year"] for row in s["rows"]]
        assert years == sorted(years) and years
        for row in s["rows"]:
            assert set(row) == {"year", "composition", "problems", "signal", "lbm_class", "series"}
            assert row["series"].startswith(s["code"])
    wijk = client.get("/api/regions/WK059901/trajectory").json()
    assert [s["scale"] for s in wijk["scales"]] == ["region", "gemeente"]
    gm = client.get("/api/regions/GM0599/trajectory").json()
    assert [s["scale"] for s in gm["scales"]] == ["region"]


@pytest.mark.parametrize("lang,word", [("nl", "sinds"), ("en", "since")])
def test_trajectory_says_whether_the_region_moves_with_its_surroundings(real_client, lang, word):
    client = real_client
    ds = client.app.state.web.ds
    frame = ds.surroundings(level="buurt")
    moved = frame[frame["change"].notna() & (frame["neighbours"] > 0)]
    assert len(moved), "the test data should have a buurt with a change and neighbours"
    code = moved.iloc[0]["code"]
    body = client.get(f"/api/regions/{code}/trajectory?lang={lang}").json()
    rows = body["surroundings"]
    assert rows and {r["axis"] for r in rows} <= {"composition", "problems"}
    mine = frame[frame["code"] == code]
    assert len(rows) == len(mine)
    for r in rows:
        assert r["relation"] in ("with", "against", "alone", "holds", "stable", "unknown")
        if r["change"] is not None and r["neighbours"]:
            assert word in r["text"] and str(r["previous_year"]) in r["text"]
    gm = client.get("/api/regions/GM0599/trajectory").json()
    assert gm["surroundings"] == []  # a gemeente: its own trajectory only


def test_new_routes_are_documented(client):
    paths = client.get("/openapi.json").json()["paths"]
    for p in ("/api/warning", "/api/warning/backtest", "/api/movers"):
        assert p in paths and paths[p]["get"]["summary"]
    assert "/api/regions/{code}/trajectory" in paths


# -- the real data --------------------------------------------------------------------------

ROTTERDAM = "level=buurt&year=2018&gemeente=GM0599&view=relative"


def test_real_warning_rotterdam_buurten(real_client):
    r = real_client.get(f"/api/warning?{ROTTERDAM}")
    assert r.status_code == 200, r.text
    assert r.headers["content-language"] == "nl"
    body = r.json()
    s = body["summary"]
    assert s["level"] == "buurt" and s["year"] == 2018 and s["outcome"] == "weak"
    assert s["outcome_text"] and s["n_train"] > 0 and s["events"] > 0
    assert set(s["backtest"]) >= {"split", "origin", "target", "roc_auc", "baseline", "beats"}
    assert s["backtest_text"].startswith("Backtest ")
    risks = body["risks"]
    assert body["count"] == len(risks) > 20
    assert all(c["code"].startswith("BU0599") for c in risks)
    values = [c["risk"] for c in risks]
    assert values == sorted(values, reverse=True)
    for c in risks:
        assert 0 <= c["risk_low"] <= c["risk_high"] <= 1 and 0 <= c["risk"] <= 1
        assert c["drivers"] and all(d["text"] for d in c["drivers"])
    # the sentences are the library's, in the language asked for
    ds = real_client.app.state.web.ds
    res = ds.warning(level="buurt", year=2018, gemeente="GM0599", view="relative")
    en = real_client.get(f"/api/warning?{ROTTERDAM}&lang=en")
    assert en.headers["content-language"] == "en"
    assert en.json()["summary"] == res.summary(ds.indicators, "en")
    assert en.json()["risks"][0]["drivers"] == res.records(ds.indicators, "en")[0]["drivers"]


def test_real_warning_errors_say_why(real_client):
    body = assert_shape(real_client.get("/api/warning?level=buurt&year=2024"), 400)
    assert "geen kenmerken voor buurt in 2024" in body["error"]
    body = assert_shape(real_client.get("/api/warning?level=wijk&horizon=9"), 400)
    assert "horizon 9 gaat voorbij de gegevens" in body["error"]


def test_real_backtest_table(real_client):
    q = "level=buurt&gemeente=GM0599&view=relative"
    r = real_client.get(f"/api/warning/backtest?{q}")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["columns"] == [*METRIC_COLUMNS, "rule_text"]
    assert body["count"] == len(body["data"]) > 2
    rows = body["data"]
    assert {r["kind"] for r in rows} == {"model", "baseline"}
    assert all(set(r) == set(body["columns"]) and r["rule_text"] for r in rows)
    # NaN → null: a naive baseline has no Brier score
    assert any(r["kind"] == "baseline" and r["brier"] is None for r in rows)
    ds = real_client.app.state.web.ds
    from wijkradar.dataset.warning import backtest

    assert len(rows) == len(backtest(ds, level="buurt", gemeente="GM0599", view="relative"))


def test_real_movers_pick_the_latest_editions_with_movers(real_client):
    r = real_client.get("/api/movers?level=wijk&gemeente=GM0363")
    assert r.status_code == 200, r.text
    body = r.json()
    # Amsterdam's wijken have a problems score in 2012, 2014 and 2017; all of them changed
    # their code between 2014 and 2017, so the pair before is the one with movers
    assert (body["year_from"], body["year_to"]) == (2012, 2014)
    assert body["by"] == "problems" and body["by_label"] == "problemenscore"
    movers = body["movers"]
    assert movers and all(m["code"].startswith("WK0363") for m in movers)
    dalers = [m for m in movers if m["direction"] == "daler"]
    stijgers = [m for m in movers if m["direction"] == "stijger"]
    assert dalers and stijgers and len(dalers) <= 10 and len(stijgers) <= 10
    assert all(m["change"] > 0 and m["direction_text"] == "daler" for m in dalers)
    assert all(m["change"] < 0 for m in stijgers)
    assert [m["rank"] for m in dalers] == list(range(1, len(dalers) + 1))
    d = next(m for m in movers if m["drivers"])["drivers"][0]
    assert set(d) == {"indicator", "label", "percentile_change", "contribution"} and d["label"]
    # the pair asked for, and a missing edition next to the other
    cut = real_client.get("/api/movers?level=wijk&gemeente=GM0363&from=2014&to=2017").json()
    assert cut["movers"] == [] and cut["left_out_at_cut"] > 50
    to = real_client.get("/api/movers?level=buurt&gemeente=GM0599&to=2017&n=2").json()
    assert (to["year_from"], to["year_to"]) == (2016, 2017) and len(to["movers"]) == 4
    en = real_client.get("/api/movers?level=wijk&gemeente=GM0363&lang=en").json()
    w = words("en")
    assert en["movers"][0]["direction_text"] == w.mover_direction("daler")


def test_real_movers_without_two_editions(real_client):
    body = assert_shape(real_client.get("/api/movers?level=buurt&gemeente=GM0363"), 400)
    assert "heeft geen twee edities" in body["error"] and "2017" in body["error"]


def test_real_trajectory_is_meerschalig(real_client):
    body = real_client.get("/api/regions/BU03630001/trajectory").json()
    assert [(s["scale"], s["code"]) for s in body["scales"]] == [
        ("region", "BU03630001"),
        ("wijk", "WK036300"),
        ("gemeente", "GM0363"),
    ]
    classes = {c["id"] for c in real_client.get("/api/classes").json()["data"]}
    for s in body["scales"]:
        assert s["rows"]
        for row in s["rows"]:
            assert row["composition"] in (None, 1, 2, 3, 4, 5)
            assert row["problems"] in (None, 1, 2, 3, 4, 5)
            assert row["lbm_class"] is None or 1 <= row["lbm_class"] <= 9
            assert row["signal"] is None or row["signal"] in classes
    gm = body["scales"][2]["rows"]
    assert any(r["lbm_class"] for r in gm)  # Amsterdam has Leefbaarometer classes
    assert {r["series"] for r in body["scales"][0]["rows"]} != {"BU03630001"}  # a reused code
