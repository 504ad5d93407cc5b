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
    own = _series_by_indicator(panel, code)
    gm_series = _series_by_indicator(panel, gm) if gm and gm != code else {}
    nl_series = _series_by_indicator(panel, "NL00")
    all_medians = ds.medians(level)
    gm_medians = ds.medians(level, gm) if gm and level != "gemeente" else {}
    indicators = []
    for ind in cat.ids:
        series = own.get(ind, [])
        if not series:
            continue
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
                "series": series,
                "gemeente": gm_series.get(ind, []) if gm and gm != code else [],
                "nederland": nl_series.get(ind, []),
                "median_in_gemeente": gm_medians.get(ind, []) if level != "gemeente" else [],
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
        "series_breaks": ds.breaks[ds.breaks["code"] == code].to_dict("records"),
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
