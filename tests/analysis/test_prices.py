"""Consumer prices: the packaged CPI, reading a user's file, and deflating money amounts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wijkradar.analysis.prices import deflate, deflate_panel, money_indicators, price_year
from wijkradar.catalogue import load_catalogue
from wijkradar.catalogue.prices import FETCHED_CPI, cpi_for_data, load_cpi, packaged_cpi_path
from wijkradar.errors import CpiError, DataNotFoundError, WijkradarError
from wijkradar.wording import words

INCOME = "income_per_inhabitant"


def _cpi(values: dict[int, float], file: str = "test.csv") -> pd.Series:
    cpi = pd.Series(values, dtype=float, name="cpi")
    cpi.index.name = "year"
    cpi.attrs["file"] = file
    return cpi


CPI = _cpi({2017: 100.0, 2018: 102.0, 2019: 105.0, 2020: 106.0, 2021: 110.0})


# -- the packaged file -------------------------------------------------------------------------


def test_packaged_cpi_is_cbs_2015_based_and_covers_the_kwb_years():
    cpi = load_cpi()
    assert cpi.index.dtype.kind == "i" and cpi.dtype == float
    assert cpi.attrs["file"] == str(packaged_cpi_path())
    assert abs(cpi[2015] - 100) <= 0.5
    assert set(range(2002, 2025)) <= set(cpi.index)
    assert cpi.index.is_monotonic_increasing and not cpi.index.has_duplicates
    change = cpi.pct_change().dropna()
    assert change.between(-0.01, 0.11).all(), change[~change.between(-0.01, 0.11)]
    assert cpi[2024] > cpi[2002]  # monotone-ish: prices rose over the period
    # spot checks against the cited CBS figures (83131NED, CPI_1, all items)
    assert (cpi[2000], cpi[2019], cpi[2022], cpi[2024]) == (75.06, 106.16, 121.42, 130.31)
    # the derived 2020/2021 give back CBS's published yearly inflation 1.3, 2.7 and 10.0 %
    pct = (change * 100).round(1)
    assert (pct[2020], pct[2021], pct[2022], pct[2023], pct[2024]) == (1.3, 2.7, 10.0, 3.8, 3.3)


def test_packaged_cpi_says_where_it_comes_from():
    text = packaged_cpi_path().read_text("utf-8")
    head = [line for line in text.splitlines() if line.startswith("#")]
    assert head, "the header comment lines are missing"
    joined = "\n".join(head)
    for needed in ("83131NED", "2015 = 100", "CC BY 4.0", "Bron: CBS", "T001112", "AFGELEID"):
        assert needed in joined, needed
    assert "year,cpi" in text.splitlines()


# -- reading a file ----------------------------------------------------------------------------


def test_a_user_file_overrides_the_packaged_one(tmp_path):
    f = tmp_path / "mijn_cpi.csv"
    f.write_text("# eigen reeks\nyear,cpi\n2019, 50\n2018,40.5\n", "utf-8")
    cpi = load_cpi(f)
    assert cpi.to_dict() == {2018: 40.5, 2019: 50.0}  # sorted by year
    assert cpi.attrs["file"] == str(f)
    cpi[2019] = 1.0  # every call returns its own copy of the cached table
    assert load_cpi(f)[2019] == 50.0
    f.write_text("year,cpi\n2019,60\n2020,61.5\n", "utf-8")  # a new version is read again
    assert load_cpi(f).to_dict() == {2019: 60.0, 2020: 61.5}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("jaar;index\n2019;1\n", "verwacht de kolommen year en cpi met minstens één jaar"),
        ("year,cpi\n", "met minstens één jaar; gevonden year, cpi"),
        ("# only comments\n", "gevonden -"),
        ("year,cpi\n2019,100\n2020,-3\n", "rij 2: verwacht een jaartal en een positief getal, "),
        ("year,cpi\n2019.5,100\n", "rij 1: verwacht een jaartal en een positief getal"),
        ("year,cpi\n2019,honderd\n", "gekregen '2019,honderd'"),
        ("year,cpi\n2019,100\n2019,101\n", "jaar 2019 staat er meer dan eens in"),
    ],
)
def test_a_malformed_file_is_a_clear_error(tmp_path, text, message):
    f = tmp_path / "cpi.csv"
    f.write_text(text, "utf-8")
    with pytest.raises(CpiError) as err:
        load_cpi(f)
    assert message in str(err.value) and str(f) in str(err.value)
    assert isinstance(err.value, WijkradarError)


def test_a_missing_file_is_data_not_found(tmp_path):
    with pytest.raises(DataNotFoundError, match="prijsindex .*geen.csv: bestand niet gevonden"):
        load_cpi(tmp_path / "geen.csv")


def test_the_fetched_index_of_a_data_folder_comes_first(tmp_path):
    assert cpi_for_data(None).equals(load_cpi())
    assert cpi_for_data(tmp_path).equals(load_cpi())  # nothing fetched: the packaged one
    fetched = tmp_path / FETCHED_CPI
    fetched.parent.mkdir()
    fetched.write_text("year,cpi\n2024,200\n", "utf-8")
    got = cpi_for_data(tmp_path)
    assert got.to_dict() == {2024: 200.0} and got.attrs["file"] == str(fetched)


# -- which indicators are money ----------------------------------------------------------------


def test_money_indicators_are_the_euro_units():
    cat = load_catalogue()
    money = money_indicators(cat)
    assert INCOME in money and "standardised_household_income" in money
    assert "population" not in money
    assert all("euro" in cat.get(i)["unit"] for i in money)
    others = cat.indicators.drop(index=money)
    assert not others["unit"].str.contains("euro").any()
    assert money_indicators(cat.indicators) == money  # the frame alone will do


# -- deflating ---------------------------------------------------------------------------------


def test_deflate_by_hand():
    got = deflate(np.array([10.0, 20.0, 30.0]), np.array([2017, 2019, 2021]), 2019, CPI)
    np.testing.assert_allclose(got, [10 * 105 / 100, 20.0, 30 * 105 / 110])
    # a target year per value
    got = deflate(np.array([10.0, 10.0]), np.array([2017, 2017]), np.array([2018, 2021]), CPI)
    np.testing.assert_allclose(got, [10.2, 11.0])
    # NaN stays NaN and needs no index (1990 is not in the table)
    got = deflate(np.array([np.nan, 5.0]), np.array([1990, 2020]), 2020, CPI)
    assert np.isnan(got[0]) and got[1] == 5.0
    assert deflate(np.array([]), np.array([], dtype=int), 2019, CPI).size == 0


def test_a_missing_year_names_the_file_the_years_and_the_range():
    with pytest.raises(CpiError) as err:
        deflate(np.array([1.0, 2.0, 3.0]), np.array([2016, 2019, 2015]), 2019, CPI)
    assert str(err.value) == "prijsindex test.csv: geen jaar 2015, 2016; beschikbaar 2017–2021"
    assert err.value.render(words("en")) == (
        "price index test.csv: no year 2015, 2016; available 2017–2021"
    )
    with pytest.raises(CpiError, match="geen jaar 2030; beschikbaar 2017–2021"):
        deflate(np.array([1.0]), np.array([2019]), 2030, CPI)  # the target year too


def _rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": pd.Categorical(["GM0363", "GM0363", "GM0363", "BU03630001", "GM0363"]),
            "level": pd.Categorical(["gemeente", "gemeente", "gemeente", "buurt", "gemeente"]),
            "year": np.array([2019, 2021, 2019, 2021, 2020], dtype=np.int16),
            "indicator": pd.Categorical([INCOME, INCOME, "population", INCOME, "woz_mean"]),
            "value": [30.0, 33.0, 1000.0, np.nan, 400.0],
            "status": pd.Categorical(["observed"] * 3 + ["suppressed", "observed"]),
            "source": pd.Categorical(["kwb.csv"] * 5),
        }
    )


def test_deflate_panel_puts_money_in_prices_of_one_edition():
    rows = _rows()
    before = rows.copy()
    got = deflate_panel(rows, load_catalogue(), 2021, cpi=CPI)
    pd.testing.assert_frame_equal(rows, before)  # the input is left as it was
    assert list(got.columns) == list(rows.columns) and got.dtypes.equals(rows.dtypes)
    np.testing.assert_allclose(
        got["value"].to_numpy(),
        [30 * 110 / 105, 33.0, 1000.0, np.nan, 400 * 110 / 106],  # population is no money
    )
    assert got.attrs["price_years"] == {INCOME: 2021, "woz_mean": 2021}


def test_lag_moves_the_cpi_year_and_the_price_year():
    lag = {INCOME: 2}  # KWB edition 2019 carries the income of 2017
    got = deflate_panel(_rows(), load_catalogue(), 2021, cpi=CPI, lag=lag)
    np.testing.assert_allclose(
        got["value"].to_numpy(),
        # income of 2017 (edition 2019) in prices of 2019 (edition 2021); woz has no lag
        [30 * 105 / 100, 33.0, 1000.0, np.nan, 400 * 110 / 106],
    )
    assert got.attrs["price_years"] == {INCOME: 2019, "woz_mean": 2021}
    assert price_year(INCOME, 2019, lag) == 2017
    assert price_year("woz_mean", 2019, lag) == 2019 and price_year(INCOME, 2019) == 2019


def test_deflate_panel_with_plain_text_columns_and_the_packaged_index():
    rows = _rows().astype({"code": str, "indicator": str})
    got = deflate_panel(rows, load_catalogue(), 2021)
    cpi = load_cpi()
    assert got["value"].iloc[0] == pytest.approx(30 * cpi[2021] / cpi[2019])
    assert got["value"].iloc[2] == 1000.0


def test_deflate_panel_needs_the_lagged_years():
    lag = {INCOME: 3}  # edition 2019 → 2016, not in the test index
    with pytest.raises(CpiError, match="geen jaar 2016; beschikbaar 2017–2021"):
        deflate_panel(_rows(), load_catalogue(), 2021, cpi=CPI, lag=lag)


def test_a_panel_without_money_is_returned_as_a_copy():
    rows = _rows()
    rows = rows[rows["indicator"] == "population"]
    got = deflate_panel(rows, load_catalogue(), 2021, cpi=_cpi({2000: 1.0}))
    assert got is not rows and got.equals(rows) and got.attrs["price_years"] == {}
    empty = deflate_panel(rows.iloc[:0], load_catalogue(), 2021, cpi=CPI)
    assert empty.empty


def test_deflate_panel_is_vectorised_over_a_large_panel():
    n = 1_000_000
    rng = np.random.default_rng(1)
    inds = pd.Categorical.from_codes(
        rng.integers(0, 3, n), categories=[INCOME, "population", "woz_mean"]
    )
    rows = pd.DataFrame(
        {
            "code": pd.Categorical(["GM0363"] * n),
            "level": pd.Categorical(["gemeente"] * n),
            "year": rng.integers(2019, 2022, n).astype(np.int16),
            "indicator": inds,
            "value": rng.random(n),
            "status": pd.Categorical(["observed"] * n),
            "source": pd.Categorical(["kwb.csv"] * n),
        }
    )
    got = deflate_panel(rows, load_catalogue(), 2021, cpi=CPI, lag={INCOME: 1})
    money = (rows["indicator"] != "population").to_numpy()
    lag = np.where((rows["indicator"] == INCOME).to_numpy(), 1, 0)
    years = rows["year"].to_numpy() - lag
    factor = CPI.reindex(2021 - lag).to_numpy() / CPI.reindex(years).to_numpy()
    want = np.where(money, rows["value"].to_numpy() * factor, rows["value"].to_numpy())
    np.testing.assert_allclose(got["value"].to_numpy(), want)
