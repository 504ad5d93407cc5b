"""The privacy rules of panel/privacy.py, one test per rule and edge case (docs/method.md)."""

import numpy as np
import pandas as pd
import pytest

from wijkradar.catalogue import load_catalogue
from wijkradar.panel.privacy import Suppression, apply_thresholds

CAT = load_catalogue()


def _panel(rows):
    df = pd.DataFrame(rows, columns=["code", "year", "indicator", "value", "status"])
    df["source"] = "t"
    return df


def _get(out, code, indicator, year=2019):
    r = out[(out["code"] == code) & (out["indicator"] == indicator) & (out["year"] == year)]
    assert len(r) == 1
    return r.iloc[0]


def test_values_under_cbs_threshold_are_suppressed_not_imputed():
    panel = _panel(
        [
            ("BU00010001", 2019, "population", 60, "observed"),
            ("BU00010001", 2019, "income_per_inhabitant", 25.1, "observed"),
            ("BU00010001", 2019, "burglary_per_1000", 3.0, "observed"),
            ("BU00010002", 2019, "population", 150, "observed"),
            ("BU00010002", 2019, "income_per_inhabitant", 30.2, "observed"),
            ("BU00010002", 2019, "burglary_per_1000", 4.0, "observed"),
        ]
    )
    out, n = apply_thresholds(panel, CAT)
    # 60 inhabitants: income (threshold 100) and crime (threshold 200) suppressed
    assert _get(out, "BU00010001", "income_per_inhabitant")["status"] == "suppressed"
    assert np.isnan(_get(out, "BU00010001", "income_per_inhabitant")["value"])
    # 150 inhabitants: income shown, crime (200) suppressed
    assert _get(out, "BU00010002", "income_per_inhabitant")["value"] == 30.2
    assert _get(out, "BU00010002", "burglary_per_1000")["status"] == "suppressed"
    assert n == Suppression(threshold=3)


def test_a_base_of_zero_is_under_every_threshold():
    panel = _panel(
        [
            ("BU03631102", 2020, "households", 0, "observed"),
            ("BU03631102", 2020, "low_income_households_pct", 21.1, "observed"),
        ]
    )
    out, n = apply_thresholds(panel, CAT)
    assert _get(out, "BU03631102", "low_income_households_pct", 2020)["status"] == "suppressed"
    assert n.threshold == 1


def test_no_same_edition_base_uses_the_nearest_edition():
    """BU03630100: no households in the 2020 file; the nearest edition (5) decides."""
    panel = _panel(
        [
            ("BU03630100", 2019, "households", 5, "observed"),
            ("BU03630100", 2023, "households", 400, "observed"),
            ("BU03630100", 2020, "low_income_households_pct", 10.5, "observed"),
            # a base only in a later edition: that one decides (here: shown)
            ("BU03630200", 2024, "households", 800, "observed"),
            ("BU03630200", 2020, "low_income_households_pct", 7.0, "observed"),
        ]
    )
    out, n = apply_thresholds(panel, CAT)
    assert _get(out, "BU03630100", "low_income_households_pct", 2020)["status"] == "suppressed"
    assert _get(out, "BU03630200", "low_income_households_pct", 2020)["value"] == 7.0
    assert n.nearest_base == 1


def test_a_tie_between_editions_takes_the_smaller_base():
    panel = _panel(
        [
            ("BU03630300", 2018, "households", 500, "observed"),
            ("BU03630300", 2020, "households", 60, "observed"),
            ("BU03630300", 2019, "low_income_households_pct", 12.0, "observed"),
        ]
    )
    out, _ = apply_thresholds(panel, CAT)
    assert _get(out, "BU03630300", "low_income_households_pct")["status"] == "suppressed"


def test_a_rate_without_any_base_is_suppressed():
    """A user table that brings a rate for a region nobody gives a population for."""
    panel = _panel([("BU03630400", 2019, "income_per_inhabitant", 31.0, "observed")])
    out, n = apply_thresholds(panel, CAT)
    assert _get(out, "BU03630400", "income_per_inhabitant")["status"] == "suppressed"
    assert n == Suppression(no_base=1)


def test_a_base_that_crosses_the_threshold_is_decided_per_edition():
    panel = _panel(
        [
            ("BU03630500", 2018, "population", 90, "observed"),
            ("BU03630500", 2019, "population", 110, "observed"),
            ("BU03630500", 2018, "income_per_inhabitant", 20.0, "observed"),
            ("BU03630500", 2019, "income_per_inhabitant", 21.0, "observed"),
        ]
    )
    out, _ = apply_thresholds(panel, CAT)
    assert _get(out, "BU03630500", "income_per_inhabitant", 2018)["status"] == "suppressed"
    assert _get(out, "BU03630500", "income_per_inhabitant", 2019)["value"] == 21.0


def test_a_derived_rate_from_rounded_counts_meets_the_same_threshold():
    """wijkradar's own rate (status derived) is withheld exactly as CBS's would be."""
    panel = _panel(
        [
            ("BU03630600", 2019, "population", 85, "observed"),
            ("BU03630600", 2019, "social_assistance", 10, "observed"),
            ("BU03630600", 2019, "social_assistance_per_1000", 117.6, "derived"),
        ]
    )
    out, _ = apply_thresholds(panel, CAT)
    assert _get(out, "BU03630600", "social_assistance_per_1000")["status"] == "suppressed"


def test_the_count_of_a_suppressed_rate_is_suppressed_with_it():
    """BU03630900: 10 AO benefits beside 85 inhabitants would give the suppressed rate."""
    panel = _panel(
        [
            ("BU03630900", 2019, "population", 85, "observed"),
            ("BU03630900", 2019, "disability_benefit", 10, "observed"),
            ("BU03630900", 2019, "disability_benefit_per_1000", 117.6, "derived"),
            ("BU03630900", 2019, "households", 40, "observed"),
            ("BU03630900", 2019, "one_person_households", 25, "observed"),
            ("BU03630900", 2019, "one_person_households_pct", 62.5, "observed"),
        ]
    )
    out, n = apply_thresholds(panel, CAT)
    for ind in ("disability_benefit", "disability_benefit_per_1000"):
        assert _get(out, "BU03630900", ind)["status"] == "suppressed"
    for ind in ("one_person_households", "one_person_households_pct"):
        assert _get(out, "BU03630900", ind)["status"] == "suppressed"
    assert _get(out, "BU03630900", "population")["value"] == 85  # the base itself stays
    assert n.secondary == 2


def test_a_rate_whose_count_is_secret_is_suppressed():
    """CBS withheld the count ('x'): rate × population would give it back."""
    panel = _panel(
        [
            ("BU03631000", 2019, "population", 2500, "observed"),
            ("BU03631000", 2019, "social_assistance", np.nan, "suppressed"),
            ("BU03631000", 2019, "social_assistance_per_1000", 12.0, "observed"),
        ]
    )
    out, n = apply_thresholds(panel, CAT)
    assert _get(out, "BU03631000", "social_assistance_per_1000")["status"] == "suppressed"
    assert n == Suppression(secondary=1)


@pytest.mark.parametrize("status", ["missing", "suppressed"])
def test_values_already_without_a_figure_are_not_counted(status):
    panel = _panel(
        [
            ("BU03631100", 2019, "population", 20, "observed"),
            ("BU03631100", 2019, "income_per_inhabitant", np.nan, status),
        ]
    )
    _, n = apply_thresholds(panel, CAT)
    assert n.total == 0
