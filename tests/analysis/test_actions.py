"""Action matrix: the loader rejects malformed rules; frames trigger only on what the data show."""

import copy
import tomllib
from importlib import resources

import numpy as np
import pandas as pd
import pytest

from wijkradar.analysis.actions import (
    action_states,
    evaluate_actions,
    indicator_facts,
    pattern_hits,
    region_state,
)
from wijkradar.catalogue import load_catalogue
from wijkradar.catalogue._models import EvidenceLibrary, validate
from wijkradar.catalogue.actions import FRAME_IDS, ActionMatrix, load_action_matrix
from wijkradar.catalogue.rules import load_rules
from wijkradar.dataset.action_words import action_dict, action_rows, reason_sentence
from wijkradar.errors import CatalogueError

SIGNALS = {c.id for c in load_rules().classes}


@pytest.fixture(scope="module")
def cat():
    return load_catalogue()


@pytest.fixture(scope="module")
def matrix():
    return load_action_matrix()


def _packaged(name):
    return tomllib.loads(resources.files("wijkradar.catalogue").joinpath(name).read_text("utf-8"))


@pytest.fixture(scope="module")
def raw():
    return _packaged("actions.toml")


@pytest.fixture(scope="module")
def evidence():
    return validate(EvidenceLibrary, _packaged("evidence.toml"), "evidence.toml").by_id


def _validate(raw, evidence, cat):
    kw = {"evidence": evidence, "indicators": set(cat.ids), "signals": SIGNALS}
    return validate(ActionMatrix, raw, "actions.toml", **kw)


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


AT = "actions.toml: frames[1].patterns[0]."
KIND = "a condition is a table with exactly one of the keys axis, indicator, signal, all or any"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda p: p.update(condition={"indicator": "no_such_indicator", "trend": ["rising"]}),
            "condition.indicator: Input should be an id of indicators.csv, got 'no_such_indicator'",
        ),
        (
            lambda p: p.update(condition={"indicator": "vandalism_per_100", "trend": ["rising"]}),
            "condition.indicator: Input should be an id of indicators.csv; close matches: "
            "vandalism_per_1000, vandalism, got 'vandalism_per_100'",
        ),
        (
            lambda p: p["condition"].update(trend=["up"]),
            "condition.trend[0]: Input should be 'rising', 'falling', 'stable' or 'unknown', "
            "got 'up'",
        ),
        (
            lambda p: p["condition"].update(colour="red"),
            "condition.colour: Extra inputs are not permitted, got 'red'",
        ),
        (
            lambda p: p["condition"].update(percentile_gte=180),
            "condition.percentile_gte: Input should be a percentile in 0..100, got 180",
        ),
        (
            lambda p: p["condition"].update(value_gt="twee derde"),
            "condition.value_gt: Input should be a number, got 'twee derde'",
        ),
        (
            lambda p: p.update(condition={"axis": "income", "trend": ["rising"]}),
            "condition.axis: Input should be 'composition' or 'problems', got 'income'",
        ),
        (
            lambda p: p.update(condition={"axis": "problems"}),
            "condition: an axis condition tests trend, level, score_gte, score_lte or "
            "weak_run_gte, got {'axis': 'problems'}",
        ),
        (
            lambda p: p.update(condition={"signal": ["panic"]}),
            "condition.signal[0]: Input should be a class of the signal rules, got 'panic'",
        ),
        (
            lambda p: p.update(condition={"any": [{"signal": ["alarm"]}, {"signal": "alarm"}]}),
            "condition.any[1].signal: Input should be a valid tuple, got 'alarm'",
        ),
        (
            lambda p: p.update(condition={"all": [], "any": []}),
            f"condition: {KIND}, got {{'all': [], 'any': []}}",
        ),
        (
            lambda p: p.update(condition={"all": []}),
            "condition.all: Tuple should have at least 1 item after validation, not 0, got []",
        ),
        (
            lambda p: p.update(
                condition={
                    "indicator": "vandalism_per_1000",
                    "axis": "problems",
                    "trend": ["rising"],
                }
            ),
            f"condition: {KIND}, got {{'indicator': 'vandalism_per_1000', 'axis': 'problems'",
        ),
        (
            lambda p: p.update(evidence=["made_up_2024"]),
            "evidence[0]: Input should be an evidence.toml id, got 'made_up_2024'",
        ),
        (
            lambda p: p.update(interventions=[]),
            "interventions: Tuple should have at least 1 item after validation, not 0, got []",
        ),
        (
            lambda p: p.update(interventions=[{"nl": "alleen Nederlands"}]),
            "interventions[0].en: Field required",
        ),
        (lambda p: p.update(priority=1.5), "priority: Input should be a valid integer, got 1.5"),
        (lambda p: p.update(label_nl=" "), "label_nl: Input should be a non-empty text, got ' '"),
        (lambda p: p.pop("label_en"), "label_en: Field required"),
        (lambda p: p.pop("condition"), "condition: Field required"),
    ],
)
def test_loader_rejects_malformed_rules_with_a_precise_message(raw, evidence, cat, change, message):
    bad = copy.deepcopy(raw)
    change(_first_pattern(bad))
    with pytest.raises(CatalogueError) as exc:
        _validate(bad, evidence, cat)
    assert str(exc.value).startswith(AT + message)


