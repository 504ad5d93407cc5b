"""``wijkradar programme import FILE``: programmes from a TOML or CSV file.

TOML: one ``[[programme]]`` table per programme with the fields of
:data:`wijkradar.store.programmes.FIELDS` (``goals`` as ``"indicator:down"`` strings or
tables, ``budget`` as a table year → amount). CSV (``;`` or ``,`` separated, as Dutch Excel
writes it): one row per programme; ``areas``, ``goals`` and ``partners`` list their items
separated by ``|``. Every programme of the file is checked before any is stored, and all are
stored in one transaction.
"""

from __future__ import annotations

import csv
import io
import tomllib
from pathlib import Path

from wijkradar.errors import WijkradarError

LIST_FIELDS = ("areas", "goals", "partners")


def read_programmes(path: Path) -> list[dict]:
    """The programme specs in ``path`` (``.toml`` or ``.csv``), with the row or table they
    came from in a message when one is malformed."""
    path = Path(path)
    if not path.exists():
        raise WijkradarError("bestand {path} bestaat niet", path=str(path))
    if path.suffix.lower() == ".toml":
        return _toml(path)
    if path.suffix.lower() == ".csv":
        return _csv(path)
    raise WijkradarError(
        "{path}: onbekend bestandstype {suffix!r}; verwacht .toml of .csv",
        path=str(path),
        suffix=path.suffix,
    )


def _toml(path: Path) -> list[dict]:
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise WijkradarError(
            "{path}: geen geldige TOML ({cause})", path=str(path), cause=str(exc)
        ) from None
    items = doc.get("programme")
    if not isinstance(items, list) or not items:
        raise WijkradarError("{path}: geen [[programme]]-tabellen gevonden", path=str(path))
    return [dict(p) for p in items]


def _csv(path: Path) -> list[dict]:
    text = path.read_text(encoding="utf-8-sig")
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=";,")
    except (csv.Error, IndexError):
        raise WijkradarError("{path}: lege of onleesbare CSV", path=str(path)) from None
    rows = list(csv.DictReader(io.StringIO(text), dialect=dialect))
    if not rows:
        raise WijkradarError("{path}: geen programma's (alleen een kopregel)", path=str(path))
    if "name" not in rows[0]:
        raise WijkradarError(
            "{path}: kolom 'name' ontbreekt; kolommen: {cols}",
            path=str(path),
            cols=", ".join(rows[0]),
        )
    out = []
    for row in rows:
        spec = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        for k in LIST_FIELDS:
            if k in spec:
                spec[k] = [x.strip() for x in spec[k].split("|") if x.strip()]
        out.append({k: v for k, v in spec.items() if v not in ("", [])})
    return out
