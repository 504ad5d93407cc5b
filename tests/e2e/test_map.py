"""The web page in a real browser (Debian Chromium + Playwright) on the real app and real data.

Each test loads the page fresh. No timed assertions: the page reports ``window.mapStatus =
'idle:<rendered features>'`` after MapLibre's idle event and the tests wait for it.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest

TABLET = {"width": 768, "height": 1024}

ROOT = Path(__file__).parents[2]
STATIC = ROOT / "src" / "wijkradar" / "web" / "static"
IDLE = "window.mapStatus && window.mapStatus.startsWith('idle')"
# idle, and the map neither moving nor loading: safe to click on what is drawn
SETTLED = f"{IDLE} && window.wijkradar.map.loaded() && !window.wijkradar.map.isMoving()"
# the class colours (Okabe-Ito and the aubergine of "structural") drawn at fill-opacity 0.92
# over the #e8ecef background
CLASS_COLOURS = ["#D55E00", "#E69F00", "#5B2C6F", "#009E73", "#56B4E9", "#BBBBBB"]
EENDRACHTSPARK = ("BU03637804", 4.81007, 52.3825)  # Amsterdam, 2019: small, much new building
BACKGROUND = (0xE8, 0xEC, 0xEF)


def _rgb(h: str) -> np.ndarray:
    return np.array([int(h[i : i + 2], 16) for i in (1, 3, 5)], float)


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_function(IDLE, timeout=30_000)


def _rendered(page) -> int:
    return int(page.evaluate("window.mapStatus").split(":")[1])


def _api(page, path: str):
    return page.evaluate(f"fetch({json.dumps(path)}).then(r => r.json())")


def _click_region(page, codes: set[str]) -> str:
    """Click the map on a rendered polygon whose code is in ``codes``; returns that code."""
    hit = page.evaluate(
        """(codes) => {
          const m = window.wijkradar.map, c = m.getCanvas().getBoundingClientRect();
          const card = document.querySelector('#controls').getBoundingClientRect();
          for (let y = 40; y < c.height - 40; y += 12) for (let x = 40; x < c.width - 60; x += 12) {
            if (x + c.left < card.right + 10 && y + c.top < card.bottom + 10) continue;
            const f = m.queryRenderedFeatures([x, y], {layers: ['regions-fill']})[0];
            if (!f || !codes.includes(f.properties.code)) continue;
            // the same polygon a few pixels around: not on an edge
            const ok = [[-4, 0], [4, 0], [0, -4], [0, 4]].every(([dx, dy]) => {
              const g = m.queryRenderedFeatures([x + dx, y + dy], {layers: ['regions-fill']})[0];
              return g && g.properties.code === f.properties.code;
            });
            if (ok) return {x: x + c.left, y: y + c.top, code: f.properties.code};
          }
          return null;
        }""",
        sorted(codes),
    )
    assert hit, "no clickable polygon with reasons on screen"
    page.mouse.move(hit["x"], hit["y"])
    page.mouse.click(hit["x"], hit["y"])
    return hit["code"]


def test_vendored_maplibre_matches_package_json():
    """The vendored MapLibre is the version web/package.json pins (see web/README.md)."""
    pinned = json.loads((ROOT / "web" / "package.json").read_text())["dependencies"]["maplibre-gl"]
    head = (STATIC / "vendor" / "maplibre-gl.js").read_text(encoding="utf-8")[:400]
    banner = re.search(r"maplibre-gl-js/blob/v([0-9][0-9.]*[0-9])/LICENSE", head)
    assert banner, "no version banner at the top of vendor/maplibre-gl.js"
    assert banner.group(1) == pinned
    assert (STATIC / "vendor" / "maplibre-gl.css").stat().st_size > 10_000


def test_modules_and_import_map_resolve():
    """index.html loads js/main.js as a module; every relative import and the import map's
    MapLibre shim exist (the page has no build step that would notice a missing file)."""
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    assert '<script type="module" src="js/main.js"></script>' in html
    imports = json.loads(re.search(r'<script type="importmap">(.*?)</script>', html, re.S)[1])
    shim = STATIC / imports["imports"]["maplibre-gl"]
    assert shim.is_file() and "./maplibre-gl.js" in shim.read_text(encoding="utf-8")
    modules = sorted((STATIC / "js").glob("*.js"))
    assert {m.name for m in modules} >= {
        "main.js", "state.js", "api.js", "i18n.js", "map.js", "search.js", "profile.js",
        "charts.js", "compare.js",
    }  # fmt: skip
    reached = set()
    todo = [STATIC / "js" / "main.js"]
    while todo:
        m = todo.pop()
        if m in reached:
            continue
        reached.add(m)
        for spec in re.findall(r'^import\s[^;]*?from "([^"]+)";', m.read_text("utf-8"), re.M):
            if spec in imports["imports"]:
                continue
            target = (m.parent / spec).resolve()
            assert target.is_file(), f"{m.name} imports missing {spec}"
            todo.append(target)
    assert reached == {m.resolve() for m in modules}, "a module main.js does not reach"
    preloaded = set(re.findall(r'<link rel="modulepreload" href="js/([^"]+)">', html))
    assert preloaded == {m.name for m in modules}, "index.html preloads every module"
    for m in modules:  # no globals and no HTML strings
        text = m.read_text(encoding="utf-8")
        assert "innerHTML" not in text and "window.I18N" not in text, m.name


@pytest.mark.browser
def test_map_renders_polygons_in_class_colours(new_page, live_server, artifacts):
    from PIL import Image

    page = new_page()
    _open(page, live_server + "/")
    assert _rendered(page) > 100
    assert page.evaluate("window.wijkradar.data.gm.code") == "GM0363"  # Amsterdam fitted
    page.wait_for_function("document.querySelector('#dl-scope').textContent.includes('Amsterdam')")
    png = page.screenshot(path=str(artifacts / "map_laptop.png"))
    box = page.locator("#map").bounding_box()
    img = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), float)
    img = img[
        int(box["y"]) : int(box["y"] + box["height"]), int(box["x"]) : int(box["x"] + box["width"])
    ]
    px = img.reshape(-1, 3)
    drawn = [0.92 * _rgb(c) + 0.08 * np.array(BACKGROUND) for c in CLASS_COLOURS]
    in_class = np.zeros(len(px), bool)
    for c in drawn:
        in_class |= np.abs(px - c).max(axis=1) <= 14
    assert in_class.mean() > 0.15, f"only {in_class.mean():.1%} of the map in class colours"
    legend = page.locator("#legend").inner_text()
    for label in ("Alarm", "Aandacht", "Verbeterend", "Stabiel", "Onvoldoende gegevens"):
        assert label in legend
    assert (
        "Bron: CBS, Kadaster, Leefbaarometer (BZK)"
        in page.locator(".maplibregl-ctrl-attrib").inner_text()
    )
    # a sequential layer: a quantile legend and still polygons
    page.select_option("#layer", "problems")
    page.wait_for_function(IDLE)
    assert page.locator("#legend li").count() >= 3
    assert page.external_requests == []
    assert page.errors == []
    assert page.evaluate("typeof window.I18N") == "undefined"


@pytest.mark.browser
def test_legend_lists_every_class_with_its_description_and_the_one_axis_entries(
    new_page, live_server, artifacts
):
    page = new_page(viewport={"width": 1366, "height": 1200})
    _open(page, live_server + "/?level=buurt&year=2019")
    classes = _api(page, "/api/classes")["data"]
    assert [c["id"] for c in classes][:4] == ["alarm", "resilient", "attention", "structural"]
    items = page.locator("#legend li[data-class]")
    # every class of the rules, in their order, with its label and its description
    assert items.evaluate_all("els => els.map(e => e.dataset.class)") == [c["id"] for c in classes]
    for c, text in zip(classes, items.all_inner_texts(), strict=True):
        assert c["description"] and c["label"] in text and c["description"] in text, c["id"]
    one = page.locator("#legend li.one-axis").all_inner_texts()
    assert any("alleen problemen bekend" in t for t in one)
    assert any("alleen samenstelling bekend" in t for t in one)
    page.locator("#controls").screenshot(path=str(artifacts / "legend_buurt.png"))
    # the explanations fold away and come back
    page.locator("#legend .legend-toggle").click()
    assert not page.locator("#legend .cls-desc").first.is_visible()
    page.locator("#legend .legend-toggle").click()
    assert page.locator("#legend .cls-desc").first.is_visible()
    # national wijken 2014: mostly the Leefbaarometer alone, drawn hatched and counted
    _open(page, live_server + "/?level=wijk&year=2014")
    page.evaluate("window.wijkradar.map.jumpTo({center: [5.1, 52.1], zoom: 8})")
    page.wait_for_function(SETTLED)
    hatched = page.evaluate(
        "window.wijkradar.map.queryRenderedFeatures({layers: ['regions-one-axis']})"
        ".map(f => f.properties.known_axes)"
    )
    assert len(hatched) > 100 and set(hatched) <= {"problems", "composition"}
    row = page.locator("#legend li.one-axis[data-known=problems] .count-n").inner_text()
    assert int(row.replace(".", "")) > 1000
    page.screenshot(path=str(artifacts / "map_wijk_2014_one_axis.png"))
    page.get_by_role("button", name="EN", exact=True).click()
    page.wait_for_function("document.querySelector('#legend').innerText.includes('only problems')")
    assert "only composition known" in page.locator("#legend").inner_text()
    assert page.errors == []


@pytest.mark.browser
def test_tooltip_shows_inhabitants_and_dwellings(new_page, live_server, artifacts):
    code, lon, lat = EENDRACHTSPARK
    page = new_page()
    _open(page, live_server + "/?level=buurt&year=2019")
    page.evaluate(f"window.wijkradar.map.jumpTo({{center: [{lon}, {lat}], zoom: 14}})")
    page.wait_for_function(SETTLED)
    p = page.evaluate(f"window.wijkradar.data.byCode.get('{code}').properties")
    assert p["population"] > 0 and p["dwellings"] > 0 and p["housing"] and p["small"]
    pt = page.evaluate(
        f"""() => {{ const m = window.wijkradar.map, c = m.getCanvas().getBoundingClientRect();
           const q = m.project([{lon}, {lat}]); return {{x: q.x + c.left, y: q.y + c.top}}; }}"""
    )
    page.mouse.move(pt["x"], pt["y"])
    tip = page.locator("#tooltip")
    tip.wait_for(state="visible")
    text = tip.inner_text()
    nl = "n => new Intl.NumberFormat('nl-NL').format(n)"
    assert "Eendrachtspark" in text
    assert f"{page.evaluate(nl, p['population'])} inwoners" in text
    assert f"{page.evaluate(nl, p['dwellings'])} woningen" in text
    assert "Klein gebied" in text and "nieuwbouw" in text.lower()
    box = tip.bounding_box()
    page.screenshot(path=str(artifacts / "tooltip_eendrachtspark.png"), clip=box)


@pytest.mark.browser
def test_profile_groups_the_reasons_by_role(new_page, live_server, artifacts):
    code = EENDRACHTSPARK[0]
    page = new_page()
    _open(page, live_server + f"/?level=buurt&year=2019&sel={code}")
    page.wait_for_selector("#profile .reasons .reason-axis")
    reasons = _api(page, f"/api/regions/{code}?year=2019")["signal"]["reasons"]
    body = page.locator("#profile .reasons")
    note = body.locator(".reason-note").inner_text()
    first = [r for r in reasons if r["role"] in ("small", "housing")]
    assert first and all(r["sentence"] in note for r in first)
    heads = body.locator("h4.axis-head").all_inner_texts()
    assert heads == [r["sentence"] for r in reasons if r["role"] == "axis"]
    text = body.inner_text()
    carried = [r["sentence"] for r in reasons if r["role"] == "for"]
    assert carried and "Wat het signaal draagt".upper() in text.upper()
    # the note comes first, every sentence under its axis's header
    assert text.index(first[0]["sentence"]) < text.index(heads[0])
    head_of = {r["axis"]: heads.index(r["sentence"]) for r in reasons if r["role"] == "axis"}
    for r in reasons:
        if r["role"] in ("for", "against", "level"):
            i = head_of[r["axis"]]
            after = text.index(heads[i])
            before = text.index(heads[i + 1]) if i + 1 < len(heads) else len(text)
            assert after < text.index(r["sentence"]) < before, r["sentence"]
    page.locator("#profile").screenshot(path=str(artifacts / "profile_reasons_grouped.png"))


@pytest.mark.browser
def test_search_finds_bijlmer_and_enter_opens_profile(new_page, live_server):
    page = new_page()
    _open(page, live_server + "/")
    page.locator("#search").fill("Bijlmer")
    page.wait_for_selector("#suggestions li[role=option]")
    options = page.locator("#suggestions li[role=option]").all_inner_texts()
    assert any("Bijlmer" in o for o in options)
    page.keyboard.press("ArrowDown")
    second = page.locator("#suggestions li[aria-selected=true] .s-name").inner_text()
    page.keyboard.press("Enter")
    page.wait_for_selector("#profile:not([hidden]) .signal-box")
    assert page.locator("#profile-title").inner_text() == second
    code = parse_qs(urlparse(page.url).query)["sel"][0]
    assert code.startswith(("WK", "BU"))
    page.wait_for_function(IDLE)
    assert page.evaluate("window.wijkradar.state.level") == (
        "wijk" if code.startswith("WK") else "buurt"
    )


@pytest.mark.browser
def test_click_on_polygon_opens_profile_with_reasons(new_page, live_server, artifacts):
    page = new_page()
    _open(page, live_server + "/")
    table = _api(page, "/api/signals?level=buurt")
    # every region has its axis lines among the reasons; a signal only where data allow one
    with_reasons = {
        r["code"] for r in table["data"] if r["reasons"] and r["signal"] != "insufficient_data"
    }
    page.wait_for_function(SETTLED)
    code = _click_region(page, with_reasons)
    page.wait_for_selector("#profile .reasons .reason-axis")  # every signal has its axis lines
    profile = _api(page, f"/api/regions/{code}")
    sentence = profile["signal"]["reasons"][0]["sentence"]
    assert sentence in page.locator("#profile .reasons").inner_text()
    body = page.locator("#profile-body").inner_text()
    assert profile["signal"]["label"] in body
    assert "varianten" in body  # the sensitivity statement
    assert page.locator("#profile .charts svg path.l-region").count() >= 3
    href = page.locator("#profile a[href$='report.pdf']").get_attribute("href")
    assert href == f"api/regions/{code}/report.pdf"
    page.screenshot(path=str(artifacts / "profile_laptop.png"))
    page.locator("#profile-body").evaluate("el => el.scrollTop = 600")
    page.screenshot(path=str(artifacts / "profile_laptop_charts.png"))
    # charts for the featured indicators only; every other KWB figure in one table by topic
    featured = {i["id"] for i in _api(page, "/api/indicators")["data"] if i["featured"]}
    charted = [i for i in profile["indicators"] if i["id"] in featured and i["unit"] != "code"]
    assert page.locator("#profile .charts svg").count() <= len(charted)
    page.locator("#profile details > summary").click()
    figures = page.locator("#profile table.figures")
    assert figures.locator("tbody tr:not(.group), tr:not(.group)").count() > 40
    text = figures.inner_text()
    assert "Gemiddeld inkomen per inkomensontvanger" in text and "Wonen" in text
    figures.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "profile_all_figures.png"))


@pytest.mark.browser
def test_language_switch_and_back(new_page, live_server, artifacts):
    page = new_page()
    _open(page, live_server + "/")
    assert page.locator("#search").get_attribute("placeholder").startswith("Zoek")
    page.get_by_role("button", name="EN", exact=True).click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    page.wait_for_function("document.querySelector('#legend').innerText.includes('Improving')")
    assert page.locator("#search").get_attribute("placeholder").startswith("Search")
    assert "Level" in page.locator("#controls").inner_text()
    assert "Insufficient data" in page.locator("#legend").inner_text()
    assert "lang=en" in page.url
    page.screenshot(path=str(artifacts / "map_english.png"))
    page.get_by_role("button", name="NL", exact=True).click()
    page.wait_for_function("document.querySelector('#legend').innerText.includes('Verbeterend')")
    assert page.locator("#search").get_attribute("placeholder").startswith("Zoek")
    assert "Niveau" in page.locator("#controls").inner_text()
    assert "lang=" not in page.url


@pytest.mark.browser
def test_downloads_are_valid_files(new_page, live_server, tmp_path):
    import pandas as pd
    import pyogrio

    page = new_page()
    _open(page, live_server + "/")
    page.wait_for_function("document.querySelector('#dl-csv').href.includes('gemeente=GM0363')")
    with page.expect_download() as dl:
        page.locator("#dl-csv").click()
    csv = tmp_path / dl.value.suggested_filename
    dl.value.save_as(csv)
    frame = pd.read_csv(csv, sep=None, engine="python", encoding="utf-8-sig")
    assert len(frame) > 100 and "code" in frame.columns
    assert frame["code"].astype(str).str.startswith("BU0363").all()
    with page.expect_download() as dl:
        page.locator("#dl-gpkg").click()
    gpkg = tmp_path / dl.value.suggested_filename
    dl.value.save_as(gpkg)
    gdf = pyogrio.read_dataframe(gpkg)
    assert len(gdf) > 100 and gdf.geometry.notna().any()


@pytest.mark.browser
def test_url_restores_state_after_reload(new_page, live_server):
    page = new_page()
    _open(page, live_server + "/")
    page.locator("#view-group label", has_text="Binnen de gemeente").click()
    page.wait_for_function(IDLE)
    page.select_option("#layer", "composition")
    page.evaluate("window.wijkradar.selectRegion('BU03630000', {fly: true})")
    page.wait_for_selector("#profile:not([hidden]) .signal-box")
    page.wait_for_function(IDLE)
    q = parse_qs(urlparse(page.url).query)
    assert (
        q["view"] == ["relative"] and q["layer"] == ["composition"] and q["sel"] == ["BU03630000"]
    )
    before = page.url
    page.reload()
    page.wait_for_function(IDLE)
    page.wait_for_selector("#profile:not([hidden]) .signal-box")
    assert page.locator("#profile-title").inner_text() == "Kop Zeedijk"
    assert page.locator("input[name=view][value=relative]").is_checked()
    assert page.locator("#layer").input_value() == "composition"
    assert page.url.split("#")[0] == before.split("#")[0]
    # a shared link with another level, year and language
    _open(page, live_server + "/?level=wijk&year=2017&layer=signal&lang=en")
    assert page.locator("input[name=level][value=wijk]").is_checked()
    assert page.locator("#year").input_value() == "2017"
    assert page.locator("#legend").inner_text().startswith("Signal 2017")


@pytest.mark.browser
def test_compare_shows_two_columns(new_page, live_server, artifacts):
    page = new_page()
    _open(page, live_server + "/?sel=BU03630000")
    page.wait_for_selector("#profile .signal-box")
    page.locator("#cmp-add").click()
    page.evaluate("window.wijkradar.selectRegion('BU03630001', {fly: true})")
    page.wait_for_function("document.querySelector('#profile-title').textContent !== 'Kop Zeedijk'")
    page.wait_for_selector("#profile .signal-box")
    page.locator("#cmp-add").click()
    assert page.locator("#compare-count").inner_text() == "2"
    page.locator("#compare-toggle").click()
    page.wait_for_selector("table.cmp")
    heads = page.locator("table.cmp thead th[data-code]")
    assert heads.count() == 2
    assert "Kop Zeedijk" in heads.nth(0).inner_text()
    rows = page.locator("table.cmp tbody tr").all_inner_texts()
    assert any(r.startswith("Signaal") for r in rows) and len(rows) > 6
    assert parse_qs(urlparse(page.url).query)["cmp"] == ["BU03630000,BU03630001"]
    page.wait_for_function(IDLE)
    page.screenshot(path=str(artifacts / "compare_laptop.png"))


@pytest.mark.browser
def test_keyboard_tab_to_search_and_escape_closes_panel(new_page, live_server):
    page = new_page()
    _open(page, live_server + "/")
    for _ in range(4):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "search":
            break
    assert page.evaluate("document.activeElement.id") == "search"
    page.keyboard.type("Kop Zeedijk")
    page.wait_for_selector("#suggestions li[role=option]")
    page.keyboard.press("Enter")
    page.wait_for_selector("#profile:not([hidden]) .signal-box")
    assert page.evaluate("document.activeElement.id") == "profile"  # focus moved into the panel
    page.keyboard.press("Escape")
    page.wait_for_selector("#profile", state="hidden")
    assert "sel=" not in page.url
    assert page.evaluate("document.activeElement.id") == "search"


@pytest.mark.browser
def test_tablet_renders_with_bottom_sheet(new_page, live_server, artifacts):
    page = new_page(viewport=TABLET)
    _open(page, live_server + "/")
    assert _rendered(page) > 100
    page.screenshot(path=str(artifacts / "tablet_map.png"))
    page.evaluate("window.wijkradar.selectRegion('BU03630000', {fly: false})")
    page.wait_for_selector("#profile .signal-box")
    box = page.locator("#profile").bounding_box()
    assert box["width"] == TABLET["width"] and box["y"] > TABLET["height"] * 0.3
    page.screenshot(path=str(artifacts / "tablet_profile.png"))
