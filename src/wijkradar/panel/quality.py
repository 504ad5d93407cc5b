"""The data-quality report of a build: files read, coverage, series breaks, rejected rows.

Written as ``quality.json`` (for machines) and ``quality.txt`` (for people) into the dataset.
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from wijkradar.codes import gemeenten_of, wijken_of
from wijkradar.sources._markers import normalise_label
from wijkradar.vocab import STATUSES

# A code whose population jumps by more than this share (and this many persons) between two
# editions is more likely redrawn than changed: flagged as a series break, not read as a trend.
BREAK_SHARE = 0.30
BREAK_PERSONS = 200
# A code keeps its series across a boundary change when at least this share of its addresses
# stays together (CBS's change table is address-weighted).
KEEP_SHARE = 0.95


@dataclass
class FileReport:
    """What one source file contributed."""

    path: str
    format: str
    rows: int
    years: list[int]
    codes: int
    indicators: list[str]
    unmatched_columns: int
    rejected: int
    unmatched: list[dict] = field(default_factory=list)
    explained: list[dict] = field(default_factory=list)


@dataclass
class QualityReport:
    """Everything a build has to say about its inputs; see :func:`render_text`."""

    data_dir: str
    files: list[FileReport] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    coverage: list[dict] = field(default_factory=list)
    series_breaks: list[dict] = field(default_factory=list)
    conflicts: list[dict] = field(default_factory=list)
    suppressed_by_threshold: int = 0  # every value the privacy rules suppressed
    suppression: dict = field(default_factory=dict)  # per rule (panel.privacy.Suppression)
    resolved_names: list[dict] = field(default_factory=list)
    totals: dict = field(default_factory=dict)
    gaps: list[dict] = field(default_factory=list)

    @property
    def unmapped_columns(self) -> list[dict]:
        """Every value column, with its file, that maps to no catalogue id and has no reason."""
        return [{"path": f.path, "format": f.format, **u} for f in self.files for u in f.unmatched]

    @property
    def explained_columns(self) -> list[dict]:
        """Value columns that are deliberately no indicator, with the reason."""
        return [{"path": f.path, "format": f.format, **u} for f in self.files for u in f.explained]

    def to_dict(self) -> dict:
        # Shallow on purpose: the long lists are already plain dicts (asdict would deep-copy
        # hundreds of thousands of them).
        out = {f: getattr(self, f) for f in self.__dataclass_fields__}
        out["files"] = [asdict(f) for f in self.files]
        out["unmapped_columns"] = self.unmapped_columns
        out["explained_columns"] = self.explained_columns
        out["warnings"] = warnings(self)
        return out


def edition_gaps(presence: dict[str, dict[str, set[int]]], editions: dict[str, set[int]]) -> list:
    """Indicators a source family has in the editions before and after ``t`` but not in ``t``.

    A family is a folder of the data directory (``kwb/rotterdam``); its editions are the years
    its files cover. Such a gap is usually a renamed column the catalogue does not know yet, or
    a file of that year that lacks the topic.

    Parameters
    ----------
    presence
        family → indicator → years with at least one published (observed or suppressed) value.
    editions
        family → every year its files cover.

    Returns
    -------
    list of dict
        ``family, indicator, year, before, after``, sorted.
    """
    out = []
    for family, by_ind in sorted(presence.items()):
        years = sorted(editions.get(family, ()))
        for ind, have in sorted(by_ind.items()):
            for before, t, after in zip(years, years[1:], years[2:], strict=False):
                if before in have and after in have and t not in have:
                    out.append(
                        {
                            "family": family,
                            "indicator": ind,
                            "year": t,
                            "before": before,
                            "after": after,
                        }
                    )
    return out


def warnings(report: QualityReport) -> list[str]:
    """The summary lines a builder must read: gaps between editions and unmapped columns."""
    out = []
    for g in report.gaps:
        out.append(
            f"{g['family']}: {g['indicator']} staat in {g['before']} en {g['after']} maar niet in "
            f"{g['year']} / is in {g['before']} and {g['after']} but not in {g['year']}"
        )
    for u in report.unmapped_columns:
        out.append(
            f"{u['path']}: kolom {u['column']!r}"
            + (f" ({u['unit']})" if u.get("unit") else "")
            + f" {u['years']} hoort bij geen indicator / maps to no catalogue indicator"
        )
    return out


def coverage(panel: pd.DataFrame) -> list[dict]:
    """Counts of regions per (year, indicator, level) by status."""
    if panel.empty:
        return []
    # One bincount over category codes: a groupby on four keys of a 25 M-row panel is slow.
    cat = {
        c: panel[c]
        if isinstance(panel[c].dtype, pd.CategoricalDtype)
        else panel[c].astype("category")
        for c in ("indicator", "level", "status")
    }
    year = panel["year"].to_numpy(np.int64)
    y0 = int(year.min())
    dims = (
        int(year.max()) - y0 + 1,
        len(cat["indicator"].cat.categories),
        len(cat["level"].cat.categories),
        len(cat["status"].cat.categories),
    )
    flat = year - y0
    for c, n in zip(("indicator", "level", "status"), dims[1:], strict=True):
        flat *= n
        flat += cat[c].cat.codes.to_numpy()
    counts = np.bincount(flat, minlength=int(np.prod(dims))).reshape(dims)
    del flat
    yi, ii, li = np.nonzero(counts.sum(axis=3))
    tab = pd.DataFrame(
        {
            "year": yi + y0,
            "indicator": np.asarray(cat["indicator"].cat.categories, dtype=object)[ii],
            "level": np.asarray(cat["level"].cat.categories, dtype=object)[li],
        }
    )
    for k, s in enumerate(cat["status"].cat.categories):
        tab[str(s)] = counts[yi, ii, li, k]
    for s in STATUSES:
        if s not in tab:
            tab[s] = 0
    tab["with_value"] = tab["observed"] + tab["derived"]
    tab = tab.sort_values(["indicator", "level", "year"])
    cols = [
        "year",
        "indicator",
        "level",
        "with_value",
        "observed",
        "derived",
        "suppressed",
        "missing",
    ]
    return [
        {k: (int(v) if isinstance(v, (np.integer, int)) else v) for k, v in r.items()}
        for r in tab[cols].to_dict("records")
    ]


def _similar(a: str, b: str) -> bool:
    a, b = normalise_label(a), normalise_label(b)
    if not a or not b or a == b or a in b or b in a:
        return True
    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.6


BREAK_COLUMNS = ("code", "level", "year", "previous_year", "reason", "kind")
BREAK_KINDS = ("reused", "redrawn", "renamed", "code_changed")
"""What a series break means for the code's series (column ``kind`` of ``breaks.parquet``):

