"""Alembic's environment: the connection comes from :func:`wijkradar.store.migrate.upgrade`,
already in its transaction."""

from alembic import context

from wijkradar.store.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite alters a table by copying it
    transaction_per_migration=False,
)
with context.begin_transaction():
    context.run_migrations()
