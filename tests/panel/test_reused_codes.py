"""A series belongs to one place: codes CBS reused for a different area are cut (issue 10).

Burgwallen Oost (BU03630002) had, until 2016, Grachtengordel-West under its code: the 2015
income figures are that other area's. The build marks such breaks ``kind = reused``
(:func:`wijkradar.panel.quality.series_breaks`), the profile splits every series there
(:func:`wijkradar.dataset.profile.build_profile`), and no chart, trend or reason joins the two.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from wijkradar.dataset.profile import _split, reused_cuts, series_id
from wijkradar.outputs.report.charts import trend_chart
from wijkradar.outputs.text import render_text
from wijkradar.panel.quality import BREAK_COLUMNS, BREAK_KINDS, series_breaks
from wijkradar.testing import panel_from_rows
from wijkradar.wording import in_language

AMSTERDAM_REUSED = ("BU03630001", "BU03630002", "BU03630003", "BU03630004")
NO_LINKS = pd.DataFrame(
    columns=["level", "year_from", "year_to", "code_from", "code_to", "share", "weighting"]
)


def _names(rows):
    n = pd.DataFrame(rows, columns=["code", "year", "name"])
    n["level"] = n["code"].str[:2].map({"BU": "buurt", "WK": "wijk", "GM": "gemeente"})
    return n


def _kinds(breaks: pd.DataFrame) -> dict[tuple[str, int], set[str]]:
    out: dict[tuple[str, int], set[str]] = {}
    for r in breaks.itertuples(index=False):
        out.setdefault((r.code, int(r.year)), set()).add(r.kind)
    return out


# -- the break kinds on small synthetic panels ------------------------------------------------


def test_a_name_change_with_a_population_jump_is_a_reused_code():
    panel = panel_from_rows(
        [
            ("BU00010001", 2016, "population", 2000.0),
            ("BU00010001", 2017, "population", 600.0),  # a different place, far smaller
            ("BU00010002", 2016, "population", 1000.0),
            ("BU00010002", 2017, "population", 1010.0),
        ]
    )
    names = _names(
        [
            ("BU00010001", 2016, "Oud Centrum"),
            ("BU00010001", 2017, "Havenkwartier"),
            ("BU00010002", 2016, "Dorp"),
            ("BU00010002", 2017, "Kerkbuurt"),  # renamed, nothing else changed
        ]
    )
    b = series_breaks(panel, names, NO_LINKS)
    assert tuple(b.columns) == BREAK_COLUMNS
    assert set(b["kind"]) <= set(BREAK_KINDS)
    k = _kinds(b)
    # the jump row and the name row of the same cut are both "reused"
    assert k[("BU00010001", 2017)] == {"reused"}
    assert len(b[b["code"] == "BU00010001"]) == 2
    assert k[("BU00010002", 2017)] == {"renamed"}
    # the reason texts are unchanged
    assert "naam gewijzigd: 'Oud Centrum' → 'Havenkwartier'" in set(b["reason"])
    assert "inwoners 2000 → 600: grenzen waarschijnlijk gewijzigd" in set(b["reason"])


def test_a_jump_without_a_new_name_is_redrawn_and_code_3_is_reused():
    panel = panel_from_rows(
        [
            ("BU00010001", 2016, "population", 2000.0),
            ("BU00010001", 2017, "population", 3000.0),
            ("BU00010002", 2016, "population", 1000.0),
            ("BU00010002", 2017, "population", 1000.0),
            ("BU00010002", 2017, "boundary_change", 3.0),
            ("BU00010003", 2017, "boundary_change", 1.0),
        ]
    )
    b = series_breaks(panel, _names([]), NO_LINKS)
    k = _kinds(b)
    assert k[("BU00010001", 2017)] == {"redrawn"}
    assert k[("BU00010002", 2017)] == {"reused"}
    assert "BU00010003" not in set(b["code"])


def test_a_dwelling_jump_with_a_new_name_is_reused_but_far_apart_editions_are_not():
    panel = panel_from_rows(
        [
            ("BU00010001", 2016, "dwellings", 400.0),
            ("BU00010001", 2017, "dwellings", 1400.0),
            ("BU00010002", 2008, "dwellings", 400.0),  # the jump is a decade away from the cut
            ("BU00010002", 2017, "dwellings", 1400.0),
        ]
    )
    names = _names(
        [
            ("BU00010001", 2016, "Oost"),
            ("BU00010001", 2017, "Nieuwland"),
            ("BU00010002", 2016, "West"),
            ("BU00010002", 2017, "Zeeheldenwijk"),
        ]
    )
    k = _kinds(series_breaks(panel, names, NO_LINKS))
    assert k[("BU00010001", 2017)] == {"reused"}
    assert k[("BU00010002", 2017)] == {"renamed"}


def test_a_name_that_moved_to_another_code_marks_the_old_code_reused():
    # Amsterdam 2016: "Grachtengordel-West" went from buurt BU03630002 to wijk WK036302
    panel = panel_from_rows(
        [
            (c, y, "income_per_inhabitant", 30.0)
            for c in ("BU00010002", "WK000102", "BU00010100")
            for y in (2014, 2016)
        ]
    )
    names = _names(
        [
            ("BU00010002", 2014, "Grachtengordel-West"),
            ("BU00010002", 2016, "Burgwallen Oost"),
            ("WK000102", 2014, "Stadsdeel West"),
            ("WK000102", 2016, "Grachtengordel-West"),
            # a buurt named like its wijk all along: a shared name, not a move
            ("BU00010100", 2014, "Centrum"),
            ("BU00010100", 2016, "Binnenstad-Noord"),
            ("WK000101", 2014, "Centrum"),
            ("WK000101", 2016, "Centrum"),
        ]
    )
    k = _kinds(series_breaks(panel, names, NO_LINKS))
    assert k[("BU00010002", 2016)] == {"reused"}
    assert k[("WK000102", 2016)] == {"reused"}  # its new name came from another code
    assert k[("BU00010100", 2016)] == {"renamed"}


def _square(x0: float, size: float = 500.0):
    return shapely.box(x0, 400_000, x0 + size, 400_000 + size)


def _bounds(year: int, rows, source: str, years=None) -> gpd.GeoDataFrame:
    g = gpd.GeoDataFrame(
        {
            "code": [c for c, _ in rows],
            "name": "x",
            "level": "buurt",
            "year": year,
            "source": source,
            "row": range(len(rows)),
        },
        geometry=[geom for _, geom in rows],
        crs="EPSG:28992",
    )
    if years:
        g.attrs["years"] = years
    return g


def test_geometries_that_barely_overlap_mark_a_reused_code():
    panel = panel_from_rows(
        [
            (c, y, "income_per_inhabitant", 30.0)
            for c in ("BU00010001", "BU00010002")
            for y in (2014, 2016)
        ]
    )
    names = _names(
        [
            ("BU00010001", 2014, "Noord"),
            ("BU00010001", 2016, "Zuid"),
            ("BU00010002", 2014, "Oost"),
            ("BU00010002", 2016, "Weide"),
        ]
    )
    old = _bounds(
        2014, [("BU00010001", _square(100_000)), ("BU00010002", _square(110_000))], "a.json"
    )
    new = _bounds(
        2016,
        # 1 km away from its old place; the other is the same square, drawn more finely
        [("BU00010001", _square(101_500)), ("BU00010002", _square(110_100, 400))],
        "b_2016_2021.gpkg",
        years=(2016, 2021),
    )
    k = _kinds(series_breaks(panel, names, NO_LINKS, [old, new]))
    assert k[("BU00010001", 2016)] == {"reused"}
    assert k[("BU00010002", 2016)] == {"renamed"}
    # without the geometries nothing says the first one is another place
    assert _kinds(series_breaks(panel, names, NO_LINKS))[("BU00010001", 2016)] == {"renamed"}


def test_a_coarse_drawing_of_the_same_place_is_not_a_different_place():
    panel = panel_from_rows([("BU00010001", y, "population", 900.0) for y in (2014, 2016)])
    panel.loc[1, "value"] = 2000.0  # a jump: a break row the geometry could turn into a reuse
    # TopoJSON quantised at ~300 m: the same place, shifted by 200 m
    old = _bounds(2014, [("BU00010001", _square(100_200, 300))], "b.json")
    new = _bounds(2016, [("BU00010001", _square(100_000, 300))], "b.gpkg")
    k = _kinds(series_breaks(panel, _names([]), NO_LINKS, [old, new]))
    assert k[("BU00010001", 2016)] == {"redrawn"}


def test_boundary_changes_and_code_changes_keep_their_kinds():
    panel = panel_from_rows(
        [(c, 2017, "population", 1000.0) for c in ("WK000101", "WK000102", "WK000103")]
    )
    links = pd.DataFrame(
        {
            "level": "wijk",
            "year_from": [2016, 2016, 2016],
            "year_to": [2017, 2017, 2017],
            "code_from": ["WK000101", "WK000101", "WK000102"],
            "code_to": ["WK000101", "WK000103", "WK000199"],
            "share": [0.6, 0.4, 1.0],
            "weighting": "addresses",
        }
    )
    b = series_breaks(panel, _names([]), links)
    k = _kinds(b)
    assert k[("WK000101", 2017)] == {"redrawn"}
    assert k[("WK000102", 2017)] == {"code_changed"}
    assert "grenzen gewijzigd: 60% van de adressen naar WK000101" in set(b["reason"])
    assert "code gewijzigd: verder als WK000199" in set(b["reason"])


def test_no_breaks_give_an_empty_frame_with_every_column():
    panel = panel_from_rows([("BU00010001", 2017, "population", 1000.0)])
    b = series_breaks(panel, _names([]), NO_LINKS, [])
    assert b.empty and tuple(b.columns) == BREAK_COLUMNS


# -- the profile's split ------------------------------------------------------------------------


def _points(years):
    return [
        {"year": y, "value": float(y - 2000), "status": "observed", "source": "t"} for y in years
    ]


def test_series_are_split_at_every_reused_cut():
    breaks = pd.DataFrame(
        {
            "code": ["BU00010001", "BU00010001", "BU00010001"],
            "year": [2016, 2019, 2021],
            "kind": ["reused", "reused", "redrawn"],
        }
    )
    cuts = reused_cuts(breaks, "BU00010001")
    assert cuts == [2016, 2019]
    current, earlier = _split("BU00010001", _points([2014, 2015, 2017, 2018, 2019, 2020]), cuts)
    assert [p["year"] for p in current] == [2019, 2020]  # a redrawn cut does not split
    assert [e["series_id"] for e in earlier] == ["BU00010001@-2015", "BU00010001@2016-2018"]
    assert [[p["year"] for p in e["series"]] for e in earlier] == [[2014, 2015], [2017, 2018]]
    assert all(e["other_area"] and e["series"][-1]["year"] < e["cut"] for e in earlier)
    assert series_id("BU00010001", None, None) == "BU00010001"


def test_a_dataset_without_break_kinds_splits_nothing():
    old = pd.DataFrame({"code": ["BU00010001"], "year": [2016], "reason": ["x"]})
    assert reused_cuts(old, "BU00010001") == []
    assert reused_cuts(None, "BU00010001") == []


def test_the_pdf_chart_draws_the_current_area_only_and_says_why():
    ind = {
        "label": "Inkomen",
        "series": _points([2017, 2019]),
        "earlier": [{"cut": 2016, "series": _points([2015]), "series_id": "x@-2015"}],
        "median_in_gemeente": [{"year": y, "median": 20.0} for y in (2015, 2016, 2017, 2019)],
        "median_all": [],
    }
    svg = trend_chart(ind)
    assert "ander gebied onder dezelfde code" in svg
    assert svg.count("<circle") == 2  # the 2015 point of the other area is not drawn
    assert "a different area" in trend_chart(ind, lang="en")
    plain = trend_chart({**ind, "earlier": []})
    assert "ander gebied" not in plain


def test_the_text_output_keeps_the_other_area_on_its_own_line():
    profile = {
        "code": "BU00010001",
        "name": "Nieuw",
        "level": "buurt",
        "indicators": [
            {
                "id": "income_per_inhabitant",
                "label_nl": "Inkomen",
                "label_en": "Income",
                "unit": "x 1 000 euro",
                "decimals": 1,
                "series": _points([2017]),
                "earlier": [{"year_to": 2015, "cut": 2016, "series": _points([2015])}],
            }
        ],
        "series_breaks": [{"year": 2016, "reason": "naam gewijzigd: 'A' → 'B'", "kind": "reused"}],
    }
    text = render_text(profile)
    main = next(line for line in text.splitlines() if line.startswith("  Inkomen"))
    assert "2015" not in main and "2017" in main
    assert "(ander gebied onder dezelfde code, t/m 2015)" in text
    assert "daarvoor een ander gebied onder dezelfde code" in text
    assert "a different area under the same code" in render_text(profile, lang="en")


# -- on the real data ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real(shared_data, tmp_path_factory):
    from wijkradar.dataset import open_dataset
    from wijkradar.panel.build import build

    return open_dataset(build(shared_data, tmp_path_factory.mktemp("reused") / "ds").path)


def _reused(ds) -> dict[str, list[int]]:
    b = ds.breaks[ds.breaks["kind"] == "reused"]
    return {c: sorted(set(g["year"].astype(int))) for c, g in b.groupby("code")}


def test_amsterdam_codes_reused_in_2016_are_marked_reused(real):
    b = real.breaks
    assert set(b["kind"]) <= set(BREAK_KINDS)
    for code in AMSTERDAM_REUSED:
        mine = b[(b["code"] == code) & (b["year"] == 2016)]
        assert list(mine["kind"]) == ["reused"], code
        assert mine["reason"].iloc[0].startswith("naam gewijzigd: ")
    # the 2022 re-coding moves the same places to new codes: not a reuse
    later = b[b["code"].isin(AMSTERDAM_REUSED) & (b["year"] == 2022)]
    assert set(later["kind"]) == {"code_changed"}


def test_burgwallen_oost_income_starts_in_2017_and_2015_is_another_area(real):
    p = real.profile("BU03630002", clusters=False)
    ind = {i["id"]: i for i in p["indicators"]}
    inc = ind["income_per_inhabitant"]
    assert [(x["year"], x["value"]) for x in inc["series"]][0] == (2017, 27.8)
    assert inc["series_id"] == "BU03630002"
    (earlier,) = inc["earlier"]
    assert earlier["series_id"] == "BU03630002@-2015" and earlier["other_area"]
    assert [(x["year"], x["value"]) for x in earlier["series"]] == [(2015, 52.5)]
    low = ind["low_income_households_pct"]
    assert low["series"][0]["year"] == 2017 and low["earlier"][0]["series"][0]["value"] == 8.4
    (area,) = p["other_areas"]
    assert area["series_id"] == "BU03630002@-2015" and area["cut"] == 2016
    assert area["label_nl"] == "ander gebied onder dezelfde code"
    assert area["label_en"] == "a different area under the same code"
    assert "Grachtengordel-West" in area["reasons"][0]
    en = in_language(p, "en")
    assert en["other_areas"][0]["label"] == "a different area under the same code"
    kinds = {b["year"]: b["kind_label"] for b in en["series_breaks"]}
    assert kinds[2016] == "a different area under the same code"


@pytest.mark.parametrize("code", AMSTERDAM_REUSED)
def test_the_reused_amsterdam_buurten_show_nothing_before_2016(real, code):
    p = real.profile(code, clusters=False)
    assert p["indicators"] and p["other_areas"]
    for ind in p["indicators"]:
        assert all(x["year"] >= 2016 for x in ind["series"]), (code, ind["id"])


def test_no_profile_series_crosses_a_reused_cut(real):
    """Every region with a reused break: no series, comparison or reason joins the areas."""
    reused = _reused(real)
    assert set(AMSTERDAM_REUSED) <= set(reused)
    for code, cuts in reused.items():
        p = real.profile(code, clusters=False)
        last = cuts[-1]
        gm = (p.get("gemeente") or {}).get("code")
        gm_last = reused.get(gm, [None])[-1] if gm != code else None
        for ind in p["indicators"]:
            assert all(x["year"] >= last for x in ind["series"]), (code, ind["id"])
            for e in ind["earlier"]:
                years = [x["year"] for x in e["series"]]
                assert years and max(years) < e["cut"] <= last, (code, ind["id"])
                lo = e["year_from"]
                assert lo is None or min(years) >= lo
                # the part lies between two consecutive cuts: nothing of it crosses one
                assert not any(min(years) < c <= max(years) for c in cuts)
            if gm_last is not None:
                for key, y in (("gemeente", "year"), ("median_in_gemeente", "year")):
                    assert all(x[y] >= gm_last for x in ind[key]), (code, key)
        for r in (p.get("signal") or {}).get("reasons", []):
            y0, y1 = r.get("year_from"), r.get("year_to")
            if y0 is None or y1 is None or (isinstance(y0, float) and math.isnan(y0)):
                continue
            assert not any(y0 < c <= y1 for c in cuts), (code, r)


def test_trends_never_start_before_a_reused_cut(real):
    reused = _reused(real)
    levels = dict(zip(real.breaks["code"], real.breaks["level"], strict=True))
    for level in ("buurt", "wijk"):
        codes = [c for c in reused if levels[c] == level]
        for year in real.years(level):
            t = real.signals(level=level, year=year, sensitivity=False).indicator_trends
            t = t[t["code"].isin(codes) & t["year_from"].notna()]
            for code, g in t.groupby("code"):
                before = [c for c in reused[code] if c <= year]
                if before:
                    assert (g["year_from"].astype(int) >= before[-1]).all(), (code, year)
    for code in AMSTERDAM_REUSED:
        t = real.signals(level="buurt", year=2017, sensitivity=False).indicator_trends
        assert (t.loc[t["code"] == code, "year_from"].dropna().astype(int) >= 2016).all()


def test_the_report_context_says_a_different_area(real):
    from wijkradar.outputs.report.context import build_context

    ctx = build_context(real, "BU03630002")
    assert any("ander gebied onder dezelfde code" in b["reason"] for b in ctx["breaks"])
    svgs = [c["svg"] for c in ctx["composition_charts"] + ctx["problems_charts"]]
    assert any("ander gebied onder dezelfde code" in s for s in svgs)
    assert ctx["data_years"].startswith("2016") or ctx["data_years"].startswith("2017")


def test_breaks_stay_vectorised_and_quick(real):
    # the kinds add little to a build: a few seconds at most on this panel
    import time

    from wijkradar.panel.regions import name_table

    names = name_table([real.regions[["code", "name"]].assign(year=2020)])
    t0 = time.perf_counter()
    b = series_breaks(real.panel, names, real.links)
    assert time.perf_counter() - t0 < 10
    assert np.isin(b["kind"], BREAK_KINDS).all()
