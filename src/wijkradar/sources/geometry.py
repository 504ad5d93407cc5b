"""Region boundaries (GeoPackage, shapefile, GeoJSON, TopoJSON) as one GeoDataFrame in RD New.

Every reader returns the columns ``code, name, level, year, source, row, geometry`` in
EPSG:28992 with one row per code. Layouts recognised by their columns:

* WOF/CBS map exports: ``BU_CODE`` / ``WK_CODE`` / ``GM_CODE`` with ``BU_NAAM`` (or
  ``BU_NAAM_amsgis`` ...), ``WATER`` and WOF's ``dup_rank`` (rows with ``dup_rank > 0`` are
  duplicates and go to ``attrs["rejected"]``);
* CBS/PDOK *wijkenbuurten* GeoPackages: layers ``buurten``, ``wijken``, ``gemeenten`` with
  ``buurtcode`` / ``wijkcode`` / ``gemeentecode``, ``buurtnaam`` ... and ``water`` (``JA`` =
  water-only unit, rejected);
* TopoJSON (``statcode`` / ``statnaam``, WGS84, quantised), decoded here with numpy.

The finest code column of a layer gives the region (a buurt layer also carries the wijk and
gemeente codes). Invalid polygons are repaired with ``make_valid``; empty or degenerate ones are
rejected with a reason. ``attrs``: ``rejected`` (list of {source, row, code, reason}), ``notes``
(assumptions such as a missing CRS), ``years`` (when the file name names a range).
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from wijkradar.codes import levels_of
from wijkradar.errors import SourceFormatError
from wijkradar.sources._common import (
    _YEAR,
    Phrase,
    check_codes,
    check_columns,
    check_unique,
    head_text,
    read_text,
)
from wijkradar.sources._topojson import decode_arcs, topo_geometry
from wijkradar.wording import N_

RD = "EPSG:28992"
COLUMNS = ("code", "name", "level", "year", "source", "row", "geometry")
# finest first: a buurt layer carries its wijk and gemeente codes too
CODE_COLUMNS = (
    "bu_code",
    "buurtcode",
    "wk_code",
    "wijkcode",
    "gm_code",
    "gemeentecode",
    "statcode",
)
NAME_COLUMNS = {
    "bu_code": ("bu_naam",),
    "buurtcode": ("buurtnaam",),
    "wk_code": ("wk_naam",),
    "wijkcode": ("wijknaam",),
    "gm_code": ("gm_naam",),
    "gemeentecode": ("gemeentenaam",),
    "statcode": ("statnaam",),
}
CBS_LAYERS = ("buurten", "wijken", "gemeenten")
# RD New covers the Netherlands in roughly x -7 000 .. 300 000, y 289 000 .. 629 000 metres
RD_BOUNDS = (-7_000.0, 289_000.0, 300_000.0, 629_000.0)
GEO_SUFFIXES = (".gpkg", ".shp", ".geojson", ".json", ".topojson", ".fgb", ".zip")


def _years_in_name(path: Path) -> list[int]:
    return [int(y) for y in _YEAR.findall(path.name)]


def sniff_boundaries(path: str | Path) -> bool:
    """Whether ``path`` is a boundary file this module reads (by suffix and first bytes)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".json", ".topojson", ".geojson"):
        head = head_text(path, 4096)
        geojson = re.search(r'"type"\s*:\s*"Feature(Collection)?"', head)
        keys = re.findall(r'"(\w+)"\s*:', head)
        return _is_topojson(path) or bool(geojson and _code_column(keys))
    if suffix not in GEO_SUFFIXES:
        return False
    try:
        import pyogrio

        layers = pyogrio.list_layers(path)
        infos = [pyogrio.read_info(path, layer=name) for name, _ in layers]
        # a table without geometry (a CSV inside a zip) is not a boundary file
        return any(i["geometry_type"] and _code_column(i["fields"]) for i in infos)
    except (OSError, ValueError, RuntimeError, pyogrio.errors.DataSourceError):
        return False


