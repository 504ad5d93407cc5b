"""User tables mapped onto catalogue ids through TOML mapping files."""

from __future__ import annotations

import shutil

import openpyxl
import pytest

from wijkradar.errors import CatalogueError, RegionCodeError, SourceFormatError
from wijkradar.sources.usertable import (
    MappedColumn,
    Mapping,
    builtin_mapping_paths,
    find_mapping,
    load_mapping,
    read_user_table,
)

MAPPING = """
name = "test"
match = ["Code", "Inwoners"]
code = "Code"
year = 2019
[columns]
Inwoners = "population"
Koop = {id = "owner_occupied_pct", scale = 1}
"""


def _value(frame, code, column):
    sel = frame[(frame.code == code) & (frame.column == column)]
    assert len(sel) == 1, sel
    return sel.iloc[0]


@pytest.fixture
def table(test_data):
    return test_data / "usertable" / "wijkmonitor_2021.csv"


def test_sidecar_mapping_bom_quotes_decimals(table):
    mapping = find_mapping(table)
    assert mapping is not None and mapping.name == "Wijkmonitor Utrecht (test)"
    df = read_user_table(table, mapping)
    assert df.attrs["format"] == "user"
    assert set(df.column) == {"population", "income_per_inhabitant", "woz_mean"}
    assert (df.year == 2021).all()  # year_pattern on the file name
    gm = _value(df, "GM0344", "income_per_inhabitant")  # '31,2': decimal comma
    assert (gm.value, gm.unit, gm["name"], gm.row) == (31.2, "x 1 000 euro", "Utrecht", 2)
    woz = _value(df, "BU03440000", "woz_mean")  # '512500' euro, scaled by 0.001
    assert woz.value == pytest.approx(512.5) and woz.unit == "x 1 000 euro"
    assert _value(df, "WK034400", "woz_mean").status == "missing"  # empty field
    assert _value(df, "WK034400", "population").value == 17560  # padded code stripped
    assert df.attrs["unmapped_columns"] == ["Opmerking"]


def test_comma_separated_and_year_argument(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("Code,Inwoners,Koop,Extra\nBU03440000,1120,55.5,a\nGM0344,.,x,b\n")
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING)
    df = read_user_table(path, mapping, year=2022)
    assert (df.year == 2022).all()
    assert _value(df, "BU03440000", "owner_occupied_pct").value == 55.5
    assert _value(df, "GM0344", "population").status == "missing"
    assert _value(df, "GM0344", "owner_occupied_pct").status == "suppressed"
    assert df.attrs["unmapped_columns"] == ["Extra"]


def test_xlsx_table(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in (["Code", "Inwoners", "Koop"], ["WK034400  ", 17560, 12.5], ["GM0344", None, 30]):
        ws.append(row)
    path = tmp_path / "monitor.xlsx"
    wb.save(path)
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING)
    df = read_user_table(path, mapping)
    assert _value(df, "WK034400", "population").value == 17560
    assert _value(df, "WK034400", "owner_occupied_pct").row == 2
    assert _value(df, "GM0344", "population").status == "missing"


def test_name_only_table(tmp_path):
    path = tmp_path / "buurten_2020.csv"
    path.write_text("Buurt;Inwoners\nKop Zeedijk;1100\nOude Kerk e.o.;905\n")
    mapping = tmp_path / "m.toml"
    mapping.write_text(
        'match = ["Buurt"]\nname_column = "Buurt"\ngemeente = "GM0363"\n'
        '[columns]\nInwoners = "population"\n'
    )
    df = read_user_table(path, mapping)
    assert (df.code == "").all() and df.attrs["gemeente"] == "GM0363"
    assert df.set_index("name").value["Oude Kerk e.o."] == 905
    assert (df.year == 2020).all()  # from the file name


def test_unknown_mapping_id(tmp_path):
    mapping = tmp_path / "bad.mapping.toml"
    mapping.write_text(MAPPING.replace('"population"', '"populaton"'))
    with pytest.raises(CatalogueError) as err:
        load_mapping(mapping)
    msg = str(err.value)
    assert "bad.mapping.toml" in msg and "'populaton'" in msg and "population" in msg


