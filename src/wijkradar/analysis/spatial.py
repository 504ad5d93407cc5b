"""Spatial clusters: local Moran (LISA) on queen contiguity, wrapped from esda and libpysal.

Where do vulnerable buurten (or buurten with problems) lie together? :func:`local_clusters`
labels each region hoog-hoog / laag-laag (a cluster), hoog-laag / laag-hoog (an outlier) or niet
significant, and says plainly when it could not compute anything (no value, no geometry, no
neighbours). :func:`clusters_by_group` does the same within each gemeente ("within the city").
"""

from __future__ import annotations

import warnings

import esda
import geopandas as gpd
import numpy as np
import pandas as pd
from libpysal.graph import Graph

from wijkradar.analysis.results import (
    CLUSTER_COLUMNS,
    CLUSTER_LABELS,
    CLUSTER_LABELS_EN,
    QUADRANT_LABELS,
    ClusterResult,
)

__all__ = [
    "CLUSTER_LABELS",
    "CLUSTER_LABELS_EN",
    "QUADRANT_LABELS",
    "ClusterResult",
    "clusters_by_group",
    "local_clusters",
]

MIN_REGIONS = 3
"""Fewer usable regions than this and nothing is computed (a permutation test needs others)."""

NO_DATA = "geen gegevens"
NO_NEIGHBOURS = "geen buren"
NOT_SIGNIFICANT = "niet significant"
_ESDA_ALTERNATIVE = "The alternative hypothesis for conditional randomization"


def local_clusters(
    values: pd.Series,
    regions: gpd.GeoDataFrame,
    *,
    permutations: int = 999,
    alpha: float = 0.05,
    seed: int = 12345,
) -> ClusterResult:
    """Local Moran clusters (LISA) of ``values`` on a queen-contiguity graph of ``regions``.

    Parameters
    ----------
    values : pandas.Series
        One float per region, indexed by region code; NaN allowed (that region is left out).
    regions : geopandas.GeoDataFrame
        Must have ``code`` and ``geometry``; extra rows (other levels, other regions) are
        ignored. Regions whose geometry is missing or empty are left out.
    permutations : int, default 999
        Conditional permutations for the pseudo p-values (local and global). Must be large
        enough that ``1 / (permutations + 1) < alpha``.
    alpha : float, default 0.05
        A region is a cluster or outlier when its pseudo p-value is below ``alpha``. No
        correction for multiple testing is applied (see Notes).
    seed : int, default 12345
        Seed for the permutations, so results are reproducible.

    Returns
    -------
    ClusterResult
        Per code (in the order of ``values``): ``values``, local ``I``, ``p_sim``,
        ``quadrant`` and ``label``; plus ``global_i``, ``global_p``, ``n``, ``n_islands``, the
        inputs and a ``note``. ``.to_frame()`` gives columns ``code, value, local_i, p_value,
        quadrant, cluster``.

    Raises
    ------
    ValueError
        For duplicate codes, ``alpha`` outside (0, 1) or too few permutations to reach it.

    Notes
    -----
    Local Moran's I (Anselin 1995) with row-standardised queen-contiguity weights
    (:meth:`libpysal.graph.Graph.build_contiguity` with ``rook=False``: regions sharing a
    boundary point are neighbours) and conditional-permutation inference, computed by
    :class:`esda.Moran_Local`. esda scales the statistic as
    ``I_i = (n - 1) z_i Σ_j w_ij z_j / Σ_k z_k²``, i.e. by ``(n - 1)/n`` times Anselin's
    ``z_i Σ_j w_ij z_j / (Σ_k z_k² / n)``; quadrants and p-values are the same either way.

    Regions without a value or geometry are removed *before* the weights are built, so the
    mean and variance are those of the regions analysed. Regions with no neighbour stay in the
    standardisation (their value is part of the distribution) but get ``"geen buren"``: their
    lag is zero, and esda would give them the smallest possible p-value, which is meaningless.

    With many regions, some will pass ``alpha`` by chance (about ``alpha × n``); read single
    significant regions with care, or lower ``alpha``.

    References
    ----------
    Anselin, L. (1995). Local indicators of spatial association — LISA. *Geographical
    Analysis*, 27(2), 93–115.

    Examples
    --------
    >>> res = local_clusters(values, ds.regions, permutations=999)  # doctest: +SKIP
    >>> res.to_frame().query("cluster == 'hoog-hoog'")                # doctest: +SKIP
    """
    _check_arguments(permutations, alpha)
    values = _as_values(values)
    geometry = _geometry_by_code(regions)
    n_all = len(values)
    inputs = {"permutations": int(permutations), "alpha": float(alpha), "seed": int(seed)}

    local_i = np.full(n_all, np.nan)
    p_sim = np.full(n_all, np.nan)
    quadrant = np.zeros(n_all, dtype=np.int8)
    label = np.full(n_all, NO_DATA, dtype=object)

    def result(n: int, n_islands: int, gi: float, gp: float, note: str) -> ClusterResult:
        return ClusterResult(
            codes=values.index.to_numpy(dtype=object),
            values=values.to_numpy(dtype=float),
            I=local_i,
            p_sim=p_sim,
            quadrant=quadrant,
            label=label,
            global_i=gi,
            global_p=gp,
            n=n,
            n_islands=n_islands,
            note=note,
            **inputs,
        )

    usable = values.notna() & values.index.isin(geometry.index)
    used = values.index[usable.to_numpy()]
    if len(used) < MIN_REGIONS:
        note = (
            f"minder dan {MIN_REGIONS} regio's met een waarde en een geometrie "
            f"({len(used)}): niets berekend"
        )
        return result(len(used), 0, np.nan, np.nan, note)

    gdf = gpd.GeoDataFrame(geometry=geometry.loc[used].to_numpy(), index=used, crs=regions.crs)
    graph = Graph.build_contiguity(gdf, rook=False).transform("r")
    ids = graph.unique_ids
    pos = values.index.get_indexer(ids)  # graph order → position in the result
    y = values.to_numpy(dtype=float)[pos]
    island = (graph.cardinalities.reindex(ids) == 0).to_numpy()
    n, n_islands = len(ids), int(island.sum())
    label[pos] = np.where(island, NO_NEIGHBOURS, NOT_SIGNIFICANT)

    if n_islands == n:
        return result(n, n_islands, np.nan, np.nan, "geen enkele regio heeft buren")
    if np.ptp(y) == 0:
        # z-scores are 0/0: esda would return NaN everywhere with a warning.
        return result(n, n_islands, np.nan, np.nan, "alle waarden gelijk: geen spreiding")

    with warnings.catch_warnings():
        # esda 2.8 warns on every call that the default alternative of its conditional
        # randomisation will become "two-sided" in its next major release, but Moran_Local has
        # no argument to choose it. We use (and document) today's "directed" p-value; the pin
        # on esda keeps it so. Revisit when upgrading esda.
        warnings.filterwarnings("ignore", message=_ESDA_ALTERNATIVE, category=DeprecationWarning)
        lisa = esda.Moran_Local(
            y,
            graph,
            transformation="r",
            permutations=permutations,
            seed=seed,
            keep_simulations=False,  # 15,000 × 999 simulated values would be ~120 MB for nothing
        )
    connected = ~island
    local_i[pos[connected]] = lisa.Is[connected]
    p_sim[pos[connected]] = lisa.p_sim[connected]
    quadrant[pos[connected]] = lisa.q[connected]
    significant = connected & (lisa.p_sim < alpha)
    label[pos[significant]] = [QUADRANT_LABELS[q] for q in lisa.q[significant]]

    gi, gp = _global_moran(y, graph, permutations, seed)
    return result(n, n_islands, gi, gp, "")