def read_boundaries(
    path: str | Path, year: int | None = None, *, layer: str | None = None
) -> gpd.GeoDataFrame:
    """Read region boundaries into one GeoDataFrame in RD New (EPSG:28992).

    Parameters
    ----------
    path
        GeoPackage, shapefile, GeoJSON or TopoJSON file.
    year
        The boundary year; default: the first year in the file name
        (``..._2016_2021_...`` → 2016, with ``attrs["years"] == (2016, 2021)``).
    layer
        Read only this layer (GeoPackage) or object (TopoJSON); default every layer with a
        region code column (a CBS wijkenbuurten file gives buurten, wijken and gemeenten).

    Returns
    -------
    geopandas.GeoDataFrame
        ``code`` (normalised CBS code), ``name``, ``level`` (buurt/wijk/gemeente), ``year``,
        ``source`` (the path), ``row`` (1-based feature number in its layer) and polygonal
        ``geometry``, one row per code; ``attrs["rejected"]`` lists skipped features with
        the reason, ``attrs["notes"]`` assumptions made.

    Raises
    ------
    SourceFormatError
        No layer with a code column, no year, a missing CRS with coordinates outside the RD
        range, coordinates that do not fall in the Netherlands, or a code twice.
    RegionCodeError
        A code that is not a CBS code.
    """
    path = Path(path)
    years = _years_in_name(path)
    if year is None and not years:
        raise SourceFormatError(
            "het jaar van de grenzen staat niet in de bestandsnaam; geef year= mee",
            path=path,
            expected=N_("een jaar in de bestandsnaam (bijv. buurt_2016.gpkg) of het argument year"),
        )
    notes: list[str] = []
    if _is_topojson(path):
        frames = _read_topojson(path, layer, notes)
    else:
        frames = _read_ogr(path, layer, notes)
    rejected: list[dict] = []
    parts = [_tidy(f, path, rejected) for f in frames]
    out = pd.concat(parts, ignore_index=True) if parts else _tidy(None, path, rejected)
    check_unique(out["code"], None, out["row"].to_numpy(), path=path, column=None)
    out["year"] = np.int64(year if year is not None else years[0])
    gdf = gpd.GeoDataFrame(out[list(COLUMNS)], geometry="geometry", crs=RD)
    gdf = gdf.astype({"code": "string", "name": "string", "level": "string", "source": "string"})
    gdf.attrs["rejected"] = rejected
    gdf.attrs["notes"] = notes
    if len(set(years)) > 1:
        gdf.attrs["years"] = (years[0], years[-1])
    return gdf


# --- GDAL formats ---------------------------------------------------------------------------


def _code_column(fields) -> str | None:
    low = {str(f).lower(): str(f) for f in fields}
    return next((low[c] for c in CODE_COLUMNS if c in low), None)


def _name_column(fields, code_col: str) -> str | None:
    low = {str(f).lower(): str(f) for f in fields}
    for cand in NAME_COLUMNS[code_col.lower()]:
        # exact first, then variants such as BU_NAAM_amsgis
        if cand in low:
            return low[cand]
        variants = sorted(f for f in low if f.startswith(cand))
        if variants:
            return low[variants[0]]
    return None


def _read_ogr(path: Path, layer: str | None, notes: list[str]) -> list[pd.DataFrame]:
    import pyogrio

    try:
        layers = [name for name, _ in pyogrio.list_layers(path)]
    except (pyogrio.errors.DataSourceError, OSError) as exc:
        raise SourceFormatError(
            "niet te openen als GIS-bestand ({reason})", path=path, reason=str(exc)
        ) from exc
    if layer is not None:
        layers = [layer]
    infos = {name: pyogrio.read_info(path, layer=name) for name in layers}
    usable = [n for n in layers if _code_column(infos[n]["fields"])]
    if not usable:
        found = "; ".join(f"{n}: {', '.join(infos[n]['fields'])}" for n in layers)
        raise SourceFormatError(
            "geen laag met een kolom met gebiedscodes; gevonden lagen en kolommen: {found}",
            path=path,
            expected=N_("een kolom {columns}"),
            found=found,
            columns="BU_CODE/WK_CODE/GM_CODE, buurtcode/wijkcode/gemeentecode, statcode",
        )
    frames = []
    for name in usable:
        fields = list(infos[name]["fields"])
        code_col = _code_column(fields)
        name_col = _name_column(fields, code_col)
        extra = [c for c in fields if c.lower() in ("water", "dup_rank")]
        cols = [c for c in dict.fromkeys([code_col, name_col, *extra]) if c]
        try:
            df = pyogrio.read_dataframe(path, layer=name, columns=cols, use_arrow=True)
        except (ImportError, RuntimeError, ValueError):
            df = pyogrio.read_dataframe(path, layer=name, columns=cols)
        df = _to_rd(df, path, notes, "layer", name)
        frames.append(_standard(df, code_col, name_col))
    return frames


