"""Neighbours of a Dataset's regions: queen contiguity of one level's geometries, built once
(libpysal) and shared by the early warning's neighbour features and the meerschalig relation."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from wijkradar.dataset import Dataset


def adjacency(ds: Dataset, level: str):
    """Queen contiguity of ``level``'s geometries: (sparse binary matrix, codes)."""
    import warnings

    import geopandas as gpd
    from libpysal.graph import Graph

    def compute():
        r = ds.regions[ds.regions["level"] == level]
        r = r[r.geometry.notna() & ~r.geometry.is_empty]
        if len(r) < 2:
            return None, None
        geoms = gpd.GeoSeries(r.geometry.to_numpy(), index=r["code"].astype(str).to_numpy())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            g = Graph.build_contiguity(geoms, rook=False)
        order = pd.Index(geoms.index)
        return g.sparse.tocsr(), order  # rows in the graph's (= geoms') order

    return ds._memo(("adjacency", level), compute)