def test_loader_rejects_duplicates_and_a_missing_frame(raw, evidence, cat):
    bad = copy.deepcopy(raw)
    bad["frames"] = [f for f in bad["frames"] if f["id"] != "fysiek"]
    with pytest.raises(
        CatalogueError, match=r"^actions.toml: frames: frames missing: \['fysiek'\]"
    ):
        _validate(bad, evidence, cat)
    bad = copy.deepcopy(raw)
    bad["frames"].append(copy.deepcopy(bad["frames"][0]))
    with pytest.raises(CatalogueError) as exc:
        _validate(bad, evidence, cat)
    assert str(exc.value) == "actions.toml: frames[5].id: duplicated frame id, got 'sociale_basis'"
    bad = copy.deepcopy(raw)
    bad["frames"][1]["patterns"].append(copy.deepcopy(_first_pattern(bad)))
    with pytest.raises(CatalogueError) as exc:
        _validate(bad, evidence, cat)
    assert str(exc.value) == (
        "actions.toml: frames[1].patterns[4].id: duplicated pattern id, "
        "got 'low_income_rising_high'"
    )
    bad = copy.deepcopy(raw)
    del bad["frames"][4]["general_en"]  # netwerk is shown always: it needs its general text
    with pytest.raises(
        CatalogueError, match=r"^actions.toml: frames\[4\].general_en: a frame shown"
    ):
        _validate(bad, evidence, cat)


def test_loader_names_the_user_file_and_rejects_bad_toml(tmp_path):
    text = resources.files("wijkradar.catalogue").joinpath("actions.toml").read_text("utf-8")
    path = tmp_path / "actions.toml"
    path.write_text(text.replace("priority = 30\n", 'priority = "30"\n', 1), encoding="utf-8")
    with pytest.raises(CatalogueError) as exc:
        load_action_matrix(path)
    assert str(exc.value) == (
        f"{path}: frames[0].patterns[1].priority: Input should be a valid integer, got '30'"
    )
    path.write_text("[[frames]\nid = ", encoding="utf-8")
    with pytest.raises(CatalogueError, match="not valid TOML"):
        load_action_matrix(path)
    with pytest.raises(CatalogueError, match="cannot read actions.toml file .*missing.toml"):
        load_action_matrix(tmp_path / "missing.toml")


def test_signal_conditions_are_checked_against_the_rules_loaded(tmp_path):
    rules_text = resources.files("wijkradar.catalogue").joinpath("signals.toml").read_text("utf-8")
    rules_path = tmp_path / "signals.toml"
    rules_path.write_text(rules_text.replace('id = "improving"', 'id = "getting_better"'))
    text = resources.files("wijkradar.catalogue").joinpath("actions.toml").read_text("utf-8")
    path = tmp_path / "actions.toml"
    path.write_text(text.replace('signal = ["improving"]', 'signal = ["getting_better"]'))
    with pytest.raises(CatalogueError) as exc:
        load_action_matrix(path)  # the packaged rules have no class getting_better
    assert str(exc.value) == (
        f"{path}: frames[4].patterns[2].condition.signal[0]: Input should be a class of the "
        "signal rules, got 'getting_better'"
    )
    matrix = load_action_matrix(path, rules=load_rules(rules_path))
    assert matrix.frame("netwerk").patterns[2].condition.signal == ("getting_better",)


def test_evidence_entries_need_a_reference_and_unique_ids(evidence, tmp_path):
    entry = {
        "id": "x",
        "title": "t",
        "publisher": "p",
        "summary_nl": "a",
        "summary_en": "b",
    }
    with pytest.raises(CatalogueError) as exc:
        validate(EvidenceLibrary, {"evidence": [entry]}, "evidence.toml")
    assert str(exc.value) == "evidence.toml: evidence[0].reference: Field required"
    entry["reference"] = "r"
    with pytest.raises(CatalogueError) as exc:
        validate(EvidenceLibrary, {"evidence": [entry, entry]}, "evidence.toml")
    assert str(exc.value) == "evidence.toml: evidence[1].id: duplicated evidence id, got 'x'"
    with pytest.raises(CatalogueError) as exc:
        validate(EvidenceLibrary, {"evidence": [{**entry, "year": "2020"}]}, "evidence.toml")
    assert (
        str(exc.value)
        == "evidence.toml: evidence[0].year: Input should be a valid integer, got '2020'"
    )
    with pytest.raises(
        CatalogueError, match=r"^evidence.toml: evidence: Tuple should have at least 1"
    ):
        validate(EvidenceLibrary, {"evidence": []}, "evidence.toml")
    assert all(e.reference for e in evidence.values())
    # a user's evidence file without an id a pattern names: the matrix names the pattern
    path = tmp_path / "evidence.toml"
    text = resources.files("wijkradar.catalogue").joinpath("evidence.toml").read_text("utf-8")
    path.write_text(text.replace('id = "wijkwijzer"', 'id = "wijk_wijzer"'))
    with pytest.raises(CatalogueError) as exc:
        load_action_matrix(evidence=path)
    assert str(exc.value) == (
        "actions.toml: frames[2].patterns[1].evidence[0]: Input should be an evidence.toml id; "
        "close matches: wijk_wijzer, got 'wijkwijzer'"
    )


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
    assert reason.data["comparison_code"] is None and reason.data["group_gemeenten"] == 1
    assert reason.data["thresholds"] == {"percentile_gte": 80.0}
    nl = reason_sentence(reason, res, "nl", catalogue=cat)
    assert "29,0%" in nl and "20,0%" in nl
    assert "(2017, KWB 2019)" in nl and "percentiel ≥ 80" in nl
    en = reason_sentence(reason, res, "en", catalogue=cat)
    assert "29.0%" in en and "percentile ≥ 80" in en
    assert "netwerk" in ids and not res.nothing_triggered