def clusters_by_group(
    values: pd.Series, regions: gpd.GeoDataFrame, groups: pd.Series, **kw: object
) -> pd.DataFrame:
    """:func:`local_clusters` within each group (e.g. per gemeente), concatenated.

    Parameters
    ----------
    values : pandas.Series
        One float per region, indexed by region code (as for :func:`local_clusters`).
    regions : geopandas.GeoDataFrame
        Regions with ``code`` and ``geometry``.
    groups : pandas.Series
        Group key per region code (e.g. ``regions.set_index("code")["gemeente_code"]``).
        Codes of ``values`` without a group are left out of the result.
    **kw
        ``permutations``, ``alpha`` and ``seed``, passed to :func:`local_clusters`; every group
        uses the same seed.

    Returns
    -------
    pandas.DataFrame
        Columns ``group`` plus those of :meth:`ClusterResult.to_frame` (``code, value,
        local_i, p_value, quadrant, cluster``) plus ``note`` (the group's note, "" when fine),
        groups in sorted order. Weights, means and significance are per group: a buurt on a
        gemeente border has only its own gemeente's buurten as neighbours.
    """
    values = _as_values(values)
    keys = groups.copy()
    keys.index = keys.index.astype(str)
    if keys.index.has_duplicates:
        raise ValueError("groups has duplicate codes in its index")
    keys = keys.reindex(values.index)
    regions = regions[regions["code"].astype(str).isin(values.index)]
    frames = []
    for key in sorted(keys.dropna().unique()):
        res = local_clusters(values[(keys == key).to_numpy()], regions, **kw)
        frame = res.to_frame()
        frame.insert(0, "group", key)
        frame["note"] = res.note
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=["group", *CLUSTER_COLUMNS, "note"])
    return pd.concat(frames, ignore_index=True)


def _check_arguments(permutations: int, alpha: float) -> None:
    """Reject arguments for which no region could ever be significant."""
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha!r}")
    if permutations < 1 or 1 / (permutations + 1) >= alpha:
        raise ValueError(
            f"permutations={permutations!r} cannot give a p-value below alpha={alpha}: "
            f"use at least {int(np.ceil(1 / alpha))} (999 is the usual choice)"
        )


def _as_values(values: pd.Series) -> pd.Series:
    """Float values indexed by plain string codes; duplicates are an error."""
    out = pd.Series(values.to_numpy(dtype=float), index=values.index.astype(str), name="value")
    if out.index.has_duplicates:
        dup = out.index[out.index.duplicated()].unique()[:5].tolist()
        raise ValueError(f"values has duplicate codes in its index: {dup}")
    return out


def _geometry_by_code(regions: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """Non-missing, non-empty geometries indexed by code."""
    if "code" not in regions.columns:
        raise ValueError("regions must have a 'code' column")
    geom = regions.geometry
    keep = (geom.notna() & ~geom.is_empty).to_numpy()
    out = gpd.GeoSeries(geom.to_numpy()[keep], index=regions["code"].astype(str).to_numpy()[keep])
    if out.index.has_duplicates:
        dup = out.index[out.index.duplicated()].unique()[:5].tolist()
        raise ValueError(f"regions has duplicate codes with a geometry: {dup}")
    return out


def _global_moran(y: np.ndarray, graph: Graph, permutations: int, seed: int) -> tuple[float, float]:
    """Global Moran's I and its permutation p-value, reproducible without touching global state.

    esda.Moran draws its permutations from numpy's global generator and takes no seed, so the
    global state is seeded for the call and restored afterwards.
    """
    state = np.random.get_state()
    try:
        np.random.seed(seed)
        moran = esda.Moran(y, graph, transformation="r", permutations=permutations)
    finally:
        np.random.set_state(state)
    return float(moran.I), float(moran.p_sim)