def _in_rd(bounds) -> bool:
    x0, y0, x1, y1 = bounds
    return x0 >= RD_BOUNDS[0] and y0 >= RD_BOUNDS[1] and x1 <= RD_BOUNDS[2] and y1 <= RD_BOUNDS[3]


_KIND = {"layer": N_("laag {name}"), "object": N_("TopoJSON-object {name}")}


def _to_rd(
    df: gpd.GeoDataFrame, path: Path, notes: list[str], kind: str, name: str
) -> gpd.GeoDataFrame:
    """Reproject to RD New; a missing CRS is accepted only for coordinates in the RD range.

    ``kind`` (``layer`` or ``object``) and ``name`` say which part of the file ``df`` is.
    """
    what = Phrase(_KIND[kind], name=repr(name))
    bounds = df.total_bounds if len(df) else np.array([0.0, 300_000.0, 1.0, 300_001.0])
    if df.crs is None:
        if not _in_rd(bounds):
            raise SourceFormatError(
                "{what} heeft geen coördinatenstelsel en de coördinaten ({bounds}) zijn geen "
                "RD New-meters",
                path=path,
                expected=N_("een bestand met een coördinatenstelsel (EPSG:28992 of EPSG:4326)"),
                what=what,
                bounds=", ".join(f"{b:.6g}" for b in bounds),
            )
        notes.append(
            f"{kind} {name!r}: no CRS in the file; assumed EPSG:28992 (coordinates in RD range)"
        )
        return df.set_crs(RD)
    out = df if df.crs.to_epsg() == 28992 else df.to_crs(RD)
    if len(out) and not _in_rd(out.total_bounds):
        raise SourceFormatError(
            "{what}: de coördinaten liggen niet in Nederland als ze gelezen worden als {crs} "
            "(verkeerd coördinatenstelsel in het bestand?)",
            path=path,
            expected=N_("grenzen van Nederlandse gebieden"),
            got=tuple(round(float(b), 3) for b in df.total_bounds),
            what=what,
            crs=df.crs.to_string(),
        )
    return out


def _standard(df: pd.DataFrame, code_col: str, name_col: str | None) -> pd.DataFrame:
    low = {c.lower(): c for c in df.columns}
    return pd.DataFrame(
        {
            "raw_code": df[code_col].astype("string"),
            "name": df[name_col].astype("string").str.strip() if name_col else pd.NA,
            "water": df[low["water"]].astype("string") if "water" in low else pd.NA,
            "dup_rank": df[low["dup_rank"]] if "dup_rank" in low else 0,
            "row": np.arange(1, len(df) + 1, dtype="int64"),
            "geometry": df.geometry.to_numpy(),
        }
    )


# --- checks shared by all formats -----------------------------------------------------------


def _tidy(df: pd.DataFrame | None, path: Path, rejected: list[dict]) -> pd.DataFrame:
    """Validate codes, drop water/duplicate/empty rows into ``rejected``, repair geometry."""
    if df is None:
        df = pd.DataFrame({c: [] for c in ("raw_code", "name", "water", "dup_rank", "row")})
        df["geometry"] = np.array([], dtype=object)
    codes = check_codes(df["raw_code"], df["row"].to_numpy(), path=path, column=None)
    df = df.assign(code=codes.to_numpy(), source=str(path))
    geom = np.array(df["geometry"], dtype=object)  # a copy: arrow-backed arrays are read-only
    invalid = ~shapely.is_valid(geom) & ~shapely.is_missing(geom)
    if invalid.any():
        geom[invalid] = shapely.make_valid(geom[invalid])
    geom = _polygonal(geom)
    df["geometry"] = geom
    reasons = pd.Series(pd.NA, index=df.index, dtype="string")
    water = df["water"].astype("string").str.strip().str.upper().eq("JA").fillna(False)
    reasons[water.to_numpy()] = "water-only unit (water = JA)"
    dup = pd.to_numeric(df["dup_rank"], errors="coerce").fillna(0).to_numpy() > 0
    reasons[dup & reasons.isna().to_numpy()] = "duplicate row of this code (dup_rank > 0)"
    kinds = shapely.get_type_id(geom)
    # WOF holds some buurten as a point only (11 in the 2016 file): no boundary to draw
    other = ~shapely.is_missing(geom) & ~np.isin(kinds, (3, 6)) & ~shapely.is_empty(geom)
    for i in np.flatnonzero(other & reasons.isna().to_numpy()):
        repaired = " after make_valid" if invalid[i] else ""
        reasons.iloc[i] = f"not a polygon ({geom[i].geom_type}{repaired})"
    empty = shapely.is_missing(geom) | shapely.is_empty(geom)
    reasons[empty & reasons.isna().to_numpy()] = (
        "empty geometry (or collapsed by the file's coordinate quantisation)"
    )
    flat = shapely.area(geom) <= 0
    reasons[flat & reasons.isna().to_numpy()] = "degenerate polygon (zero area)"
    drop = reasons.notna().to_numpy()
    # The name stays useful when the shape is not (e.g. to resolve name-only tables).
    names = df["name"] if "name" in df else pd.Series(pd.NA, index=df.index)
    rejected.extend(
        {
            "source": str(path),
            "row": int(r),
            "code": str(c),
            "reason": str(why),
            "name": None if pd.isna(n) else str(n),
        }
        for r, c, why, n in zip(
            df["row"][drop], df["code"][drop], reasons[drop], names[drop], strict=True
        )
    )
    df = df[~drop].reset_index(drop=True)
    df["level"] = levels_of(df["code"])
    return df


