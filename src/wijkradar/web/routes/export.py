"""``/api/export``: the signals as CSV, GeoPackage or GeoParquet download."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from wijkradar.outputs.export import export_signals
from wijkradar.web.deps import GemeenteQ, LangQ, LevelQ, StateDep, ViewQ, YearQ
from wijkradar.web.schemas import ERROR_RESPONSES, ExportFormat

router = APIRouter(prefix="/api", tags=["export"], responses=ERROR_RESPONSES)
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "gpkg": "application/geopackage+sqlite3",
    "parquet": "application/vnd.apache.parquet",
}


@router.get(
    "/export",
    response_class=FileResponse,
    summary="Download van de signalen (csv, gpkg, parquet)",
    responses={200: {"content": {m: {} for m in MEDIA.values()}}},
)
def export(
    state: StateDep,
    level: LevelQ = "buurt",
    fmt: Annotated[ExportFormat, Query(alias="format")] = "csv",
    year: YearQ = None,
    view: ViewQ = "absolute",
    gemeente: GemeenteQ = None,
    lang: LangQ = "nl",
) -> FileResponse:
    y = state.year(level, year, gemeente)
    name = f"wijkradar_{level}_{y}_{view}{'_' + gemeente.upper() if gemeente else ''}.{fmt}"
    tmp = Path(tempfile.mkdtemp(prefix="wijkradar-export-"))
    try:
        export_signals(
            state.ds,
            tmp / name,
            level=level,
            fmt=fmt,
            year=y,
            view=view,
            gemeente=gemeente,
            lang=lang,
        )
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return FileResponse(
        tmp / name,
        media_type=MEDIA[fmt],
        filename=name,
        background=BackgroundTask(shutil.rmtree, tmp, ignore_errors=True),
    )
