"""The database URL and its engine.

``WIJKRADAR_DB`` (or ``--db``): a SQLAlchemy URL, or a plain path taken as a SQLite file;
default ``./wijkradar.db``. SQLite gets foreign keys on and a busy timeout, so two processes
on one file wait for each other instead of failing.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from wijkradar.errors import WijkradarError

DEFAULT_DB = "wijkradar.db"
BACKENDS = ("sqlite", "postgresql")


def database_url(db: str | Path | None = None) -> str:
    """The URL of ``db`` (a URL or a file path), else of ``WIJKRADAR_DB``, else the default."""
    if db is None:
        from wijkradar.settings import get_settings

        db = get_settings().db or DEFAULT_DB
    text = str(db).strip()
    if "://" not in text:
        return f"sqlite:///{Path(text).expanduser()}"
    try:
        url = make_url(text)
    except (ArgumentError, ValueError):
        raise WijkradarError(
            "ongeldige database-URL {url!r}; verwacht bv. sqlite:///wijkradar.db of "
            "postgresql+psycopg://gebruiker@host/naam",
            url=text,
        ) from None
    if url.get_backend_name() not in BACKENDS:
        raise WijkradarError(
            "database {backend!r} wordt niet ondersteund; kies sqlite of postgresql",
            backend=url.get_backend_name(),
        )
    return text


def _sqlite_connect(dbapi_connection, _record) -> None:
    # the driver's own transaction handling would commit DDL on the spot: SQLAlchemy's recipe
    # for transactional DDL on SQLite (BEGIN ourselves), so a failed migration rolls back whole
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def _sqlite_begin(conn) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")  # the writer's lock at once: no lost update


def make_engine(db: str | Path | None = None) -> Engine:
    """An engine for ``db`` (:func:`database_url`)."""
    url = database_url(db)
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def describe(url: str) -> str:
    """The URL without its password, for messages."""
    return make_url(url).render_as_string(hide_password=True)
