"""Tests for wijkradar.sources.kwb: every KWB layout on hand-written files and on the real data."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from wijkradar.errors import RegionCodeError, SourceFormatError
from wijkradar.sources._raw import RAW_COLUMNS, RAW_DTYPES
from wijkradar.sources.kwb import read_kwb, sniff_kwb


def one(frame: pd.DataFrame, code: str, column: str, name: str | None = None) -> pd.Series:
    """The single raw row for (code or name, column)."""
    sel = frame["column"] == column
    sel &= (frame["name"] == name) if name is not None else (frame["code"] == code)
    rows = frame[sel]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def check_contract(frame: pd.DataFrame, fmt: str) -> None:
    assert tuple(frame.columns) == RAW_COLUMNS
    assert {c: str(t) for c, t in frame.dtypes.items()} == {
        c: str(pd.Series([], dtype=t).dtype) for c, t in RAW_DTYPES.items()
    }
    assert frame.attrs["format"] == fmt
    assert isinstance(frame.attrs["rejected"], list)
    assert frame.loc[frame["status"] != "observed", "value"].isna().all()


# ----------------------------------------------------------------- hand-written fixtures


def test_raw_statline(test_data: Path) -> None:
    path = test_data / "kwb" / "statline_rotterdam_2018.csv"
    assert sniff_kwb(path)
    df = read_kwb(path)
    check_contract(df, "statline")
    assert set(df["year"]) == {2018}
    assert sorted(df["code"].unique()) == ["BU05990110", "BU05992705", "GM0599", "WK059901"]
    r = one(df, "BU05990110", "aantal inwoners")
    assert (r["value"], r["unit"], r["row"], r["name"]) == (16045.0, "aantal", 8, "Stadsdriehoek")
    assert one(df, "WK059901", "gemiddelde huishoudensgrootte")["value"] == pytest.approx(1.6)
    # the quoted label with ';' inside stays one column
    assert one(df, "WK059901", "personen per soort uitkering bijstand")["value"] == 1750
    assert one(df, "GM0599", "gemiddeld inkomen per inwoner")["unit"] == "x 1 000 euro"
    # repeated label, kept twice with its own unit
    app = df[(df["code"] == "WK059901") & (df["column"] == "appartement")]
    assert list(app["unit"]) == ["kwh", "m³"]
    assert app["value"].iloc[0] == 1930 and app["status"].iloc[1] == "missing"
    # markers: x secret, - nil, ? unreliable, empty, '.' missing
    stad = df[df["code"] == "BU05990110"].set_index(["column", "unit"])
    assert stad.loc[("appartement", "kwh"), "status"] == "suppressed"
    assert stad.loc[("appartement", "m³"), ["value", "status"]].tolist() == [0.0, "observed"]
    assert stad.loc[("personen per soort uitkering bijstand", "aantal"), "status"] == "missing"
    assert stad.loc[("gemiddeld inkomen per inwoner", "x 1 000 euro"), "status"] == "missing"
    assert one(df, "GM0599", "indelingswijziging wijken en buurten")["status"] == "missing"
    assert one(df, "BU05990110", "totaal diefstal uit woning schuur e d")["value"] == 3
    # text columns are not values
    assert not df["column"].isin(["gemeentenaam", "soort regio", "codering", "jaar"]).any()
    assert len(df) == 4 * 10


def test_raw_statline_names_only(test_data: Path) -> None:
    df = read_kwb(test_data / "kwb" / "statline_amsterdam_namesonly.csv")
    check_contract(df, "statline")
    assert (df["code"] == "").all()
    assert sorted(df["name"].unique()) == [
        "Amsterdam",
        "Burgwallen-Oude Zijde",
        "Stadsdeel Centrum",
    ]
    key = "inkomen inkomen van personen gemiddeld inkomen per inwoner"
    assert one(df, "", key, name="Amsterdam")["value"] == pytest.approx(26.9)
    assert set(df["year"]) == {2015}  # from the title line
    assert "Bron: CBS" not in set(df["name"])  # the footer is not a region
    assert df["row"].max() == 8


def test_r_write_csv_export(test_data: Path) -> None:
    path = test_data / "kwb" / "kwb_r_84583NED.csv"
    assert sniff_kwb(path)
    df = read_kwb(path)
    check_contract(df, "statline")
    assert set(df["year"]) == {2019}  # from the table id 84583NED
    assert one(df, "GM0363", "bevolking aantal inwoners")["value"] == 862965
    size = one(df, "NL00", "bevolking particuliere huishoudens gemiddelde huishoudensgrootte")
    assert (size["value"], size["unit"]) == (pytest.approx(2.1), "aantal")
    dens = one(df, "GM0363", "bevolking bevolkingsdichtheid")
    assert dens["unit"] == "aantal inwoners per km²"
    assert (
        one(df, "GM0363", "energie gemiddeld aardgasverbruik naar woningtype appartement")["unit"]
        == "m³"
    )
    inc = one(df, "GM0363", "inkomen inkomen van personen gemiddeld inkomen per inwoner")
    assert (inc["value"], inc["unit"]) == (pytest.approx(31.3), "x 1 000 euro")
    osm = one(df, "GM0363", "inkomen inkomen van huishoudens huish onder of rond sociaal minimum")
    assert (osm["value"], osm["unit"]) == (pytest.approx(12.4), "%")
    assert (
        one(df, "WK036300", "sociale zekerheid personen per soort uitkering bijstand")["status"]
        == "missing"
    )
    assert (
        one(df, "BU03630000", "sociale zekerheid personen per soort uitkering bijstand")["status"]
        == "suppressed"
    )
    assert one(df, "WK036300", "postcode meest voorkomende postcode")["value"] == 1012
    assert one(df, "BU03630000", "bevolking aantal inwoners")["name"] == "Kop Zeedijk"


def test_plain_statline_export(test_data: Path) -> None:
    df = read_kwb(test_data / "kwb" / "kwb_plain_export_2020.csv")
    check_contract(df, "statline")
    assert set(df["year"]) == {2020}
    r = one(df, "BU03440100", "bevolking aantal inwoners")
    assert (r["value"], r["unit"], r["name"]) == (1040, "aantal", "Domplein, Neude, Janskerkhof")
    assert (
        one(df, "GM0344", "bedrijfsvestigingen sbi 2008 bedrijfsvestigingen totaal")["unit"]
        == "aantal"
    )
    inc = one(df, "GM0344", "inkomen inkomen van personen gemiddeld inkomen per inwoner")
    assert inc["value"] == pytest.approx(29.8)


def test_export_needs_year_when_file_does_not_say(test_data: Path, tmp_path: Path) -> None:
    src = tmp_path / "export.csv"
    src.write_bytes((test_data / "kwb" / "kwb_plain_export_2020.csv").read_bytes())
    with pytest.raises(SourceFormatError, match="KWB-jaar blijkt niet uit het bestand; geef year="):
        read_kwb(src)
    assert set(read_kwb(src, year=2021)["year"]) == {2021}


def test_kaart_table(test_data: Path) -> None:
    path = test_data / "kwb" / "wijk_2017_kaart.csv"
    df = read_kwb(path)
    check_contract(df, "kwbkaart")
    assert sorted(df["code"].unique()) == ["WK000300", "WK036300", "WK036301"]
    assert set(df["unit"]) == {""}
    assert one(df, "WK036300", "AANT_INW")["value"] == 4295
    assert one(df, "WK036300", "GEM_HH_GR")["value"] == pytest.approx(1.4)
    assert one(df, "WK036300", "IND_WBI")["value"] == 1  # a code, but kept as a value
    secret = one(df, "WK036301", "P_EENP_HH")
    assert np.isnan(secret["value"]) and secret["status"] == "suppressed"
    assert not df["column"].isin(["WK_CODE", "WK_NAAM", "GM_CODE", "GM_NAAM", "WATER"]).any()
    rejected = df.attrs["rejected"]
    assert [(r["row"], r["code"]) for r in rejected] == [(5, "WK001099"), (6, "WK999999")]
    assert rejected[0]["reason"] == "water-only unit (WATER=JA)"


def test_kwb_xls(test_data: Path) -> None:
    path = test_data / "kwb" / "kwb-2019.xls"
    assert sniff_kwb(path)
    df = read_kwb(path)
    check_contract(df, "kwbkaart")
    assert set(df["year"]) == {2019}
    assert sorted(df["code"].unique()) == ["BU03630000", "GM0363", "NL00", "WK036300"]
    assert one(df, "GM0363", "a_inw")["value"] == 862965
    assert one(df, "GM0363", "g_ink_pi")["value"] == pytest.approx(31.3)
    assert one(df, "GM0363", "a_inw")["row"] == 3
    assert one(df, "BU03630000", "g_ink_pi")["status"] == "suppressed"
    assert one(df, "BU03630000", "p_koopw")["value"] == 0  # '-' is nil
    assert one(df, "WK036300", "p_hh_li")["status"] == "missing"
    assert not df["column"].isin(["regio", "gm_naam", "recs", "gwb_code", "gwb_code_8"]).any()


def _write_xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def test_kwb_xlsx(tmp_path: Path) -> None:
    path = _write_xlsx(
        tmp_path / "kwb-2021.xlsx",
        {
            "Toelichting": [["Kerncijfers wijken en buurten 2021"], ["Bron: CBS"]],
            "KWB2021": [
                ["gwb_code_10", "regio", "gm_naam", "recs", "ind_wbi", "a_inw", "p_wcorpw"],
                ["GM0599    ", "Rotterdam", "Rotterdam", "Gemeente", ".", 651157, 43],
                ["BU05990110", "Stadsdriehoek", "Rotterdam", "Buurt", 1, 16645, "x"],
                [None, None, None, None, None, None, None],
            ],
        },
    )
    assert sniff_kwb(path)
    df = read_kwb(path)
    check_contract(df, "kwbkaart")
    assert set(df["year"]) == {2021}
    assert one(df, "BU05990110", "a_inw")[["value", "row", "name"]].tolist() == [
        16645,
        3,
        "Stadsdriehoek",
    ]
    assert one(df, "BU05990110", "p_wcorpw")["status"] == "suppressed"
    assert len(df) == 2 * 3


def test_statline_xlsx(test_data: Path, tmp_path: Path) -> None:
    text = (test_data / "kwb" / "statline_rotterdam_2018.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    path = _write_xlsx(tmp_path / "statline.xlsx", {"Kerncijfers": rows})
    df = read_kwb(path)
    assert df.attrs["format"] == "statline"
    assert one(df, "BU05990110", "aantal inwoners")["value"] == 16045
    assert one(df, "WK059901", "gemiddelde huishoudensgrootte")["value"] == pytest.approx(1.6)


def test_xlsx_without_kwb_sheet(tmp_path: Path) -> None:
    path = _write_xlsx(tmp_path / "kwb-2021.xlsx", {"Blad1": [["a", "b"], [1, 2]], "Blad2": []})
    assert not sniff_kwb(path)
    with pytest.raises(SourceFormatError) as err:
        read_kwb(path)
    msg = str(err.value)
    assert "kwb-2021.xlsx" in msg and "Blad1" in msg and "Blad2" in msg


def test_sniff_rejects_other_files(tmp_path: Path) -> None:
    other = tmp_path / "other.csv"
    other.write_text("District_Type;Municipality_Name;Area_Code\nCentrum;Amsterdam;GM0363\n")
    assert not sniff_kwb(other)
    (tmp_path / "x.json").write_text('{"value": []}')
    assert not sniff_kwb(tmp_path / "x.json")


# ----------------------------------------------------------------- errors


@pytest.fixture
def statline_text(test_data: Path) -> str:
    return (test_data / "kwb" / "statline_rotterdam_2018.csv").read_bytes().decode("utf-8-sig")


def _write(tmp_path: Path, text: str, name: str = "kwb_2018.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(("\ufeff" + text).encode("utf-8"))
    return path


def test_truncated_row(tmp_path: Path, statline_text: str) -> None:
    lines = statline_text.split("\r\n")
    lines[7] = ";".join(lines[7].split(";")[:9])  # Stadsdriehoek cut after 9 fields
    with pytest.raises(SourceFormatError) as err:
        read_kwb(_write(tmp_path, "\r\n".join(lines)))
    assert err.value.row == 8
    assert str(err.value).startswith(
        "kwb_2018.csv, rij 8: de rij heeft 9 velden, de kopregel 15 (afgebroken bestand?)"
    )


def test_unterminated_quote(tmp_path: Path, statline_text: str) -> None:
    lines = statline_text.split("\r\n")
    lines[8] = lines[8].replace("Noordzeeweg", '"Noordzeeweg')
    with pytest.raises(SourceFormatError, match="aanhalingsteken is niet gesloten"):
        read_kwb(_write(tmp_path, "\r\n".join(lines)))


def test_cut_off_gzip(tmp_path: Path, statline_text: str) -> None:
    data = gzip.compress(("\ufeff" + statline_text).encode("utf-8"))
    path = tmp_path / "kwb_2018_rotterdam.csv.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(
        SourceFormatError, match="de gzip-gegevens zijn afgebroken of beschadigd"
    ) as err:
        read_kwb(path)
    assert "kwb_2018_rotterdam.csv.gz" in str(err.value)


def test_wrong_encoding(tmp_path: Path, statline_text: str) -> None:
    path = tmp_path / "kwb_2018.csv"
    path.write_bytes(statline_text.replace("Stadsdriehoek", "Stadsdriehoëk").encode("latin-1"))
    with pytest.raises(SourceFormatError, match="geen utf-8-sig .*verkeerde tekencodering") as err:
        read_kwb(path)
    assert err.value.row == 4  # the label line's non-breaking space is the first latin-1 byte


def test_unknown_layout(tmp_path: Path) -> None:
    path = _write(tmp_path, "a;b;c\r\n1;2;3\r\n")
    with pytest.raises(SourceFormatError, match="geen KWB-indeling die we kennen") as err:
        read_kwb(path)
    assert "kwb_2018.csv" in str(err.value)


def test_duplicated_code(tmp_path: Path, statline_text: str) -> None:
    text = statline_text.replace(
        "Noordzeeweg;Rotterdam;Buurt;BU05992705", "X;Rotterdam;Buurt;BU05990110"
    )
    with pytest.raises(SourceFormatError) as err:
        read_kwb(_write(tmp_path, text))
    assert err.value.code == "BU05990110"
    assert "code BU05990110 komt meer dan eens voor in hetzelfde jaar (rijen 8 en 9)" in str(
        err.value
    )


def test_wrong_shape_code(tmp_path: Path, statline_text: str) -> None:
    text = statline_text.replace("BU05990110", "BU0599011")
    with pytest.raises(RegionCodeError) as err:
        read_kwb(_write(tmp_path, text))
    e = err.value
    assert (e.row, e.column, e.code) == (8, "Codering", "BU0599011")
    assert "rij 8, kolom 'Codering', code 'BU0599011': geen gebiedscode" in str(e)


def test_non_numeric_value(tmp_path: Path, statline_text: str) -> None:
    text = statline_text.replace(";16045;", ";16O45;")
    with pytest.raises(SourceFormatError) as err:
        read_kwb(_write(tmp_path, text))
    e = err.value
    assert (e.row, e.column, e.code, e.got) == (8, "Aantal inwoners", "BU05990110", "16O45")
    assert "geen getal (verwacht een getal of een CBS-teken (. x - ?), gekregen '16O45')" in str(e)


def test_kaart_non_numeric_and_duplicate(test_data: Path, tmp_path: Path) -> None:
    text = (test_data / "kwb" / "wijk_2017_kaart.csv").read_text()
    bad = tmp_path / "wijk_2017.csv"
    bad.write_text(text.replace(",4295,", ",4295a,"))
    with pytest.raises(SourceFormatError) as err:
        read_kwb(bad)
    assert (err.value.row, err.value.column, err.value.got) == (3, "AANT_INW", "4295a")
    # water rows share codes with land rows in real tables: no duplicate after rejecting them
    dup = tmp_path / "wijk_2017b.csv"
    dup.write_text(text.replace("WK001099", "WK036300"))
    assert "WK036300" in set(read_kwb(dup)["code"])
    dup.write_text(text.replace("WK036301", "WK036300"))
    with pytest.raises(SourceFormatError, match="rijen 3 en 4"):
        read_kwb(dup)


def test_year_argument_conflicts_with_jaar(test_data: Path) -> None:
    with pytest.raises(
        SourceFormatError, match="kolom Jaar noemt 2018, maar year=2019 is meegegeven"
    ):
        read_kwb(test_data / "kwb" / "statline_rotterdam_2018.csv", year=2019)


def test_many_columns_fast_path_matches(tmp_path: Path) -> None:
    # wide file with repeated cells: the distinct-cell parse must give per-cell results
    header = ";Gemeentenaam;Soort regio;Codering;Jaar;" + ";".join(f"||L{i}" for i in range(30))
    units = "Wijken en buurten;naam;omschrijving;code;;" + ";".join(["aantal"] * 30)
    rng = np.random.default_rng(7)
    cells = rng.choice(["1", "2,5", ".", "x", "-", "17"], size=(50, 30))
    body = [f"B{r};G;Buurt;BU{r:08d};2019;" + ";".join(cells[r]) for r in range(50)]
    text = "\r\n".join(
        ["Kerncijfers wijken en buurten 2019", "", ";Onderwerp", header, units, *body]
    )
    df = read_kwb(_write(tmp_path, text))
    got = df[(df["code"] == "BU00000013") & (df["column"] == "l7")].iloc[0]
    want = {"1": 1.0, "2,5": 2.5, "-": 0.0, "17": 17.0}.get(cells[13][7])
    if want is None:
        assert np.isnan(got["value"])
    else:
        assert got["value"] == want
    assert len(df) == 50 * 30


# ----------------------------------------------------------------- real data


@pytest.mark.shared_data
def test_real_rotterdam_2018(shared_data: Path) -> None:
    df = read_kwb(shared_data / "kwb" / "rotterdam" / "kwb_2018_rotterdam_statline.csv.gz")
    check_contract(df, "statline")
    assert df["code"].nunique() == 115 and set(df["year"]) == {2018}
    assert one(df, "BU05990110", "aantal inwoners")["value"] == 16045
    assert one(df, "BU05990110", "huishoudens totaal")["value"] == 9845
    assert one(df, "BU05990110", "aantal inwoners")["name"] == "Stadsdriehoek"
    crime = one(df, "BU05990110", "totaal diefstal uit woning schuur e d")
    assert crime["unit"] == "per 1 000 inwoners"


@pytest.mark.shared_data
@pytest.mark.parametrize("year", [2014, 2015, 2016, 2017, 2018], ids=lambda y: f"rotterdam-{y}")
def test_real_rotterdam_all_years(shared_data: Path, year: int) -> None:
    path = shared_data / "kwb" / "rotterdam" / f"kwb_{year}_rotterdam_statline.csv.gz"
    df = read_kwb(path)
    lines = gzip.decompress(path.read_bytes()).decode("utf-8-sig").split("\r\n")
    head = next(csv.reader([lines[3]], delimiter=";"))
    n_text = 5  # name, Gemeentenaam, Soort regio, Codering, Jaar (Indelingswijziging is a value)
    assert df["column"].size == 115 * (len(head) - n_text)
    assert set(df["year"]) == {year}
    # GM0599 population straight from the source text
    gm = next(csv.reader([next(x for x in lines if ";GM0599;" in x)], delimiter=";"))
    col = next(i for i, h in enumerate(head) if h.strip("|") == "Aantal inwoners")
    assert one(df, "GM0599", "aantal inwoners")["value"] == float(gm[col])


@pytest.mark.shared_data
def test_real_amsterdam_2019_r_file(shared_data: Path) -> None:
    df = read_kwb(shared_data / "kwb" / "amsterdam" / "kwb_2019_amsterdam_84583NED.csv.gz")
    check_contract(df, "statline")
    assert {"NL00", "GM0363"} <= set(df["code"])
    assert df["code"].nunique() == 580 and set(df["year"]) == {2019}
    assert one(df, "GM0363", "bevolking aantal inwoners")["value"] == 862965
    size = one(df, "GM0363", "bevolking particuliere huishoudens gemiddelde huishoudensgrootte")
    assert size["value"] == pytest.approx(1.8)
    assert one(df, "NL00", "bevolking aantal inwoners")["name"] == "Nederland"


@pytest.mark.shared_data
def test_real_amsterdam_2015_names_only(shared_data: Path) -> None:
    path = shared_data / "kwb" / "amsterdam" / "kwb_2015_amsterdam_inkomen_statline.csv"
    df = read_kwb(path)
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8-sig"), newline=""), delimiter=";"))
    data_rows = [r for r in rows[5:] if len(r) == 11]  # the footer 'Bron: CBS' has one field
    assert len(data_rows) == 106
    assert df["name"].nunique() == len(data_rows)
    assert (df["code"] == "").all() and df["name"].notna().all()
    key = "inkomen inkomen van personen gemiddeld inkomen per inwoner"
    assert one(df, "", key, name="Amsterdam")["value"] == pytest.approx(26.9)


@pytest.mark.shared_data
def test_real_kaart_wijk_2016(shared_data: Path) -> None:
    path = shared_data / "kwb" / "wijk_2016_wijkbuurtkaart.csv.gz"
    df = read_kwb(path)
    check_contract(df, "kwbkaart")
    src = pd.read_csv(path, dtype=str, keep_default_na=False)
    land = src[src["WATER"] != "JA"]
    assert df["code"].nunique() == len(land) - (land["WATER"] == "B").sum()
    # a -99999999 cell is NaN with status suppressed
    i = int(np.flatnonzero(src["P_MAROKKO"] == "-99999999")[0])
    cell = one(df, src["WK_CODE"].iloc[i], "P_MAROKKO")
    assert np.isnan(cell["value"]) and cell["status"] == "suppressed" and cell["row"] == i + 2


@pytest.mark.shared_data
def test_real_kaart_gemeente_2017_water(shared_data: Path) -> None:
    df = read_kwb(shared_data / "kwb" / "gemeente_2017_wijkbuurtkaart.csv.gz")
    rejected = df.attrs["rejected"]
    assert len(rejected) == 89  # 88 'JA' + the 'B' row
    assert sum(r["reason"] == "water-only unit (WATER=JA)" for r in rejected) == 88
    assert df["code"].nunique() == 388


def test_raw_statline_repeated_label_and_unit_is_tagged_by_order(tmp_path: Path) -> None:
    # KWB 2024 lists "Europa (exclusief Nederland)" under herkomstland, geboren in Nederland and
    # geboren buiten Nederland; a raw file without topic paths only keeps their order.
    lines = [
        '"Kerncijfers wijken en buurten 2024"',
        '""',
        '"";"";"";"Onderwerp";"";"";"";""',
        '"";"Soort regio";"Codering";"Jaar";"||Europa (exclusief Nederland)";'
        '"||Europa (exclusief Nederland)";"|||Europa (exclusief Nederland)";"|Buiten Europa"',
        '"Wijken en buurten";"omschrijving";"code";"";"aantal";"aantal";"aantal";"aantal"',
        '"Centrum";"Buurt";"BU03630000";"2024";"120";"40";"80";"300"',
    ]
    path = tmp_path / "kwb_2024_85984NED.csv"
    path.write_text("\n".join(lines), encoding="utf-8-sig")
    frame = read_kwb(path)
    got = dict(zip(frame["column"].astype(str), frame["value"], strict=True))
    assert got == {
        "europa exclusief nederland": 120,
        "europa exclusief nederland #2": 40,
        "europa exclusief nederland #3": 80,
        "buiten europa": 300,
    }


@pytest.mark.parametrize(
    ("name", "title", "jaar", "message"),
    [
        ("kwb_2019.csv", "Kerncijfers wijken en buurten 2019", "2018",
         "de titel 'Kerncijfers wijken en buurten 2019' en de kolom Jaar \\(2018\\) noemen "
         "verschillende KWB-edities \\(2019 en 2018\\)"),
        ("kwb_83765NED.csv", "Kerncijfers wijken en buurten 2019", "2019",
         "de tabel-id 83765NED in de bestandsnaam \\(KWB 2017\\)"),
    ],
    ids=["title-vs-jaar", "table-id-vs-title"],
)  # fmt: skip
def test_a_file_whose_edition_differs_from_its_title_is_an_error(
    tmp_path: Path, name: str, title: str, jaar: str, message: str
) -> None:
    lines = [
        f'"{title}"', '""', '"";"";"";"Onderwerp";""',
        '"";"Soort regio";"Codering";"Jaar";"||Aantal inwoners"',
        '"Wijken en buurten";"omschrijving";"code";"";"aantal"',
        f'"Centrum";"Buurt";"BU03630000";"{jaar}";"120"',
    ]  # fmt: skip
    path = tmp_path / name
    path.write_text("\n".join(lines), encoding="utf-8-sig")
    with pytest.raises(SourceFormatError, match=message) as err:
        read_kwb(path)
    assert name in str(err.value)
