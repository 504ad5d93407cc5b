"""``wijkradar db backup FILE`` / ``wijkradar db restore FILE``.

One portable format for both back ends: a JSON document with the schema revision and every
table's rows (a SQLite store can be restored into PostgreSQL and back). A backup is written to
a temporary file beside ``FILE`` and then swapped in; a restore replaces every row in one
transaction and adds its audit row, or changes nothing.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from sqlalchemy import DateTime, Engine, delete, insert, select, text

from wijkradar.errors import WijkradarError
from wijkradar.files import atomic_path
from wijkradar.store.audit import record
from wijkradar.store.migrate import current, require_current
from wijkradar.store.models import Base

FORMAT = "wijkradar-store"


def _cell(value):
    return value.isoformat() if isinstance(value, datetime) else value


def backup(engine: Engine, path: Path) -> dict:
    """Write the store to ``path``; the counts per table."""
    require_current(engine)
    tables = {}
    with engine.connect() as conn:
        for t in Base.metadata.sorted_tables:
            rows = conn.execute(select(t).order_by(*t.primary_key.columns)).mappings()
            tables[t.name] = [{k: _cell(v) for k, v in r.items()} for r in rows]
    doc = {"format": FORMAT, "revision": current(engine), "tables": tables}
    with atomic_path(Path(path)) as tmp:
        Path(tmp).write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return {name: len(rows) for name, rows in tables.items()}


def _load(path: Path) -> dict:
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise WijkradarError("back-upbestand {path} bestaat niet", path=str(path)) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WijkradarError(
            "{path} is geen wijkradar-back-up (geen geldige JSON: {cause})",
            path=str(path),
            cause=str(exc),
        ) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise WijkradarError(
            "{path} is geen wijkradar-back-up (verwacht format {format!r})",
            path=str(path),
            format=FORMAT,
        )
    return doc


def _rows(table, rows: list[dict], path: Path) -> list[dict]:
    names = {c.name for c in table.columns}
    out = []
    for i, row in enumerate(rows, 1):
        unknown = set(row) - names
        if unknown:
            raise WijkradarError(
                "{path}: tabel {table}, rij {row}: onbekende kolommen {cols}",
                path=str(path),
                table=table.name,
                row=i,
                cols=sorted(unknown),
            )
        r = dict(row)
        for c in table.columns:
            if isinstance(c.type, DateTime) and isinstance(r.get(c.name), str):
                r[c.name] = datetime.fromisoformat(r[c.name])
        out.append(r)
    return out


def restore(engine: Engine, path: Path, *, actor: str = "cli") -> dict:
    """Replace the store's rows with those of the backup ``path``; the counts per table."""
    from sqlalchemy.orm import Session

    doc = _load(path)
    require_current(engine)
    if doc.get("revision") != current(engine):
        raise WijkradarError(
            "back-up {path} heeft schemaversie {have}, de database {want}; herstel met de "
            "wijkradar-versie van de back-up of migreer eerst",
            path=str(path),
            have=doc.get("revision"),
            want=current(engine),
        )
    tables = Base.metadata.sorted_tables
    data = {t.name: _rows(t, doc["tables"].get(t.name, []), path) for t in tables}
    with Session(engine) as s, s.begin():
        for t in reversed(tables):
            s.execute(delete(t))
        for t in tables:
            if data[t.name]:
                s.execute(insert(t), data[t.name])
        if engine.dialect.name == "postgresql":  # ids were given: move the sequences on
            for t in tables:
                s.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{t.name}', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM {t.name}), 0) + 1, false)"
                    )
                )
        record(
            s,
            actor=actor,
            action="restore",
            entity="store",
            key=Path(path).name,
            detail={name: len(rows) for name, rows in data.items()},
        )
    return {name: len(rows) for name, rows in data.items()}
