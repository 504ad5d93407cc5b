"""Action matrix: the loader rejects malformed rules; frames trigger only on what the data show."""

import copy
import tomllib
from importlib import resources

import numpy as np
import pandas as pd
import pytest

from wijkradar.analysis.actions import evaluate_actions, indicator_facts, region_state
from wijkradar.catalogue import load_catalogue
from wijkradar.catalogue.actions import (
    FRAME_IDS,
    load_action_matrix,
    parse_action_matrix,
    parse_evidence,
)
from wijkradar.errors import CatalogueError


@pytest.fixture(scope="module")
def cat():
    return load_catalogue()


@pytest.fixture(scope="module")
def matrix():
    return load_action_matrix()


@pytest.fixture(scope="module")
def raw():
    text = resources.files("wijkradar.catalogue").joinpath("actions.toml").read_text("utf-8")
    return tomllib.loads(text)


@pytest.fixture(scope="module")
def evidence():
    text = resources.files("wijkradar.catalogue").joinpath("evidence.toml").read_text("utf-8")
    return parse_evidence(tomllib.loads(text))


def test_packaged_matrix_has_the_five_frames_and_netwerk_always(matrix):
    assert {f.id for f in matrix.frames} == set(FRAME_IDS)
    assert matrix.frame("netwerk").always
    assert len(matrix.success_factors) == 4
    assert "low_income_households_pct" in matrix.indicators
    for f in matrix.frames:
        for p in f.patterns:
            assert p.interventions and all(e in matrix.evidence for e in p.evidence)


def _first_pattern(raw):
    return raw["frames"][1]["patterns"][0]  # sociale_stijging / low_income_rising_high


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda p: p.update(condition={"indicator": "no_such_indicator", "trend": ["rising"]}),
            "unknown indicator 'no_such_indicator'",
        ),
        (lambda p: p["condition"].update(trend=["up"]), "trend values ['up']"),
        (lambda p: p["condition"].update(colour="red"), "unknown keys ['colour']"),
        (lambda p: p["condition"].update(percentile_gte=180), "percentile_gte must lie in 0..100"),
        (lambda p: p["condition"].update(value_gt="twee derde"), "value_gt must be a number"),
        (
            lambda p: p.update(condition={"axis": "income", "trend": ["rising"]}),
            "axis must be one of",
        ),
        (lambda p: p.update(condition={"axis": "problems"}), "tests nothing"),
        (lambda p: p.update(condition={"signal": ["panic"]}), "signal values ['panic']"),
        (lambda p: p.update(condition={"all": [], "any": []}), "cannot be mixed"),
        (
            lambda p: p.update(
                condition={
                    "indicator": "vandalism_per_1000",
                    "axis": "problems",
                    "trend": ["rising"],
                }
            ),
            "exactly one of axis, indicator",
        ),
        (lambda p: p.update(evidence=["made_up_2024"]), "evidence ids ['made_up_2024']"),
        (lambda p: p.update(interventions=[]), "interventions must be a non-empty list"),
        (lambda p: p.update(interventions=[{"nl": "alleen Nederlands"}]), "needs nl and en"),
        (lambda p: p.pop("label_en"), "missing label_en"),
        (lambda p: p.pop("condition"), "missing condition"),
    ],
)
def test_loader_rejects_malformed_rules_with_a_clear_message(raw, evidence, cat, change, message):
    bad = copy.deepcopy(raw)
    change(_first_pattern(bad))
    with pytest.raises(CatalogueError) as exc:
        parse_action_matrix(bad, evidence, "actions.toml", set(cat.ids))
    text = str(exc.value)
    assert message in text
    assert "actions.toml: frames[1] (sociale_stijging).patterns[0] (low_income_rising_high)" in text


def test_loader_rejects_a_missing_frame_and_bad_toml(raw, evidence, tmp_path):
    bad = copy.deepcopy(raw)
    bad["frames"] = [f for f in bad["frames"] if f["id"] != "fysiek"]
    with pytest.raises(CatalogueError, match=r"frames missing: \['fysiek'\]"):
        parse_action_matrix(bad, evidence)
    path = tmp_path / "actions.toml"
    path.write_text("[[frames]\nid = ", encoding="utf-8")
    with pytest.raises(CatalogueError, match="not valid TOML"):
        load_action_matrix(path)
    with pytest.raises(CatalogueError, match="cannot read"):
        load_action_matrix(tmp_path / "missing.toml")


def test_evidence_entries_need_a_reference_and_unique_ids(evidence):
    with pytest.raises(CatalogueError, match="missing reference"):
        parse_evidence(
            {
                "evidence": [
                    {
                        "id": "x",
                        "title": "t",
                        "publisher": "p",
                        "summary_nl": "a",
                        "summary_en": "b",
                    }
                ]
            }
        )
    entry = {
        "id": "x",
        "title": "t",
        "publisher": "p",
        "summary_nl": "a",
        "summary_en": "b",
        "reference": "r",
    }
    with pytest.raises(CatalogueError, match="duplicated id"):
        parse_evidence({"evidence": [entry, entry]})
    assert all(e.reference for e in evidence.values())