def _polygonal(geom: np.ndarray) -> np.ndarray:
    """Keep only the polygon parts (make_valid can return collections with lines or points)."""
    out = geom.copy()
    kinds = shapely.get_type_id(geom)
    for i in np.flatnonzero(kinds == 7):  # GeometryCollection
        polys = [
            p
            for p in shapely.get_parts(geom[i])
            if shapely.get_type_id(p) in (3, 6) and not p.is_empty
        ]
        out[i] = shapely.union_all(polys) if polys else shapely.Polygon()
    return out


# --- TopoJSON -------------------------------------------------------------------------------


def _is_topojson(path: Path) -> bool:
    """TopoJSON by its ``"type": "Topology"`` (often the last key) or a leading ``"arcs"``."""
    if path.suffix.lower() not in (".json", ".topojson", ".gz"):
        return False
    head = head_text(path, 4096)
    if re.search(r'"type"\s*:\s*"Topology"', head) or re.match(r'\s*\{\s*"arcs"\s*:', head):
        return True
    if path.suffix.lower() == ".gz":
        return False
    with open(path, "rb") as fh:
        fh.seek(max(0, path.stat().st_size - 512))
        tail = fh.read().decode("utf-8", errors="replace")
    return bool(re.search(r'"type"\s*:\s*"Topology"', tail))


def _read_topojson(path: Path, layer: str | None, notes: list[str]) -> list[pd.DataFrame]:
    try:
        topo = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise SourceFormatError(
            "geen geldige JSON ({reason})",
            path=path,
            row=exc.lineno,
            expected=N_("TopoJSON"),
            reason=exc.msg,
        ) from exc
    objects = topo.get("objects", {})
    names = [layer] if layer else (["layer"] if "layer" in objects else list(objects))
    missing = [n for n in names if n not in objects]
    if missing or not names:
        raise SourceFormatError(
            N_("TopoJSON-object {name} niet gevonden; objecten: {objects}")
            if objects
            else N_("TopoJSON-object {name} niet gevonden; het bestand heeft geen objecten"),
            path=path,
            expected=N_("een TopoJSON-topologie met een object zoals 'layer'"),
            name=repr(missing[0] if missing else ""),
            objects=", ".join(objects),
        )
    coords, offsets = decode_arcs(topo)
    frames = []
    for name in names:
        geoms = objects[name].get("geometries", [])
        props = pd.DataFrame([g.get("properties") or {} for g in geoms])
        if "statcode" not in props and geoms and all("id" in g for g in geoms):
            props["statcode"] = [g["id"] for g in geoms]  # feature ids are the statcode
        code_col = _code_column(props.columns)
        if code_col is None:
            raise SourceFormatError(
                "TopoJSON-object {name} heeft geen eigenschap met gebiedscodes; eigenschappen: "
                "{properties}",
                path=path,
                expected=N_("een eigenschap statcode (of BU_CODE/WK_CODE/GM_CODE)"),
                name=repr(name),
                properties=", ".join(map(str, props.columns)),
            )
        shapes = []
        for k, g in enumerate(geoms):
            try:
                shapes.append(topo_geometry(g, coords, offsets))
            except (IndexError, TypeError, ValueError) as exc:
                raise SourceFormatError(
                    "geometrie {number} van TopoJSON-object {name} is niet te maken ({reason})",
                    path=path,
                    row=k + 1,
                    expected=N_("boogindexen van {low} tot en met {high}"),
                    number=k + 1,
                    name=repr(name),
                    reason=str(exc),
                    low=-(len(offsets) - 1),
                    high=len(offsets) - 2,
                ) from exc
        df = gpd.GeoDataFrame(props, geometry=gpd.GeoSeries(shapes), crs=None)
        df = _topo_crs(df, path, notes, name)
        frames.append(_standard(df, code_col, _name_column(props.columns, code_col)))
    return frames


