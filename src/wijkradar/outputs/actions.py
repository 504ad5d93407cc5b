"""Action frames for one region of a dataset: the library function behind ``wijkradar actions``.

Glue between :class:`~wijkradar.dataset.Dataset` and the pure
:mod:`wijkradar.analysis.actions`: it takes the region's signal row and a facts table (built once
per level, year and view, and kept for the life of the Dataset object) and applies the action
matrix.
"""

from __future__ import annotations

import json
import weakref
from typing import TYPE_CHECKING

from wijkradar.analysis.actions import ActionResult, evaluate_actions, indicator_facts, region_state
from wijkradar.catalogue.actions import ActionMatrix, load_action_matrix
from wijkradar.errors import WijkradarError

if TYPE_CHECKING:
    from wijkradar.dataset import Dataset

_FACTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_MATRIX: list[ActionMatrix] = []


def default_matrix() -> ActionMatrix:
    """The packaged action matrix (read once)."""
    if not _MATRIX:
        _MATRIX.append(load_action_matrix())
    return _MATRIX[0]


def _facts(ds: Dataset, level: str, year: int, view: str, res, matrix: ActionMatrix):
    cache = _FACTS.setdefault(ds, {})
    key = (level, year, view, res.window, matrix.indicators)
    if key not in cache:
        t = res.rules["trends"]
        cache[key] = indicator_facts(
            ds.panel,
            ds.indicators,
            level=level,
            year=year,
            window=res.window,
            indicators=matrix.indicators,
            view=view,
            z=float(t["z"]),
            min_years=int(t["min_years"]),
            breaks=ds.breaks,
        )
    return cache[key]


def region_actions(
    ds: Dataset,
    code: str,
    *,
    year: int | None = None,
    view: str = "absolute",
    matrix: ActionMatrix | None = None,
) -> ActionResult:
    """The action frames ``code`` triggers, in priority order, with reasons and evidence.

    Raises
    ------
    UnknownRegionError
        For a code that is not in the dataset.
    WijkradarError
        When the region has no data to derive a signal from.
    """
    from wijkradar.outputs.profile import UnknownRegionError

    code = str(code).strip().upper()
    regions = ds.regions.set_index("code")
    if code not in regions.index:
        ds.profile(code, clusters=False)  # raises UnknownRegionError with close matches
        raise UnknownRegionError(code)
    level = str(regions.at[code, "level"])
    if level not in ("buurt", "wijk", "gemeente"):
        raise WijkradarError(f"geen actiekaders voor niveau {level!r} ({code})")
    if year is None:
        year = ds.latest_year(level, code=code)
    if year is None:
        raise WijkradarError(f"geen gegevens voor {code} om een signaal uit af te leiden")
    matrix = matrix or default_matrix()
    res = ds.signals(level=level, year=year, view=view)
    f = res.frame
    row = f[f["code"] == code]
    sig = row.iloc[0].to_dict() if len(row) else None
    cls = res.rules.get(str(sig["signal"])) if sig else None
    gm = str(regions.at[code, "gemeente_code"] or "")
    state = region_state(
        code,
        level=level,
        year=res.year,
        view=view,
        signal_row=sig,
        facts=_facts(ds, level, res.year, view, res, matrix),
        signal_label_nl=cls.label_nl if cls else "",
        signal_label_en=cls.label_en if cls else "",
        gemeente_name=regions["name"].get(gm) if gm else None,
    )
    return evaluate_actions(matrix, state, ds.indicators)


def render_actions(result: ActionResult, fmt: str = "text", lang: str = "nl") -> str:
    """The result as plain text or JSON."""
    if fmt == "json":
        return json.dumps(result.to_dict(lang), ensure_ascii=False, indent=2, default=str) + "\n"
    en = lang == "en"
    nd = "n.d." if en else "z.j."
    d = result.to_dict(lang)
    L = [
        f"{'Action frames' if en else 'Actiekaders'} {d['code']} ({d['level']}, "
        f"{'signal year' if en else 'signaaljaar'} {d['year']}, {d['view']})"
    ]
    if d["nothing_triggered"]:
        L.append(
            "No pattern of the action matrix holds for this region: the data show no specific "
            "reason for a frame. The general success factors apply."
            if en
            else "Voor dit gebied geldt geen enkel patroon uit de actiematrix: de cijfers geven "
            "geen specifieke aanleiding voor een kader. De algemene succesfactoren gelden."
        )
    for i, fr in enumerate(d["frames"], 1):
        L.append("")
        L.append(f"{i}. {fr['label']} — {fr['description']}")
        if not fr["triggered"]:
            L.append(f"   {fr['general']}")
        for p in fr["patterns"]:
            L.append(f"   ▸ {p['label']}")
            for r in p["reasons"]:
                L.append(f"     • {r['sentence']}")
            L.append(
                f"     {'Interventions' if en else 'Interventies'}: "
                + "; ".join(p["interventions"])
            )
            L.append(
                f"     {'Evidence' if en else 'Onderbouwing'}: "
                + "; ".join(
                    f"{e['title']} ({e['publisher']}, {e['year'] or nd})" for e in p["evidence"]
                )
            )
    L.append("")
    L.append("Success factors of area-based work:" if en else "Succesfactoren van de wijkaanpak:")
    for s in d["success_factors"]:
        L.append(f"  • {s['label']}: {s['text']}")
    L.append("")
    L.append(
        "Frames open the conversation; they are not a verdict on residents."
        if en
        else "Kaders openen het gesprek; ze zijn geen oordeel over bewoners."
    )
    return "\n".join(L) + "\n"
