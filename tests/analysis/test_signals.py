"""Signals on a hand-made panel whose classes follow from the numbers by construction."""

import re

import pandas as pd
import pytest

from wijkradar.analysis.signals import classify, signals
from wijkradar.catalogue import load_catalogue
from wijkradar.catalogue.rules import load_rules
from wijkradar.errors import CatalogueError
from wijkradar.wording import words

CAT = load_catalogue()
RULES = load_rules()
COMPOSITION = {  # indicator: (worse_from, worse_to); improving runs the other way
    "low_income_households_pct": (10.0, 20.0),
    "social_minimum_households_pct": (10.0, 20.0),
    "income_per_inhabitant": (30.0, 25.0),
    "social_assistance_per_1000": (20.0, 40.0),
    "disability_benefit_per_1000": (20.0, 35.0),
    "unemployment_benefit_per_1000": (10.0, 20.0),
    "one_person_households_pct": (40.0, 50.0),
}
PROBLEMS = ("burglary_per_1000", "vandalism_per_1000", "violence_per_1000")


def _rows(code, comp, probs):
    rows = []
    for y in (2017, 2019):
        rows += [(code, y, "population", 5000.0), (code, y, "households", 2500.0)]
    for i, (a, b) in COMPOSITION.items():
        first, last = {"worse": (a, b), "better": (b, a), "flat": (15.0, 15.0)}[comp]
        if i == "income_per_inhabitant" and comp == "flat":
            first = last = 28.0
        rows += [(code, 2017, i, first), (code, 2019, i, last)]
    for i in PROBLEMS:
        first, last = {"rising": (5.0, 15.0), "low": (3.0, 2.0), "flat": (8.0, 8.0)}[probs]
        rows += [(code, 2017, i, first), (code, 2019, i, last)]
    return rows


@pytest.fixture(scope="module")
def panel():
    rows = (
        _rows("BU00010001", "worse", "rising")
        + _rows("BU00010002", "worse", "low")
        + _rows("BU00010003", "better", "flat")
        + _rows("BU00010004", "flat", "flat")
        + _rows("BU00020001", "flat", "flat")
    )
    rows += [("BU00010005", y, "population", 5000.0) for y in (2017, 2019)]
    df = pd.DataFrame(rows, columns=["code", "year", "indicator", "value"])
    df["level"] = "buurt"
    df["status"] = "observed"
    return df


@pytest.fixture(scope="module")
def result(panel):
    return signals(panel, CAT, RULES, level="buurt", year=2019)


def test_classes_follow_the_rules(result):
    got = result.frame.set_index("code")["signal"].to_dict()
    assert got["BU00010001"] == "alarm"
    assert got["BU00010002"] == "resilient"
    assert got["BU00010003"] == "improving"
    assert got["BU00010004"] == "stable"
    assert got["BU00010005"] == "insufficient_data"  # population only: never a silent NaN class
    assert set(result.frame["signal"]) <= {c.id for c in RULES.classes}


def test_axes_carry_scores_and_trends(result):
    f = result.frame.set_index("code")
    assert f.loc["BU00010001", "composition_trend"] == "rising"
    assert f.loc["BU00010001", "problems_trend"] == "rising"
    assert f.loc["BU00010002", "problems_level"] == "strong"
    assert f.loc["BU00010003", "composition_trend"] == "falling"
    assert pd.isna(f.loc["BU00010005", "composition_score"])
    assert f["composition_score"].min() >= 0 and f["composition_score"].max() <= 100