def _topo_crs(df: gpd.GeoDataFrame, path: Path, notes: list[str], name: str):
    """TopoJSON has no CRS field: WGS84 when the coordinates are degrees, RD when metres."""
    valid = df.geometry.notna()
    bounds = df.geometry[valid].total_bounds if valid.any() else np.zeros(4)
    if bounds[0] >= -180 and bounds[2] <= 180 and bounds[1] >= -90 and bounds[3] <= 90:
        return _to_rd(df.set_crs("EPSG:4326"), path, notes, "object", name)
    return _to_rd(df, path, notes, "object", name)


# --- Amsterdam 2015 → 2022 buurt codes ------------------------------------------------------

AMS_COLUMNS = ("BUURTCODE_CBS_2015", "BUURTNAAM_2015", "BUURTCODE_CBS_2022", "BUURTNAAM_2022")


def sniff_amsterdam_code_crosswalk(path: str | Path) -> bool:
    """Whether ``path`` is the Amsterdam buurt code table (``BUURTCODE_CBS_2015`` ... header)."""
    try:
        lines = head_text(path, 2048).splitlines()
    except OSError:
        return False
    return bool(lines) and all(c in lines[0] for c in AMS_COLUMNS)


def read_amsterdam_code_crosswalk(path: str | Path, *, geometry: bool = False) -> pd.DataFrame:
    """Read the Amsterdam table that links the 2016–2021 buurt codes to the 2022 codes.

    Parameters
    ----------
    path
        ``amsterdam_buurten_2015_2022_codes_geom_tommasozf.csv.gz`` or a file with its header.
    geometry
        Also parse the ``geometrie`` EWKT polygons (EPSG:28992) and return a GeoDataFrame.

    Returns
    -------
    pandas.DataFrame
        ``code_from, year_from, code_to, year_to, level, name_from, name_to``: one row per
        old buurt and per year 2016..2021 in which its code was valid, ``year_to`` 2022,
        ``level`` ``"buurt"``. Old buurten that are not in the file (split or merged in 2022)
        have no row.

    Raises
    ------
    SourceFormatError
        Missing columns, or a code that is not a buurt code (``RegionCodeError``).
    """
    path = Path(path)
    text = read_text(path)
    df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    check_columns(list(df.columns), AMS_COLUMNS, path=path)
    rows = np.arange(len(df)) + 2
    out = pd.DataFrame({"row": rows})
    for col, key in (("BUURTCODE_CBS_2015", "code_from"), ("BUURTCODE_CBS_2022", "code_to")):
        codes = check_codes(df[col], rows, path=path, column=col, level="buurt")
        out[key] = codes.to_numpy()
    out["name_from"] = df["BUURTNAAM_2015"].str.strip().to_numpy()
    out["name_to"] = df["BUURTNAAM_2022"].str.strip().to_numpy()
    if geometry and "geometrie" in df:
        wkt = df["geometrie"].str.replace(r"^SRID=\d+;", "", regex=True)
        out["geometry"] = shapely.from_wkt(wkt.to_numpy())
    # the 2015 buurt indeling's CBS codes were used unchanged in every KWB from 2016 to 2021
    years = pd.DataFrame({"year_from": np.arange(2016, 2022, dtype="int64")})
    out = out.merge(years, how="cross").assign(year_to=np.int64(2022), level="buurt")
    cols = ["code_from", "year_from", "code_to", "year_to", "level", "name_from", "name_to"]
    out = out[cols + (["geometry"] if "geometry" in out else [])]
    out = out.astype(
        dict.fromkeys(("code_from", "code_to", "level", "name_from", "name_to"), "string")
    )
    if "geometry" in out:
        return gpd.GeoDataFrame(out, geometry="geometry", crs=RD)
    return out
