"""The one vectorised evaluator gives what the two evaluators it replaced gave, region by region.

The oracle below is the old per-region evaluation of ``analysis/actions.py`` (``_eval`` without
its reasons, with ``_between``) on the raw TOML dicts; it also covers the old signal classifier,
whose axis tests (trend and level lists) it shares. Random region states, every condition of
the packaged ``signals.toml`` and ``actions.toml``.
"""

import math
import tomllib
from importlib import resources

import numpy as np
import pandas as pd
import pytest
from pydantic import TypeAdapter

from wijkradar.analysis.conditions import axis_column, fact_column, holds
from wijkradar.analysis.signals import classify
from wijkradar.catalogue.actions import Condition, load_action_matrix
from wijkradar.catalogue.rules import load_rules
from wijkradar.vocab import AXES, BANDS, TRENDS

RULES = load_rules()
MATRIX = load_action_matrix()
N = 400


def _raw(name):
    return tomllib.loads(resources.files("wijkradar.catalogue").joinpath(name).read_text("utf-8"))


def _between(v, cond, prefix):
    checks = {
        f"{prefix}_gt": lambda t: v > t,
        f"{prefix}_gte": lambda t: v >= t,
        f"{prefix}_lt": lambda t: v < t,
        f"{prefix}_lte": lambda t: v <= t,
    }
    return all(fn(cond[k]) for k, fn in checks.items() if k in cond)


def _old(cond, state):
    if "all" in cond:
        return all(_old(c, state) for c in cond["all"])
    if "any" in cond:
        return any(_old(c, state) for c in cond["any"])
    if "signal" in cond:
        return state["signal"] is not None and state["signal"] in cond["signal"]
    if "axis" in cond:
        return _old_axis(cond, state["axes"][cond["axis"]])
    return _old_indicator(cond, state["facts"].get(cond["indicator"]))


def _old_axis(cond, a):
    if "trend" in cond and a["trend"] not in cond["trend"]:
        return False
    if "level" in cond and a["level"] not in cond["level"]:
        return False
    if "weak_run_gte" in cond and not a["weak_run"] >= cond["weak_run_gte"]:
        return False
    return not (
        ("score_gte" in cond or "score_lte" in cond)
        and (a["score"] is None or not _between(a["score"], cond, "score"))
    )


def _old_indicator(cond, f):
    if f is None or f["value"] is None:
        return False  # unknown, suppressed or missing: claims nothing
    if "trend" in cond and f["trend"] not in cond["trend"]:
        return False
    if ("percentile_gte" in cond or "percentile_lte" in cond) and (
        f["value_pct"] is None or not _between(f["value_pct"], cond, "percentile")
    ):
        return False
    return _between(float(f["value"]), cond, "value")


def _random_states(rng):
    """Per region: the dict the old evaluator read, and the state frame ``holds`` reads."""
    indicators = list(MATRIX.indicators)
    signals = [c.id for c in RULES.classes] + [None]
    states, rows = [], []
    for i in range(N):
        axes = {
            a: {
                "trend": str(rng.choice(TRENDS)),
                "level": str(rng.choice(BANDS)),
                "score": None if rng.random() < 0.2 else float(rng.uniform(0, 100)),
                "weak_run": int(rng.integers(0, 4)),
            }
            for a in AXES
        }
        facts = {}
        for ind in indicators[i % 3 :: 1 + i % 2]:  # some regions lack some indicators
            facts[ind] = {
                "value": None if rng.random() < 0.2 else float(rng.uniform(0, 100)),
                "value_pct": None if rng.random() < 0.1 else float(rng.integers(0, 101)),
                "trend": str(rng.choice(TRENDS)),
            }
        state = {"signal": signals[int(rng.integers(len(signals)))], "axes": axes, "facts": facts}
        row = {"signal": state["signal"]}
        for a, v in axes.items():
            row |= {axis_column(a, k): math.nan if x is None else x for k, x in v.items()}
        for ind, f in facts.items():
            row |= {fact_column(ind, k): math.nan if x is None else x for k, x in f.items()}
        states.append(state)
        rows.append(row)
    return states, pd.DataFrame(rows)


