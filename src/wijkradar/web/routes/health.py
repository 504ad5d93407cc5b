"""``/api/health``: version, a path-free dataset summary, the years per level, and the facts the
front end reads instead of keeping copies (level order, views, domain order, axes, zoom
buckets)."""

from __future__ import annotations

from fastapi import APIRouter

import wijkradar
from wijkradar.catalogue import DOMAINS
from wijkradar.vocab import AXES, LEVELS, VIEWS
from wijkradar.web.deps import StateDep
from wijkradar.web.mapdata import BUCKETS
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
        "levels_order": list(LEVELS),
        "views": list(VIEWS),
        "domains": list(DOMAINS),
        "axes": list(AXES),
        "buckets": [{"max_zoom": top, "tolerance_m": tol} for top, tol in BUCKETS],
        "warm": state.warmed.is_set(),
    }
