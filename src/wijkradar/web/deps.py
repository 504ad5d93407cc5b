"""What routes depend on: the app's :class:`~wijkradar.web.state.WebState` and small
``Annotated`` aliases for the common query parameters."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from wijkradar.vocab import Lang, Level, View
from wijkradar.web.state import WebState


def get_state(request: Request) -> WebState:
    return request.app.state.web


StateDep = Annotated[WebState, Depends(get_state)]
LangQ = Annotated[Lang, Query(description="Taal van labels: nl (standaard) of en.")]
ViewQ = Annotated[View, Query(description="absolute (landelijk) of relative (binnen de gemeente).")]
YearQ = Annotated[int | None, Query(ge=1900, le=2100, description="Jaar; standaard het laatste.")]
GemeenteQ = Annotated[
    str | None,
    Query(pattern=r"^(GM|gm)\d{4}$", description="Alleen deze gemeente, bv. GM0363."),
]
LevelQ = Annotated[Level, Query(description="buurt, wijk of gemeente.")]
