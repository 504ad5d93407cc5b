"""Everything known about one region, as one JSON-ready dict.

The CLI's ``wijkradar profile``, the web profile panel and the report all start from
:func:`build_profile` (through :meth:`Dataset.profile <wijkradar.dataset.Dataset.profile>`);
:mod:`wijkradar.outputs.text` renders it for the terminal.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from wijkradar.codes import gemeente_of, gemeenten_of, is_valid_code, parent_of
from wijkradar.dataset.tables import worded_reasons
from wijkradar.errors import UnknownRegionError
from wijkradar.jsonable import jsonable
from wijkradar.vocab import AXES, LEVELS
from wijkradar.wording import N_, words

if TYPE_CHECKING:
    from wijkradar.dataset import Dataset


def find_region(ds: Dataset, code: str) -> tuple[str, pd.Series]:
    """The normalised ``code`` and its row of ``ds.regions``.

    Raises
    ------
    UnknownRegionError
        When ``code`` is not in the dataset, with up to three close matches.
    """
    code = str(code).strip().upper()
    regions = ds.region_index
    if code not in regions.index:
        close = difflib.get_close_matches(code, regions.index.astype(str), n=3)
        fields = {"code": repr(code), "close": ", ".join(close)}
        if is_valid_code(code):
            if close:
                raise UnknownRegionError(
                    "gebied {code} staat niet in de dataset; bedoelde u {close}?", **fields
                )
            raise UnknownRegionError("gebied {code} staat niet in de dataset", **fields)
        if close:
            raise UnknownRegionError(
                "gebied {code} staat niet in de dataset (geen geldige CBS-code); "
                "bedoelde u {close}?",
                **fields,
            )
        raise UnknownRegionError(
            "gebied {code} staat niet in de dataset (geen geldige CBS-code)", **fields
        )
    return code, regions.loc[code]


def _series_by_indicator(panel: pd.DataFrame, code: str | None) -> dict[str, list[dict]]:
    """Indicator → the region's rows over the years (one pass over the code's rows)."""
    if not code:
        return {}
    s = panel[panel["code"] == code].sort_values("year")
    out: dict[str, list[dict]] = {}
    for r in s.itertuples(index=False):
        out.setdefault(str(r.indicator), []).append(
            {
                "year": int(r.year),
                "value": r.value,
                "status": str(r.status),
                "source": str(r.source),
            }
        )
    return out


KIND_WORDS = {
    "reused": N_("ander gebied onder dezelfde code"),
    "redrawn": N_("grenzen gewijzigd"),
    "renamed": N_("naam gewijzigd"),
    "code_changed": N_("code gewijzigd"),
}
"""A break's ``kind`` (:data:`wijkradar.panel.quality.BREAK_KINDS`) in words."""


def _worded(message: str) -> dict[str, str]:
    """``label_nl`` and ``label_en`` of a gettext message (``in_language`` picks one)."""
    return {"label_nl": words("nl")._(message), "label_en": words("en")._(message)}


def reused_cuts(breaks: pd.DataFrame | None, code: str | None) -> list[int]:
    """The years from which ``code`` holds a different area than before (breaks of kind
    ``reused``), ascending. A dataset built before break kinds existed has none."""
    if not code or breaks is None or breaks.empty or "kind" not in breaks:
        return []
    b = breaks[(breaks["code"] == code) & (breaks["kind"] == "reused")]
    return sorted({int(y) for y in b["year"]})


def series_id(code: str, year_from: int | None, cut: int | None) -> str:
    """The id of the part of ``code``'s series from ``year_from`` up to the cut ``cut``: the
    code itself for the current part (``cut`` None), else e.g. ``BU03630002@-2015`` (up to
    2015) or ``BU03630002@2016-2018``."""
    if cut is None:
        return code
    return f"{code}@{'' if year_from is None else year_from}-{cut - 1}"


def _segments(cuts: list[int]) -> list[tuple[int | None, int | None]]:
    """``[from, to)`` year ranges between the cuts, oldest first; the last is open."""
    edges: list[int | None] = [None, *cuts, None]
    return list(zip(edges[:-1], edges[1:], strict=True))


