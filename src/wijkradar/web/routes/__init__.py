"""API routes, one module per resource; each route is a thin shell over one call."""

from wijkradar.web.routes import dynamics, export, health, indicators, maps, regions, signals

ROUTERS = (
    health.router,
    indicators.router,
    regions.router,
    signals.router,
    maps.router,
    export.router,
    dynamics.router,
)