# -- evaluation on a small hand-made panel -------------------------------------------------


def _panel(rows):
    p = pd.DataFrame(rows, columns=["code", "level", "year", "indicator", "value", "status"])
    p["source"] = "test"
    return p


def _tiny_panel():
    rows = []
    # ten buurten; BU00010001 has a high and rising low-income share, BU00010002 only
    # suppressed values, the others a flat share
    for i in range(10):
        code = f"BU0001{i:04d}"
        for year in (2016, 2017, 2018, 2019):
            hh = 1000.0
            rows.append((code, "buurt", year, "households", hh, "observed"))
            rows.append((code, "buurt", year, "population", 2000.0, "observed"))
            low = 10.0 + i * 0.5
            if i == 1:
                low = 20.0 + 3 * (year - 2016)
            status = "observed"
            if i == 2:  # below the CBS threshold in every year
                low, status = np.nan, "suppressed"
            rows.append((code, "buurt", year, "low_income_households_pct", low, status))
    return _panel(rows)


def _state(facts, code, signal="stable", comp_trend="stable", prob_trend="stable"):
    row = {
        "signal": signal,
        "composition_trend": comp_trend,
        "composition_level": "middle",
        "composition_score": 50.0,
        "problems_trend": prob_trend,
        "problems_level": "middle",
        "problems_score": 45.0,
    }
    return region_state(
        code,
        level="buurt",
        year=2019,
        view="absolute",
        signal_row=row,
        facts=facts,
        signal_label_nl="Stabiel",
        signal_label_en="Stable",
    )


@pytest.fixture(scope="module")
def facts(cat):
    return indicator_facts(
        _tiny_panel(),
        cat,
        level="buurt",
        year=2019,
        window=4,
        indicators=["low_income_households_pct"],
    )


def test_indicator_facts_give_latest_value_position_and_trend(facts):
    f = facts.set_index("code")
    one = f.loc["BU00010001"]
    assert one["value"] == 29.0 and one["year"] == 2019
    assert one["value_pct"] == 100.0  # higher than the 8 others with a value in 2019
    assert one["trend"] == "rising" and one["value_from"] == 20.0 and one["year_from"] == 2016
    two = f.loc["BU00010002"]
    assert np.isnan(two["value"]) and two["status"] == "suppressed"


def test_low_income_rising_and_high_triggers_with_its_numbers(matrix, facts, cat):
    res = evaluate_actions(matrix, _state(facts, "BU00010001"), cat)
    ids = [f.frame.id for f in res.frames]
    assert ids[0] == "sociale_stijging"
    tp = res.frames[0].patterns[0]
    assert tp.pattern.id == "low_income_rising_high"
    (reason,) = tp.reasons
    assert reason.data["value"] == 29.0 and reason.data["percentile"] == 100.0
    assert reason.data["trend"] == "rising" and reason.data["year"] == 2019
    assert "29,0%" in reason.sentence_nl and "20,0%" in reason.sentence_nl
    assert "(2019)" in reason.sentence_nl and "percentiel ≥ 80" in reason.sentence_nl
    assert "29.0%" in reason.sentence_en
    assert "netwerk" in ids and not res.nothing_triggered


def test_suppressed_value_never_triggers_and_nothing_is_said_so(matrix, facts, cat):
    res = evaluate_actions(matrix, _state(facts, "BU00010002"), cat)
    assert res.nothing_triggered
    assert [f.frame.id for f in res.frames] == ["netwerk"]
    d = res.to_dict("nl")
    assert d["nothing_triggered"] and d["frames"][0]["general"]
    assert len(d["success_factors"]) == 4


def test_axis_and_signal_conditions_and_priority_order(matrix, facts, cat):
    st = _state(facts, "BU00010001", signal="alarm", comp_trend="rising", prob_trend="rising")
    res = evaluate_actions(matrix, st, cat)
    ids = [f.frame.id for f in res.frames]
    assert ids[0] == "netwerk"  # alarm_all_hands has priority 5
    assert {"sociale_basis", "sociale_herovering", "sociale_stijging"} <= set(ids)
    herovering = next(f for f in res.frames if f.frame.id == "sociale_herovering")
    r = herovering.patterns[0].reasons[0]
    assert r.kind == "axis" and "score 45 van 100" in r.sentence_nl
    table = res.to_frame()
    assert {"frame", "pattern", "reasons", "evidence"} <= set(table.columns)
    assert len(table) == sum(len(f.patterns) for f in res.frames)
