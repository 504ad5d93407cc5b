"""LISA clusters: esda's numbers against Moran's formula by hand, and the edge cases."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from numpy.testing import assert_allclose, assert_array_equal

from wijkradar.analysis.results import CLUSTER_COLUMNS, CLUSTER_LABELS
from wijkradar.analysis.spatial import (
    CLUSTER_LABELS_EN,
    clusters_by_group,
    local_clusters,
)

K = 5  # a K × K lattice of unit squares
PERMS = 99  # enough for alpha = 0.05 (smallest p is 0.01), fast


def lattice(k: int = K, x0: float = 0.0) -> gpd.GeoDataFrame:
    """Unit squares ``r{row}c{col}``, row-major, in EPSG:28992 metres."""
    codes = [f"r{r}c{c}" for r in range(k) for c in range(k)]
    geoms = [shapely.box(x0 + c, r, x0 + c + 1, r + 1) for r in range(k) for c in range(k)]
    return gpd.GeoDataFrame({"code": codes}, geometry=geoms, crs="EPSG:28992")


def queen_row_standardised(k: int = K) -> np.ndarray:
    """Queen contiguity on the lattice by index arithmetic, rows summing to 1."""
    n = k * k
    w = np.zeros((n, n))
    for i in range(n):
        r, c = divmod(i, k)
        for dr in (-1, 0, 1):
            for dc in (-1, 0, 1):
                rr, cc = r + dr, c + dc
                if (dr, dc) != (0, 0) and 0 <= rr < k and 0 <= cc < k:
                    w[i, rr * k + cc] = 1.0
    return w / w.sum(axis=1, keepdims=True)


@pytest.fixture(scope="module", autouse=True)
def warm_numba():
    """esda compiles its permutation kernel (numba) on the first call: ~16 s, once."""
    local_clusters(pd.Series([1.0, 2.0, 3.0, 5.0]), lattice(2).assign(code=["0", "1", "2", "3"]))


@pytest.fixture
def noise() -> pd.Series:
    rng = np.random.default_rng(42)
    return pd.Series(rng.normal(size=K * K), index=lattice()["code"])


def test_local_and_global_i_match_morans_formula(noise):
    res = local_clusters(noise, lattice(), permutations=PERMS)
    y = noise.to_numpy()
    n = len(y)
    w = queen_row_standardised()
    z = y - y.mean()
    anselin = z * (w @ z) / ((z**2).sum() / n)  # Anselin (1995), eq. 7 with m2 = Σz²/n
    # esda divides by Σz²/(n−1) instead of Σz²/n: the same up to the factor (n−1)/n.
    assert_allclose(res.I, anselin * (n - 1) / n, rtol=1e-10)
    global_i = (n / w.sum()) * (z @ w @ z) / (z @ z)
    assert_allclose(res.global_i, global_i, rtol=1e-10)
    # with row-standardised weights and no islands, global I is the mean local I (Anselin's)
    assert_allclose(anselin.mean(), res.global_i, rtol=1e-10)
    assert res.n == n and res.n_islands == 0 and res.note == ""


def test_quadrants_follow_the_moran_scatterplot(noise):
    res = local_clusters(noise, lattice(), permutations=PERMS)
    z = noise.to_numpy() - noise.mean()
    lag = queen_row_standardised() @ z
    expected = np.select(
        [(z > 0) & (lag > 0), (z <= 0) & (lag > 0), (z <= 0) & (lag <= 0)], [1, 2, 3], 4
    )
    assert_array_equal(res.quadrant, expected)


def test_planted_hot_spot_is_hoog_hoog():
    rng = np.random.default_rng(7)
    y = rng.normal(size=(K, K))
    y[:3, :3] += 10  # a 3 × 3 block of high values in one corner
    values = pd.Series(y.ravel(), index=lattice()["code"])
    res = local_clusters(values, lattice(), permutations=999)
    frame = res.to_frame().set_index("code")
    assert frame.loc["r1c1", "cluster"] == "hoog-hoog"
    assert frame.loc["r1c1", "p_value"] < 0.05
    assert frame.loc["r1c1", "quadrant"] == 1
    hot = frame.index[frame["cluster"] == "hoog-hoog"]
    assert set(hot) <= {f"r{r}c{c}" for r in range(3) for c in range(3)}
    assert res.global_i > 0.3 and res.global_p < 0.05


def test_island_gets_geen_buren_and_no_cluster(noise):
    regions = pd.concat(
        [
            lattice(),
            gpd.GeoDataFrame(
                {"code": ["island"]}, geometry=[shapely.box(50, 50, 51, 51)], crs=28992
            ),
        ],
        ignore_index=True,
    )
    # an extreme island would be "significant" in esda (its lag is 0 in every permutation)
    values = pd.concat([noise, pd.Series({"island": noise.max() + 0.5})])
    res = local_clusters(values, regions, permutations=PERMS)
    frame = res.to_frame().set_index("code")
    assert frame.loc["island", "cluster"] == "geen buren"
    assert np.isnan(frame.loc["island", "local_i"]) and np.isnan(frame.loc["island", "p_value"])
    assert pd.isna(frame.loc["island", "quadrant"])
    assert res.n == K * K + 1 and res.n_islands == 1
    # the island stays in the standardisation: local I of the others uses all n values
    y = values.to_numpy()
    z = y - y.mean()
    w = queen_row_standardised()
    n = len(y)
    expected = (n - 1) * z[:-1] * (w @ z[:-1]) / (z @ z)
    assert_allclose(res.I[:-1], expected, rtol=1e-10)


def test_missing_values_and_geometries_are_left_out_of_the_weights(noise):
    regions = lattice()
    regions.loc[regions["code"] == "r4c4", "geometry"] = None
    values = noise.copy()
    values["r0c0"] = np.nan
    values["nowhere"] = 1.0  # a code without a region
    res = local_clusters(values, regions, permutations=PERMS)
    frame = res.to_frame().set_index("code")
    for code in ("r0c0", "r4c4", "nowhere"):
        assert frame.loc[code, "cluster"] == "geen gegevens"
        assert np.isnan(frame.loc[code, "local_i"])
    assert res.n == K * K - 2
    # the same as analysing only the usable regions
    usable = noise.drop(["r0c0", "r4c4"])
    alone = local_clusters(usable, regions, permutations=PERMS).to_frame().set_index("code")
    assert_allclose(frame.loc[usable.index, "local_i"], alone["local_i"], rtol=1e-12)
    assert_array_equal(frame.loc[usable.index, "cluster"], alone["cluster"])
    assert list(frame.index) == list(values.index)  # order of the input kept


@pytest.mark.parametrize("n", [0, 1, 2], ids=["none", "one", "two"])
def test_fewer_than_three_regions_computes_nothing(n):
    values = pd.Series(np.arange(n, dtype=float), index=lattice()["code"][:n])
    values["nan"] = np.nan
    res = local_clusters(values, lattice(), permutations=PERMS)
    assert set(res.label) == {"geen gegevens"}
    assert np.isnan(res.global_i) and np.isnan(res.global_p)
    assert "minder dan 3" in res.note
    assert len(res.to_frame()) == n + 1


def test_only_islands_and_constant_values_say_why():
    far = gpd.GeoDataFrame(
        {"code": ["a", "b", "c"]},
        geometry=[shapely.box(10 * i, 0, 10 * i + 1, 1) for i in range(3)],
    )
    res = local_clusters(pd.Series([1.0, 2.0, 3.0], index=["a", "b", "c"]), far)
    assert set(res.label) == {"geen buren"} and res.note == "geen enkele regio heeft buren"
    flat = pd.Series(5.0, index=lattice()["code"])
    res = local_clusters(flat, lattice(), permutations=PERMS)
    assert set(res.label) == {"niet significant"} and "geen spreiding" in res.note
    assert np.isnan(res.I).all()


def test_seed_makes_p_values_reproducible(noise):
    a = local_clusters(noise, lattice(), permutations=PERMS, seed=1)
    b = local_clusters(noise, lattice(), permutations=PERMS, seed=1)
    assert_array_equal(a.p_sim, b.p_sim)
    assert a.global_p == b.global_p
    state = np.random.get_state()[1].copy()
    local_clusters(noise, lattice(), permutations=PERMS, seed=2)
    assert_array_equal(np.random.get_state()[1], state)  # global numpy state untouched


def test_result_is_frozen_and_frame_has_documented_columns(noise):
    res = local_clusters(noise, lattice(), permutations=PERMS)
    assert list(res.to_frame().columns) == list(CLUSTER_COLUMNS)
    assert (res.permutations, res.alpha, res.seed) == (PERMS, 0.05, 12345)
    with pytest.raises(ValueError):
        res.I[0] = 1.0
    assert set(CLUSTER_LABELS_EN) == set(CLUSTER_LABELS)


@pytest.mark.parametrize(
    "kwargs",
    [{"alpha": 0}, {"alpha": 1.5}, {"permutations": 0}, {"permutations": 19}],
    ids=["alpha-0", "alpha-1.5", "no-permutations", "too-few-for-alpha"],
)
def test_bad_arguments(noise, kwargs):
    with pytest.raises(ValueError):
        local_clusters(noise, lattice(), **kwargs)


def test_duplicate_codes_are_rejected(noise):
    with pytest.raises(ValueError, match="duplicate"):
        local_clusters(pd.concat([noise, noise]), lattice(), permutations=PERMS)


def test_clusters_by_group_equals_separate_runs():
    left, right = lattice(), lattice(x0=K)  # two lattices side by side, touching
    right["code"] = "R" + right["code"]
    regions = pd.concat([left, right], ignore_index=True)
    rng = np.random.default_rng(5)
    values = pd.Series(rng.normal(size=2 * K * K), index=regions["code"])
    values["ungrouped"] = 1.0
    groups = pd.Series(["GM0001"] * K * K + ["GM0002"] * K * K, index=regions["code"])
    frame = clusters_by_group(values, regions, groups, permutations=PERMS)
    assert list(frame.columns) == ["group", *CLUSTER_COLUMNS, "note"]
    assert "ungrouped" not in set(frame["code"])
    for key, part in frame.groupby("group"):
        alone = local_clusters(values[part["code"]], regions, permutations=PERMS).to_frame()
        assert_allclose(part["local_i"].to_numpy(), alone["local_i"].to_numpy(), rtol=1e-12)
        assert_array_equal(part["cluster"].to_numpy(), alone["cluster"].to_numpy())
        assert len(part) == K * K, key
    # within its group, the left lattice's right edge has no neighbours across the border
    whole = local_clusters(values.drop("ungrouped"), regions, permutations=PERMS).to_frame()
    edge = frame["code"] == "r2c4"
    assert not np.isclose(
        frame.loc[edge, "local_i"].iloc[0], whole.set_index("code").loc["r2c4", "local_i"]
    )
