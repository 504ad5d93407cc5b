"""``/api/map/{level}``: GeoJSON (EPSG:4326) with signal and scores, simplified per zoom."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from wijkradar.web.deps import GemeenteQ, StateDep, ViewQ, YearQ
from wijkradar.web.schemas import ERROR_RESPONSES, FeatureCollection, Level

router = APIRouter(prefix="/api", tags=["map"], responses=ERROR_RESPONSES)


@router.get("/map/{level}", response_model=FeatureCollection, summary="Kaartlaag van een niveau")
def map_layer(
    request: Request,
    state: StateDep,
    level: Annotated[Level, Path()],
    year: YearQ = None,
    view: ViewQ = "absolute",
    gemeente: GemeenteQ = None,
    zoom: Annotated[float | None, Query(ge=0, le=24)] = None,
    indicator: Annotated[str | None, Query(pattern=r"^[a-z0-9_]{1,64}$")] = None,
) -> Response:
    y = state.year(level, year, gemeente)
    gm = gemeente.upper() if gemeente else None
    raw, packed = state.map.layer(
        level=level, year=y, view=view, gemeente=gm, zoom=zoom, indicator=indicator
    )
    headers = {"Vary": "Accept-Encoding", "Cache-Control": "public, max-age=300"}
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(packed, media_type="application/geo+json", headers=headers)
    return Response(raw, media_type="application/geo+json", headers=headers)