@pytest.fixture(scope="module")
def regions():
    return _random_states(np.random.default_rng(20261))


def _conditions():
    classes = _raw("signals.toml")["classes"]
    out = [(f"class:{c['id']}", {k: c[k] for k in ("all", "any") if k in c}) for c in classes]
    for f in _raw("actions.toml")["frames"]:
        out += [(f"{f['id']}/{p['id']}", p["condition"]) for p in f["patterns"]]
    return out


def _models():
    out = {f"class:{c.id}": c.condition for c in RULES.classes}
    for f in MATRIX.frames:
        out |= {f"{f.id}/{p.id}": p.condition for p in f.patterns}
    return out


@pytest.mark.parametrize(("name", "raw"), _conditions(), ids=[n for n, _ in _conditions()])
def test_holds_agrees_with_the_old_evaluator(regions, name, raw):
    states, frame = regions
    got = holds(_models()[name], frame)
    want = np.array([_old(raw, s) for s in states])
    assert got.dtype == bool and got.shape == (N,)
    np.testing.assert_array_equal(got, want)


LOW = "low_income_households_pct"
SYNTHETIC = [
    {"axis": "problems", "score_gte": 40, "score_lte": 60.5},
    {"axis": "composition", "level": ["weak", "unknown"], "score_lte": 80},
    {"indicator": LOW, "value_lt": 50, "value_gte": 10},
    {"indicator": LOW, "percentile_lte": 30, "value_lte": 70.0, "trend": ["falling", "stable"]},
    {"indicator": LOW, "value_gt": 20, "percentile_gte": 50},
    {
        "any": [
            {"signal": ["alarm", "stable"]},
            {
                "all": [
                    {"axis": "composition", "level": ["weak"]},
                    {"indicator": LOW, "value_gt": 90},
                ]
            },
        ]
    },
]


@pytest.mark.parametrize("raw", SYNTHETIC, ids=[str(i) for i in range(len(SYNTHETIC))])
def test_holds_agrees_on_score_value_and_nested_tests(regions, raw):
    states, frame = regions
    cond = TypeAdapter(Condition).validate_python(raw)
    want = np.array([_old(raw, s) for s in states])
    assert 0 < want.sum() < N
    np.testing.assert_array_equal(holds(cond, frame), want)


def test_the_random_states_exercise_the_conditions(regions):
    states, frame = regions
    fired = sum(bool(holds(c, frame).any()) for c in _models().values())
    assert fired >= len(_models()) - 3  # almost every condition holds somewhere


def test_classify_agrees_with_the_old_first_matching_class(regions):
    states, _ = regions
    raw = _raw("signals.toml")["classes"]
    axes = {
        a: {
            k: np.array([s["axes"][a][k] for s in states], dtype=object)
            for k in ("trend", "level", "weak_run")
        }
        for a in AXES
    }
    got = classify(RULES, axes)
    for s, cls in zip(states, got, strict=True):
        blank = all(s["axes"][a]["trend"] == s["axes"][a]["level"] == "unknown" for a in AXES)
        first = next(c["id"] for c in raw if _old({k: c[k] for k in ("all", "any") if k in c}, s))
        assert cls == ("insufficient_data" if blank else first)


def test_missing_columns_and_values_claim_nothing():
    cond = MATRIX.frame("sociale_stijging").patterns[1].condition  # any of two indicators
    empty = pd.DataFrame(index=range(3))
    assert not holds(cond, empty).any()
    frame = pd.DataFrame(
        {
            "low_income_households_pct.value": [None, 30.0, 30.0],
            "low_income_households_pct.value_pct": [95.0, None, 95.0],
        }
    )
    assert holds(cond, frame).tolist() == [False, False, True]
