"""Tweedeling per gemeente: D against the textbook formula, the corporation gap by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from segregation.singlegroup import Dissim

import wijkradar
from wijkradar.analysis.divide import divide
from wijkradar.analysis.results import DIVIDE_COLUMNS
from wijkradar.panel.build import build
from wijkradar.panel.schema import validate_panel
from wijkradar.testing import panel_from_rows

HH, LOW, CORP = "households", "low_income_households_pct", "corporation_housing_pct"


def _frame(rows: list[tuple]) -> pd.DataFrame:
    cols = ("code", "year", "indicator", "value", "status")
    return validate_panel(panel_from_rows(rows, columns=cols))


def panel_of(units: dict[str, tuple], year: int = 2017) -> pd.DataFrame:
    """A valid panel from ``{code: (households, low_income_pct, corporation_pct)}``.

    ``None`` means a suppressed row, ``"-"`` a missing row, ``...`` no row at all.
    """
    rows = []
    for code, triple in units.items():
        for indicator, value in zip((HH, LOW, CORP), triple, strict=True):
            if value is ...:
                continue
            status = {None: "suppressed", "-": "missing"}.get(value, "observed")
            num = float(value) if status == "observed" else np.nan
            rows.append((code, year, indicator, num, status))
    return _frame(rows)


# Four buurten of one gemeente: households, % low income, % corporation housing.
# Buurt 02 sits exactly at two thirds (not above it), buurt 03 at 67 % (above 66.67).
TINY = {
    "BU00010001": (100, 10, 80),
    "BU00010002": (200, 20, 200 / 3),
    "BU00010003": (300, 50, 67),
    "BU00010004": (400, 5, 10),
}


def textbook_d(total, group) -> float:
    """Duncan & Duncan (1955): D = ½ Σ |g_i/G − (t_i − g_i)/(T − G)|."""
    total, group = np.asarray(total, float), np.asarray(group, float)
    other = total - group
    return 0.5 * np.abs(group / group.sum() - other / other.sum()).sum()


def one_row(result) -> pd.Series:
    frame = result.to_frame()
    assert len(frame) == 1
    return frame.iloc[0]


def test_dissimilarity_and_gap_by_hand():
    row = one_row(divide(panel_of(TINY)))
    # low-income households g = 10, 40, 150, 20 (G = 220); others 90, 160, 150, 380 (780)
    d = 0.5 * (
        abs(10 / 220 - 90 / 780)
        + abs(40 / 220 - 160 / 780)
        + abs(150 / 220 - 150 / 780)
        + abs(20 / 220 - 380 / 780)
    )
    assert_allclose(row["dissimilarity"], d)
    assert_allclose(row["dissimilarity"], 0.48951049, rtol=1e-7)
    # corporation-heavy: buurten 01 and 03 → (100·10 + 300·50) / 400 = 40 %;
    # rest: buurten 02 and 04 → (200·20 + 400·5) / 600 = 10 %
    assert row["corp_heavy_units"] == 2
    assert_allclose(row["low_income_pct_corp_heavy"], 40.0)
    assert_allclose(row["low_income_pct_rest"], 10.0)
    assert_allclose(row["gap"], 30.0)
    assert_allclose(row["corp_heavy_households_share"], 400 / 1000)
    assert row["gemeente_code"] == "GM0001"
    assert (row["year"], row["level"], row["n_units"], row["units_left_out"]) == (
        2017,
        "buurt",
        4,
        0,
    )
    assert row["households"] == 1000
    assert row["note"] == ""


@pytest.mark.parametrize(
    ("threshold", "heavy_units", "gap"),
    [
        (200 / 3, 2, 40.0 - 10.0),  # 66.67 exactly is not above the threshold
        (67, 1, 10.0 - (200 * 20 + 300 * 50 + 400 * 5) / 900),  # 67 is not above 67
        (66, 3, (100 * 10 + 200 * 20 + 300 * 50) / 600 - 5.0),
    ],
    ids=["two-thirds", "67", "66"],
)
def test_threshold_is_strictly_above(threshold, heavy_units, gap):
    row = one_row(divide(panel_of(TINY), corporation_threshold=threshold))
    assert row["corp_heavy_units"] == heavy_units
    assert_allclose(row["gap"], gap)


def test_segregation_dissim_matches_textbook_formula():
    rng = np.random.default_rng(3)
    total = rng.integers(50, 3000, 40).astype(float)
    group = total * rng.uniform(0.02, 0.6, 40)
    data = pd.DataFrame({"g": group, "t": total})
    got = Dissim(data, group_pop_var="g", total_pop_var="t").statistic
    assert_allclose(got, textbook_d(total, group))


def test_one_buurt_gemeente_is_nan_with_note():
    units = {**TINY, "BU00020001": (500, 30, 90)}
    frame = divide(panel_of(units)).to_frame().set_index("gemeente_code")
    gm2 = frame.loc["GM0002"]
    assert gm2["n_units"] == 1
    assert np.isnan(gm2["dissimilarity"]) and np.isnan(gm2["gap"])
    assert gm2["note"] == "minder dan 3 buurten met gegevens"
    # the other gemeente is unaffected by its neighbour
    assert_allclose(frame.loc["GM0001", "gap"], 30.0)


def test_suppressed_and_missing_units_are_left_out_and_counted():
    units = {
        **TINY,
        "BU00010005": (None, 60, 90),  # households suppressed
        "BU00010006": (80, "-", 95),  # low-income share missing
        "BU00010007": (90, None, ...),  # low-income share suppressed, no corporation row
    }
    row = one_row(divide(panel_of(units)))
    assert row["units_left_out"] == 3
    assert row["n_units"] == 4
    assert_allclose(row["dissimilarity"], one_row(divide(panel_of(TINY)))["dissimilarity"])
    assert_allclose(row["gap"], 30.0)


def test_unknown_corporation_share_counts_in_d_not_in_gap():
    units = {**TINY, "BU00010005": (500, 40, None)}
    row = one_row(divide(panel_of(units)))
    assert row["units_corp_unknown"] == 1
    hh = [100, 200, 300, 400, 500]
    low = [10, 40, 150, 20, 200]
    assert_allclose(row["dissimilarity"], textbook_d(hh, low))
    assert_allclose(row["gap"], 30.0)
    assert_allclose(row["corp_heavy_households_share"], 0.4)


def test_no_corporation_heavy_buurt_gives_note():
    units = {code: (hh, low, 20) for code, (hh, low, _) in TINY.items()}
    row = one_row(divide(panel_of(units)))
    assert row["corp_heavy_units"] == 0
    assert np.isnan(row["gap"]) and np.isnan(row["low_income_pct_corp_heavy"])
    assert_allclose(row["low_income_pct_rest"], (1000 + 4000 + 15000 + 2000) / 1000)
    assert row["note"] == "geen buurten met >2/3 corporatiebezit"
    assert not np.isnan(row["dissimilarity"])


def test_income_only_year_says_households_are_lacking():
    units = {code: ("-", low, ...) for code, (_, low, _) in TINY.items()}
    row = one_row(divide(panel_of(units)))
    assert row["n_units"] == 0 and row["units_left_out"] == 4
    assert row["note"] == "minder dan 3 buurten met gegevens (geen aantallen huishoudens)"


def test_wijk_level_with_letter_codes_and_year_filter():
    units = {"WK0363AD": (1000, 30, 70), "WK0363AE": (2000, 10, 20), "WK0363AF": (500, 5, 5)}
    panel = pd.concat([panel_of(units, 2022), panel_of(units, 2023)], ignore_index=True)
    panel = validate_panel(pd.concat([panel, panel_of(TINY)], ignore_index=True))
    res = divide(panel, level="wijk", years=[2023])
    row = one_row(res)
    assert (row["gemeente_code"], row["year"], row["level"]) == ("GM0363", 2023, "wijk")
    assert_allclose(row["dissimilarity"], textbook_d([1000, 2000, 500], [300, 200, 25]))
    assert_allclose(row["gap"], 30 - (2000 * 10 + 500 * 5) / 2500)
    assert res.years == (2023,)
    assert list(res.to_frame().columns) == list(DIVIDE_COLUMNS)


def test_gemeente_year_without_low_income_rows_is_not_listed():
    units = {code: (hh, ..., corp) for code, (hh, _, corp) in TINY.items()}
    assert divide(panel_of(units)).to_frame().empty


@pytest.mark.parametrize(
    "kwargs",
    [{"level": "gemeente"}, {"min_units": 1}, {"corporation_threshold": 150}],
    ids=["level", "min_units", "threshold-over-100"],
)
def test_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        divide(panel_of(TINY), **kwargs)


# --- real data ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dataset(shared_data, tmp_path_factory):
    out = tmp_path_factory.mktemp("d") / "ds"
    build(shared_data, out)
    return wijkradar.open_dataset(out)


def test_amsterdam_2017_buurten_against_numpy(dataset):
    p = dataset.panel
    p = p[(p["level"] == "buurt") & (p["year"] == 2017)]
    p = p[p["code"].astype(str).str.startswith("BU0363")]
    p = p[p["status"].isin(["observed", "derived"])]
    wide = p.pivot_table(index="code", columns="indicator", values="value", observed=True)
    wide = wide[[HH, LOW]].dropna()
    hh = wide[HH].to_numpy()
    low = hh * wide[LOW].to_numpy() / 100
    other = hh - low
    d = 0.5 * np.abs(low / low.sum() - other / other.sum()).sum()

    frame = divide(dataset.panel, years=[2017]).to_frame().set_index("gemeente_code")
    row = frame.loc["GM0363"]
    assert row["n_units"] == len(wide)
    assert row["n_units"] > 300  # Amsterdam has ~480 buurten; most publish both figures
    assert_allclose(row["households"], hh.sum())
    assert_allclose(row["dissimilarity"], d, rtol=1e-10)
    assert 0.1 < row["dissimilarity"] < 0.4  # plausible for low income over buurten
    assert row["gap"] > 0  # corporation-heavy buurten have more low-income households
