"""The risico layer, the backtest, stijgers en dalers and the profile's risk and trajectory in a
real browser (Debian Chromium + Playwright) on the real app and real data.

The first warning of wijk level takes a minute or more on a cold server (features, backtest,
bootstrap refits): the page says ``document.body.dataset.riskStatus = 'ready'`` once the map
and the legend show it, and the test waits for that, not for a time.
"""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

from wijkradar.palette import RISK_RAMP

IDLE = "window.mapStatus && window.mapStatus.startsWith('idle')"
RISK_READY = "['ready', 'error'].includes(document.body.dataset.riskStatus)"
COLD_WARNING_MS = 600_000
# the risico ramp (palette.py, served by /api/classes) drawn at fill-opacity 0.92 over #e8ecef
BACKGROUND = np.array((0xE8, 0xEC, 0xEF), float)


def _rgb(h: str) -> np.ndarray:
    return np.array([int(h[i : i + 2], 16) for i in (1, 3, 5)], float)


def _api(page, path: str):
    return page.evaluate(f"fetch({json.dumps(path)}).then(r => r.json())")


def _share_in_risk_colours(png: bytes, box: dict) -> float:
    from PIL import Image

    img = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), float)
    img = img[
        int(box["y"]) : int(box["y"] + box["height"]), int(box["x"]) : int(box["x"] + box["width"])
    ]
    px = img.reshape(-1, 3)
    hit = np.zeros(len(px), bool)
    for c in RISK_RAMP:
        hit |= np.abs(px - (0.92 * _rgb(c) + 0.08 * BACKGROUND)).max(axis=1) <= 14
    return float(hit.mean())


@pytest.mark.browser
def test_risk_layer_backtest_movers_and_profile(new_page, live_server, artifacts):
    page = new_page()
    page.goto(live_server + "/?level=wijk&year=2014")
    page.wait_for_function(IDLE, timeout=60_000)

    # the risico layer: colours, the outcome in words and the backtest's sentence
    page.select_option("#layer", "risk")
    page.wait_for_function(RISK_READY, timeout=COLD_WARNING_MS)
    assert page.evaluate("document.body.dataset.riskStatus") == "ready"
    page.wait_for_function(IDLE)
    warning = _api(page, "/api/warning?level=wijk&year=2014&view=absolute&lang=nl")
    summary = warning["summary"]
    legend = page.locator("#legend")
    text = legend.inner_text()
    assert text.startswith("Risico 2014")
    assert summary["backtest_text"] in text and summary["backtest_text"].startswith("Backtest")
    assert summary["outcome_text"] in text
    assert "geen risico berekend" in text
    counts = legend.locator("li[data-bin] .count-n").all_inner_texts()
    assert len(counts) == 6 and sum(int(c.replace(".", "")) for c in counts) > 1000
    assert "layer=risk" in page.url
    png = page.screenshot(path=str(artifacts / "risk_wijk_2014.png"))
    share = _share_in_risk_colours(png, page.locator("#map").bounding_box())
    assert share > 0.15, f"only {share:.1%} of the map in risk colours"
    legend.screenshot(path=str(artifacts / "risk_legend.png"))

    # the full backtest in a dialog, as many rows as the API has
    legend.get_by_role("button", name="Volledige backtest").click()
    page.wait_for_selector("#backtest-dialog[open] table.backtest tbody tr")
    bt = _api(page, "/api/warning/backtest?level=wijk&outcome=weak&horizon=1&view=absolute")
    assert page.locator("#backtest-dialog table.backtest tbody tr").count() == bt["count"] > 2
    assert page.locator("#backtest-json").get_attribute("href").startswith("api/warning/backtest?")
    page.screenshot(path=str(artifacts / "risk_backtest_dialog.png"))
    page.keyboard.press("Escape")
    page.wait_for_selector("#backtest-dialog", state="hidden")

    # stijgers en dalers of the focus gemeente (Amsterdam), the latest editions with movers
    page.locator("#movers-open").click()
    page.wait_for_selector("#movers .mv-list[data-direction=daler] li")
    movers = _api(page, "/api/movers?level=wijk&gemeente=GM0363&view=absolute&n=10")
    head = page.locator("#movers .mv-head").inner_text()
    assert f"{movers['year_from']} → {movers['year_to']}" in head and "Amsterdam" in head
    first = movers["movers"][0]
    assert first["direction"] == "daler"
    row = page.locator("#movers .mv-list li").first
    assert first["name"] in row.inner_text() and first["drivers"][0]["label"] in row.inner_text()
    page.locator("#movers").screenshot(path=str(artifacts / "movers_wijk.png"))

    # a click selects the region: its profile with risk, drivers, backtest and trajectory
    row.locator("button[data-goto]").click()
    page.wait_for_selector("#profile:not([hidden]) .risk-box .risk-value")
    assert page.locator("#profile-title").inner_text() == first["name"]
    assert f"sel={first['code']}" in page.url
    risk = next(r for r in warning["risks"] if r["code"] == first["code"])
    box = page.locator("#profile .risk-box").inner_text()
    assert all(d["text"] in box for d in risk["drivers"])
    assert summary["backtest_text"] in box
    assert "bandbreedte" in box
    page.wait_for_selector("#profile table.trajectory tbody tr")
    traj = page.locator("#profile table.trajectory").inner_text()
    assert "Wijk" in traj and "Gemeente" in traj and "2014" in traj
    # meerschalig: its latest change beside its neighbours', in the API's words
    tr = page.evaluate(f"fetch('/api/regions/{first['code']}/trajectory').then((r) => r.json())")
    known = [r for r in tr["surroundings"] if r["year"] <= 2014 and r["change"] is not None]
    assert known, "a daler has a change since its previous edition"
    latest = max(r["year"] for r in known)
    text = page.locator("#profile .surroundings").inner_text()
    assert f"({latest}," in text
    assert all(r["text"] in text for r in known if r["year"] == latest)
    page.wait_for_function(IDLE)
    page.screenshot(path=str(artifacts / "risk_profile.png"))
    page.locator("#profile [data-slot=risk]").scroll_into_view_if_needed()
    page.locator("#profile").screenshot(path=str(artifacts / "risk_profile_box.png"))
    page.locator("#profile [data-slot=trajectory]").scroll_into_view_if_needed()
    page.locator("#profile").screenshot(path=str(artifacts / "risk_profile_trajectory.png"))
    page.locator("#profile .surroundings").scroll_into_view_if_needed()
    page.locator("#profile").screenshot(path=str(artifacts / "risk_profile_surroundings.png"))

    # in English: the legend, the movers and the profile follow
    page.get_by_role("button", name="EN", exact=True).click()
    page.wait_for_function(
        "document.querySelector('#legend').innerText.includes('no risk computed')"
    )
    assert legend.inner_text().startswith("Risk 2014")
    page.wait_for_function("document.querySelector('#movers').innerText.includes('Fallers')")
    page.wait_for_function(
        "document.querySelector('#profile .risk-box')?.innerText.includes('range')"
    )
    page.screenshot(path=str(artifacts / "risk_english.png"))
    assert page.external_requests == []
    assert page.errors == []


@pytest.mark.browser
def test_risk_layer_shows_the_apis_message_when_there_is_no_model(new_page, live_server):
    page = new_page()
    page.goto(live_server + "/?level=buurt&year=2024&layer=risk")
    page.wait_for_function(RISK_READY, timeout=COLD_WARNING_MS)
    assert page.evaluate("document.body.dataset.riskStatus") == "error"
    message = page.locator("#legend .risk-error").inner_text()
    assert "geen kenmerken voor buurt in 2024" in message
    assert page.errors == []
