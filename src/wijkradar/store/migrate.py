"""Alembic, driven from code: ``wijkradar db upgrade`` and ``wijkradar db current``.

The whole upgrade runs in one transaction (PostgreSQL and SQLite both have transactional DDL;
see :mod:`wijkradar.store.engine`), so a migration that fails leaves the database exactly as it
was. Running it twice is harmless: the second run finds the database at head.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from wijkradar.errors import WijkradarError
from wijkradar.store.engine import describe

MIGRATIONS = Path(__file__).parent / "migrations"


def _config(connection=None, script_location: Path = MIGRATIONS) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    cfg.attributes["connection"] = connection
    return cfg


def head(script_location: Path = MIGRATIONS) -> str:
    """The newest revision the package ships."""
    return ScriptDirectory.from_config(_config(script_location=script_location)).get_current_head()


def current(engine: Engine) -> str | None:
    """The database's revision (None: an empty or a pre-store database)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, *, script_location: Path = MIGRATIONS) -> tuple[str | None, str]:
    """Bring the database to head; ``(before, after)``. On failure nothing is changed and a
    :class:`WijkradarError` names the database and the cause."""
    before = current(engine)
    try:
        with engine.begin() as conn:
            command.upgrade(_config(conn, script_location), "head")
    except WijkradarError:
        raise
    except Exception as exc:  # the driver's or a migration's error, in words
        raise WijkradarError(
            "migratie van {db} mislukt; de database is ongewijzigd ({revision}): {cause}",
            db=describe(engine.url.render_as_string(hide_password=False)),
            revision=before or "leeg",
            cause=str(exc).splitlines()[0],
        ) from exc
    return before, current(engine) or ""


def require_current(engine: Engine) -> None:
    """A clear message when the database is not at the package's head revision."""
    have, want = current(engine), head()
    if have != want:
        raise WijkradarError(
            "de database {db} staat op versie {have}, deze wijkradar verwacht {want}; "
            "voer eerst `wijkradar db upgrade` uit",
            db=describe(engine.url.render_as_string(hide_password=False)),
            have=have or "leeg",
            want=want,
        )
