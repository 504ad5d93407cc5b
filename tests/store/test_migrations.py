"""Migrations: an empty database comes to head, twice is harmless, the schema equals the
models, and a failing migration leaves the database exactly as it was."""

import shutil

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from wijkradar.errors import WijkradarError
from wijkradar.store.engine import database_url, make_engine
from wijkradar.store.migrate import MIGRATIONS, current, head, require_current, upgrade
from wijkradar.store.models import Base


def test_upgrade_from_empty_twice_and_the_schema_is_the_models(store_url):
    e = make_engine(store_url)
    with pytest.raises(WijkradarError, match="voer eerst `wijkradar db upgrade` uit"):
        require_current(e)
    assert upgrade(e) == (None, head())
    assert upgrade(e) == (head(), head())  # a second run changes nothing
    assert {"accounts", "audit"} <= set(inspect(e).get_table_names())
    with e.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == [], diff  # a model changed without its migration
    e.dispose()


BAD = '''"""A migration that fails halfway."""
import sqlalchemy as sa
from alembic import op

revision = "0099"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("half", sa.Column("id", sa.Integer(), primary_key=True))
    op.add_column("accounts", sa.Column("extra", sa.Integer()))
    op.execute("SELECT * FROM no_such_table")


def downgrade():
    pass
'''


def test_a_failing_migration_leaves_the_database_as_it_was(store_url, tmp_path):
    e = make_engine(store_url)
    upgrade(e)
    scripts = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "0099_bad.py").write_text(BAD.format(down=head()), encoding="utf-8")
    with pytest.raises(WijkradarError, match="de database is ongewijzigd") as exc:
        upgrade(e, script_location=scripts)
    assert "no_such_table" in str(exc.value)
    assert current(e) == head()
    insp = inspect(e)
    assert "half" not in insp.get_table_names()
    assert "extra" not in {c["name"] for c in insp.get_columns("accounts")}
    e.dispose()


def test_database_urls_and_their_messages(tmp_path):
    assert database_url(tmp_path / "x.db") == f"sqlite:///{tmp_path / 'x.db'}"
    assert database_url("postgresql+psycopg://u@h/db").startswith("postgresql+psycopg://")
    with pytest.raises(WijkradarError, match="'mysql' wordt niet ondersteund"):
        database_url("mysql://u@h/db")
    with pytest.raises(WijkradarError, match="ongeldige database-URL"):
        database_url("postgresql+psycopg://u@h:notaport/db")
