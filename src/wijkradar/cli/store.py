"""``wijkradar db …`` and ``wijkradar users …``: the user data store from the shell.

Registered on the main Typer app by :mod:`wijkradar.cli.app`. The database is ``--db`` or
``WIJKRADAR_DB`` (default ``./wijkradar.db``), never inside the dataset directory.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from wijkradar.cli.options import DatasetOpt
from wijkradar.settings import DEFAULT_DATASET

DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database: sqlite:///pad.db, postgresql+psycopg://… of een bestandspad "
        "(standaard WIJKRADAR_DB of ./wijkradar.db).",
    ),
]

db_app = typer.Typer(
    help="De gebruikersdatabase: migreren, back-up, herstel.", no_args_is_help=True
)
users_app = typer.Typer(help="Accounts met een rol en hun token.", no_args_is_help=True)
console = Console()


def _engine(db: str | None):
    from wijkradar.store.engine import make_engine

    return make_engine(db)


@db_app.command("upgrade")
def upgrade(db: DbOpt = None) -> None:
    """Breng de database naar de nieuwste versie (maakt hem aan als hij er niet is).

    Example: wijkradar db upgrade --db wijkradar.db
    """
    from wijkradar.store.engine import describe
    from wijkradar.store.migrate import upgrade as run

    engine = _engine(db)
    before, after = run(engine)
    where = describe(engine.url.render_as_string(hide_password=False))
    if before == after:
        console.print(f"{where}: al op versie {after}")
    else:
        console.print(f"{where}: versie {before or 'leeg'} → {after}")


@db_app.command("current")
def current(db: DbOpt = None) -> None:
    """Toon de versie van de database en die van deze wijkradar.

    Example: wijkradar db current --db postgresql+psycopg://wijkradar@db.intern/wijkradar
    """
    from wijkradar.store.migrate import current as cur
    from wijkradar.store.migrate import head

    console.print(f"database: {cur(_engine(db)) or 'leeg'} · wijkradar: {head()}")


@db_app.command("backup")
def backup(
    file: Annotated[Path, typer.Argument(help="Het back-upbestand (JSON).")], db: DbOpt = None
):
    """Schrijf alle gegevens van de database naar FILE (eerst naar een tijdelijk bestand).

    Example: wijkradar db backup backup-2026-12-03.json
    """
    from wijkradar.store.backup import backup as run

    counts = run(_engine(db), file)
    console.print(f"back-up geschreven: {file} ({_counts(counts)})")


@db_app.command("restore")
def restore(
    file: Annotated[Path, typer.Argument(help="Een back-up van `wijkradar db backup`.")],
    db: DbOpt = None,
):
    """Vervang alle gegevens door die van FILE, in één transactie (mislukt: niets veranderd).

    Example: wijkradar db restore backup-2026-12-03.json
    """
    from wijkradar.store.backup import restore as run

    counts = run(_engine(db), file)
    console.print(f"hersteld uit {file} ({_counts(counts)})")


def _counts(counts: dict) -> str:
    return ", ".join(f"{name}: {n}" for name, n in counts.items())


def _known_gemeenten(dataset: Path) -> list[str] | None:
    """The dataset's gemeenten, to check --gemeente against (None: no dataset built yet)."""
    if not (dataset / "regions.parquet").exists():
        return None
    from wijkradar.dataset import open_dataset

    idx = open_dataset(dataset).region_index.index.astype(str)
    return [c for c in idx if c.startswith("GM")]


@users_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="Naam van het account, bv. wijkteam-feijenoord.")],
    role: Annotated[str, typer.Option("--role", help="editor of admin.")] = "editor",
    gemeente: Annotated[
        list[str] | None,
        typer.Option("--gemeente", help="Gemeente waarvoor het account schrijft (meer mag)."),
    ] = None,
    db: DbOpt = None,
    dataset: DatasetOpt = DEFAULT_DATASET,
) -> None:
    """Maak een account; de laatste regel is het token (alleen nu te zien, bewaar het).

    Example: wijkradar users add wijkteam-feijenoord --role editor --gemeente GM0599
    """
    from wijkradar.store import accounts
    from wijkradar.store.migrate import require_current

    engine = _engine(db)
    require_current(engine)
    info, token = accounts.add(
        engine, name, role=role, gemeenten=gemeente or (), known=_known_gemeenten(dataset)
    )
    gms = ", ".join(info["gemeenten"]) or "alle"
    console.print(f"account {info['name']} (#{info['id']}, {info['role']}, gemeenten: {gms})")
    console.print("token (wordt niet bewaard; dit is de enige keer dat u het ziet):")
    print(token)  # noqa: T201 - the last line, plain, for scripts


@users_app.command("list")
def list_(
    db: DbOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Als JSON.")] = False,
) -> None:
    """Toon de accounts (nooit hun token).

    Example: wijkradar users list --json
    """
    from wijkradar.store import accounts
    from wijkradar.store.migrate import require_current

    engine = _engine(db)
    require_current(engine)
    rows = accounts.accounts(engine)
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))  # noqa: T201
        return
    for r in rows:
        gms = ", ".join(r["gemeenten"]) or "alle"
        state = "" if r["active"] else " (ingetrokken)"
        console.print(f"#{r['id']} {r['name']} · {r['role']} · {gms}{state}")
