"""The region table: every code with its CBS name, level, parents and (where known) geometry.

Names come from the statistics themselves (the latest edition that names the code), so regions
keep their CBS names; the hierarchy follows from the codes. A boundary is attached to a code
only when its name agrees with the region's name (a code can be reused for a different area,
e.g. Amsterdam's ``WK036300`` was Stadsdeel Centrum in 2014 and Burgwallen-Oude Zijde from
2016); wijken and gemeenten without a boundary of their own get the union of their buurten.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from wijkradar.codes import gemeente_of, gemeenten_of, levels_of, wijken_of
from wijkradar.panel.quality import _similar
from wijkradar.sources._markers import normalise_label

CRS = "EPSG:28992"
REGION_COLUMNS = (
    "code",
    "level",
    "name",
    "gemeente_code",
    "gemeente_name",
    "wijk_code",
    "first_year",
    "last_year",
    "geometry_source",
    "geometry_year",
    "geometry",
)


def name_table(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """``code, level, year, name`` from raw frames and boundary frames (one row per code-year)."""
    parts = [f[["code", "year", "name"]] for f in frames if len(f)]
    if not parts:
        return pd.DataFrame(columns=["code", "level", "year", "name"])
    n = pd.concat(parts, ignore_index=True).dropna(subset=["name"])
    n = n[(n["code"] != "") & (n["name"].astype(str).str.strip() != "")]
    n = n.drop_duplicates(["code", "year"]).copy()
    n["name"] = n["name"].astype(str).str.strip()
    n["level"] = levels_of(n["code"])
    return n.reset_index(drop=True)


def _pick_geometries(regions: pd.DataFrame, boundaries: list[gpd.GeoDataFrame]) -> pd.DataFrame:
    if not boundaries:
        return pd.DataFrame(columns=["code", "geometry", "geometry_source", "geometry_year"])
    b = pd.concat(
        [g.to_crs(CRS)[["code", "name", "year", "source", "geometry"]] for g in boundaries],
        ignore_index=True,
    )
    # Full-detail GeoPackages beat coarse TopoJSON; then the most recent year.
    b["coarse"] = b["source"].astype(str).str.lower().str.endswith((".json", ".topojson"))
    b = b.merge(regions[["code", "name"]].rename(columns={"name": "region_name"}), on="code")
    ok = [
        (not isinstance(rn, str)) or (not isinstance(bn, str)) or _similar(bn, rn)
        for bn, rn in zip(b["name"], b["region_name"], strict=True)
    ]
    b = b[ok].sort_values(["code", "coarse", "year"], ascending=[True, True, False])
    b = b.drop_duplicates("code")
    return b.rename(columns={"source": "geometry_source", "year": "geometry_year"})[
        ["code", "geometry", "geometry_source", "geometry_year"]
    ]


def _dissolve_missing(reg: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Give wijken, then gemeenten, without a boundary the union of their children's."""
    for level, parent_fn in (("wijk", wijken_of), ("gemeente", gemeenten_of)):
        child_level = "buurt" if level == "wijk" else "wijk"
        kids = reg[(reg["level"] == child_level) & reg.geometry.notna()]
        if kids.empty:
            continue
        parent = parent_fn(kids["code"])
        need = reg.index[(reg["level"] == level) & reg.geometry.isna()]
        need_codes = set(reg.loc[need, "code"])
        sel = parent.isin(need_codes).to_numpy()
        if not sel.any():
            continue
        groups = kids[sel].groupby(parent[sel].to_numpy())
        unions, years = {}, {}
        for code, g in groups:
            # One indeling only: the children drawn in the latest boundary file (old and new
            # buurten under reused codes would overlap).
            latest = g[g["geometry_year"] == g["geometry_year"].max()]
            latest = latest[latest["geometry_source"] == latest["geometry_source"].iloc[0]]
            unions[code] = shapely.union_all(latest.geometry.to_numpy())
            years[code] = latest["geometry_year"].iloc[0]
        for i in need:
            code = reg.at[i, "code"]
            if code in unions:
                reg.at[i, "geometry"] = unions[code]
                reg.at[i, "geometry_source"] = f"union of {child_level} boundaries"
                reg.at[i, "geometry_year"] = years[code]
    return reg


def build_regions(
    panel: pd.DataFrame, names: pd.DataFrame, boundaries: list[gpd.GeoDataFrame]
) -> gpd.GeoDataFrame:
    """The region table (GeoDataFrame in EPSG:28992) for every code in the panel or boundaries.

    Returns columns ``code, level, name, gemeente_code, gemeente_name, wijk_code, first_year,
    last_year, geometry_source, geometry_year, geometry``.
    """
    codes = pd.Index(panel["code"].unique())
    for g in boundaries:
        codes = codes.union(pd.Index(g["code"].unique()))
    latest = names.sort_values("year").drop_duplicates("code", keep="last").set_index("code")
    years = panel.groupby("code")["year"].agg(["min", "max"])
    reg = pd.DataFrame({"code": codes.astype("string")})
    reg["level"] = levels_of(reg["code"])
    reg["name"] = reg["code"].map(latest["name"]).astype("string")
    reg["gemeente_code"] = gemeenten_of(reg["code"])
    reg["gemeente_name"] = reg["gemeente_code"].map(latest["name"]).astype("string")
    reg["wijk_code"] = wijken_of(reg["code"])
    reg.loc[reg["level"] == "wijk", "wijk_code"] = pd.NA
    reg["first_year"] = reg["code"].map(years["min"]).astype("Int16")
    reg["last_year"] = reg["code"].map(years["max"]).astype("Int16")
    geoms = _pick_geometries(reg, boundaries)
    reg = reg.merge(geoms, on="code", how="left")
    reg = gpd.GeoDataFrame(reg, geometry="geometry", crs=CRS)
    reg["geometry_year"] = reg["geometry_year"].astype("Int16")
    reg = _dissolve_missing(reg)
    reg["geometry_year"] = reg["geometry_year"].astype("Int16")
    reg["geometry_source"] = reg["geometry_source"].astype("string")
    level_order = {"land": 0, "gemeente": 1, "wijk": 2, "buurt": 3}
    reg = reg.sort_values(
        ["level", "code"], key=lambda s: s.map(level_order) if s.name == "level" else s
    ).reset_index(drop=True)
    return reg[list(REGION_COLUMNS)]


