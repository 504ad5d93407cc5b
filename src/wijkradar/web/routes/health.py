"""``/api/health``: version, a path-free dataset summary and the years per level."""

from __future__ import annotations

from fastapi import APIRouter

import wijkradar
from wijkradar.web.deps import StateDep
from wijkradar.web.schemas import ERROR_RESPONSES, Health

router = APIRouter(prefix="/api", tags=["status"], responses=ERROR_RESPONSES)


@router.get("/health", response_model=Health, summary="Status en jaren per niveau")
def health(state: StateDep) -> dict:
    m = state.ds.manifest
    return {
        "ok": True,
        "version": wijkradar.__version__,
        "dataset": {"rows": m.get("rows"), "years": m.get("years", []), "built": m.get("built")},
        "levels": state.levels,
        "warm": state.warmed.is_set(),
    }
