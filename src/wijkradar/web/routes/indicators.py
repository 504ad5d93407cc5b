"""``/api/indicators`` and ``/api/classes``: the catalogue and the signal classes."""

from __future__ import annotations

from fastapi import APIRouter

from wijkradar.web.deps import LangQ, StateDep
from wijkradar.web.schemas import ERROR_RESPONSES, PALETTE, ClassList, IndicatorList

router = APIRouter(prefix="/api", tags=["catalogue"], responses=ERROR_RESPONSES)


@router.get("/indicators", response_model=IndicatorList, summary="Indicatorcatalogus")
def indicators(state: StateDep, lang: LangQ = "nl") -> dict:
    frame = state.ds.indicators.indicators
    data = [
        {
            "id": str(i),
            "label": r[f"label_{lang}"],
            "unit": str(r["unit"]),
            "domain": str(r["domain"]),
            "direction": str(r["direction"]),
            "description": str(r["description"] or ""),
        }
        for i, r in frame.iterrows()
    ]
    return {"data": data, "count": len(data)}


@router.get("/classes", response_model=ClassList, summary="Signaalklassen met kleuren")
def classes(lang: LangQ = "nl") -> dict:
    from wijkradar.catalogue.rules import load_rules

    data = [
        {
            "id": c.id,
            "label": c.label(lang),
            "color": PALETTE.get(c.id, "#BBBBBB"),
            "description": c.description_en if lang == "en" else c.description_nl,
        }
        for c in load_rules().classes
    ]
    return {"data": data}
