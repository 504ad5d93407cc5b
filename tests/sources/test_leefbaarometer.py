"""Leefbaarometer 2.0 workbooks (long/wide/development/class) and 3.0 open-data CSV."""

from __future__ import annotations

import openpyxl
import pytest

from wijkradar.errors import RegionCodeError, SourceFormatError
from wijkradar.sources.leefbaarometer import read_leefbaarometer, sniff_leefbaarometer

STAND_LONG = [
    ("GBD", "JAAR", "RLBRMTR", "RLBWON", "RLBBEV", "RLBVRZ", "RLBVEI", "RLBFYS"),
    ("WK000300", 2012, -0.06, -0.03, 0.02, -0.11, 0.064, -0.0001),
    ("WK000300", 2014, -0.07, -0.03, 0.01, -0.12, 0.056, 0.0003),
    ("WK000500", 2012, None, None, None, None, None, None),  # too small to score
    ("WK000500", 2014, 0.13, 0.02, 0.05, -0.07, 0.13, 0.01),
]
STAND_WIDE = [
    ("GBD", "RLBVEI12", "RLBVEI14"),
    ("WK000300", 0.064, 0.056),
    ("WK000500", None, 0.13),
]


def _xlsx(path, sheets: dict[str, list[tuple]]):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(list(r))
    wb.save(path)
    return path


def _value(frame, code, year, column):
    sel = frame[(frame.code == code) & (frame.year == year) & (frame.column == column)]
    assert len(sel) == 1, sel
    return sel.iloc[0]


def test_long_sheet_preferred_over_wide_copy(tmp_path):
    path = _xlsx(tmp_path / "stand.xlsx", {"data(1)": STAND_LONG, "data(2)": STAND_WIDE})
    df = read_leefbaarometer(path)
    assert df.attrs["format"] == "lbm"
    assert df.attrs["sheets_used"] == ["data(1)"]
    assert "data(2)" in df.attrs["sheets_skipped"]
    assert len(df) == 4 * 6  # 4 wijk-years x 6 keys, nothing doubled from the wide sheet
    row = _value(df, "WK000300", 2012, "RLBVEI")
    assert row.value == pytest.approx(0.064)
    assert row.row == 2 and row.status == "observed"
    empty = df[(df.code == "WK000500") & (df.year == 2012)]
    assert set(empty.status) == {"missing"} and empty.value.isna().all()


def test_wide_sheet_alone_years_from_suffix(tmp_path):
    df = read_leefbaarometer(_xlsx(tmp_path / "wide.xlsx", {"data(2)": STAND_WIDE}))
    assert df.attrs["sheets_used"] == ["data(2)"]
    assert sorted(df.year.unique()) == [2012, 2014]
    assert set(df.column) == {"RLBVEI"}
    assert _value(df, "WK000300", 2014, "RLBVEI").value == pytest.approx(0.056)
    assert _value(df, "WK000500", 2012, "RLBVEI").status == "missing"


def test_development_long_and_wide(tmp_path):
    long = [("GBD", "BEGIN", "EINDE", "DLBVEI"), ("WK000300", 2012, 2014, 0.0034)]
    wide = [("GBD", "DLBVEI1214"), ("WK000300", 0.0034)]
    both = read_leefbaarometer(_xlsx(tmp_path / "d.xlsx", {"l": long, "w": wide}))
    only_wide = read_leefbaarometer(_xlsx(tmp_path / "w.xlsx", {"w": wide}))
    for df in (both, only_wide):
        assert len(df) == 1
        row = df.iloc[0]
        assert (row.column, row.year, row.unit) == ("DLBVEI", 2014, "change since 2012")
        assert row.value == pytest.approx(0.0034)
    assert both.attrs["sheets_used"] == ["l"]


def test_class_file(tmp_path):
    rows = [
        ("WK_CODE", "KL02", "KL14", "VKL0208", "VKL1214"),
        ("WK000300", 6, 7, 4, 5),
        ("WK000500", "#N/A", 3, "#N/A", 4),  # the real wijk class file uses #N/A
    ]
    df = read_leefbaarometer(_xlsx(tmp_path / "klasse_wijk.xlsx", {"wijk": rows}))
    assert _value(df, "WK000300", 2002, "KL").value == 6
    assert _value(df, "WK000300", 2014, "KL").value == 7
    vkl = _value(df, "WK000300", 2008, "VKL")
    assert (vkl.value, vkl.unit) == (4, "change class since 2002")
    assert _value(df, "WK000300", 2014, "VKL").unit == "change class since 2012"
    assert _value(df, "WK000500", 2002, "KL").status == "missing"
    assert _value(df, "WK000500", 2008, "VKL").status == "missing"