def test_reasons_carry_the_panel_numbers_and_no_words(result, panel):
    r = result.reasons
    low = r[(r.code == "BU00010001") & (r.indicator == "low_income_households_pct")].iloc[0]
    assert (low.value_from, low.year_from, low.value_to, low.year_to) == (10.0, 2017, 20.0, 2019)
    assert low.trend == "rising" and low.axis == "composition"
    # the analysis returns numbers and ids; sentences are made by wijkradar.wording
    assert not [c for c in r.columns if c.startswith(("sentence", "comparison_en"))]
    w_nl, w_en = words("nl"), words("en")
    # income figures of edition 2019 refer to 2017 (the catalogue's reference_lag)
    nl = w_nl.reason(low.to_dict(), CAT, "x")
    assert "steeg van 10,0% (2015, KWB 2017) naar 20,0% (2017, KWB 2019)" in nl
    en = w_en.reason(low.to_dict(), CAT, "x")
    assert "rose from 10.0% (2015, KWB 2017) to 20.0% (2017, KWB 2019)" in en
    crime = r[(r.code == "BU00010001") & (r.axis == "problems") & (r.role == "for")]
    assert len(crime) == 3 and set(crime.indicator) == set(PROBLEMS)


def test_sensitivity_counts_every_variation(result):
    s = result.sensitivity
    weighted = (CAT.indicators["weight"] > 0).sum()
    assert len(s) == 10 + 2 * weighted
    f = result.frame
    assert (f["stable_under_variations"] == (f["variations_changed"] == 0)).all()
    assert f["variations_changed"].max() <= len(s)


def test_relative_view_needs_enough_regions_in_the_gemeente(panel):
    res = signals(panel, CAT, RULES, level="buurt", year=2019, view="relative", sensitivity=False)
    f = res.frame.set_index("code")
    # GM0002 has one buurt: no position within its city, but its trends still count
    assert f.loc["BU00020001", "composition_level"] == "unknown"
    assert f.loc["BU00020001", "composition_trend"] == "stable"
    assert f.loc["BU00010001", "composition_level"] != "unknown"


def test_bewoners_dimension_never_moves_a_score(panel):
    extra = pd.DataFrame(
        {
            "code": ["BU00010001", "BU00010002"],
            "year": 2019,
            "indicator": "lbm_residents",
            "value": [-5.0, 5.0],
            "level": "buurt",
            "status": "observed",
        }
    )
    a = signals(panel, CAT, RULES, level="buurt", year=2019, sensitivity=False).frame
    b = signals(
        pd.concat([panel, extra]), CAT, RULES, level="buurt", year=2019, sensitivity=False
    ).frame
    pd.testing.assert_frame_equal(a, b)


def test_ties_share_their_percentile(panel):
    res = signals(panel, CAT, RULES, level="buurt", year=2019, sensitivity=False)
    f = res.frame.set_index("code")
    # BU00010004 and BU00020001 have identical values: identical scores
    assert f.loc["BU00010004", "composition_score"] == f.loc["BU00020001", "composition_score"]


def test_classify_is_driven_by_the_rules_file(tmp_path):
    text = tmp_path / "r.toml"
    text.write_text(
        "[scores]\nmin_weight_share = 0.5\nmin_relative_units = 3\n"
        "[trends]\nwindow = 4\nmin_years = 2\nz = 1.645\nmin_weight_share = 0.5\n"
        "[levels]\nweak = 60\nstrong = 40\n"
        '[[classes]]\nid = "watch"\nlabel_nl = "Let op"\nlabel_en = "Watch"\n'
        'any = [{ axis = "problems", trend = ["rising"] }]\n'
        '[[classes]]\nid = "insufficient_data"\nlabel_nl = "x"\nlabel_en = "x"\nall = []\n'
    )
    rules = load_rules(text)
    import numpy as np

    state = {
        "composition": {
            "trend": np.array(["stable", "stable"]),
            "level": np.array(["middle", "middle"]),
        },
        "problems": {"trend": np.array(["rising", "stable"]), "level": np.array(["weak", "weak"])},
    }
    assert classify(rules, state).tolist() == ["watch", "insufficient_data"]
    assert rules["levels"]["weak"] == 60 and rules.source == str(text)


