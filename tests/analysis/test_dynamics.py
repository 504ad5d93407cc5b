"""Dynamics: bands, pairs that never cross a series cut, the Markov chain against a hand count,
stijgers en dalers with what moved them."""

import numpy as np
import pandas as pd
import pytest
from giddy.markov import Markov

from wijkradar.analysis import dynamics as dyn


def _states(rows):
    return pd.DataFrame(rows, columns=["code", "year", "state"])


def test_bands_are_per_year_fifths_in_the_catalogue_direction():
    v = pd.DataFrame(
        {"code": [f"BU{i:08d}" for i in range(10)] * 2, "year": [2016] * 10 + [2018] * 10,
         "value": list(range(10)) + list(range(100, 110))}
    )  # fmt: skip
    b = dyn.bands(v, k=5)
    # each year has two regions per fifth, whatever the level of the values
    assert b.groupby(["year", "state"]).size().eq(2).all()
    low = dyn.bands(v, k=5, direction="-")
    assert low.loc[0, "state"] == 5 and b.loc[0, "state"] == 1


def test_pairs_follow_each_region_and_never_cross_a_cut():
    st = _states(
        [("WK000101", 2002, 3), ("WK000101", 2008, 4), ("WK000101", 2012, 4),
         ("WK000102", 2002, 6), ("WK000102", 2008, 5), ("WK000102", 2012, 7)]
    )  # fmt: skip
    breaks = pd.DataFrame({"code": ["WK000102"], "year": [2012]})
    pr, cut = dyn.pairs(st, breaks)
    assert cut == 1
    assert pr[["code", "year_from", "year_to"]].values.tolist() == [
        ["WK000101", 2002, 2008],
        ["WK000101", 2008, 2012],
        ["WK000102", 2002, 2008],
    ]


def test_the_chain_matches_giddy_on_a_balanced_panel_and_keeps_an_empty_state():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 3, size=(50, 4))  # states 0..2; state 3 never occurs
    rows = [(f"BU{i:08d}", 2000 + t, int(y[i, t])) for i in range(50) for t in range(4)]
    pr, _ = dyn.pairs(_states(rows))
    res = dyn.transitions(pr, [0, 1, 2, 3])
    ref = Markov(y, classes=np.arange(3), summary=False)
    assert np.array_equal(res.counts.to_numpy()[:3, :3], np.asarray(ref.transitions))
    assert np.allclose(res.probabilities.to_numpy()[:3, :3], np.asarray(ref.p))
    assert res.counts.loc[3].sum() == 0 and res.probabilities.loc[3].isna().all()
    assert "never_from:3" in res.notes
    assert res.n_pairs == 150 and res.n_regions == 50
    assert set(res.mobility) == {"prais", "determinant", "l2", "bartholomew_1"}


def test_movers_rank_by_change_name_their_drivers_and_skip_a_cut():
    scores = pd.DataFrame(
        {"code": ["A", "B", "C", "D"] * 2, "year": [2016] * 4 + [2018] * 4,
         "value": [50, 50, 50, 50, 80, 30, 55, 90]}
    )  # fmt: skip
    comps = pd.DataFrame(
        {"code": ["A", "A", "A", "A"], "year": [2016, 2016, 2018, 2018],
         "indicator": ["x", "y", "x", "y"], "percentile": [50, 50, 95, 45],
         "weight": [1.0, 1.0, 1.0, 1.0]}
    )  # fmt: skip
    breaks = pd.DataFrame({"code": ["D"], "year": [2017]})
    out, cut = dyn.movers(scores, year_from=2016, year_to=2018, components=comps, breaks=breaks)
    assert cut == 1  # D changed most, but it is another place after 2017
    assert out["code"].tolist() == ["A", "C", "B"]
    assert out["direction"].tolist() == ["daler", "daler", "stijger"]
    assert out.loc[0, "drivers"] == [("x", 45.0, 22.5)]  # y fell: it did not move A down


@pytest.mark.parametrize("by", ["x"])
def test_spatial_needs_enough_regions(by):
    import geopandas as gpd
    from shapely.geometry import box

    st = _states([("A", 2000, 1), ("A", 2001, 2), ("B", 2000, 1), ("B", 2001, 1)])
    geo = gpd.GeoDataFrame({"code": ["A", "B"]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)])
    res, note = dyn.spatial_transitions(st, geo, [1, 2])
    assert res is None and note == "spatial:too_few:2"
    del by
