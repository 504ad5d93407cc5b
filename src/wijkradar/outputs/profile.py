"""Everything known about one region, as one dict (JSON-ready) and as readable text.

Used by ``wijkradar profile`` and (later) the web profile panel and the report.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from wijkradar.analysis.reasons import format_value
from wijkradar.codes import gemeente_of, is_valid_code, parent_of
from wijkradar.errors import WijkradarError

if TYPE_CHECKING:
    from wijkradar.dataset import Dataset


class UnknownRegionError(WijkradarError, KeyError):
    """A code that is not in the dataset."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def _clean(x):
    """JSON-safe scalars (NaN → None, numpy → python)."""
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_clean(v) for v in x]
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float) and math.isnan(x):
        return None
    if x is pd.NA or x is pd.NaT:
        return None
    return x


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
        p = p[p["code"].astype(str).str[2:6] == gemeente[2:6]]
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
    code = str(code).strip().upper()
    regions = ds.regions.set_index("code")
    if code not in regions.index:
        import difflib

        close = difflib.get_close_matches(code, regions.index.astype(str), n=3)
        hint = f"; bedoelde u {', '.join(close)}?" if close else ""
        shape = "" if is_valid_code(code) else " (geen geldige CBS-code)"
        raise UnknownRegionError(f"gebied {code!r} staat niet in de dataset{shape}{hint}")
    reg = regions.loc[code]
    level = str(reg["level"])
    cat = ds.indicators
    panel = ds.panel
    gm = gemeente_of(code)
    parent = parent_of(code)
    kids = regions[
        (regions["wijk_code"] == code)
        if level == "wijk"
        else (regions["gemeente_code"] == code) & (regions["level"] == "wijk")
        if level == "gemeente"
        else np.zeros(len(regions), bool)
    ]
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
    if year is None and level in ("buurt", "wijk", "gemeente"):
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
                    for a in ("composition", "problems")
                },
                "reasons": res.reasons[res.reasons["code"] == code].to_dict("records"),
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
    return _clean(out)


def render_text(profile: dict, lang: str = "nl") -> str:
    """The profile as plain text for the terminal."""
    en = lang == "en"
    L = []
    L.append(f"{profile['name']} ({profile['code']}, {profile['level']})")
    if profile.get("gemeente"):
        L.append(
            f"  {'municipality' if en else 'gemeente'}: {profile['gemeente']['name']} "
            f"({profile['gemeente']['code']})"
        )
    if profile.get("parent") and profile["parent"]["code"] != (profile.get("gemeente") or {}).get(
        "code"
    ):
        L.append(
            f"  {'part of' if en else 'ligt in'}: {profile['parent']['name']} "
            f"({profile['parent']['code']})"
        )
    if profile.get("children"):
        L.append(
            f"  {'contains' if en else 'bestaat uit'}: {len(profile['children'])} "
            f"{'areas' if en else 'gebieden'}"
        )
    sig = profile.get("signal")
    if sig:
        L.append("")
        L.append(
            f"{'Signal' if en else 'Signaal'} {sig['year']} ({sig['view']}): "
            f"{sig['label_en' if en else 'label_nl']} — "
            f"{sig['description_en' if en else 'description_nl']}"
        )
        for a, name in (("composition", "samenstelling"), ("problems", "problemen")):
            s = sig[a]
            score = "—" if s["score"] is None else f"{s['score']:.0f}"
            L.append(f"  {a if en else name}: score {score} ({s['level']}), trend {s['trend']}")
        for r in sig["reasons"]:
            L.append(f"  • {r['sentence_en' if en else 'sentence_nl']}")
        sv = sig["sensitivity"]
        stable = (
            ("stable under all variations" if en else "stabiel onder alle variaties")
            if sv["stable_under_variations"]
            else (
                f"changes class in {sv['variations_changed']} of {sv['variations']} variations"
                if en
                else f"wisselt van klasse in {sv['variations_changed']} van {sv['variations']} "
                "variaties"
            )
        )
        L.append(f"  {'sensitivity' if en else 'gevoeligheid'}: {stable}")
        cl = profile.get("clusters") or {}
        if cl:
            L.append("  clusters: " + ", ".join(f"{k}: {v}" for k, v in cl.items()))
    L.append("")
    L.append("Indicatoren:" if not en else "Indicators:")
    for ind in profile["indicators"]:
        vals = ", ".join(
            f"{p['year']}: "
            + (
                format_value(p["value"], ind["unit"], ind["decimals"], lang)
                if p["value"] is not None
                else p["status"]
            )
            for p in ind["series"]
        )
        L.append(f"  {ind['label_en' if en else 'label_nl']}: {vals}")
    for b in profile.get("series_breaks", []):
        L.append(f"  ! {'series break' if en else 'reeksbreuk'} {b['year']}: {b['reason']}")
    L.append("")
    L.append(
        "Een signaal opent een gesprek; het is geen oordeel over bewoners. Bron: CBS, "
        "Kadaster, Leefbaarometer (BZK)."
        if not en
        else "A signal opens a conversation; it is not a verdict on residents. Sources: CBS, "
        "Kadaster, Leefbaarometer (BZK)."
    )
    return "\n".join(L) + "\n"
