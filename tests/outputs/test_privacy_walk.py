"""No output shows what CBS's publication rules withhold, or what gives it back.

The real data are built twice: as wijkradar builds them, and with the privacy rules switched
off (``privacy.apply_thresholds`` patched to an identity). The second build holds the original
value of everything the rules withheld: the forbidden set F = rows (code, year, indicator,
value) shown without the rules and suppressed with them. The "small buurten" are the buurten
with rows in F.

Then (1) the protected panel is checked against an independent re-implementation of the rules
(``_privacy_oracle``: plain pandas, nothing from ``wijkradar.panel.privacy``), and (2) every
output — web API (profile, actions, signals, map layers, csv/gpkg/parquet exports, HTML and
PDF reports) and the CLI (profile, actions, signals, report) — is read back for 25 small buurten
into (code, indicator, year, number as displayed); none may equal a value of F within the
rounding of its display. Rates and counts an output lets one compute (count ÷ base, rate ×
base) are checked as well. Vector tiles: the web app serves none (no /tiles, .mvt/.pbf or
PMTiles under ``wijkradar.web``); its map is MapLibre drawing the GeoJSON of
``/api/map/{level}``, which is walked with every forbidden indicator and year.

Run against the unprotected build (``walk_outputs`` on the second dataset), the same walk
reports leaks in every one of these outputs; see ``test_the_detectors_see_a_leak`` for the
detectors on one hand-made example each.
"""

from __future__ import annotations

import os
import shutil
from unittest import mock

import _privacy_oracle as po  # tests/outputs is on sys.path (no __init__.py)
import numpy as np
import pandas as pd
import pytest

import wijkradar
from wijkradar.catalogue import load_catalogue
from wijkradar.panel import build as build_module
from wijkradar.panel import privacy

pytestmark = pytest.mark.shared_data

N_SMALL = 25  # buurten walked (the three of the issue first)
N_PDF = 5  # of those, the ones whose PDF is rendered (~1.5 s each)

OUTPUTS = (
    "api profile",
    "api actions",
    "api signals",
    "api map",
    "api export csv",
    "api export gpkg",
    "api export parquet",
    "api report.html",
    "api report.pdf",
    "cli profile json",
    "cli profile text",
    "cli actions json",
    "cli actions text",
    "cli signals json",
    "cli signals csv",
    "cli report.html",
)


def _unprotected(panel, catalogue):
    return panel, privacy.Suppression()


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


@pytest.fixture(scope="module")
def datasets(shared_data, tmp_path_factory):
    """(protected, unprotected) dataset folders built from the real data."""
    root = tmp_path_factory.mktemp("privacy_walk")
    protected = build_module.build(shared_data, root / "protected").path
    # build.py calls privacy.apply_thresholds through the module: patch it there.
    with mock.patch.object(build_module.privacy, "apply_thresholds", _unprotected):
        unprotected = build_module.build(shared_data, root / "unprotected").path
    return protected, unprotected


@pytest.fixture(scope="module")
def panels(datasets):
    protected, unprotected = datasets
    return wijkradar.open_dataset(protected).panel, wijkradar.open_dataset(unprotected).panel


@pytest.fixture(scope="module")
def forbidden(panels):
    """F, buurt rows only: (code, level, year, indicator, value as it would have been)."""
    f = po.forbidden_set(panels[1], panels[0])
    return f[f["level"] == "buurt"].reset_index(drop=True)


@pytest.fixture(scope="module")
def small(forbidden):
    return po.pick_small(forbidden, N_SMALL)


@pytest.fixture(scope="module")
def walk(datasets, panels, forbidden, small, catalogue, tmp_path_factory):
    if shutil.which("pdftotext") is None and os.environ.get("CI"):
        pytest.fail("pdftotext (poppler-utils) is missing on CI: the PDF report must be read")
    return po.walk_outputs(
        datasets[0],
        small,
        set(small[:N_PDF]),
        forbidden,
        panels[0],
        catalogue,
        tmp_path_factory.mktemp("walk"),
    )


@pytest.fixture(scope="module")
def found(walk, forbidden, panels):
    """Per output: the observations equal to a forbidden value, and the text hits."""
    lk = po.leaks(walk.obs, forbidden, panels[0])
    return {
        o: (lk[lk["output"] == o], [h for h in walk.text_hits if h["output"] == o]) for o in OUTPUTS
    }


def test_the_forbidden_set_holds_the_small_buurten_of_the_issue(forbidden, small):
    assert forbidden["value"].notna().all()
    codes = set(forbidden["code"])
    for code in po.REQUIRED:
        assert code in codes and code in small
    keys = set(zip(forbidden["code"], forbidden["year"], forbidden["indicator"], strict=True))
    assert ("BU03630100", 2020, "low_income_households_pct") in keys
    assert ("BU03631102", 2020, "low_income_households_pct") in keys
    mar = forbidden[forbidden["code"] == "BU03630900"]
    assert {"disability_benefit_per_1000", "disability_benefit"} <= set(mar["indicator"])
    assert len(small) == N_SMALL and len(set(small)) == N_SMALL
    assert {c[:6] for c in small} >= {"BU0363", "BU0599"}  # Amsterdam and Rotterdam