TREND_WORDS = "'rising', 'falling', 'stable' or 'unknown'"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda s: s.replace('axis = "composition"', 'axis = "ethnicity"', 1),
            "classes[0].all[0].axis: Input should be 'composition' or 'problems', got 'ethnicity'",
        ),
        (
            lambda s: s.replace('trend = ["rising"]', 'trend = ["up"]', 1),
            f"classes[0].all[0].trend[0]: Input should be {TREND_WORDS}, got 'up'",
        ),
        (
            lambda s: s.replace(
                'trend = ["stable", "unknown"] },', 'trend = ["stable", "down"] },'
            ),
            f"classes[2].any[2].all[0].trend[1]: Input should be {TREND_WORDS}, got 'down'",
        ),
        (
            lambda s: s.replace('level = ["weak"], trend', 'levels = ["weak"], trend', 1),
            "classes[2].any[2].all[0].levels: Extra inputs are not permitted, got ['weak']",
        ),
        (
            lambda s: s.replace("window = 4 ", "windw = 4 "),
            "trends.windw: Extra inputs are not permitted, got 4",
        ),
        (
            lambda s: s.replace("z = 1.645", 'z = "1.645"'),
            "trends.z: Input should be a number, got '1.645'",
        ),
        (
            lambda s: s.replace("min_years = 2 ", "min_years = 1 "),
            "trends.min_years: Input should be greater than or equal to 2, got 1",
        ),
        (
            lambda s: s.replace("weak = 60", "weak = 30"),
            "levels.strong: strong must not exceed weak (30), got 40",
        ),
        (
            lambda s: s.replace("weight_factor = [", "weight_factr = ["),
            "sensitivity.weight_factr: Input should be 'weak', 'strong', 'structural', 'z', "
            "'window' or 'weight_factor', got 'weight_factr'",
        ),
        (
            lambda s: s.replace('id = "insufficient_data"', 'id = "other"'),
            "classes[6].id: the last class must be 'insufficient_data', got 'other'",
        ),
        (
            lambda s: s.replace('id = "stable"', 'id = "alarm"'),
            "classes[5].id: duplicated class id, got 'alarm'",
        ),
        (
            lambda s: s.replace('label_en = "Alarm"\n', ""),
            "classes[0].label_en: Field required",
        ),
        (
            lambda s: s.replace(
                '{ axis = "problems", trend = ["rising"] }]', '{ signal = ["x"] }]', 1
            ),
            "classes[0].all[1]: a signal class tests the axes only, got {'signal': ('x',)}",
        ),
        (
            lambda s: s.replace("all = []", "all = []\nany = []"),
            "classes[6].all: a class has exactly one of the keys all or any",
        ),
        (
            lambda s: s.replace("[levels]", "[level]"),
            "level: Extra inputs are not permitted, got "
            "{'weak': 60, 'strong': 40, 'structural': 80}",
        ),
        (
            lambda s: re.sub(r"\[levels\]\n.*\n.*\n.*\n", "", s),
            "levels: Field required",
        ),
    ],
    ids=[
        "unknown-axis",
        "unknown-trend",
        "unknown-trend-nested",
        "unknown-key",
        "unknown-setting",
        "wrong-type",
        "too-few-years",
        "levels",
        "unknown-variation",
        "no-fallback",
        "duplicate-id",
        "no-label",
        "not-an-axis",
        "all-and-any",
        "misspelt-section",
        "missing-section",
    ],
)
def test_malformed_rules_are_rejected_with_a_precise_message(tmp_path, edit, message):
    from importlib import resources

    text = resources.files("wijkradar.catalogue").joinpath("signals.toml").read_text("utf-8")
    path = tmp_path / "signals.toml"
    changed = edit(text)
    assert changed != text
    path.write_text(changed, encoding="utf-8")
    with pytest.raises(CatalogueError) as exc:
        load_rules(path)
    assert str(exc.value).startswith(f"{path}: {message}")


def test_bad_toml_and_a_missing_rules_file(tmp_path):
    path = tmp_path / "signals.toml"
    path.write_text("[oops\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match=f"^{path}: not valid TOML"):
        load_rules(path)
    with pytest.raises(CatalogueError, match="cannot read signals.toml file .*nothing.toml"):
        load_rules(tmp_path / "nothing.toml")
