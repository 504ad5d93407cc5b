"""Trends: hand-computed slopes and noise bands, Theil–Sen against scipy, breaks, edge cases."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from wijkradar.analysis.trends import indicator_trends
from wijkradar.catalogue import load_catalogue

CAT = load_catalogue()


def _panel(rows):
    df = pd.DataFrame(rows, columns=["code", "year", "indicator", "value"])
    df["level"] = "buurt"
    df["status"] = np.where(df["value"].isna(), "missing", "observed")
    return df


def test_two_editions_use_the_binomial_and_rounding_band():
    # 1000 households; low-income share 10.0% → 14.0% over two years
    p = _panel(
        [
            ("BU00010001", 2017, "households", 1000),
            ("BU00010001", 2019, "households", 1000),
            ("BU00010001", 2017, "low_income_households_pct", 10.0),
            ("BU00010001", 2019, "low_income_households_pct", 14.0),
        ]
    )
    t = indicator_trends(p, CAT, year=2019, window=4).set_index("indicator")
    row = t.loc["low_income_households_pct"]
    se_point = [
        math.sqrt(1e4 * q * (1 - q) / 1000 + (0.1 / math.sqrt(12)) ** 2) for q in (0.10, 0.14)
    ]
    assert row["slope"] == pytest.approx(2.0)
    assert row["se"] == pytest.approx(math.hypot(*se_point) / 2)
    assert row["trend"] == "rising"  # 2.0 > 1.645 × 0.70
    assert (row["year_from"], row["year_to"], row["n_years"]) == (2017, 2019, 2)
    assert row["method"] == "verschil tussen twee metingen"


def test_small_population_widens_the_band_until_the_trend_is_not_called():
    rows = [("BU00010001", y, "households", 40) for y in (2017, 2019)]
    rows += [
        ("BU00010001", 2017, "low_income_households_pct", 10.0),
        ("BU00010001", 2019, "low_income_households_pct", 14.0),
    ]
    t = indicator_trends(_panel(rows), CAT, year=2019, window=4).set_index("indicator")
    assert t.loc["low_income_households_pct", "trend"] == "stable"


def test_theil_sen_slope_matches_scipy_and_resists_an_outlier():
    values = [10.0, 11.0, 30.0, 13.0, 14.0]
    years = [2015, 2016, 2017, 2018, 2019]
    rows = [
        ("BU00010001", y, "income_per_inhabitant", v) for y, v in zip(years, values, strict=True)
    ]
    t = indicator_trends(_panel(rows), CAT, year=2019, window=4).iloc[0]
    assert t["slope"] == pytest.approx(stats.theilslopes(values, years).slope)
    assert t["slope"] == pytest.approx(1.0)
    assert t["n_years"] == 5 and t["method"] == "Theil-Sen over 5 metingen"


def test_a_series_break_cuts_the_comparison():
    rows = [
        ("BU00010001", y, "income_per_inhabitant", v)
        for y, v in ((2015, 20.0), (2016, 21.0), (2017, 40.0), (2018, 41.0), (2019, 42.0))
    ]
    breaks = pd.DataFrame({"code": ["BU00010001"], "year": [2017]})
    t = indicator_trends(_panel(rows), CAT, year=2019, window=4, breaks=breaks).iloc[0]
    assert t["break_year"] == 2017
    assert (t["year_from"], t["n_years"], t["value_from"]) == (2017, 3, 40.0)
    assert t["slope"] == pytest.approx(1.0)


def test_one_edition_gives_unknown_and_missing_values_are_not_zero():
    rows = [
        ("BU00010001", 2019, "income_per_inhabitant", 25.0),
        ("BU00010002", 2017, "income_per_inhabitant", np.nan),
        ("BU00010002", 2019, "income_per_inhabitant", 25.0),
    ]
    t = indicator_trends(_panel(rows), CAT, year=2019, window=4).set_index("code")
    assert t.loc["BU00010001", "trend"] == "unknown"
    assert t.loc["BU00010002", "trend"] == "unknown"  # the missing edition does not count
    assert t.loc["BU00010002", "n_years"] == 1
