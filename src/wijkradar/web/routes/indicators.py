"""``/api/indicators`` and ``/api/classes``: the catalogue and the signal classes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from wijkradar.palette import signal_colour
from wijkradar.web.deps import LangQ, StateDep
from wijkradar.web.schemas import ERROR_RESPONSES, ClassList, IndicatorList
from wijkradar.wording import words

SearchQ = Annotated[
    str, Query(max_length=100, description="Alleen indicatoren met al deze woorden, bv. inkomen.")
]
router = APIRouter(prefix="/api", tags=["catalogue"], responses=ERROR_RESPONSES)


@router.get("/indicators", response_model=IndicatorList, summary="Indicatorcatalogus")
def indicators(state: StateDep, lang: LangQ = "nl", search: SearchQ = "") -> dict:
    cat = state.ds.indicators
    listing = cat.listing(search, lang)
    rows = cat.indicators.loc[listing["id"]]
    data = [
        {
            "id": str(r.id),
            "label": str(r.label),
            "unit": str(r.unit),
            "domain": str(r.domain),
            "domain_label": str(r.domain_label),
            "topic": str(r.topic),
            "topic_label": str(r.topic_label),
            "kind": str(r.kind),
            "direction": str(r.direction),
            "weight": float(r.weight),
            "featured": bool(f),
            "sensitive": str(r.sensitive or ""),
            "description": str(d or ""),
        }
        for r, f, d in zip(
            listing.itertuples(index=False), rows["featured"], rows["description"], strict=True
        )
    ]
    return {"data": data, "count": len(data)}


@router.get(
    "/classes",
    response_model=ClassList,
    summary="Signaalklassen met kleuren en uitleg, in de volgorde van de regels",
)
def classes(state: StateDep, lang: LangQ = "nl") -> dict:
    # the dataset's rules: the legend explains the classes the map was coloured by
    data = [
        {
            "id": c.id,
            "label": c.label(lang),
            "color": signal_colour(c.id),
            "description": words(lang).field(c, "description"),
        }
        for c in state.ds.rules.classes
    ]
    return {"data": data}
