"""``/api/regions`` (search) and ``/api/regions/{code}`` (the profile)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from starlette.concurrency import run_in_threadpool

from wijkradar.web.deps import GemeenteQ, LangQ, StateDep, ViewQ, YearQ
from wijkradar.web.schemas import ERROR_RESPONSES, Level, RegionList

router = APIRouter(prefix="/api", tags=["regions"], responses=ERROR_RESPONSES)


@router.get("/regions", response_model=RegionList, summary="Gebieden zoeken op naam of code")
def search(
    state: StateDep,
    q: Annotated[str | None, Query(max_length=100, description="Naam (deel) of codebegin.")] = None,
    level: Annotated[Level | None, Query()] = None,
    gemeente: GemeenteQ = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> dict:
    return state.search(q, level, gemeente, limit)


@router.get(
    "/regions/{code}",
    response_model=dict[str, Any],
    summary="Profiel van één gebied (zoals wijkradar profile)",
)
async def profile(
    state: StateDep,
    code: Annotated[str, Path(pattern=r"^[A-Za-z]{2}[0-9A-Za-z]{2,8}$")],
    year: YearQ = None,
    view: ViewQ = "absolute",
    lang: LangQ = "nl",
) -> Response:
    # Cached profiles are answered on the event loop; a first request computes in a thread.
    hit = state.profiles.peek((code.strip().upper(), year, view))
    body = (
        state.profile(code, year, view, lang)
        if hit
        else await run_in_threadpool(state.profile, code, year, view, lang)
    )
    # One language per answer: label, description, sentence, comparison in ``lang``.
    return Response(body, media_type="application/json", headers={"Content-Language": lang})


CodePath = Annotated[str, Path(pattern=r"^[A-Za-z]{2}[0-9A-Za-z]{2,8}$")]


@router.get(
    "/regions/{code}/actions",
    response_model=dict[str, Any],
    summary="Handelingskaders voor één gebied (zoals wijkradar actions)",
)
async def actions(
    state: StateDep,
    code: CodePath,
    year: YearQ = None,
    view: ViewQ = "absolute",
    lang: LangQ = "nl",
) -> dict:
    code = code.strip().upper()
    return await run_in_threadpool(state.ds.actions_dict, code, lang=lang, year=year, view=view)


@router.get(
    "/regions/{code}/report.{fmt}",
    response_class=Response,
    summary="Wijkprofiel als PDF of HTML (zoals wijkradar report)",
    responses={200: {"content": {"application/pdf": {}, "text/html": {}}}},
)
async def report(
    state: StateDep,
    code: CodePath,
    fmt: Annotated[str, Path(pattern="^(pdf|html)$")],
    lang: LangQ = "nl",
    year: YearQ = None,
) -> Response:
    from wijkradar.outputs.report import report_bytes

    code = code.strip().upper()
    body = await run_in_threadpool(report_bytes, state.ds, code, lang, fmt=fmt, year=year)
    media = "application/pdf" if fmt == "pdf" else "text/html; charset=utf-8"
    disposition = "inline" if fmt == "html" else f'inline; filename="wijkprofiel-{code}.pdf"'
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": disposition, "Content-Language": lang},
    )