def test_suppressed_value_never_triggers_and_nothing_is_said_so(matrix, facts, cat):
    res = evaluate_actions(matrix, _state(facts, "BU00010002"), cat)
    assert res.nothing_triggered
    assert [f.frame.id for f in res.frames] == ["netwerk"]
    d = action_dict(res, "nl", catalogue=cat)
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
    assert r.kind == "axis" and r.data == {
        "axis": "problems",
        "trend": "rising",
        "level": "middle",
        "score": 45.0,
    }
    assert reason_sentence(r, res, catalogue=cat) == (
        "As zichtbare problemen (2019): score 45 van 100 (midden), trend: verslechtert"
    )
    assert reason_sentence(r, res, "en", catalogue=cat) == (
        "Visible problems axis (2019): score 45 of 100 (middle), trend: worsening"
    )
    table = action_rows(res, catalogue=cat)
    assert {"frame", "pattern", "reasons", "evidence"} <= set(table.columns)
    assert len(table) == sum(len(f.patterns) for f in res.frames)


def test_reasons_are_numbers_worded_at_the_edge(matrix, facts, cat):
    row = {"signal": "alarm", "composition_trend": "rising", "problems_trend": "rising"}
    st = region_state(
        "BU00010001", level="buurt", year=2019, view="relative", signal_row=row, facts=facts
    )
    res = evaluate_actions(matrix, st, cat)
    reasons = {(r.kind, r.subject): r for f in res.frames for t in f.patterns for r in t.reasons}
    ind = reasons["indicator", "low_income_households_pct"]
    assert ind.data["comparison_code"] == "GM0001"  # relative view: the gemeente
    named = reason_sentence(ind, res, catalogue=cat, names={"GM0001": "Testdorp"})
    assert "van de buurten in Testdorp." in named
    assert "of the neighbourhoods in GM0001." in reason_sentence(ind, res, "en", catalogue=cat)
    sig = reasons["signal", "signal"]
    assert sig.data == {"signal": "alarm", "year": 2019}
    label = load_rules().get("alarm").label
    assert reason_sentence(sig, res, catalogue=cat) == f"Signaal 2019: {label('nl')}"
    assert reason_sentence(sig, res, "en", catalogue=cat) == f"Signal 2019: {label('en')}"
    d = action_dict(res, "en", catalogue=cat, names={})
    shown = next(r for f in d["frames"] for p in f["patterns"] for r in p["reasons"])
    assert "thresholds" not in shown and "comparison_code" not in shown and shown["sentence"]


def test_all_regions_at_once_agree_with_the_one_region_api(matrix, facts, cat):
    codes = sorted(facts["code"].unique())
    signal = pd.DataFrame(
        {
            "code": codes,
            "signal": ["alarm", "stable", None, "improving"] + ["stable"] * (len(codes) - 4),
            "composition_trend": ["rising", "stable", "unknown"] + ["falling"] * (len(codes) - 3),
            "composition_level": "middle",
            "composition_score": [50.0, np.nan] + [70.0] * (len(codes) - 2),
            "problems_trend": ["rising"] + ["stable"] * (len(codes) - 1),
            "problems_level": "weak",
            "problems_score": 45.0,
        }
    )
    states = action_states(signal, facts)
    assert states.loc["BU00010001", "low_income_households_pct.value"] == 29.0
    assert np.isnan(states.loc["BU00010002", "low_income_households_pct.value"])
    hits = pattern_hits(matrix, states)
    assert hits.shape == (len(codes), sum(len(f.patterns) for f in matrix.frames))
    assert hits.loc["BU00010001", ("sociale_stijging", "low_income_rising_high")]
    assert not hits.loc["BU00010002"].loc["sociale_stijging"].any()  # suppressed: nothing
    for row in signal.to_dict("records"):
        state = region_state(
            row["code"], level="buurt", year=2019, view="absolute", signal_row=row, facts=facts
        )
        res = evaluate_actions(matrix, state, cat)
        one = {(f.frame.id, t.pattern.id) for f in res.frames for t in f.patterns}
        many = {k for k, v in hits.loc[row["code"]].items() if v}
        assert one == many, row["code"]
