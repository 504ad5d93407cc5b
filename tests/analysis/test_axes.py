"""The axes and their kernel: score, band and trend call by hand, settings from signals.toml."""

import tomllib
from dataclasses import replace
from importlib import resources

import numpy as np
import pandas as pd
import pytest

from wijkradar.analysis.axes import AxisInputs, axis_state, axis_states
from wijkradar.analysis.kernel import AxisSettings, band, call_trend, packaged, weighted_score
from wijkradar.catalogue.rules import load_rules

NAN = np.nan


def test_settings_are_the_numbers_of_the_packaged_signals_toml():
    text = resources.files("wijkradar.catalogue").joinpath("signals.toml").read_text("utf-8")
    raw = tomllib.loads(text)
    s = packaged()
    assert s == AxisSettings.from_rules(load_rules())
    assert (s.min_score_share, s.min_trend_share) == (
        raw["scores"]["min_weight_share"],
        raw["trends"]["min_weight_share"],
    )
    assert (s.z, s.min_years, s.window) == (
        raw["trends"]["z"],
        raw["trends"]["min_years"],
        raw["trends"]["window"],
    )
    assert (s.weak, s.strong) == (raw["levels"]["weak"], raw["levels"]["strong"])
    assert s.max_window == max(raw["trends"]["window"], *raw["sensitivity"]["window"])
    assert s.sets("problems") == (("lbm_safety",),) and s.sets("composition") == ()
    assert (s.min_units("relative"), s.min_units("absolute")) == (3, 1)


def test_a_trend_is_called_only_beyond_z_standard_errors():
    slope = np.array([2.0, -2.0, 1.0, 1.0, NAN])
    se = np.array([0.7, 0.7, 0.7, NAN, 0.1])
    # 2.0 - 1.645 × 0.7 = 0.85 > 0; 1.0 - 1.15 < 0 < 1.0 + 1.15
    assert call_trend(slope, se, 1.645).tolist() == [
        "rising",
        "falling",
        "stable",
        "unknown",
        "unknown",
    ]


def test_bands_include_weak_and_exclude_strong_at_their_thresholds():
    score = np.array([60.0, 59.9, 40.0, 39.9, NAN])
    assert band(score, 60, 40).tolist() == ["weak", "middle", "middle", "strong", "unknown"]


def test_weighted_score_needs_its_share_or_a_sufficient_set():
    values = np.array([[80.0, NAN, 20.0], [NAN, NAN, 20.0]])
    weight = np.array([1.0, 1.0, 0.5])
    names = ["a", "b", "c"]
    score, share = weighted_score(values, weight, names, min_share=0.5)
    # (80 × 1 + 20 × 0.5) / 1.5 = 60 with 1.5 of 2.5; 0.5 of 2.5 is too little
    assert score[0] == pytest.approx(60.0) and np.isnan(score[1])
    assert share.tolist() == pytest.approx([0.6, 0.2])
    score, _ = weighted_score(values, weight, names, min_share=0.5, sufficient_sets=[["c"]])
    assert score.tolist() == pytest.approx([60.0, 20.0])


def _inputs(percentile, slope, se):
    """Two problems indicators ``a`` (weight 1) and ``b`` (weight 3), spread 2."""
    n = len(percentile)
    return AxisInputs(
        codes=pd.Index([f"BU0001000{i}" for i in range(n)]),
        indicators=pd.Index(["a", "b"]),
        percentile=np.array(percentile, dtype=float),
        value_pct=np.full((n, 2), NAN),
        value=np.full((n, 2), NAN),
        pct_year=np.full((n, 2), 2019.0),
        group_size=np.full((n, 2), 10.0),
        group_gemeenten=np.full((n, 2), 1.0),
        slope=np.array(slope, dtype=float),
        se=np.array(se, dtype=float),
        spread=np.array([2.0, 2.0]),
        direction=np.array([1.0, -1.0]),
        weight=np.array([1.0, 3.0]),
        domain=np.array(["problems", "problems"]),
        trends=pd.DataFrame(),
    )


def test_axis_state_combines_scores_and_standardised_slopes_by_weight():
    inp = _inputs(
        percentile=[[80.0, 60.0], [80.0, NAN]],
        slope=[[1.0, -1.0], [1.0, NAN]],
        se=[[0.2, 0.2], [0.2, NAN]],
    )
    s = replace(packaged(), sufficient_sets=())
    st = axis_state(inp, "problems", s)
    # score (80 + 3 × 60) / 4 = 65: weak; the second region has 1 of 4 weight: no score
    assert st["score"][0] == pytest.approx(65.0) and np.isnan(st["score"][1])
    assert st["level"].tolist() == ["weak", "unknown"]
    # slopes in spreads, signed by direction: (1 × 0.5 + 3 × 0.5) / 4 = 0.5,
    # se sqrt((1 × 0.1)² + (3 × 0.1)²) / 4
    assert st["slope"][0] == pytest.approx(0.5)
    assert st["se"][0] == pytest.approx(np.hypot(0.1, 0.3) / 4)
    assert st["trend"].tolist() == ["rising", "unknown"]
    assert st["trend_share"].tolist() == pytest.approx([1.0, 0.25])
    # a variation's weights replace the catalogue's: (80 + 60) / 2 = 70
    w = axis_state(inp, "problems", s, weights=np.array([1.0, 1.0]))
    assert w["score"][0] == pytest.approx(70.0) and w["level"][0] == "weak"
    assert set(axis_states(inp, s)) == {"composition", "problems"}
    assert np.isnan(axis_states(inp, s)["composition"]["score"]).all()