def test_the_protected_panel_obeys_the_rules(panels, catalogue):
    protected = panels[0]
    n_thr, bad_thr = po.threshold_violations(protected, catalogue.thresholds)
    n_der, bad_der = po.derivation_violations(protected, catalogue.derivations)
    sup = protected["status"].astype(str) == "suppressed"
    valued = int(protected.loc[sup, "value"].notna().sum())
    msg = (
        f"{n_thr} shown values of thresholded indicators checked, {len(bad_thr)} with a base "
        f"missing or under the minimum; {n_der} rate/count pairs checked, {len(bad_der)} with "
        f"one shown and the other suppressed; {valued} suppressed rows with a value\n"
        f"{bad_thr.head(10).to_string() if len(bad_thr) else ''}\n"
        f"{bad_der.head(10).to_string() if len(bad_der) else ''}"
    )
    assert n_thr > 100_000 and n_der > 10_000, msg  # the oracle saw the panel
    assert bad_thr.empty and bad_der.empty and valued == 0, msg
    # and the oracle is not blind: without the rules it finds both kinds of violation
    assert len(po.threshold_violations(panels[1], catalogue.thresholds)[1]) > 0
    assert len(po.derivation_violations(panels[1], catalogue.derivations)[1]) > 0


@pytest.mark.parametrize("output", OUTPUTS, ids=[o.replace(" ", "-") for o in OUTPUTS])
def test_no_output_shows_a_withheld_value(output, walk, found):
    if output == "api report.pdf" and shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed")
    # the extractor read figures there (numbers, or for HTML/PDF text shown values found
    # by the same detector), so an empty result means "nothing withheld", not "read nothing"
    assert walk.seen.get(output, 0) > 0, (output, walk.seen, walk.notes)
    lk, hits = found[output]
    shown = lk.head(15)[["code", "indicator", "year", "value", "forbidden", "where"]]
    assert lk.empty and not hits, (
        f"{output}: {len(lk)} figures and {len(hits)} text passages show withheld values\n"
        f"{shown.to_string() if len(lk) else ''}\n" + "\n".join(str(h) for h in hits[:15])
    )


def test_the_detectors_see_a_leak(catalogue):
    """Each detector on one hand-made output: JSON, sentence, map layer, text and chart."""
    names = po.Names(catalogue)
    f = pd.DataFrame(
        {
            "code": ["BU03630100", "BU03630900", "BU03630900"],
            "level": "buurt",
            "year": [2020, 2019, 2019],
            "indicator": [
                "low_income_households_pct",
                "disability_benefit_per_1000",
                "disability_benefit",
            ],
            "value": [10.5, 117.6470588235294, 10.0],
        }
    )
    protected = f.assign(status="suppressed", value=np.nan)
    obs = po.Obs()
    prof = {
        "code": "BU03630900",
        "gemeente": {"code": "GM0363"},
        "indicators": [
            {
                "id": "population",
                "series": [{"year": 2019, "value": 85.0}],
                "gemeente": [{"year": 2019, "value": 10.0}],  # Amsterdam's, not the buurt's
            },
            {"id": "disability_benefit", "series": [{"year": 2019, "value": 10.0}]},
        ],
    }
    po.walk_json(prof, obs, "json", names, set(catalogue.ids))
    po.scan_sentence(
        obs,
        "sentence",
        "s",
        "BU03630900",
        "Het aantal AO-uitkeringen per 1 000 inwoners ging van 142,9 per 1.000 (2017) naar "
        "117,6 per 1.000 (2019; geen duidelijke trend).",
        names,
    )
    po.walk_geojson(
        {"features": [{"properties": {"code": "BU03630100", "value": 10.5}}]},
        obs,
        "map",
        "low_income_households_pct",
        2023,
    )
    frame = obs.frame()
    frame = pd.concat([frame, po.recompute(frame, catalogue.derivations)])
    lk = po.leaks(frame, f, protected)
    got = set(zip(lk["output"], lk["indicator"], strict=True))
    assert ("json", "disability_benefit") in got
    assert ("json", "disability_benefit_per_1000") in got  # 10 / 85 x 1000, recomputed
    assert ("sentence", "disability_benefit_per_1000") in got
    assert ("map", "low_income_households_pct") in got
    assert not (lk["code"] == "GM0363").any()
    html = (
        "<table><thead><tr><th>Indicator</th><th>Laatste waarde</th><th>Jaar</th>"
        "<th>Gemeente</th></tr></thead><tr><td>Huishoudens met een laag inkomen</td>"
        "<td>10,5%</td><td>2020</td>"
        "<td>31,0%</td></tr><tr><td>Huishoudens met een laag inkomen</td><td>10,6%</td>"
        "<td>2020</td><td>10,5%</td></tr></table>"
    )
    hits = po.text_leaks(po.html_units(html), f, names, catalogue, "html")
    assert [h["shown"] for h in hits] == ["10,5%"]  # not the gemeente's 10,5% in row two
    layout = (
        "Huishoudens met een laag inkomen      Eenpersoonshuishoudens\n"
        "10,5% (2020)                          55% (2019)\n"
    )
    hits = po.text_leaks(po.pdf_units(layout, names), f, names, catalogue, "pdf")
    assert hits and {(h["indicator"], h["year"]) for h in hits} == {
        ("low_income_households_pct", 2020)
    }
    assert not po.text_leaks(
        ["Huishoudens met een laag inkomen 110,5% (2020)"], f, names, catalogue, "x"
    )
