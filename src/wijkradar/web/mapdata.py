"""Map layers: GeoJSON FeatureCollections of one level with signal, scores, the axes a signal
rests on, inhabitants and dwellings, made fast.

How it stays fast for the national buurt map (~15,000 polygons):

1. Geometries are simplified once per (level, zoom bucket) in RD New (EPSG:28992) with a
   tolerance per bucket (zoom ≤ 8: 50 m, ≤ 11: 10 m, else 2 m; topology preserved per polygon),
   reprojected to EPSG:4326, rounded to 5 decimals (~1 m) and kept as ready GeoJSON text per
   code — never re-serialised per request.
2. A layer (level, year, view, gemeente, bucket, indicator) is assembled by string joining and
   kept in an LRU cache both as JSON bytes and gzip-compressed bytes; a client that accepts
   gzip gets the compressed bytes as they are (no per-request compression).
"""

from __future__ import annotations

import gzip
import json

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from wijkradar.codes import gemeenten_of, normalise_code
from wijkradar.dataset import Dataset
from wijkradar.errors import UnknownIndicatorError
from wijkradar.web.memo import Memo

#: The numeric columns of the signal frame a feature carries (besides signal and known_axes).
LAYER_COLUMNS = (
    "code",
    "composition_score",
    "problems_score",
    "population",
    "dwellings",
    "population_change",
    "dwellings_change",
)
#: (highest zoom of the bucket, simplification tolerance in metres in EPSG:28992)
BUCKETS: tuple[tuple[int, float], ...] = ((8, 50.0), (11, 10.0), (99, 2.0))
DECIMALS = 5


def bucket_of(zoom: float | None) -> int:
    """Index into :data:`BUCKETS` for a map zoom level (``None`` → the most detailed)."""
    if zoom is None:
        return len(BUCKETS) - 1
    for i, (top, _) in enumerate(BUCKETS):
        if zoom <= top:
            return i
    return len(BUCKETS) - 1


def _num(x, decimals: int = 1) -> float | None:
    if x is None or pd.isna(x) or not np.isfinite(x):  # a change from 0 inhabitants is inf
        return None
    return round(float(x), decimals) if decimals else int(round(float(x)))


def _notes(reasons: pd.DataFrame) -> dict[str, set[str]]:
    """The codes with a ``small`` and with a ``housing`` reason (shown first in the tooltip)."""
    roles = reasons["role"].astype(str)
    codes = reasons["code"].astype(str)
    return {r: set(codes[(roles == r).to_numpy()]) for r in ("small", "housing")}


def _properties(row: dict, name, notes: dict[str, set[str]]) -> dict:
    """A feature's properties: signal, scores, which axes it rests on, inhabitants and
    dwellings (with their change in the trend window), and the flags ``small`` and ``housing``
    (only when true: they are rare)."""
    code = row["code"]
    props = {
        "code": code,
        "name": None if pd.isna(name) else str(name),
        "signal": row["signal"],
        "composition_score": _num(row["composition_score"]),
        "problems_score": _num(row["problems_score"]),
        "known_axes": row["known_axes"],
        "population": _num(row["population"], 0),
        "dwellings": _num(row["dwellings"], 0),
        "population_change": _num(row["population_change"], 3),
        "dwellings_change": _num(row["dwellings_change"], 3),
    }
    for flag, codes in notes.items():
        if code in codes:
            props[flag] = True
    return props


class MapData:
    """Geometry text per (level, bucket) and finished layers per request key (LRU)."""

    def __init__(self, ds: Dataset, max_layers: int = 48) -> None:
        self.ds = ds
        self._geoms = Memo(12)
        self.layers = Memo(max_layers)

    def geometry_text(self, level: str, bucket: int) -> dict[str, str]:
        """``code → GeoJSON geometry text`` (EPSG:4326) of the regions of ``level``."""
        return self._geoms.get((level, bucket), lambda: self._geometry_text(level, bucket))

    def _geometry_text(self, level: str, bucket: int) -> dict[str, str]:
        reg = self.ds.regions
        reg = reg[(reg["level"] == level) & reg.geometry.notna() & ~reg.geometry.is_empty]
        tolerance = BUCKETS[bucket][1]
        geoms = shapely.simplify(reg.geometry.to_numpy(), tolerance, preserve_topology=True)
        gs = gpd.GeoSeries(geoms, crs=reg.crs).to_crs(4326).to_numpy()
        gs = shapely.transform(gs, lambda c: np.round(c, DECIMALS))
        # Rounding can make a sliver invalid; MapLibre draws it anyway, so we do not repair.
        keep = ~shapely.is_empty(gs)
        codes = reg["code"].astype(str).to_numpy()[keep]
        text = shapely.to_geojson(gs[keep])
        return dict(zip(codes, text, strict=True))

    def layer(
        self,
        *,
        level: str,
        year: int,
        view: str,
        gemeente: str | None,
        zoom: float | None,
        indicator: str | None,
    ) -> tuple[bytes, bytes]:
        """The layer as (JSON bytes, gzip bytes)."""
        if indicator is not None and indicator not in set(self.ds.indicators.ids):
            raise UnknownIndicatorError("onbekende indicator {id}", id=repr(indicator))
        b = bucket_of(zoom)
        key = (level, year, view, gemeente, b, indicator)
        return self.layers.get(key, lambda: self._layer(level, year, view, gemeente, b, indicator))

    def _values(self, level: str, year: int, indicator: str) -> dict[str, float]:
        p = self.ds.panel
        p = p[(p["level"] == level) & (p["indicator"] == indicator) & (p["year"] <= year)]
        p = p[p["value"].notna()].sort_values("year")
        last = p.groupby("code", observed=True)["value"].last()
        return {str(k): v for k, v in last.items()}

    def _layer(self, level, year, view, gemeente, bucket, indicator) -> tuple[bytes, bytes]:
        res = self.ds.signals(level=level, year=year, view=view)
        f = res.frame
        if gemeente:
            f = f[(gemeenten_of(f["code"]) == normalise_code(gemeente)).fillna(False).to_numpy()]
        names = self.ds.names
        geoms = self.geometry_text(level, bucket)
        values = self._values(level, year, indicator) if indicator else None
        notes = _notes(res.reasons)
        parts, missing = [], 0
        cols = [*LAYER_COLUMNS, "signal", "known_axes"]
        rows = f[cols].assign(
            code=f["code"].astype(str),
            signal=f["signal"].astype(str),
            known_axes=f["known_axes"].astype(str),
        )
        for row in rows.to_dict("records"):
            code = row["code"]
            g = geoms.get(code)
            if g is None:
                missing += 1
                continue
            props = _properties(row, names.get(code), notes)
            if values is not None:
                v = values.get(code)
                props["value"] = None if v is None or pd.isna(v) else float(v)
            parts.append(
                '{"type":"Feature","geometry":'
                + g
                + ',"properties":'
                + json.dumps(props, ensure_ascii=False, separators=(",", ":"))
                + "}"
            )
        head = json.dumps(
            {
                "level": level,
                "year": res.year,
                "view": view,
                "gemeente": gemeente,
                "zoom_bucket": bucket,
                "tolerance_m": BUCKETS[bucket][1],
                "indicator": indicator,
                "count": len(parts),
                "missing_geometry": missing,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )
        body = (
            '{"type":"FeatureCollection",' + head[1:-1] + ',"features":[' + ",".join(parts) + "]}"
        ).encode()
        return body, gzip.compress(body, compresslevel=6)
