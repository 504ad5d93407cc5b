"""Trends: hand-computed slopes and noise bands, Theil–Sen against scipy, breaks, edge cases."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from wijkradar.analysis.trends import _slope_se, _theil_sen, indicator_trends
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


def test_the_slope_error_is_the_measured_band_or_at_least_the_residual_error():
    years = np.array([2015.0, 2016.0, 2017.0, 2019.0])
    V = np.array([[10.0, 12.0, 11.0, 15.0], [10.0, np.nan, 14.0, np.nan]])
    S = np.array([[0.0] * 4, [0.5, np.nan, 0.5, np.nan]])
    se = _slope_se(V, S, years)
    # no measurement error: the OLS residual standard error, as scipy computes it
    assert se[0] == pytest.approx(stats.linregress(years, V[0]).stderr)
    # two editions: the two errors through the slope, sqrt(0.5² + 0.5²) / 2 years
    assert se[1] == pytest.approx(math.hypot(0.5, 0.5) / 2)
    assert _theil_sen(V, years)[1] == pytest.approx(2.0)


def test_defaults_come_from_the_packaged_rules():
    rows = [("BU00010001", y, "households", 1000) for y in (2017, 2019)]
    rows += [
        ("BU00010001", 2017, "low_income_households_pct", 10.0),
        ("BU00010001", 2019, "low_income_households_pct", 12.0),
    ]
    p = _panel(rows)
    default = indicator_trends(p, CAT, year=2019, window=4)
    explicit = indicator_trends(p, CAT, year=2019, window=4, z=1.645, min_years=2)
    pd.testing.assert_frame_equal(default, explicit)
    # slope 1.0 against se 0.70: called at z = 1.282, not at the packaged 1.645
    low = default.set_index("indicator").loc["low_income_households_pct"]
    assert low["trend"] == "stable"
    lax = indicator_trends(p, CAT, year=2019, window=4, z=1.282).set_index("indicator")
    assert lax.loc["low_income_households_pct", "trend"] == "rising"
