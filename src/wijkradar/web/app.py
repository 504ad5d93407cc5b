"""The FastAPI app: ``create_app(settings)`` builds it; nothing is created at import time.

The dataset named by ``settings.dataset`` is opened once at startup (lifespan) and kept on
``app.state.web`` (a :class:`~wijkradar.web.state.WebState`); routes reach it through the
``StateDep`` dependency. The front end in ``wijkradar/web/static`` is served at ``/``.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path

from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware
from starlette.staticfiles import StaticFiles

import wijkradar
from wijkradar.settings import Settings
from wijkradar.web.errors import CatchAllMiddleware, GuardMiddleware, install_handlers
from wijkradar.web.language import LanguageMiddleware

STATIC = Path(__file__).parent / "static"

DESCRIPTION = (
    "Alleen-lezen JSON-API van wijkradar: signalen, profielen, kaartlagen en downloads. "
    "Elke fout heeft dezelfde vorm: `{ok: false, status, error, errors: [{loc, msg}]}`. "
    "Bron: CBS, Kadaster, Leefbaarometer (BZK)."
)


def create_app(settings: Settings) -> FastAPI:
    """Build the web app over the dataset in ``settings.dataset``.

    Parameters
    ----------
    settings
        Settings; ``settings.dataset`` is the built dataset directory. With
        ``settings.warm_clusters`` the LISA clusters of the default buurt and wijk years are
        computed in a background thread at startup (the first computation in a process takes
        ~17 s of numba compiling); profiles omit ``clusters`` and carry
        ``"clusters_pending": true`` until they are ready.

    Raises
    ------
    DataNotFoundError
        At startup, when ``settings.dataset`` holds no dataset.
    """
    from wijkradar.dataset import open_dataset
    from wijkradar.web.routes import ROUTERS
    from wijkradar.web.state import WebState

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        state = WebState(open_dataset(settings.dataset), warm_clusters=settings.warm_clusters)
        app.state.web = state
        state.warm_signals()
        if settings.warm_clusters:
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
    app.add_middleware(LanguageMiddleware)
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(GuardMiddleware)
    app.mount("/", StaticFiles(directory=STATIC, html=True, check_dir=False), name="static")
    return app


def serve_app(
    settings: Settings, *, host: str, port: int, workers: int = 1, log_level: str = "warning"
) -> None:
    """Serve the app with uvicorn; with ``workers`` > 1 in that many processes.

    Each worker process builds its own app from the same ``settings`` (handed to the worker
    as the factory's argument, not through the environment).
    """
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(
        partial(create_app, settings),
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
    )
    if workers > 1:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        uvicorn.Server(config).run()


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` and multi-worker serving: settings from the
    environment (``WIJKRADAR_DATASET`` …), read in each worker process."""
    return create_app(Settings())
