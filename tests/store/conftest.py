"""The store tests run on both back ends: a SQLite file, and the PostgreSQL that ``.ci/run``
starts (``WIJKRADAR_TEST_PG``, from ``tools/pg_test_cluster.sh``). Without it PostgreSQL is
skipped locally, never when ``CI`` is set."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from wijkradar.store.engine import make_engine

BACKENDS = ["sqlite", "postgresql"]


def _postgres_url() -> str:
    url = os.environ.get("WIJKRADAR_TEST_PG")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CI must provide PostgreSQL: WIJKRADAR_TEST_PG is not set")
        pytest.skip("no PostgreSQL (set WIJKRADAR_TEST_PG, see tools/pg_test_cluster.sh)")
    return url


@pytest.fixture(params=BACKENDS)
def store_url(request, tmp_path) -> str:
    """An empty database of each back end."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url = _postgres_url()
    engine = make_engine(url)
    with engine.begin() as conn:  # a clean schema for every test
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture
def engine(store_url):
    """An engine on an upgraded (empty) store."""
    from wijkradar.store.migrate import upgrade

    e = make_engine(store_url)
    upgrade(e)
    yield e
    e.dispose()
