"""Scores: percentiles by direction, domain scores by the signal's rule, what can be scored."""

import pandas as pd
import pytest

from wijkradar.analysis.scores import domain_scores, percentiles, scoreable
from wijkradar.analysis.signals import signals
from wijkradar.catalogue import load_catalogue
from wijkradar.catalogue.rules import load_rules

CAT = load_catalogue()
RULES = load_rules()
PROBLEMS = ("burglary_per_1000", "vandalism_per_1000", "violence_per_1000")


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


def test_value_pct_is_the_share_of_the_others_strictly_lower_for_any_indicator():
    # population has no weight and no direction: no percentile, but a position all the same
    values = (10.0, 20.0, 20.0, 40.0)
    p = _panel([(f"BU0001000{i}", 2019, "population", v) for i, v in enumerate(values)])
    got = percentiles(p, CAT, indicators=["population"]).set_index("code")
    assert got["value_pct"].tolist() == pytest.approx([0, 100 / 3, 100 / 3, 100])
    assert got["percentile"].isna().all()
    assert (got["group_size"] == 4).all() and (got["group_gemeenten"] == 1).all()


def test_score_needs_a_minimum_share_of_its_weight():
    p = _panel(
        [
            ("BU00010001", 2019, "income_per_inhabitant", 20.0),
            ("BU00010002", 2019, "income_per_inhabitant", 30.0),
        ]
    )
    s = domain_scores(p, CAT)
    comp = s[s.domain == "composition"]
    assert comp["score"].isna().all()  # income (0.5) of 6 weight: insufficient data
    assert comp["weight_share"].iloc[0] == pytest.approx(0.5 / 6)


def test_the_leefbaarometer_safety_score_alone_carries_the_problems_score():
    # lbm_safety has 1 of the 4 problems weight, below min_weight_share, but it is a sufficient
    # set in signals.toml: the national wijken without police figures get a problems score
    p = _panel([(f"BU0001000{i}", 2019, "lbm_safety", v) for i, v in enumerate((1.0, 0.0, -1.0))])
    s = domain_scores(p, CAT).set_index("code")
    assert s["weight_share"].tolist() == pytest.approx([0.25] * 3)
    assert s["score"].tolist() == pytest.approx([0.0, 50.0, 100.0])  # lower safety: worse
    ok = scoreable(p, CAT, level="buurt")
    assert ok["ok"].all() and ok["gemeente"].eq("GM0001").all()


def test_domain_scores_agree_with_the_axes_of_the_signal():
    rows = []
    for i, code in enumerate(("BU00010001", "BU00010002", "BU00010003", "BU00010004")):
        for year in (2017, 2019):
            rows += [(code, year, ind, 5.0 + i + j + year % 3) for j, ind in enumerate(PROBLEMS)]
            rows.append((code, year, "income_per_inhabitant", 30.0 - i))
            rows.append((code, year, "low_income_households_pct", 10.0 + 2 * i))
            rows.append((code, year, "population", 3000.0))
    p = _panel(rows)
    got = domain_scores(p, CAT, RULES)
    got = got[got["year"] == 2019].pivot(index="code", columns="domain", values="score")
    frame = signals(p, CAT, RULES, level="buurt", year=2019, sensitivity=False).frame
    frame = frame.set_index("code")
    assert got["problems"].tolist() == pytest.approx(frame["problems_score"].tolist())
    # two of the six composition weights: no score in either
    assert got["composition"].isna().all() and frame["composition_score"].isna().all()


def test_scoreable_says_per_year_whether_one_axis_has_enough_weight():
    p = _panel(
        [("BU00010001", 2018, "income_per_inhabitant", 20.0)]
        + [("BU00010001", 2019, ind, 3.0) for ind in PROBLEMS[:2]]
        + [("BU00020001", 2019, "population", 100.0)]  # no scored indicator: no row
    )
    got = scoreable(p, CAT, RULES, level="buurt")
    assert got[["year", "code", "ok"]].values.tolist() == [
        [2018, "BU00010001", False],  # 1 of 6 composition weight
        [2019, "BU00010001", True],  # 2 of 4 problems weight
    ]