def test_mapping_that_matches_no_header(table, tmp_path):
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING)
    with pytest.raises(SourceFormatError) as err:
        read_user_table(table, mapping)
    msg = str(err.value)
    assert "mapping 'test' past niet bij deze tabel: kolommen Koop ontbreken" in msg
    assert (
        "gevonden kolommen: Gebied, Code" in msg
        and f"(verwacht de kolommen van mapping {mapping})" in msg
    )


def test_find_mapping_search_dirs_and_none(table, tmp_path):
    copy = tmp_path / "wijkmonitor_2021.csv"
    shutil.copy(table, copy)  # no sidecar next to the copy
    assert find_mapping(copy) is None
    maps = tmp_path / "maps"
    maps.mkdir()
    (maps / "a.toml").write_text(
        'match = ["Code"]\ncode = "Code"\n[columns]\nInwoners = "population"\n'
    )
    (maps / "b.toml").write_text(
        'match = ["Code", "WOZ (euro)"]\ncode = "Code"\n[columns]\n"WOZ (euro)" = "woz_mean"\n'
    )
    found = find_mapping(copy, search=[maps])
    assert isinstance(found, Mapping) and found.path == maps / "b.toml"  # most specific


def test_errors_in_values_and_codes(tmp_path):
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING)
    bad_num = tmp_path / "n.csv"
    bad_num.write_text("Code;Inwoners;Koop\nGM0344;361924;30\nWK034400;veel;30\n")
    with pytest.raises(SourceFormatError) as err:
        read_user_table(bad_num, mapping)
    assert (err.value.row, err.value.column, err.value.got) == (3, "Inwoners", "veel")
    bad_code = tmp_path / "c.csv"
    bad_code.write_text("Code;Inwoners;Koop\nGM344;1;30\n")
    with pytest.raises(RegionCodeError) as err:
        read_user_table(bad_code, mapping)
    assert err.value.row == 2 and err.value.code == "GM344"
    dup = tmp_path / "d.csv"
    dup.write_text("Code;Inwoners;Koop\nGM0344;1;30\ngm0344 ;2;31\n")
    with pytest.raises(
        SourceFormatError, match=r"code GM0344 komt meer dan eens voor \(rijen 2 en 3\)"
    ):
        read_user_table(dup, mapping)
    cut = tmp_path / "t.csv"
    cut.write_text('Code;Inwoners;Koop\nGM0344;1;30\n"WK034400;2\n')
    with pytest.raises(SourceFormatError) as err:
        read_user_table(cut, mapping)
    assert err.value.row == 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("colour = 1\n" + MAPPING, "colour: Extra inputs are not permitted, got 1"),
        (
            'match = ["A"]\n[columns]\nA = "population"\n',
            "code: give code = <code column>, or region_name and gemeente for names only, "
            "got {'code': None, 'gemeente': None}",
        ),
        (MAPPING.replace("year = 2019", 'year = "2019"'), "year: Input should be a valid integer"),
        (MAPPING.replace('match = ["Code", "Inwoners"]', "match = []"), "match: Tuple should"),
        (MAPPING.replace('match = ["Code", "Inwoners"]', 'match = "Code"'), "match: Input should"),
        (
            MAPPING.replace("year = 2019", 'year = 2019\ndecimal = ";"'),
            "decimal: Input should be ',' or '.', got ';'",
        ),
        (
            MAPPING.replace("scale = 1}", 'scale = "1"}'),
            "columns.Koop.scale: Input should be a number, got '1'",
        ),
        (
            MAPPING.replace("scale = 1}", "scale = 1, unti = '%'}"),
            "columns.Koop.unti: Extra inputs are not permitted, got '%'",
        ),
        (
            MAPPING.replace("year = 2019", 'year_pattern = "20\\\\d\\\\d"'),
            "year_pattern: Input should have a group around the year: (20\\d\\d), got '20\\\\d",
        ),
        (
            MAPPING.replace('code = "Code"', 'region_name = "Code"\ngemeente = "0363"'),
            "gemeente: Input should be a gemeente code like GM0363, got '0363'",
        ),
        ("[columns]\n", "match: Field required"),
    ],
)
def test_mapping_file_errors_name_the_key(tmp_path, text, message):
    path = tmp_path / "m.toml"
    path.write_text(text)
    with pytest.raises(CatalogueError) as err:
        load_mapping(path)
    assert str(err.value).startswith(f"{path}: {message}")


