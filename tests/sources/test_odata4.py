"""Tests for wijkradar.sources.odata4 on hand-written CBS OData v4 envelopes.

The envelopes are what ``wijkradar fetch --api v4`` writes (:func:`envelope_text`): the table's
``Properties``, ``MeasureGroups``, ``MeasureCodes`` and ``WijkenEnBuurtenCodes``, then the
``Observations`` (``Id, Measure, ValueAttribute, Value, StringValue, WijkenEnBuurten``).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wijkradar.catalogue import load_catalogue
from wijkradar.errors import RegionCodeError, SourceFormatError
from wijkradar.panel.harmonise import to_panel_rows
from wijkradar.sources import detect
from wijkradar.sources._raw import RAW_COLUMNS
from wijkradar.sources.odata import sniff_odata
from wijkradar.sources.odata4 import HEAD_CHARS, envelope_text, read_odata4, sniff_odata4

GROUPS = [
    {"Id": "H1", "Index": 1, "Title": "Bevolking", "Description": None, "ParentId": None},
    {"Id": "H2", "Index": 2, "Title": "Geslacht", "Description": None, "ParentId": "H1"},
    {"Id": "H3", "Index": 3, "Title": "Inkomen", "Description": None, "ParentId": None},
]


def _measure(ident, title, group=None, unit="aantal", dtype="Long", index=1):
    return {
        "Identifier": ident,
        "Index": index,
        "Title": title,
        "Description": None,
        "MeasureGroupId": group,
        "DataType": dtype,
        "Unit": unit,
        "Decimals": 0,
        "PresentationType": "Absolute",
    }


MEASURES = [
    _measure("M000380", "Gemeentenaam", unit="Tekst", dtype="String", index=1),
    _measure("T001036", "Aantal inwoners", "H1", index=2),
    _measure("3000", "Mannen", "H2", index=3),
    _measure("M000224", "Gemiddeld inkomen per inwoner", "H3", "x 1 000 euro", "Double", 4),
]


def _obs(i, measure, code, value=None, attr="None", string=None):
    return {
        "Id": i,
        "Measure": measure,
        "ValueAttribute": attr,
        "Value": value,
        "WijkenEnBuurten": code,
        "StringValue": string,
    }


def _envelope(tmp_path: Path, observations, *, name="kwb_2019_84583NED_odata4.json", **header):
    head = {
        "format": "cbs-odata4",
        "table": "84583NED",
        "year": 2019,
        "title": "Kerncijfers wijken en buurten 2019",
        "api": "v4",
        "MeasureGroups": GROUPS,
        "MeasureCodes": MEASURES,
        "WijkenEnBuurtenCodes": [
            {"Identifier": "GM0363    ", "Title": "Amsterdam", "DimensionGroupId": "2"},
            {"Identifier": "BU03630000", "Title": "Kop Zeedijk ", "DimensionGroupId": "4"},
        ],
    }
    head.update(header)
    head = {k: v for k, v in head.items() if v is not None}
    path = tmp_path / name
    path.write_text(envelope_text(head, observations), encoding="utf-8")
    return path


def one(frame: pd.DataFrame, code: str, column: str) -> pd.Series:
    rows = frame[(frame["code"] == code) & (frame["column"] == column)]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_envelope_columns_paths_units_names(tmp_path):
    path = _envelope(
        tmp_path,
        [
            _obs(0, "M000380", "GM0363    ", string="Amsterdam"),
            _obs(1, "T001036", "GM0363    ", 862965.0),
            _obs(2, "3000", "GM0363    ", 425000),
            _obs(3, "M000224", "GM0363    ", 31.3),
            _obs(4, "T001036", "BU03630000", 930.0),
        ],
    )
    df = read_odata4(path)
    assert tuple(df.columns) == RAW_COLUMNS and df.attrs["format"] == "odata4"
    assert df.attrs["text_measures"] == ["M000380"]
    assert df.attrs["title"] == "Kerncijfers wijken en buurten 2019"
    assert set(df["year"]) == {2019}
    # padded codes normalised; names from the codes list
    assert sorted(df["code"].unique()) == ["BU03630000", "GM0363"]
    assert one(df, "BU03630000", "Bevolking/Aantal inwoners")["name"] == "Kop Zeedijk"
    pop = one(df, "GM0363", "Bevolking/Aantal inwoners")
    assert (pop["value"], pop["unit"], pop["status"], pop["row"]) == (
        862965,
        "aantal",
        "observed",
        2,
    )
    assert one(df, "GM0363", "Bevolking/Geslacht/Mannen")["value"] == 425000
    inc = one(df, "GM0363", "Inkomen/Gemiddeld inkomen per inwoner")
    assert (inc["value"], inc["unit"]) == (pytest.approx(31.3), "x 1 000 euro")
    assert len(df) == 4  # the text measure is left out


@pytest.mark.parametrize(
    ("attr", "value", "want_value", "status"),
    [
        ("None", 12.0, 12.0, "observed"),
        ("None", 0, 0.0, "observed"),  # StatLine's "-" (nil) is a plain 0 in v4
        ("None", None, None, "missing"),
        ("Confidential", None, None, "suppressed"),  # StatLine's "x"
        ("Confidential", 7.0, None, "suppressed"),  # a value CBS marks secret is not used
        ("Impossible", None, None, "missing"),
        ("NotAvailable", None, None, "missing"),  # StatLine's "."
        (None, 5.0, 5.0, "observed"),  # no ValueAttribute at all
        # string cells as the v3 reader reads them
        ("None", ".", None, "missing"),
        ("None", "       x", None, "suppressed"),
        ("None", "-", 0.0, "observed"),
        ("None", "?", None, "missing"),
        ("None", " 12.5", 12.5, "observed"),
    ],
)
def test_value_attributes_and_markers(tmp_path, attr, value, want_value, status):
    path = _envelope(tmp_path, [_obs(0, "T001036", "GM0363", value, attr)])
    got = one(read_odata4(path), "GM0363", "Bevolking/Aantal inwoners")
    assert got["status"] == status
    if want_value is None:
        assert np.isnan(got["value"])
    else:
        assert got["value"] == pytest.approx(want_value)


def test_markers_match_the_v3_reader(tmp_path, test_data):
    """The same cells through read_odata (v3) and read_odata4 give the same value and status."""
    from wijkradar.sources.odata import read_odata

    cells = [12, None, ".", "x", "-", "?", "3.5"]
    v3 = tmp_path / "v3.json"
    v3.write_text(
        json.dumps(
            {
                "table": "84583NED",
                "year": 2019,
                "value": [
                    {"WijkenEnBuurten": f"BU036300{i:02d}", "AantalInwoners_5": c}
                    for i, c in enumerate(cells)
                ],
            }
        ),
        encoding="utf-8",
    )
    v4 = _envelope(
        tmp_path, [_obs(i, "T001036", f"BU036300{i:02d}", c) for i, c in enumerate(cells)]
    )
    a = read_odata(v3).set_index("code")[["value", "status"]].astype({"status": str})
    b = read_odata4(v4).set_index("code")[["value", "status"]].astype({"status": str})
    pd.testing.assert_frame_equal(a, b)


def test_unknown_value_attribute_and_text_in_a_number_are_errors(tmp_path):
    path = _envelope(tmp_path, [_obs(0, "T001036", "GM0363", None, "Geheim")])
    with pytest.raises(
        SourceFormatError,
        match=r"waarneming 1 \(meting T001036\): onbekend ValueAttribute \(verwacht een van None / "
        r"Confidential / NotAvailable / Impossible, gekregen 'Geheim'\)",
    ) as exc:
        read_odata4(path)
    assert exc.value.row == 1 and exc.value.column == "T001036" and exc.value.got == "Geheim"
    path = _envelope(
        tmp_path, [_obs(0, "T001036", "GM0363", 1.0), _obs(1, "T001036", "BU03630000", "veel")]
    )
    with pytest.raises(
        SourceFormatError, match=r"waarneming 2 \(meting T001036\): Value is geen getal"
    ) as exc:
        read_odata4(path)
    assert exc.value.row == 2 and exc.value.got == "veel"
    assert path.name in str(exc.value)


def test_wrong_envelope_names_the_file_and_what_was_expected(tmp_path):
    bare = tmp_path / "observations_page.json"
    bare.write_text(
        json.dumps(
            {
                "@odata.context": "https://datasets.cbs.nl/odata/v1/CBS/84583NED/$metadata#Observations",
                "value": [_obs(0, "T001036", "GM0363", 1.0)],
            }
        ),
        encoding="utf-8",
    )
    assert sniff_odata4(bare)
    with pytest.raises(SourceFormatError, match="geen MeasureCodes") as exc:
        read_odata4(bare)
    assert str(bare) in str(exc.value) and '(verwacht {"format": "cbs-odata4"' in str(exc.value)
    assert "zoals de fetcher die via OData v4 opslaat" in str(exc.value)
    assert "--api" not in str(exc.value)  # the library names no CLI flags

    v3 = tmp_path / "kwb_2019_84583NED_odata.json"
    v3.write_text(json.dumps({"table": "84583NED", "DataProperties": [], "value": []}))
    with pytest.raises(SourceFormatError, match="dit is een OData v3-download") as exc:
        read_odata4(v3)
    assert v3.name in str(exc.value) and "read_odata" in str(exc.value)

    for text, match in [
        ('{"format": "cbs-odata4", "value": 3}', "geen lijst 'value' met waarnemingen"),
        ("[1, 2]", "geen lijst 'value' met waarnemingen"),
        ('{"format": "cbs-odata4", "MeasureCodes": [], "value": [', "geen geldige JSON"),
    ]:
        bad = tmp_path / "bad.json"
        bad.write_text(text)
        with pytest.raises(SourceFormatError, match=match) as exc:
            read_odata4(bad)
        assert exc.value.path == str(bad) and '"MeasureCodes": [...]' in str(exc.value)
        assert "zoals wijkradar.sources.fetch het opslaat)" in str(exc.value)


def test_broken_metadata_is_an_error(tmp_path):
    obs = [_obs(0, "T001036", "GM0363", 1.0)]
    loop = [dict(g, ParentId="H2") if g["Id"] == "H1" else g for g in GROUPS]
    with pytest.raises(
        SourceFormatError, match="kringverwijzing in ParentId van MeasureGroups bij groep"
    ):
        read_odata4(_envelope(tmp_path, obs, MeasureGroups=loop))
    with pytest.raises(SourceFormatError, match="groep 'H2', die niet in MeasureGroups staat"):
        read_odata4(_envelope(tmp_path, obs, MeasureGroups=GROUPS[:1]))
    with pytest.raises(SourceFormatError, match="meting 'T999' staat niet in MeasureCodes"):
        read_odata4(_envelope(tmp_path, [_obs(0, "T999", "GM0363", 1.0)]))
    with pytest.raises(
        SourceFormatError, match="item 1 van MeasureCodes heeft geen Identifier en Title"
    ):
        read_odata4(_envelope(tmp_path, obs, MeasureCodes=[{"Title": "x"}]))
    with pytest.raises(
        SourceFormatError, match="waarneming 2 mist Measure of WijkenEnBuurten"
    ) as exc:
        read_odata4(_envelope(tmp_path, [*obs, {"Id": 1, "Measure": "T001036", "Value": 1}]))
    assert exc.value.row == 2
    with pytest.raises(
        SourceFormatError, match=r"meting T001036 twee keer \(waarnemingen 1 en 2\)"
    ) as exc:
        read_odata4(_envelope(tmp_path, [*obs, _obs(1, "T001036", "GM0363    ", 2.0)]))
    assert exc.value.code == "GM0363" and exc.value.row == 2
    with pytest.raises(RegionCodeError) as exc:
        read_odata4(_envelope(tmp_path, [_obs(0, "T001036", "Amsterdam", 1.0)]))
    assert exc.value.code == "Amsterdam"


def test_without_measure_groups_a_repeated_title_is_tagged(tmp_path):
    measures = [
        _measure("A", "Europa (exclusief Nederland)", unit="%", index=1),
        _measure("B", "Europa (exclusief Nederland)", unit="%", index=2),
        _measure("C", "Europa (exclusief Nederland)", unit="aantal", index=3),
    ]
    obs = [_obs(i, m, "GM0363", float(i)) for i, m in enumerate("ABC")]
    df = read_odata4(_envelope(tmp_path, obs, MeasureGroups=None, MeasureCodes=measures))
    got = sorted(zip(df["column"], df["unit"], df["value"], strict=True))
    assert got == [
        ("Europa (exclusief Nederland)", "%", 0.0),
        ("Europa (exclusief Nederland)", "aantal", 2.0),  # another unit: no tag
        ("Europa (exclusief Nederland) #2", "%", 1.0),
    ]


def test_year_from_envelope_table_or_name(tmp_path):
    obs = [_obs(0, "T001036", "GM0363", 1.0)]
    assert set(read_odata4(_envelope(tmp_path, obs, year=None))["year"]) == {2019}  # 84583NED
    path = _envelope(tmp_path, obs, year=None, table=None, name="kwb_2021_odata4.json")
    assert set(read_odata4(path)["year"]) == {2021}
    assert set(read_odata4(path, year=2020)["year"]) == {2020}
    with pytest.raises(SourceFormatError, match="jaar 2020, maar de tabel 84583NED is KWB 2019"):
        read_odata4(_envelope(tmp_path, obs, year=2020))
    with pytest.raises(
        SourceFormatError, match="het KWB-jaar blijkt niet uit het bestand; geef year= mee"
    ):
        read_odata4(_envelope(tmp_path, obs, year=None, table=None, name="kwb_odata4.json"))


def test_empty_observations(tmp_path):
    df = read_odata4(_envelope(tmp_path, []))
    assert df.empty and tuple(df.columns) == RAW_COLUMNS and df.attrs["format"] == "odata4"


def test_envelope_is_padded_so_only_odata4_sniffs_it(tmp_path):
    obs = [_obs(i, "T001036", "GM0363", float(i)) for i in range(3)]
    path = _envelope(tmp_path, obs)
    text = path.read_text("utf-8")
    assert text.index('"value":') >= HEAD_CHARS and json.loads(text)["value"] == obs
    assert sniff_odata4(path) and not sniff_odata(path)  # no observation in the first 8 KiB
    reader, _ = detect(path)
    assert reader is not None and reader.name == "odata4"
    v3 = tmp_path / "v3.json"
    v3.write_text(json.dumps({"odata.metadata": "x", "value": [{"WijkenEnBuurten": "GM0363"}]}))
    assert not sniff_odata4(v3) and sniff_odata(v3)
    with pytest.raises(ValueError, match="without a 'value' key"):
        envelope_text({"value": []}, obs)


def test_columns_match_the_catalogue_like_the_v3_keys(tmp_path):
    path = _envelope(
        tmp_path,
        [
            _obs(0, "T001036", "GM0363", 862965.0),
            _obs(1, "M000224", "GM0363", None, "Confidential"),
        ],
    )
    rows, cmap = to_panel_rows(read_odata4(path), load_catalogue())
    # the label path ends in the catalogue's StatLine spelling, as the v3 key stem equals it
    assert dict(zip(cmap["column"], cmap["indicator"], strict=True)) == {
        "Bevolking/Aantal inwoners": "population",
        "Inkomen/Gemiddeld inkomen per inwoner": "income_per_inhabitant",
    }
    got = rows.set_index(rows["indicator"].astype(str))
    assert got.loc["population", "value"] == 862965
    assert got.loc["population", "status"] == "observed"
    assert got.loc["income_per_inhabitant", "status"] == "suppressed"
    assert math.isnan(got.loc["income_per_inhabitant", "value"])
