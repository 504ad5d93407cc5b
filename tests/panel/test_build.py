"""End-to-end build on hand-written CBS-format files: values equal the sources, errors are clear,
a failed build leaves the previous dataset untouched, a rebuild is idempotent."""

import json
import shutil

import pandas as pd
import pytest

import wijkradar
from wijkradar.errors import SourceFormatError
from wijkradar.panel.build import build


@pytest.fixture()
def data_dir(tmp_path, test_data):
    d = tmp_path / "data"
    (d / "kwb").mkdir(parents=True)
    shutil.copy(test_data / "kwb" / "statline_rotterdam_2018.csv", d / "kwb")
    shutil.copy(test_data / "kwb" / "wijk_2017_kaart.csv", d / "kwb")
    (d / "eigen").mkdir()
    for name in ("wijkmonitor_2021.csv", "wijkmonitor_2021.mapping.toml"):
        shutil.copy(test_data / "usertable" / name, d / "eigen")
    (d / "README.md").write_text("not data")
    return d


def _value(panel, code, indicator, year):
    row = panel[(panel.code == code) & (panel.indicator == indicator) & (panel.year == year)]
    assert len(row) == 1, (code, indicator, year)
    return row.iloc[0]


def test_panel_values_equal_the_source_files(data_dir, tmp_path):
    res = build(data_dir, tmp_path / "ds")
    ds = wijkradar.open_dataset(res.path)
    p = ds.panel
    # statline_rotterdam_2018.csv, row "Stadsdriehoek": 16045 inhabitants, 9845 households
    assert _value(p, "BU05990110", "population", 2018)[["value", "status"]].tolist() == [
        16045,
        "observed",
    ]
    assert _value(p, "BU05990110", "households", 2018)["value"] == 9845
    assert _value(p, "BU05990110", "burglary_per_1000", 2018)["value"] == 3
    # '?' (unreliable) and an empty cell are missing, never zero
    assert _value(p, "BU05990110", "social_assistance", 2018)["status"] == "missing"
    assert _value(p, "BU05990110", "income_per_inhabitant", 2018)["status"] == "missing"
    # Rotterdam Centrum: 1750 on social assistance of 34685 inhabitants, derived per 1 000
    sa = _value(p, "WK059901", "social_assistance_per_1000", 2018)
    assert sa["status"] == "derived"
    assert sa["value"] == pytest.approx(1750 / 34685 * 1000)
    assert _value(p, "GM0599", "income_per_inhabitant", 2018)["value"] == pytest.approx(24.6)
    # Noordzeeweg has 0 inhabitants: no income figure may be shown (CBS threshold 100)
    assert _value(p, "BU05992705", "income_per_inhabitant", 2018)["status"] == "suppressed"
    # the map attributes: -99999999 is CBS's secret code
    assert _value(p, "WK036301", "one_person_households_pct", 2017)["status"] == "suppressed"
    assert _value(p, "WK036300", "population", 2017)["value"] == 4295
    # the user's own table through its mapping file; its WOZ (euro → x 1 000 euro) has no
    # dwellings base in any edition, so it is withheld (docs/method.md, privacy rule 2)
    assert _value(p, "BU03440000", "woz_mean", 2021)["status"] == "suppressed"
    # ... while its income is shown: the table's own 1 120 inhabitants are the base
    assert _value(p, "BU03440000", "income_per_inhabitant", 2021)["value"] == 41
    assert _value(p, "GM0344", "population", 2021)["value"] == 361924
    assert set(p.level) == {"gemeente", "wijk", "buurt"}


def test_regions_keep_cbs_names_and_parents(data_dir, tmp_path):
    ds = wijkradar.open_dataset(build(data_dir, tmp_path / "ds").path)
    r = ds.regions.set_index("code")
    assert r.loc["BU05990110", "name"] == "Stadsdriehoek"
    assert r.loc["BU05990110", "wijk_code"] == "WK059901"
    assert r.loc["BU05990110", "gemeente_code"] == "GM0599"
    assert r.loc["BU05990110", "gemeente_name"] == "Rotterdam"
    assert r.loc["WK036300", "name"] == "Burgwallen-Oude Zijde"
    assert ds.regions.crs.to_epsg() == 28992