def test_mapping_file_bad_toml_and_normalised_values(tmp_path):
    path = tmp_path / "m.toml"
    path.write_text("match = [\n")
    with pytest.raises(CatalogueError, match="not valid TOML"):
        load_mapping(path)
    path.write_text(
        'match = [" Buurt "]\nname_column = "Buurt"\ngemeente = " gm0363"\n'
        '[columns]\n" Inwoners" = {id = "population", unit = ""}\n[ignore]\n" X " = "text"\n'
    )
    m = load_mapping(path)
    assert (m.name, m.match, m.region_name, m.gemeente, m.code) == (
        "m",
        ("Buurt",),
        "Buurt",
        "GM0363",
        None,
    )
    assert m.columns == (MappedColumn("Inwoners", "population", 1.0, ""),)  # unit "" stays ""
    assert m.ignore == (("X", "text"),)


def test_builtin_mappings_are_valid():
    paths = builtin_mapping_paths()
    assert len(paths) >= 2
    for p in paths:
        m = load_mapping(p)
        # 'up to 120% of the social minimum' is not CBS's 'at or below' (105%) indicator
        assert "social_minimum_households_pct" not in {c.id for c in m.columns}


# --- real data ------------------------------------------------------------------------------


def test_real_amsterdam_2020(shared_data):
    path = shared_data / "kwb" / "amsterdam" / "kwb_2020_amsterdam_subset23_tommasozf.csv.gz"
    df = read_user_table(path, find_mapping(path))
    assert (df.year == 2020).all()
    assert _value(df, "GM0363", "population").value == 872757
    kop = df[df.code == "BU03630000"].set_index("column").value
    assert kop["woz_mean"] == 423.0 and kop["income_per_inhabitant"] == 37.0  # '423.0' and '37'
    assert kop["low_income_households_pct"] == 12.3  # '12,3'
    assert df.code.nunique() == 579
    # CBS's "tot 120% van sociaal minimum" has its own id, never "onder of rond" (105 %)
    assert kop["social_minimum_120_households_pct"] == pytest.approx(
        float(_value(df, "BU03630000", "social_minimum_120_households_pct").value)
    )
    assert "social_minimum_households_pct" not in set(df["column"])
    assert df.attrs["unmapped_columns"] == []
    assert "Municipality_Name" in df.attrs["ignored_columns"]


def test_real_amsterdam_2023_income(shared_data):
    path = shared_data / "kwb" / "amsterdam" / "kwb_2023_amsterdam_income_tommasozf.csv.gz"
    df = read_user_table(path, find_mapping(path))
    assert (df.year == 2023).all() and df.code.nunique() == 628
    assert _value(df, "WK0363AA", "income_per_inhabitant").value == 45.4  # '"WK0363AA  "'
    assert _value(df, "BU0363AA01", "income_per_inhabitant").status == "missing"
    assert _value(df, "BU0363AA01", "low_income_households_pct").value == 11.9


def test_real_amsterdam_2024(shared_data):
    path = shared_data / "kwb" / "amsterdam" / "kwb_2024_amsterdam_subset23_tommasozf.csv.gz"
    df = read_user_table(path, find_mapping(path))
    assert (df.year == 2024).all()
    assert _value(df, "BU0363AA01", "population").value == 345
    income = df[df.column == "income_per_inhabitant"]
    assert (income.status == "missing").all()  # empty in the source file
