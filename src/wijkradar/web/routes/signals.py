"""``/api/signals``: the signaleringskaart of one level and year, with reasons."""

from __future__ import annotations

from fastapi import APIRouter, Response

from wijkradar.web.deps import GemeenteQ, LangQ, LevelQ, StateDep, ViewQ, YearQ
from wijkradar.web.schemas import ERROR_RESPONSES, SignalsOut

router = APIRouter(prefix="/api", tags=["signals"], responses=ERROR_RESPONSES)


@router.get("/signals", response_model=SignalsOut, summary="Signalen per gebied met redenen")
def signals(
    state: StateDep,
    level: LevelQ = "buurt",
    year: YearQ = None,
    view: ViewQ = "absolute",
    gemeente: GemeenteQ = None,
    lang: LangQ = "nl",
) -> Response:
    y = state.year(level, year, gemeente)
    return Response(state.signals(level, y, view, gemeente, lang), media_type="application/json")
