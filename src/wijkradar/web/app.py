"""The FastAPI app: ``create_app(settings)`` builds it; nothing is created at import time.

The dataset named by ``settings.dataset`` is opened once at startup (lifespan) and kept on
``app.state.web`` (a :class:`~wijkradar.web.deps.WebState`); routes reach it through the
``StateDep`` dependency. The front end in ``wijkradar/web/static`` is served at ``/``.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware
from starlette.staticfiles import StaticFiles

import wijkradar
from wijkradar.settings import Settings
from wijkradar.web.errors import CatchAllMiddleware, GuardMiddleware, install_handlers

STATIC = Path(__file__).parent / "static"

DESCRIPTION = (
    "Alleen-lezen JSON-API van wijkradar: signalen, profielen, kaartlagen en downloads. "
    "Elke fout heeft dezelfde vorm: `{ok: false, status, error, errors: [{loc, msg}]}`. "
    "Bron: CBS, Kadaster, Leefbaarometer (BZK)."
)


def create_app(settings: Settings, *, warm_clusters: bool = True) -> FastAPI:
    """Build the web app over the dataset in ``settings.dataset``.

    Parameters
    ----------
    settings
        Settings; ``settings.dataset`` is the built dataset directory.
    warm_clusters
        Compute the LISA clusters of the default buurt and wijk years in a background thread
        at startup (the first computation in a process takes ~17 s of numba compiling);
        profiles omit ``clusters`` and carry ``"clusters_pending": true`` until they are ready.

    Raises
    ------
    DataNotFoundError
        At startup, when ``settings.dataset`` holds no dataset.
    """
    from wijkradar.dataset import open_dataset
    from wijkradar.web.deps import WebState
    from wijkradar.web.routes import ROUTERS

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        state = WebState(open_dataset(settings.dataset), warm_clusters=warm_clusters)
        app.state.web = state
        state.warm_signals()
        if warm_clusters:
            state.warm()
        try:
            yield
        finally:
            state.shutdown()

    app = FastAPI(
        title="wijkradar",
        version=wijkradar.__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
    )
    install_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    # Added last = outermost: the guard answers before anything else runs.
    app.add_middleware(CatchAllMiddleware)
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(GuardMiddleware)
    app.mount("/", StaticFiles(directory=STATIC, html=True, check_dir=False), name="static")
    return app


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` and multi-worker serving: settings from the
    environment (``WIJKRADAR_DATASET`` …), read in each worker process."""
    settings = Settings()
    return create_app(settings, warm_clusters=settings.warm_clusters)
