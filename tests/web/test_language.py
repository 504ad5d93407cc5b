"""Every API answer is in the requested language and says so in ``Content-Language``."""

import pytest


@pytest.mark.parametrize(
    ("url", "lang"),
    [
        ("/api/health", "nl"),
        ("/api/classes?lang=en", "en"),
        ("/api/signals?level=buurt&lang=en", "en"),
        ("/api/indicators?lang=nl", "nl"),
    ],
)
def test_content_language_follows_lang(client, url, lang):
    r = client.get(url)
    assert r.status_code == 200, r.text
    assert r.headers["content-language"] == lang


def test_the_profile_answers_in_one_language(client):
    nl = client.get("/api/regions/BU05990110").json()
    r = client.get("/api/regions/BU05990110?lang=en")
    assert r.status_code == 200 and r.headers["content-language"] == "en"
    en = r.json()
    assert "label_nl" not in en["signal"] and "description_en" not in en["signal"]
    assert all("sentence" in r and "sentence_nl" not in r for r in en["signal"]["reasons"])
    assert en["signal"]["label"] != nl["signal"]["label"]  # e.g. "Improving" / "Verbeterend"
    ind = en["indicators"][0]
    assert ind["label"] and "label_en" not in ind


def test_errors_answer_in_the_requested_language(client):
    nl = client.get("/api/regions/BU05999999")
    en = client.get("/api/regions/BU05999999?lang=en")
    assert nl.status_code == en.status_code == 404
    assert nl.headers["content-language"] == "nl" and en.headers["content-language"] == "en"
    assert "staat niet in de dataset" in nl.json()["error"]
    assert en.json()["error"].startswith("area 'BU05999999' is not in the dataset")


def test_guard_and_unknown_routes_are_translated_too(client):
    r = client.post("/api/health?lang=en")
    assert r.status_code == 405 and r.json()["error"].startswith("method not allowed")
    r = client.get("/api/nothing-here?lang=en")
    assert r.status_code == 404 and r.json()["error"].startswith("not found: /api/nothing-here")
    assert r.headers["content-language"] == "en"


def test_an_unknown_language_is_a_dutch_validation_error(client):
    r = client.get("/api/classes?lang=de")
    assert r.status_code == 422
    assert r.headers["content-language"] == "nl"
    assert r.json()["error"].startswith("ongeldige invoer")
