"""TopoJSON decoding with numpy (no topojson dependency): arcs, rings, polygons.

A topology stores shared boundary lines once (``arcs``); a polygon lists its rings as arc
indices, ``~i`` (i.e. ``-i - 1``) meaning arc ``i`` reversed. Quantised files store integer
positions, each after the first as the difference to the previous one, and a ``transform``
(``scale``, ``translate``) back to coordinates. Spec: https://github.com/topojson/topojson-specification
"""

from __future__ import annotations

from itertools import chain

import numpy as np
import shapely


def decode_arcs(topo: dict) -> tuple[np.ndarray, np.ndarray]:
    """All arcs as one (n, 2) coordinate array plus offsets; delta-decoded when quantised."""
    arcs = topo.get("arcs", [])
    lengths = np.fromiter((len(a) for a in arcs), dtype="int64", count=len(arcs))
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    flat = np.array([p[:2] for p in chain.from_iterable(arcs)], dtype="float64").reshape(-1, 2)
    transform = topo.get("transform")
    if transform:
        # quantised arcs store the first point, then differences: cumulative sum per arc
        cs = np.cumsum(flat, axis=0)
        starts = offsets[:-1]
        base = np.where(starts[:, None] > 0, cs[np.maximum(starts - 1, 0)], 0.0)
        flat = cs - np.repeat(base, lengths, axis=0)
        flat = flat * np.asarray(transform["scale"]) + np.asarray(transform["translate"])
    return flat, offsets


def ring(refs: list[int], coords: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Stitch a ring from arc references (``~i`` = arc i reversed), dropping shared points."""
    pieces = []
    for k, ref in enumerate(refs):
        i = ref if ref >= 0 else ~ref
        idx = np.arange(offsets[i], offsets[i + 1])
        if ref < 0:
            idx = idx[::-1]
        pieces.append(idx if k == 0 else idx[1:])
    return coords[np.concatenate(pieces)] if pieces else np.empty((0, 2))


def topo_geometry(g: dict, coords: np.ndarray, offsets: np.ndarray):
    """A shapely (multi)polygon from one TopoJSON geometry; None when nothing is left."""
    kind = g.get("type")
    if kind == "Polygon":
        polys = [g.get("arcs", [])]
    elif kind == "MultiPolygon":
        polys = g.get("arcs", [])
    else:
        return None
    parts = []
    for rings in polys:
        rings = [ring(r, coords, offsets) for r in rings]
        # coarse quantisation collapses small rings to fewer than 3 distinct points
        rings = [r for r in rings if len(np.unique(r, axis=0)) >= 3]
        if rings:
            parts.append(shapely.Polygon(rings[0], rings[1:]))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)
