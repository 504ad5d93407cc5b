"""Boundary-change matrices: padding bare codes, shares, validation."""

from __future__ import annotations

import gzip

import pytest

from wijkradar.errors import RegionCodeError, SourceFormatError
from wijkradar.sources.crosswalk import read_boundary_changes, sniff_boundary_changes

HEADER = "level,year_from,year_to,weighting,code_from,code_to,n_addresses\n"


def _write(tmp_path, body, name="cw.csv"):
    path = tmp_path / name
    path.write_text(HEADER + body)
    return path


def test_fixture_codes_and_shares(test_data):
    path = test_data / "crosswalk" / "grenswijzigingen_tiny.csv"
    assert sniff_boundary_changes(path)
    df = read_boundary_changes(path)
    assert list(df.columns) == [
        "level", "year_from", "year_to", "weighting", "code_from", "code_to",
        "n_addresses", "share",
    ]  # fmt: skip
    gm = df[(df.level == "gemeente") & (df.code_from == "GM0014")].set_index("code_to")
    assert gm.share["GM0040"] == pytest.approx(251 / (80880 + 251))
    assert gm.share.sum() == pytest.approx(1.0)
    wk = df[df.level == "wijk"].set_index("code_to")
    assert wk.code_from["WK001400"] == "WK001400"  # the leading zeros survive
    assert wk.share["WK004001"] == pytest.approx(0.25)
    assert df.year_from.dtype == "int64" and df.n_addresses.dtype == "float64"


def test_reversed_amsterdam_rows_are_noted(test_data):
    df = read_boundary_changes(test_data / "crosswalk" / "grenswijzigingen_tiny.csv")
    assert len(df.attrs["notes"]) == 1 and "2022→2023" in df.attrs["notes"][0]
    assert df[df.year_to == 2023].code_from.tolist() == ["WK0363AA"]  # kept as in the file


def test_gzip_and_sniff(tmp_path):
    path = tmp_path / "cw.csv.gz"
    path.write_bytes(gzip.compress((HEADER + "gemeente,2016,2017,x,0014,0014,5\n").encode()))
    assert sniff_boundary_changes(path)
    assert read_boundary_changes(path).code_to.tolist() == ["GM0014"]
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n")
    assert not sniff_boundary_changes(other)


def test_missing_column(tmp_path):
    path = tmp_path / "cw.csv"
    path.write_text("level,year_from,year_to,code_from,code_to,n_addresses\n")
    with pytest.raises(SourceFormatError, match="kolommen weighting ontbreken"):
        read_boundary_changes(path)


def test_non_numeric_count_names_row(tmp_path):
    body = "gemeente,2016,2017,x,0014,0014,80880.0\ngemeente,2016,2017,x,0014,0040,veel\n"
    with pytest.raises(SourceFormatError) as err:
        read_boundary_changes(_write(tmp_path, body))
    assert (err.value.row, err.value.column, err.value.got) == (3, "n_addresses", "veel")


@pytest.mark.parametrize(
    ("code", "level"),
    [("GM0014", "gemeente"), ("14a", "gemeente"), ("1234567", "wijk"), ("00-1", "wijk")],
    ids=["prefixed", "letter", "too-long", "dash"],
)
def test_bad_code_shape(tmp_path, code, level):
    body = f"{level},2016,2017,x,{code},0014,1\n"
    with pytest.raises(RegionCodeError) as err:
        read_boundary_changes(_write(tmp_path, body))
    assert err.value.row == 2 and err.value.column == "code_from"


def test_unknown_level_and_truncated_row(tmp_path):
    want = r"rij 2, kolom 'level': onbekend niveau \(verwacht een van gemeente, wijk, buurt, "
    with pytest.raises(SourceFormatError, match=want + r"gekregen 'provincie'\)"):
        read_boundary_changes(_write(tmp_path, "provincie,2016,2017,x,20,20,1\n"))
    with pytest.raises(SourceFormatError) as err:
        read_boundary_changes(_write(tmp_path, "gemeente,2016,2017,x,0014,0014,1\ngemeente,2016\n"))
    assert err.value.row == 3


def test_duplicate_pair(tmp_path):
    body = "gemeente,2016,2017,x,0014,0040,1\ngemeente,2016,2017,x,14,0040,2\n"
    with pytest.raises(SourceFormatError, match="rijen 2 en 3"):
        read_boundary_changes(_write(tmp_path, body))


def test_real_file(shared_data):
    df = read_boundary_changes(
        shared_data / "crosswalk" / "grenswijzigingen_gemeente_wijk_2016_2024.csv.gz"
    )
    assert len(df) == 91_368
    sel = df[
        (df.level == "gemeente")
        & (df.year_from == 2016)
        & (df.year_to == 2017)
        & (df.weighting == "addresses_pc6_huisnummer")
        & (df.code_from == "GM0014")
    ].set_index("code_to")
    assert sel.share["GM0040"] == pytest.approx(251 / (80880 + 251))
    sums = df.groupby(["level", "year_from", "year_to", "weighting", "code_from"]).share.sum()
    assert sums.to_numpy() == pytest.approx(1.0)
    assert df.code_from.str.len().isin([6, 8]).all()
    # Amsterdam's new wijk codes sit on the 'from' side of every matrix towards 2023/2024
    assert any("wijk 2022→2023" in n for n in df.attrs["notes"])
