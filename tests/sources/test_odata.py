"""Tests for wijkradar.sources.odata on hand-written CBS OData JSON."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wijkradar.errors import RegionCodeError, SourceFormatError
from wijkradar.sources._raw import RAW_COLUMNS
from wijkradar.sources.odata import read_odata, sniff_odata


def one(frame: pd.DataFrame, code: str, column: str) -> pd.Series:
    rows = frame[(frame["code"] == code) & (frame["column"] == column)]
    assert len(rows) == 1, rows
    return rows.iloc[0]


@pytest.fixture
def page(test_data: Path) -> dict:
    return json.loads((test_data / "odata" / "typeddataset_page.json").read_text("utf-8"))


def _dump(tmp_path: Path, doc: object, name: str = "kwb.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_typeddataset_page(test_data: Path) -> None:
    path = test_data / "odata" / "typeddataset_page.json"
    assert sniff_odata(path)
    df = read_odata(path)
    assert tuple(df.columns) == RAW_COLUMNS and df.attrs["format"] == "odata"
    assert set(df["year"]) == {2019}  # 84583NED in odata.metadata
    assert sorted(df["code"].unique()) == ["BU03630000", "GM0363", "NL00"]
    assert one(df, "GM0363", "AantalInwoners")["value"] == 862965
    assert one(df, "GM0363", "GemiddeldeHuishoudensgrootte")["value"] == pytest.approx(1.8)
    null = one(df, "BU03630000", "GemiddeldInkomenPerInwoner")
    assert np.isnan(null["value"]) and null["status"] == "missing"
    assert one(df, "BU03630000", "IndelingswijzigingWijkenEnBuurten")["value"] == 1
    assert one(df, "BU03630000", "MeestVoorkomendePostcode")["value"] == 1012
    assert one(df, "BU03630000", "AantalInwoners")["row"] == 3
    text_keys = {"ID", "WijkenEnBuurten", "Gemeentenaam", "SoortRegio", "Codering"}
    assert not df["column"].isin(text_keys).any()
    assert len(df) == 3 * 5


def test_cbsodata_dump_with_properties(test_data: Path) -> None:
    df = read_odata(test_data / "odata" / "cbsodata_kwb_2019.json")
    assert set(df["year"]) == {2019}  # from the file name
    inc = one(df, "GM0363", "GemiddeldInkomenPerInwoner")
    assert (inc["value"], inc["unit"]) == (pytest.approx(31.3), "x 1 000 euro")
    assert one(df, "GM0363", "GemiddeldeHuishoudensgrootte")["unit"] == ""
    assert one(df, "BU03630000", "AantalInwoners")["name"] == "Kop Zeedijk"


def test_plain_record_list(test_data: Path) -> None:
    path = test_data / "odata" / "records_2018.json"
    assert sniff_odata(path)
    df = read_odata(path)
    assert set(df["year"]) == {2018}
    assert one(df, "NL00", "AantalInwoners")["value"] == 17282163
    assert df["name"].isna().all()
    assert set(read_odata(path, year=2017)["year"]) == {2017}


def test_gzipped(tmp_path: Path, page: dict) -> None:
    path = tmp_path / "page.json.gz"
    path.write_bytes(gzip.compress(json.dumps(page).encode("utf-8")))
    assert sniff_odata(path)
    assert one(read_odata(path), "GM0363", "AantalInwoners")["value"] == 862965


def test_sniff_rejects_other_files(test_data: Path, tmp_path: Path) -> None:
    assert not sniff_odata(test_data / "kwb" / "statline_rotterdam_2018.csv")
    assert not sniff_odata(_dump(tmp_path, {"type": "FeatureCollection", "features": []}))


def test_no_year(tmp_path: Path, page: dict) -> None:
    page["odata.metadata"] = "https://example.invalid/$metadata"
    with pytest.raises(SourceFormatError, match="KWB-jaar blijkt niet uit het bestand; geef year="):
        read_odata(_dump(tmp_path, page))


def test_wrong_shape_code(tmp_path: Path, page: dict) -> None:
    page["value"][2]["WijkenEnBuurten"] = "BU036300  "
    with pytest.raises(RegionCodeError) as err:
        read_odata(_dump(tmp_path, page))
    e = err.value
    assert (e.row, e.column, e.code) == (3, "WijkenEnBuurten", "BU036300  ")
    assert str(e).startswith("kwb.json, rij 3, kolom 'WijkenEnBuurten', code 'BU036300  ': ")


def test_duplicated_code(tmp_path: Path, page: dict) -> None:
    page["value"][2]["WijkenEnBuurten"] = "GM0363    "
    with pytest.raises(
        SourceFormatError, match=r"code GM0363 komt meer dan eens voor \(records 2 en 3\)"
    ) as err:
        read_odata(_dump(tmp_path, page))
    assert err.value.code == "GM0363"


def test_non_numeric_value(tmp_path: Path, page: dict) -> None:
    page["value"][1]["IndelingswijzigingWijkenEnBuurten_4"] = "een"
    with pytest.raises(SourceFormatError) as err:
        read_odata(_dump(tmp_path, page))
    e = err.value
    assert (e.row, e.column, e.code, e.got) == (
        2,
        "IndelingswijzigingWijkenEnBuurten_4",
        "GM0363",
        "een",
    )
    assert "geen getal (verwacht een getal of een CBS-teken (. x - ?), gekregen 'een')" in str(e)


def test_bad_json_and_no_records(tmp_path: Path) -> None:
    bad = tmp_path / "cut_84583NED.json"
    bad.write_text('{"value": [{"ID": 0,\n "WijkenEnBuurten": "GM0363')
    with pytest.raises(
        SourceFormatError,
        match=r"rij 2: geen geldige JSON \(.*; afgebroken download\?\) \(verwacht CBS OData-JSON\)",
    ) as err:
        read_odata(bad)
    assert err.value.row == 2 and "cut_84583NED.json" in str(err.value)
    with pytest.raises(SourceFormatError, match="geen OData-records"):
        read_odata(_dump(tmp_path, {"value": []}))
    with pytest.raises(
        SourceFormatError,
        match=r"geen gebiedssleutel in de records \(verwacht een sleutel WijkenEnBuurten of",
    ):
        read_odata(_dump(tmp_path, [{"ID": 0, "AantalInwoners_5": 3}], "kwb_2019.json"))


def test_wrong_encoding(tmp_path: Path, page: dict) -> None:
    page["value"][1]["Gemeentenaam_1"] = "Súdwest-Fryslân"
    path = tmp_path / "kwb_2019.json"
    path.write_bytes(json.dumps(page, ensure_ascii=False).encode("latin-1"))
    with pytest.raises(SourceFormatError, match="verkeerde tekencodering") as err:
        read_odata(path)
    assert err.value.row == 1


def test_fetcher_envelope(tmp_path: Path, page: dict) -> None:
    """The layout sources.fetch writes: table, year, DataProperties, value (keys sorted)."""
    doc = {
        "DataProperties": [
            {"Key": "WijkenEnBuurten", "Type": "GeoDimension", "Title": "Wijken en buurten"},
            {"Key": "AantalInwoners_5", "Type": "Topic", "Unit": "aantal"},
        ],
        "filter": "",
        "source": "https://opendata.cbs.nl/ODataFeed/odata/84583NED/TypedDataSet",
        "table": "84583NED",
        "value": page["value"],
        "year": 2019,
    }
    path = tmp_path / "kwb_2019_84583NED_odata.json"
    path.write_text(json.dumps(doc, indent=1, sort_keys=True), "utf-8")
    assert sniff_odata(path)
    df = read_odata(path)
    assert set(df["year"]) == {2019}
    assert one(df, "GM0363", "AantalInwoners")[["value", "unit"]].tolist() == [862965, "aantal"]
    doc["year"] = 2018  # a year that is not the table's edition is an error naming both
    path.write_text(json.dumps(doc), "utf-8")
    msg = "noemt jaar 2018, maar de tabel 84583NED is KWB 2019"
    with pytest.raises(SourceFormatError, match=msg):
        read_odata(path)


def test_sniff_leaves_police_envelope(test_data: Path) -> None:
    police = test_data / "fetch" / "police_crime_2019_47018NED_odata.json"
    if not police.exists():
        pytest.skip("police fixture not present")
    assert not sniff_odata(police)