def _current(points: list[dict], cuts: list[int]) -> list[dict]:
    """The points of the current area: the editions from the last reused cut on."""
    return [p for p in points if p["year"] >= cuts[-1]] if cuts else points


def _split(code: str, points: list[dict], cuts: list[int]) -> tuple[list[dict], list[dict]]:
    """``points`` (one indicator of ``code``, by year) cut at every reused cut: the current
    part, and the earlier parts (other areas under the same code) that have points."""
    if not cuts:
        return points, []
    earlier = []
    for lo, hi in _segments(cuts)[:-1]:
        part = [p for p in points if (lo is None or p["year"] >= lo) and p["year"] < hi]
        if part:
            earlier.append(
                {
                    "series_id": series_id(code, lo, hi),
                    "year_from": lo,
                    "year_to": hi - 1,
                    "cut": hi,
                    "other_area": True,
                    "series": part,
                }
            )
    return _current(points, cuts), earlier


def _other_areas(code: str, cuts: list[int], breaks: pd.DataFrame, used: set[str]) -> list:
    """The earlier areas under ``code`` that have data (``used``: their series ids), with the
    reasons of their cut and the words to show them with."""
    out = []
    mine = breaks[breaks["code"] == code] if cuts else breaks.iloc[0:0]
    for lo, hi in _segments(cuts)[:-1]:
        sid = series_id(code, lo, hi)
        if sid not in used:
            continue
        reasons = mine.loc[(mine["year"] == hi) & (mine["kind"] == "reused"), "reason"]
        out.append(
            {
                "series_id": sid,
                "year_from": lo,
                "year_to": hi - 1,
                "cut": hi,
                **_worded(KIND_WORDS["reused"]),
                "reasons": [str(r) for r in reasons],
            }
        )
    return out


def _break_records(breaks: pd.DataFrame, code: str) -> list[dict]:
    """The code's breaks, each with its kind in words (``kind_label_nl``/``_en``)."""
    out = []
    for b in breaks[breaks["code"] == code].to_dict("records"):
        kind = b.get("kind")
        if isinstance(kind, str) and kind in KIND_WORDS:
            words_ = _worded(KIND_WORDS[kind])
            b["kind_label_nl"], b["kind_label_en"] = words_["label_nl"], words_["label_en"]
        out.append(b)
    return out


def medians(panel: pd.DataFrame, level: str, gemeente: str | None = None) -> dict[str, list]:
    """Indicator → median and count per year over the regions of ``level`` (in a gemeente)."""
    p = panel[(panel["level"] == level) & panel["value"].notna()]
    if gemeente:
        p = p[(gemeenten_of(p["code"]) == gemeente).fillna(False).to_numpy()]
    g = p.groupby(["indicator", "year"], observed=True)["value"].agg(["median", "size"])
    out: dict[str, list] = {}
    for (ind, y), r in g.iterrows():
        out.setdefault(str(ind), []).append(
            {"year": int(y), "median": r["median"], "n": int(r["size"])}
        )
    return out


