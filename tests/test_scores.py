import pandas as pd
import pytest

from wijkradar.analysis.scores import domain_scores, percentiles
from wijkradar.catalogue import load_catalogue

CAT = load_catalogue()


def _panel(rows):
    df = pd.DataFrame(rows, columns=["code", "year", "indicator", "value"])
    df["level"] = "buurt"
    df["status"] = "observed"
    return df


def test_percentiles_follow_the_catalogue_direction():
    p = _panel(
        [
            ("BU00010001", 2019, "income_per_inhabitant", 20.0),
            ("BU00010002", 2019, "income_per_inhabitant", 30.0),
            ("BU00010001", 2019, "low_income_households_pct", 20.0),
            ("BU00010002", 2019, "low_income_households_pct", 10.0),
        ]
    )
    got = percentiles(p, CAT).set_index(["code", "indicator"])["percentile"]
    # lower income is more vulnerable ("-"), a higher low-income share is too ("+")
    assert got[("BU00010001", "income_per_inhabitant")] == 100
    assert got[("BU00010001", "low_income_households_pct")] == 100
    assert got[("BU00010002", "income_per_inhabitant")] == 0


def test_score_needs_a_minimum_share_of_its_weight():
    p = _panel(
        [
            ("BU00010001", 2019, "income_per_inhabitant", 20.0),
            ("BU00010002", 2019, "income_per_inhabitant", 30.0),
        ]
    )
    s = domain_scores(p, CAT)
    comp = s[s.domain == "composition"]
    assert comp["score"].isna().all()  # one indicator of 6 weight: insufficient data
    assert comp["weight_share"].iloc[0] == pytest.approx(1 / 6)