``reused``
    A different place under the same code: the editions before the cut describe another area,
    so nothing may be drawn, compared or trended across it (the profile splits the series).
``redrawn``
    The same place with changed boundaries (a population jump, or CBS's change table moves
    part of its addresses elsewhere).
``renamed``
    The same place under a new name (no sign that another area took the code).
``code_changed``
    The place goes on under another code (CBS's change table keeps it together).
"""
# A name change is a reuse of the code when, within this many years of the cut, population or
# dwellings jump beyond the plausible (the BREAK_* thresholds; dwellings: BREAK_DWELLINGS).
JUMP_YEARS = 3
BREAK_DWELLINGS = 100
# Geometries of two years "barely overlap" when less than this share of either lies within the
# other (after allowing for the precision of the coarser drawing, see _overlap_shares).
BARELY_OVERLAPS = 0.10
COARSE_TOLERANCE_M = 250.0  # TopoJSON quantised at 1e3: about 270 m x 310 m per grid step
FINE_TOLERANCE_M = 10.0  # GeoPackages simplified by 5 m


def _frame(rows: dict, basis: str) -> pd.DataFrame:
    out = pd.DataFrame(rows)
    out["basis"] = basis
    return out


def _code3_rows(panel: pd.DataFrame) -> pd.DataFrame:
    bc = panel[(panel["indicator"] == "boundary_change") & (panel["value"] == 3)]
    return _frame(
        {
            "code": bc["code"].astype(str).to_numpy(),
            "level": bc["level"].astype(str).to_numpy(),
            "year": bc["year"].to_numpy(np.int64),
            "previous_year": pd.array([pd.NA] * len(bc), dtype="Int64"),
            "reason": "CBS: indeling gewijzigd (code 3)",
        },
        "cbs3",
    )


def _jump_rows(panel: pd.DataFrame) -> pd.DataFrame:
    pop = panel[(panel["indicator"] == "population") & panel["value"].notna()]
    pop = pop.sort_values(["code", "year"])
    g = pop.groupby("code", observed=True)
    prev_val, prev_year = g["value"].shift(), g["year"].shift()
    jump = (pop["value"] - prev_val).abs()
    hit = ((jump / prev_val.clip(lower=1) > BREAK_SHARE) & (jump > BREAK_PERSONS)).to_numpy()
    before, after = prev_val.to_numpy()[hit], pop["value"].to_numpy()[hit]
    return _frame(
        {
            "code": pop["code"].astype(str).to_numpy()[hit],
            "level": pop["level"].astype(str).to_numpy()[hit],
            "year": pop["year"].to_numpy(np.int64)[hit],
            "previous_year": pd.array(prev_year.to_numpy()[hit], dtype="Int64"),
            "reason": [
                f"inwoners {int(a)} → {int(b)}: grenzen waarschijnlijk gewijzigd"
                for a, b in zip(before, after, strict=True)
            ],
        },
        "jump",
    )


def _name_rows(names: pd.DataFrame) -> pd.DataFrame:
    """A different name under the same code, with both names (``old_name``, ``new_name``)."""
    if names.empty:
        return _frame({c: [] for c in ("code", "level", "year", "previous_year", "reason")}, "name")
    n = names.dropna(subset=["name"]).sort_values(["code", "year"])
    n = n.drop_duplicates(["code", "year"])
    g = n.groupby("code", sort=False)
    prev_name, prev_y = g["name"].shift(), g["year"].shift()
    cand = (prev_name.notna() & (prev_name.astype(object) != n["name"].astype(object))).to_numpy()
    n, prev_name, prev_y = n[cand], prev_name[cand], prev_y[cand]
    differ = np.array(
        [not _similar(a, b) for a, b in zip(prev_name, n["name"], strict=True)], dtype=bool
    )
    n, old = n[differ], prev_name.to_numpy(dtype=object)[differ]
    new = n["name"].to_numpy(dtype=object)
    out = _frame(
        {
            "code": n["code"].astype(str).to_numpy(),
            "level": n["level"].astype(str).to_numpy(),
            "year": n["year"].to_numpy(np.int64),
            "previous_year": pd.array(prev_y.to_numpy()[differ], dtype="Int64"),
            "reason": [f"naam gewijzigd: {a!r} → {b!r}" for a, b in zip(old, new, strict=True)],
        },
        "name",
    )
    out["old_name"], out["new_name"] = old, new
    return out


def _link_rows(links: pd.DataFrame) -> pd.DataFrame:
    if links.empty:
        return _frame({c: [] for c in ("code", "level", "year", "previous_year", "reason")}, "link")
    # Consecutive editions only: the table also holds every longer pair (2016→2024).
    step = links[(links["year_to"] - links["year_from"]) == 1]
    top = step.sort_values("share", ascending=False).drop_duplicates(
        ["level", "year_from", "year_to", "code_from"]
    )
    split = (top["share"] < KEEP_SHARE).to_numpy()
    moved = ~split & (top["code_to"].astype(str) != top["code_from"].astype(str)).to_numpy()
    top = top[split | moved]
    split = split[split | moved]
    reason = [
        f"grenzen gewijzigd: {s:.0%} van de adressen naar {to}"
        if is_split
        else f"code gewijzigd: verder als {to}"
        for s, to, is_split in zip(top["share"], top["code_to"], split, strict=True)
    ]
    return pd.DataFrame(
        {
            "code": top["code_from"].astype(str).to_numpy(),
            "level": top["level"].astype(str).to_numpy(),
            "year": top["year_to"].to_numpy(np.int64),
            "previous_year": pd.array(top["year_from"].to_numpy(), dtype="Int64"),
            "reason": reason,
            "basis": np.where(split, "boundary", "code"),
        }
    )


def series_breaks(
    panel: pd.DataFrame,
    names: pd.DataFrame,
    links: pd.DataFrame,
    boundaries: list | None = None,
) -> pd.DataFrame:
    """Region-years where a code's series is not comparable with its previous edition.

    Reasons: CBS's own "indelingswijziging" code 3; a population jump of more than
    ``BREAK_SHARE`` and ``BREAK_PERSONS``; a different name under the same code; a boundary
    change in the CBS change table (the code's addresses do not all stay together).

    Each row also says what the break means (``kind``, one of :data:`BREAK_KINDS`), see
    :func:`break_kinds`; ``boundaries`` (the build's boundary frames) lets the geometry of two
    years decide too.

    Returns a frame ``code, level, year, previous_year, reason, kind``.
    """
    parts = [_code3_rows(panel), _jump_rows(panel), _name_rows(names), _link_rows(links)]
    frame = pd.concat([p for p in parts if len(p)] or parts[:1], ignore_index=True)
    frame = frame[frame["code"].isin(set(panel["code"].astype(str).unique()))]
    frame["year"] = frame["year"].astype(np.int64)
    frame["previous_year"] = frame["previous_year"].astype("Int64")
    frame = frame.sort_values(["code", "year", "reason"]).reset_index(drop=True)
    frame["kind"] = break_kinds(frame, panel, names, boundaries or [])
    return frame[list(BREAK_COLUMNS)]


def break_kinds(
    frame: pd.DataFrame, panel: pd.DataFrame, names: pd.DataFrame, boundaries: list
) -> np.ndarray:
    """The ``kind`` of each break row of ``frame`` (with its ``basis``, see series_breaks).

    A cut (code, year) is ``reused`` when at that cut

    * CBS marks the code with indelingswijziging code 3 ("gewijzigd en niet vergelijkbaar"), or
    * the name changes and, within ``JUMP_YEARS``, population or dwellings jump beyond
      ``BREAK_SHARE`` and ``BREAK_PERSONS`` / ``BREAK_DWELLINGS`` (:func:`_jumps_across`), or
    * the name changes and a name moved: the old name is another code's in the new year, or the
      new name was another code's in the old year, and that code did not carry it in both years
      (Amsterdam 2016: "Grachtengordel-West" went from BU03630002 to WK036302), or
    * the geometries on both sides of the cut exist and barely overlap (:func:`_barely_overlaps`).

    Every row of a reused cut is ``reused`` (the kind is the cut's, whatever the evidence of the
    row). Otherwise: a name change is ``renamed``, a population jump or a boundary change in
    CBS's table ``redrawn``, a code that goes on under another code ``code_changed``.
    """
    base = {"cbs3": "reused", "jump": "redrawn", "name": "renamed", "boundary": "redrawn"}
    kind = frame["basis"].map(base).fillna("code_changed").to_numpy(dtype=object)
    if frame.empty:
        return kind
    is_name = (frame["basis"] == "name").to_numpy()
    reused = kind == "reused"
    if is_name.any():
        named = frame[is_name]
        reused[is_name] |= _jumps_across(named, panel) | _names_moved(named, names)
    reused |= _barely_overlaps(frame, boundaries)
    cut = pd.Series(reused).groupby([frame["code"].to_numpy(), frame["year"].to_numpy()])
    reused = cut.transform("any").to_numpy(dtype=bool)
    kind[reused] = "reused"
    return kind


def _jumps_across(rows: pd.DataFrame, panel: pd.DataFrame) -> np.ndarray:
    """Per row (code, year): whether population or dwellings jump across the cut (last edition
    before it against the first from it on, both within ``JUMP_YEARS``)."""
    out = np.zeros(len(rows), dtype=bool)
    left = pd.DataFrame(
        {"code": rows["code"].astype(str).to_numpy(), "year": rows["year"].to_numpy(np.int64)}
    )
    left["row"] = np.arange(len(left))
    left = left.sort_values("year")
    for indicator, persons in (("population", BREAK_PERSONS), ("dwellings", BREAK_DWELLINGS)):
        s = panel[(panel["indicator"] == indicator) & panel["value"].notna()]
        if s.empty:
            continue
        s = pd.DataFrame(
            {
                "code": s["code"].astype(str).to_numpy(),
                "year": s["year"].to_numpy(np.int64),
                "value": s["value"].to_numpy(float),
            }
        )
        s = s[s["code"].isin(set(left["code"]))].sort_values("year")
        s["at"] = s["year"]
        kw = {"on": "year", "by": "code"}
        before = pd.merge_asof(left, s, direction="backward", allow_exact_matches=False, **kw)
        after = pd.merge_asof(left, s, direction="forward", **kw)
        b = before.set_index("row").sort_index()
        a = after.set_index("row").sort_index()
        near = (b["at"] >= b["year"] - JUMP_YEARS) & (a["at"] <= a["year"] + JUMP_YEARS - 1)
        jump = (a["value"] - b["value"]).abs()
        hit = near & (jump / b["value"].clip(lower=1) > BREAK_SHARE) & (jump > persons)
        out |= hit.fillna(False).to_numpy(dtype=bool)
    return out


def _name_keys(names: pd.DataFrame) -> pd.DataFrame:
    """``code, year, key, group``: each code's normalised name per year and the group (the
    gemeente; all gemeenten together) it is compared within."""
    n = names.dropna(subset=["name"])
    code = n["code"].astype(str)
    group = gemeenten_of(code).where(~code.str.startswith("GM"), "NL").fillna("NL")
    return pd.DataFrame(
        {
            "code": code.to_numpy(),
            "year": n["year"].to_numpy(np.int64),
            "key": n["name"].map(normalise_label).to_numpy(),
            "group": group.to_numpy(dtype=object),
        }
    ).drop_duplicates()


def _names_moved(rows: pd.DataFrame, names: pd.DataFrame) -> np.ndarray:
    """Per name-change row: whether its old name went to another code in the new year, or its
    new name came from another code of the old year (and that code did not keep it)."""
    keys = _name_keys(names)
    code = rows["code"].astype(str).reset_index(drop=True)
    group = gemeenten_of(code).where(~code.str.startswith("GM"), "NL").fillna("NL")
    r = pd.DataFrame(
        {
            "row": np.arange(len(rows)),
            "code": code.to_numpy(),
            "group": group.to_numpy(dtype=object),
            "t": rows["year"].to_numpy(np.int64),
            "p": rows["previous_year"].fillna(-1).to_numpy(np.int64),
            "old": rows["old_name"].map(normalise_label).to_numpy(),
            "new": rows["new_name"].map(normalise_label).to_numpy(),
        }
    )
    out = np.zeros(len(rows), dtype=bool)
    have = set(zip(keys["code"], keys["year"], keys["key"], strict=True))
    for name, there, other in (("old", "t", "p"), ("new", "p", "t")):
        m = r.merge(
            keys, left_on=["group", there, name], right_on=["group", "year", "key"], how="inner"
        )
        m = m[m["code_y"] != m["code_x"]]
        kept = [(c, y, k) in have for c, y, k in zip(m["code_y"], m[other], m[name], strict=True)]
        out[m.loc[~np.asarray(kept, dtype=bool), "row"].to_numpy()] = True
    return out


def _boundary_table(boundaries: list, codes: set[str]) -> pd.DataFrame:
    """``code, first, last, coarse, geometry`` of every code of ``codes`` in the boundary
    frames; wijken and gemeenten a frame lacks get the union of its buurten."""
    import geopandas as gpd
    import shapely

    parts = []
    for f in boundaries:
        if f is None or not len(f):
            continue
        f = f.to_crs("EPSG:28992") if f.crs is not None else f
        first = int(f["year"].iloc[0])
        last = max([first, *f.attrs.get("years", ())])
        coarse = str(f["source"].iloc[0]).lower().endswith((".json", ".topojson"))
        code = f["code"].astype(str)
        own = f[code.isin(codes).to_numpy()]
        rows = {"code": own["code"].astype(str).to_numpy(), "geometry": own.geometry.to_numpy()}
        frame = [pd.DataFrame({**rows, "dissolved": False})]
        buurten = f[code.str.startswith("BU").to_numpy()]
        for parent in (wijken_of, gemeenten_of):
            up = parent(buurten["code"].astype(str))
            need = set(up.dropna()) & (codes - set(code))
            sel = up.isin(need).fillna(False).to_numpy()
            if sel.any():
                geoms = pd.Series(buurten.geometry.to_numpy()[sel]).groupby(up[sel].to_numpy())
                union = geoms.agg(lambda g: shapely.union_all(g.to_numpy()))
                frame.append(
                    pd.DataFrame(
                        {"code": union.index, "geometry": union.to_numpy(), "dissolved": True}
                    )
                )
        part = pd.concat(frame, ignore_index=True)
        part["first"], part["last"], part["coarse"] = first, last, coarse
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=["code", "first", "last", "coarse", "geometry"])
    b = pd.concat(parts, ignore_index=True)
    b = b[~gpd.GeoSeries(b["geometry"]).is_empty.to_numpy() & b["geometry"].notna().to_numpy()]
    # one drawing per code and year: full detail before coarse, own before dissolved
    b = b.sort_values(["code", "first", "coarse", "dissolved"]).drop_duplicates(["code", "first"])
    return b[["code", "first", "last", "coarse", "geometry"]].reset_index(drop=True)


def _overlap_shares(a, b, tolerance: np.ndarray) -> np.ndarray:
    """The larger of the shares of ``a`` within ``b`` and of ``b`` within ``a`` (each grown by
    ``tolerance`` metres, so a coarse drawing of the same place still counts as overlapping);
    NaN where either area is zero (a degenerate drawing tells nothing)."""
    import shapely

    area_a, area_b = shapely.area(a), shapely.area(b)
    with np.errstate(all="ignore"):
        in_b = shapely.area(shapely.intersection(a, shapely.buffer(b, tolerance))) / area_a
        in_a = shapely.area(shapely.intersection(b, shapely.buffer(a, tolerance))) / area_b
    share = np.fmax(in_a, in_b)
    share[(area_a <= 0) | (area_b <= 0)] = np.nan
    return share


def _barely_overlaps(frame: pd.DataFrame, boundaries: list) -> np.ndarray:
    """Per break row: whether the code's drawings just before and just after the cut exist and
    barely overlap (:data:`BARELY_OVERLAPS`, :func:`_overlap_shares`). A drawing that covers a
    range of years (a file named ``…_2016_2021…``) stands for each of them; the change between
    two drawings supports a break whose interval (previous_year, year] meets theirs."""
    out = np.zeros(len(frame), dtype=bool)
    if not boundaries or frame.empty:
        return out
    b = _boundary_table(boundaries, set(frame["code"].astype(str)))
    if b.empty:
        return out
    nxt = b.groupby("code").shift(-1)
    pairs = pd.DataFrame(
        {
            "code": b["code"],
            "last0": b["last"],
            "first1": nxt["first"],
            "coarse": b["coarse"].astype(bool) | nxt["coarse"].fillna(False).astype(bool),
            "g0": b["geometry"],
            "g1": nxt["geometry"],
        }
    ).dropna(subset=["first1"])
    if pairs.empty:
        return out
    rows = pd.DataFrame(
        {
            "row": np.arange(len(frame)),
            "code": frame["code"].astype(str).to_numpy(),
            "year": frame["year"].to_numpy(np.int64),
            "p": frame["previous_year"].fillna(frame["year"] - 1).to_numpy(np.int64),
        }
    ).merge(pairs, on="code")
    rows = rows[(rows["last0"] < rows["year"]) & (rows["first1"] > rows["p"])]
    if rows.empty:
        return out
    tol = np.where(rows["coarse"].to_numpy(bool), COARSE_TOLERANCE_M, FINE_TOLERANCE_M)
    share = _overlap_shares(rows["g0"].to_numpy(), rows["g1"].to_numpy(), tol)
    out[rows["row"].to_numpy()[share < BARELY_OVERLAPS]] = True
    return out


def _suppression_detail(s: dict) -> str:
    if not s:
        return ""
    return (
        f" (basis zelfde editie / same-edition base {s.get('threshold', 0):,}; "
        f"basis dichtstbijzijnde editie / nearest edition's base {s.get('nearest_base', 0):,}; "
        f"geen basis / no base {s.get('no_base', 0):,}; "
        f"terug te rekenen / recomputable {s.get('secondary', 0):,})"
    )


def render_text(report: QualityReport, *, max_rows: int = 20) -> str:
    """A readable summary of the report (the full lists are in quality.json)."""
    t = report.totals
    lines = [
        "wijkradar — datakwaliteit / data quality",
        f"bron / source: {report.data_dir}",
        f"panel: {t.get('rows', 0):,} rijen, {t.get('regions', 0):,} gebieden, "
        f"jaren {t.get('years', [])}, {t.get('indicators', 0)} indicatoren",
        f"onderdrukt onder CBS-drempels / suppressed under CBS thresholds: "
        f"{report.suppressed_by_threshold:,}" + _suppression_detail(report.suppression),
        f"kolommen zonder indicator / unmapped value columns: {len(report.unmapped_columns)}; "
        f"bewust geen indicator / explained: {len(report.explained_columns)}; "
        f"gaten tussen edities / gaps between editions: {len(report.gaps)}",
    ]
    lines += _warning_and_file_lines(report, max_rows)
    lines += _rejected_lines(report, max_rows)
    lines += _break_and_coverage_lines(report, max_rows)
    return "\n".join(lines) + "\n"


def _warning_and_file_lines(report: QualityReport, max_rows: int) -> list[str]:
    lines: list[str] = []
    warn = warnings(report)
    if warn:
        lines += ["", f"Waarschuwingen / warnings ({len(warn)}):"]
        lines += [f"  ! {w}" for w in warn[:max_rows]]
        if len(warn) > max_rows:
            lines.append(f"  … {len(warn) - max_rows} meer in quality.json")
    lines += ["", f"Gelezen bestanden / files read ({len(report.files)}):"]
    for f in report.files:
        lines.append(
            f"  {f.path}  [{f.format}]  {f.rows:,} waarden, {f.codes:,} codes, jaren {f.years}, "
            f"{len(f.indicators)} indicatoren, {f.unmatched_columns} kolommen niet in catalogus, "
            f"{f.rejected} rijen afgewezen"
        )
    for s in report.skipped:
        lines.append(f"  {s['path']}  overgeslagen / skipped: {s['reason']}")
    if report.explained_columns:
        lines += ["", "Bewust geen indicator / columns that are no indicator, and why:"]
        for e in report.explained_columns[:max_rows]:
            lines.append(f"  {e['path']}: {e['column']}: {e['reason']}")
    return lines


def _rejected_lines(report: QualityReport, max_rows: int) -> list[str]:
    lines = ["", f"Afgewezen rijen / rejected rows ({len(report.rejected)}):"]
    by_reason: dict[str, int] = {}
    for r in report.rejected:
        by_reason[r["reason"]] = by_reason.get(r["reason"], 0) + 1
    for reason, n in sorted(by_reason.items(), key=lambda kv: -kv[1]):
        lines.append(f"  {n:6,} × {reason}")
    for r in report.rejected[:max_rows]:
        lines.append(
            f"    {r['source']} rij {r['row']}: {r.get('code') or r.get('name')}: {r['reason']}"
        )
    if report.resolved_names:
        lines += [
            "",
            f"Namen omgezet naar codes / names resolved to codes ({len(report.resolved_names)}):",
        ]
        for r in report.resolved_names[:5]:
            lines.append(f"  {r['source']}: {r['name']!r} → {r['code']} (via {r['via']})")
    return lines


def _break_and_coverage_lines(report: QualityReport, max_rows: int) -> list[str]:
    kinds: dict[str, int] = {}
    for b in report.series_breaks:
        kinds[str(b.get("kind"))] = kinds.get(str(b.get("kind")), 0) + 1
    per_kind = ", ".join(f"{k} {kinds[k]}" for k in (*BREAK_KINDS, "None") if k in kinds)
    lines = [
        "",
        f"Reeksbreuken / series breaks ({len(report.series_breaks)}"
        + (f": {per_kind}" if per_kind else "")
        + "):",
    ]
    for b in report.series_breaks[:max_rows]:
        lines.append(f"  {b['code']} {b['year']} [{b.get('kind')}]: {b['reason']}")
    if len(report.series_breaks) > max_rows:
        lines.append(f"  … {len(report.series_breaks) - max_rows} meer in quality.json")
    if report.conflicts:
        lines += ["", f"Tegenstrijdige bronnen / conflicting sources ({len(report.conflicts)}):"]
        for c in report.conflicts[:max_rows]:
            lines.append(f"  {c['code']} {c['year']} {c['indicator']}: {c['min']} … {c['max']}")
    lines += ["", "Dekking / coverage (gebieden met waarde per jaar):"]
    cov = pd.DataFrame(report.coverage)
    if not cov.empty:
        piv = cov.pivot_table(
            index=["indicator", "level"],
            columns="year",
            values="with_value",
            aggfunc="sum",
            fill_value=0,
        )
        lines.append(piv.to_string())
    return lines