def build_profile(
    ds: Dataset,
    code: str,
    *,
    year: int | None = None,
    view: str = "absolute",
    clusters: bool = True,
) -> dict:
    """The profile of ``code``: names, parents, children, indicator series with gemeente and
    national comparison, scores, trends, signal with reasons and sensitivity, clusters, breaks.

    Raises
    ------
    UnknownRegionError
        When ``code`` is not in the dataset (with close matches).
    """
    code, reg = find_region(ds, code)
    regions = ds.region_index
    level = str(reg["level"])
    cat = ds.indicators
    panel = ds.panel
    gm = gemeente_of(code)
    parent = parent_of(code)
    kids = regions[_children(regions, code, level)]
    breaks = ds.breaks
    cuts = reused_cuts(breaks, code)
    gm_cuts = reused_cuts(breaks, gm) if gm and gm != code else []
    own = _series_by_indicator(panel, code)
    gm_series = _series_by_indicator(panel, gm) if gm and gm != code else {}
    nl_series = _series_by_indicator(panel, "NL00")
    all_medians = ds.medians(level)
    gm_medians = ds.medians(level, gm) if gm and level != "gemeente" else {}
    indicators = []
    used: set[str] = set()
    for ind in cat.ids:
        # A reused code is one area from its last cut on: that part is the series; earlier
        # parts are other areas, kept apart (never drawn, compared or trended with it).
        series, earlier = _split(code, own.get(ind, []), cuts)
        if not series:
            continue
        used.update(e["series_id"] for e in earlier)
        row = cat.get(ind)
        indicators.append(
            {
                "id": ind,
                "label_nl": row["label_nl"],
                "label_en": row["label_en"],
                "unit": row["unit"],
                "domain": row["domain"],
                "direction": row["direction"],
                "decimals": int(row["decimals"] or 0),
                "series_id": code,
                "series": series,
                "earlier": earlier,
                # the gemeente's figures and medians only while the gemeente is this area
                "gemeente": _current(gm_series.get(ind, []), gm_cuts) if gm and gm != code else [],
                "nederland": nl_series.get(ind, []),
                "median_in_gemeente": _current(gm_medians.get(ind, []), gm_cuts)
                if level != "gemeente"
                else [],
                "median_all": all_medians.get(ind, []),
            }
        )
    out = {
        "code": code,
        "name": reg["name"],
        "level": level,
        "gemeente": {"code": gm, "name": regions["name"].get(gm)} if gm else None,
        "parent": {"code": parent, "name": regions["name"].get(parent)} if parent else None,
        "children": [{"code": c, "name": n} for c, n in kids["name"].items()],
        "geometry": {"source": reg["geometry_source"], "year": reg["geometry_year"]},
        "indicators": indicators,
        "series_breaks": _break_records(breaks, code),
        "other_areas": _other_areas(code, cuts, breaks, used),
    }
    if year is None and level in LEVELS:
        year = ds.latest_year(level, code=code)
    if year is not None:
        res = ds.signals(level=level, year=year, view=view)
        f = res.frame.set_index("code")
        if code in f.index:
            r = f.loc[code]
            cls = res.rules.get(str(r["signal"]))
            out["signal"] = {
                "year": res.year,
                "view": view,
                "window": res.window,
                "class": cls.id,
                "label_nl": cls.label_nl,
                "label_en": cls.label_en,
                "description_nl": cls.description_nl,
                "description_en": cls.description_en,
                **{
                    a: {k: r[f"{a}_{k}"] for k in ("score", "level", "trend", "slope", "se")}
                    for a in AXES
                },
                "reasons": worded_reasons(ds, res.reasons[res.reasons["code"] == code]),
                "sensitivity": {
                    "variations_changed": int(r["variations_changed"]),
                    "variations": len(res.sensitivity),
                    "stable_under_variations": bool(r["stable_under_variations"]),
                },
            }
            if clusters:
                out["clusters"] = ds.clusters(
                    level=level, year=res.year, view=view, codes=[code]
                ).get(code, {})
    if gm:
        d = ds.divide(level="buurt" if level == "buurt" else "wijk")
        d = d[d["gemeente_code"] == gm]
        gm_cut = reused_cuts(breaks, gm)
        if gm_cut:  # the divide of an earlier gemeente under the same code is not this one's
            d = d[d["year"] >= gm_cut[-1]]
        out["divide"] = d.sort_values("year").to_dict("records")
    return jsonable(out)


def _children(regions: pd.DataFrame, code: str, level: str) -> np.ndarray:
    """Mask of the regions one level below ``code``: a wijk's buurten, a gemeente's wijken."""
    if level == "wijk":
        mask = regions["wijk_code"] == code
    elif level == "gemeente":
        mask = (regions["gemeente_code"] == code) & (regions["level"] == "wijk")
    else:
        return np.zeros(len(regions), bool)
    return mask.fillna(False).to_numpy(dtype=bool)
