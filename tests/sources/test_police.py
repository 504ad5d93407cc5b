"""Police registered crime (47018NED yearly, 47022NED monthly) saved by the fetcher."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from wijkradar.catalogue import load_catalogue
from wijkradar.errors import RegionCodeError, SourceFormatError
from wijkradar.sources._raw import RAW_COLUMNS, RAW_DTYPES
from wijkradar.sources.police import (
    POLICE_CATEGORIES,
    police_soort_keys,
    read_police,
    sniff_police,
)

FIX = Path(__file__).parent.parent / "data" / "fetch"
YEARLY = FIX / "police_crime_2019_47018NED_odata.json"
MONTHLY = FIX / "police_crime_2019_47022NED_odata.json"


def _values(frame):
    return frame.set_index(["code", "column"])


def _edit(tmp_path, src, change, name="police_crime_2019_47018NED_odata.json"):
    doc = json.loads(src.read_text("utf-8"))
    change(doc)
    out = tmp_path / name
    out.write_text(json.dumps(doc), "utf-8")
    return out


def test_category_names_match_the_catalogue():
    assert list(POLICE_CATEGORIES) == [
        "Diefstal/inbraak woning",
        "Vernieling/beschadiging",
        "Geweld",
    ]
    police_rows = load_catalogue().rules("police")["match"]
    assert sorted(police_rows) == sorted(POLICE_CATEGORIES)
    assert police_soort_keys()[0] == "1.1.1 "  # OData keys are padded to 6 characters


@pytest.mark.parametrize("path", [YEARLY, MONTHLY], ids=["yearly", "monthly"])
def test_sniff_accepts_saved_police_tables(path):
    assert sniff_police(path)


def test_sniff_rejects_others(tmp_path):
    assert not sniff_police(FIX / "cbs_84583NED_TypedDataSet_page1.json")
    assert not sniff_police(FIX / "Leefbaarometer-scores buurten 2002-2024.csv")
    assert not sniff_police(tmp_path / "absent.json")


def test_yearly_sums_subcategories(tmp_path):
    frame = read_police(YEARLY)
    assert frame.attrs["format"] == "police"
    assert tuple(frame.columns) == RAW_COLUMNS
    assert {c: str(t) for c, t in frame.dtypes.items()} == {
        c: str(frame[c].astype(t).dtype) for c, t in RAW_DTYPES.items()
    }
    v = _values(frame)
    # hand sums from the fixture: 1.1.1; 2.2.1 + 3.6.4; 1.4.1 .. 1.4.7
    assert v.loc[("BU03630000", "Diefstal/inbraak woning"), "value"] == 7
    assert v.loc[("BU03630000", "Vernieling/beschadiging"), "value"] == 9 + 1
    assert v.loc[("BU03630000", "Geweld"), "value"] == 0 + 0 + 1 + 3 + 4 + 2 + 0
    assert v.loc[("NL00", "Geweld"), "value"] == 8000 + 100 + 5000 + 22000 + 35000 + 4000 + 900
    assert v.loc[("GM0363", "Vernieling/beschadiging"), "value"] == 6400 + 900
    # the 0.0.0 total is not one of ours
    assert len(frame) == 4 * 3 and set(frame["year"]) == {2019}
    assert set(frame["unit"]) == {"aantal"}
    # WK036300 has a null 3.6.4: vandalism missing, not 15
    row = v.loc[("WK036300", "Vernieling/beschadiging")]
    assert np.isnan(row["value"]) and row["status"] == "missing"
    # row points at the first contributing record (1-based position in "value")
    records = json.loads(YEARLY.read_text("utf-8"))["value"]
    first = records[int(v.loc[("GM0363", "Geweld"), "row"]) - 1]
    assert first["WijkenEnBuurten"].strip() == "GM0363" and first["SoortMisdrijf"] == "1.4.1 "
    gz = tmp_path / "police_crime_2019_47018NED_odata.json.gz"
    gz.write_bytes(gzip.compress(YEARLY.read_bytes()))
    assert read_police(gz)["value"].sum(skipna=True) == frame["value"].sum(skipna=True)


def test_monthly_summed_only_when_all_twelve_months():
    frame = read_police(MONTHLY)
    v = _values(frame)
    assert v.loc[("BU03630000", "Diefstal/inbraak woning"), "value"] == sum(range(1, 13))
    assert v.loc[("GM0363", "Diefstal/inbraak woning"), "value"] == 12 * 200
    vand = v.loc[("BU03630000", "Vernieling/beschadiging")]
    assert vand["status"] == "missing" and np.isnan(vand["value"])  # 3.6.4 has 11 months
    (rej,) = frame.attrs["rejected"]
    assert rej["code"] == "BU03630000" and "11 of 12 months" in rej["reason"]
    # Geweld codes are absent from this table for 2019: no rows rather than missing rows
    assert "Geweld" not in set(frame["column"])


def test_year_filter():
    assert len(read_police(YEARLY, year=2019)) == 12
    assert read_police(YEARLY, year=2020).empty


def test_bad_region_code(tmp_path):
    path = _edit(tmp_path, YEARLY, lambda d: d["value"][5].update(WijkenEnBuurten="GM363 "))
    with pytest.raises(RegionCodeError) as exc:
        read_police(path)
    assert exc.value.row == 6 and exc.value.column == "WijkenEnBuurten"
    assert exc.value.code == "GM363"


def test_non_numeric_count_names_row_and_column(tmp_path):
    path = _edit(tmp_path, YEARLY, lambda d: d["value"][1].update(GeregistreerdeMisdrijven_1="x?"))
    with pytest.raises(
        SourceFormatError, match="rij 2, kolom 'GeregistreerdeMisdrijven_1': geen aantal"
    ):
        read_police(path)


def test_duplicate_names_both_rows(tmp_path):
    path = _edit(tmp_path, YEARLY, lambda d: d["value"].append(dict(d["value"][1])))
    with pytest.raises(SourceFormatError, match="rijen 2 en 45"):
        read_police(path)


def test_unknown_period(tmp_path):
    path = _edit(tmp_path, YEARLY, lambda d: d["value"][0].update(Perioden="2019KW01"))
    with pytest.raises(
        SourceFormatError,
        match=r"onbekende periode \(verwacht een jaar 2019JJ00 of een maand 2019MM03, gekregen ",
    ) as exc:
        read_police(path)
    assert exc.value.row == 1


def test_truncated_and_foreign_json(tmp_path):
    cut = tmp_path / "police_crime_2019_47018NED_odata.json"
    cut.write_bytes(YEARLY.read_bytes()[:3000])
    with pytest.raises(
        SourceFormatError,
        match=r"geen geldige JSON .*\(verwacht een politietabel zoals wijkradar.sources.fetch",
    ):
        read_police(cut)
    with pytest.raises(
        SourceFormatError, match=r"geen kolom met geregistreerde misdrijven \(verwacht een sleutel "
    ):
        read_police(
            _edit(
                tmp_path,
                FIX / "cbs_84583NED_TypedDataSet_page1.json",
                lambda d: d.pop("odata.nextLink"),
                name="other.json",
            )
        )
    missing = _edit(tmp_path, YEARLY, lambda d: d["value"][3].pop("Perioden"))
    with pytest.raises(SourceFormatError, match="record mist een sleutel") as exc:
        read_police(missing)
    assert exc.value.row == 4