def test_quality_report_lists_every_file_and_rejected_row(data_dir, tmp_path):
    res = build(data_dir, tmp_path / "ds")
    q = json.loads((res.path / "quality.json").read_text())
    assert sorted(f["path"] for f in q["files"]) == [
        "eigen/wijkmonitor_2021.csv",
        "kwb/statline_rotterdam_2018.csv",
        "kwb/wijk_2017_kaart.csv",
    ]
    reasons = {(r["source"], r["code"], r["reason"]) for r in q["rejected"]}
    assert ("kwb/wijk_2017_kaart.csv", "WK001099", "water-only unit (WATER=JA)") in reasons
    assert len(q["rejected"]) == 2
    cov = pd.DataFrame(q["coverage"])
    pop = cov[(cov.indicator == "population") & (cov.level == "buurt") & (cov.year == 2018)]
    assert pop["with_value"].item() == 2
    text = (res.path / "quality.txt").read_text()
    assert "kwb/statline_rotterdam_2018.csv" in text and "water-only unit" in text


def test_rebuild_is_idempotent_and_duckdb_reads_it(data_dir, tmp_path):
    first = build(data_dir, tmp_path / "ds")
    panel1 = pd.read_parquet(first.path / "panel.parquet")
    second = build(data_dir, tmp_path / "ds")
    pd.testing.assert_frame_equal(panel1, pd.read_parquet(second.path / "panel.parquet"))
    ds = wijkradar.open_dataset(second.path)
    got = ds.query(
        "select value from panel where code = ? and indicator = 'population' and year = 2018",
        ["BU05990110"],
    )
    assert got["value"].tolist() == [16045]
    assert ds.query("select count(*) as n from regions where level = 'buurt'")["n"].item() >= 2
    assert sorted(p.name for p in (tmp_path).iterdir()) == ["data", "ds"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "kwb_2019_bad.csv",
            "\ufeffKerncijfers wijken en buurten 2019;;;\r\n;;;\r\n;Onderwerp;;\r\n"
            ";Gemeentenaam;Soort regio;Codering;Jaar;||Aantal inwoners\r\n"
            "Wijken en buurten;naam;omschrijving;code;;aantal\r\n"
            "Rotterdam;Rotterdam;Gemeente;GM0599;2019;64x\r\n",
            r"kwb_2019_bad.csv, rij 6, kolom '.*Aantal inwoners.*': geen getal",
        ),
        (
            "kwb_2019_dup.csv",
            "\ufeffKerncijfers wijken en buurten 2019;;;\r\n;;;\r\n;Onderwerp;;\r\n"
            ";Gemeentenaam;Soort regio;Codering;Jaar;||Aantal inwoners\r\n"
            "Wijken en buurten;naam;omschrijving;code;;aantal\r\n"
            "A;Rotterdam;Buurt;BU05990110;2019;1\r\nB;Rotterdam;Buurt;BU05990110;2019;2\r\n",
            "BU05990110",
        ),
        (
            "notes.csv",
            "a,b\n1,2\n",
            r"notes.csv: onbekende indeling: .*\(zet notes.mapping.toml ernaast",
        ),
    ],
    ids=["non-numeric", "duplicate-code", "unknown-layout"],
)
def test_failing_build_names_the_problem_and_keeps_the_old_dataset(
    data_dir, tmp_path, name, content, message
):
    good = build(data_dir, tmp_path / "ds")
    before = (good.path / "panel.parquet").read_bytes()
    manifest = (good.path / "manifest.json").read_text()
    (data_dir / "kwb" / name).write_text(content, encoding="utf-8", newline="")
    with pytest.raises(SourceFormatError, match=message):
        build(data_dir, tmp_path / "ds")
    assert (good.path / "panel.parquet").read_bytes() == before
    assert (good.path / "manifest.json").read_text() == manifest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "ds"]