def test_unknown_layout_names_sheets_and_columns(tmp_path):
    path = _xlsx(tmp_path / "other.xlsx", {"Blad1": [("regio", "score")], "x": [("a",)]})
    assert not sniff_leefbaarometer(path)
    with pytest.raises(SourceFormatError) as err:
        read_leefbaarometer(path)
    msg = str(err.value)
    assert "'Blad1': regio, score" in msg and "'x': a" in msg and "GBD" in msg


def test_missing_columns_long_sheet_without_scores(tmp_path):
    path = _xlsx(tmp_path / "nocols.xlsx", {"data(1)": [("GBD", "JAAR"), ("WK000300", 2012)]})
    with pytest.raises(SourceFormatError, match="GBD, JAAR"):
        read_leefbaarometer(path)


def test_bad_code_names_row(tmp_path):
    rows = [*STAND_LONG[:2], ("WK03", 2014, 0, 0, 0, 0, 0, 0)]
    with pytest.raises(RegionCodeError) as err:
        read_leefbaarometer(_xlsx(tmp_path / "bad.xlsx", {"data(1)": rows}))
    assert err.value.row == 3 and err.value.code == "WK03" and err.value.column == "GBD"


def test_non_numeric_score_names_row_and_column(tmp_path):
    rows = [STAND_LONG[0], ("WK000300", 2012, -0.06, "n.v.t.", 0, 0, 0, 0)]
    with pytest.raises(SourceFormatError) as err:
        read_leefbaarometer(_xlsx(tmp_path / "text.xlsx", {"data(1)": rows}))
    assert (err.value.row, err.value.column, err.value.got) == (2, "RLBWON", "n.v.t.")


def test_duplicate_code_year_names_both_rows(tmp_path):
    rows = [*STAND_LONG[:2], STAND_LONG[1]]
    with pytest.raises(
        SourceFormatError, match=r"komt meer dan eens voor in hetzelfde jaar \(rijen 2 en 3\)"
    ):
        read_leefbaarometer(_xlsx(tmp_path / "dup.xlsx", {"data(1)": rows}))


def test_lbm3_csv(test_data):
    path = test_data / "leefbaarometer" / "lbm3_scores_buurt_tiny.csv"
    assert sniff_leefbaarometer(path)
    df = read_leefbaarometer(path)
    assert set(df.column) == {
        "LBM3_LBM", "LBM3_AFW", "LBM3_WON", "LBM3_FYS", "LBM3_VRZ", "LBM3_SOC", "LBM3_ONV",
        "LBM3_KSCORE",
    }  # fmt: skip
    row = _value(df, "BU00030000", 2022, "LBM3_ONV")
    assert row.value == pytest.approx(-0.0232) and row.row == 3
    assert row["name"] == "Appingedam-Centrum"
    assert (df[df.code == "BU00030001"].status == "missing").all()
    assert df.attrs["unmapped_columns"] == []


def test_lbm3_truncated_row(tmp_path):
    path = tmp_path / "lbm3.csv"
    path.write_text("bu_code,jaar,lbm,onv\nBU00030000,2020,4.1,0.2\nBU00030001,2020\n")
    with pytest.raises(SourceFormatError) as err:
        read_leefbaarometer(path)
    assert err.value.row == 3


# --- real data ------------------------------------------------------------------------------


def test_real_wijk_stand(shared_data):
    path = shared_data / "leefbaarometer" / "dimensiescore_wijk_stand_2012_2014.xlsx"
    df = read_leefbaarometer(path)
    assert df.attrs["sheets_used"] == ["data(1)"]
    assert _value(df, "WK000300", 2012, "RLBVEI").value == 0.0642649287371228
    wijk_years = df[["code", "year"]].drop_duplicates()
    assert len(wijk_years) == 5924  # 2,962 wijken x 2012, 2014
    # README says 403 empty wijk-year rows; with the 2016 rows withheld, 287 remain (139 + 148)
    total = df[df.column == "RLBRMTR"]
    empty = total[total.status == "missing"].groupby("year").size()
    assert empty.to_dict() == {2012: 139, 2014: 148}


def test_real_class_file(shared_data):
    df = read_leefbaarometer(shared_data / "leefbaarometer" / "klasse_wijk_2002_2014.xlsx")
    assert sorted(df[df.column == "KL"].year.unique()) == [2002, 2008, 2012, 2014]
    assert (df.status == "missing").sum() == 1885  # cells holding #N/A in the workbook
    assert _value(df, "WK000300", 2002, "KL").value == 6


def test_real_development(shared_data):
    path = shared_data / "leefbaarometer" / "dimensiescore_wijk_ontwikkeling_2012_2014.xlsx"
    df = read_leefbaarometer(path)
    row = _value(df, "WK000500", 2014, "DLBVEI")
    assert row.value == 0.0475838607337529 and row.unit == "change since 2012"
