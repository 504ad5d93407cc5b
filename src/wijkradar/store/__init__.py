"""The user data store: what users add, kept apart from the rebuilt dataset.

``wijkradar build`` rewrites the dataset directory; it never touches this database. SQLite
(``WIJKRADAR_DB``, default ``./wijkradar.db``) is the embedded default, PostgreSQL
(``WIJKRADAR_DB=postgresql+psycopg://…``) the multi-user server. The schema is SQLAlchemy 2
(:mod:`wijkradar.store.models`), changed only by Alembic migrations
(:mod:`wijkradar.store.migrate`); every write goes with a row in the audit table
(:mod:`wijkradar.store.audit`) in the same transaction.

* :mod:`~wijkradar.store.engine` — the database URL and its engine;
* :mod:`~wijkradar.store.migrate` — ``wijkradar db upgrade`` / ``current``;
* :mod:`~wijkradar.store.backup` — ``wijkradar db backup FILE`` / ``restore FILE``;
* :mod:`~wijkradar.store.accounts` — ``wijkradar users add`` and the bearer tokens.
"""