def _match_rows(rows: pd.DataFrame, ref: pd.DataFrame, gemeente: str) -> dict[int, object]:
    """Row → code (or a list of candidates when ambiguous) within one reference year."""
    in_gemeente = (gemeenten_of(ref["code"]) == gemeente_of(gemeente)).fillna(False).to_numpy()
    ref = ref[in_gemeente & ref["level"].isin(["wijk", "buurt"]).to_numpy()]
    groups = dict(list(ref.drop_duplicates("code").groupby("key")))
    out: dict[int, object] = {}
    last = None
    for r in rows.itertuples(index=False):
        cand = groups.get(normalise_label(r.name))
        if cand is None:
            continue
        if len(cand) > 1 and set(cand["level"]) == {"wijk", "buurt"}:
            # StatLine lists a wijk before its buurten: a name shared by a wijk and its
            # buurt is the wijk the first time and the buurt right after it.
            wijk = cand[cand["level"] == "wijk"]
            cand = cand[cand["level"] == "buurt"] if last in set(wijk["code"]) else wijk
        if len(cand) == 1:
            out[r.row] = last = cand["code"].iloc[0]
        else:
            out[r.row] = sorted(cand["code"])
    return out


# C901: the matching ladder (same year, nearby year, name variants, ambiguous) is one decision.
def resolve_names(  # noqa: C901
    raw: pd.DataFrame, names: pd.DataFrame, max_year_gap: int = 2
) -> tuple[pd.DataFrame, list[dict], list[dict]]:
    """Fill the codes of a name-only table (e.g. a StatLine export without codes).

    The first row naming a gemeente fixes the gemeente. A table follows one indeling, so the
    other rows are matched against the wijk and buurt names of *one* reference year: of the
    years at most ``max_year_gap`` from the table's year, the one that matches most rows
    (ties: the nearest, then the earlier). A row must match exactly one code.

    Returns
    -------
    (raw, resolved, rejected)
        ``raw`` with codes filled and unresolved rows dropped; the resolutions and the rejected
        rows (with reasons) for the quality report.
    """
    source = str(raw["source"].iloc[0]) if len(raw) else ""
    year = int(raw["year"].iloc[0]) if len(raw) else 0
    rows = raw[["row", "name"]].drop_duplicates("row").sort_values("row")
    ref = names.copy()
    ref["key"] = ref["name"].map(normalise_label)
    ref = ref[(ref["year"] - year).abs() <= max_year_gap]
    resolved: list[dict] = []
    rejected: list[dict] = []

    def reject(r, reason: str) -> None:
        rejected.append(
            {"source": source, "row": int(r.row), "code": None, "name": r.name, "reason": reason}
        )

    gemeente = None
    first = rows.iloc[0] if len(rows) else None
    if first is not None:
        hit = ref[(ref["level"] == "gemeente") & (ref["key"] == normalise_label(first["name"]))]
        if hit["code"].nunique() == 1:
            gemeente = hit["code"].iloc[0]
    if gemeente is None:
        for r in rows.itertuples(index=False):
            reject(r, "tabel zonder codes: eerste rij is geen bekende gemeentenaam")
        return raw.iloc[0:0].copy(), resolved, rejected
    resolved.append(
        {
            "source": source,
            "row": int(first["row"]),
            "name": first["name"],
            "code": gemeente,
            "via": "gemeente name",
        }
    )
    rest = rows.iloc[1:]
    best, best_key = {}, None
    for y in sorted(ref["year"].unique()):
        m = _match_rows(rest, ref[ref["year"] == y], gemeente)
        n_ok = sum(isinstance(c, str) for c in m.values())
        key = (n_ok, -abs(int(y) - year), -int(y))
        if n_ok and (best_key is None or key > best_key):
            best, best_key, best_year = m, key, int(y)
    codes = {int(first["row"]): gemeente}
    for r in rest.itertuples(index=False):
        c = best.get(r.row)
        if isinstance(c, str):
            codes[r.row] = c
            resolved.append(
                {
                    "source": source,
                    "row": int(r.row),
                    "name": r.name,
                    "code": c,
                    "via": f"names of {best_year}",
                }
            )
        elif c:
            reject(r, f"naam is niet eenduidig in {best_year}: {c}")
        else:
            where = f"in {best_year}" if best_key else f"binnen {max_year_gap} jaar van {year}"
            reject(r, f"geen wijk of buurt met deze naam in {gemeente} {where}")
    out = raw[raw["row"].isin(codes.keys())].copy()
    out["code"] = out["row"].map(codes).astype("string")
    out.attrs = dict(raw.attrs)
    return out, resolved, rejected
