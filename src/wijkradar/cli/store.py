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


def _store(db: str | None):
    """The engine of a store at this wijkradar's schema version (else: run db upgrade)."""
    from wijkradar.store.migrate import require_current

    engine = _engine(db)
    require_current(engine)
    return engine


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

    engine = _store(db)
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

    engine = _store(db)
    rows = accounts.accounts(engine)
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))  # noqa: T201
        return
    for r in rows:
        gms = ", ".join(r["gemeenten"]) or "alle"
        state = "" if r["active"] else " (ingetrokken)"
        console.print(f"#{r['id']} {r['name']} · {r['role']} · {gms}{state}")


programme_app = typer.Typer(
    help="Gebiedsprogramma's: gebieden, looptijd, doelen, partners.", no_args_is_help=True
)
NameArg = Annotated[str, typer.Argument(help="Naam van het programma.")]


def _known(dataset: Path):
    """What the dataset knows, to check a programme against (the store does not read it)."""
    from wijkradar.dataset import open_dataset
    from wijkradar.errors import WijkradarError
    from wijkradar.store.programmes import AREA_LEVELS, Known

    if not (dataset / "regions.parquet").exists():
        raise WijkradarError(
            "geen dataset in {path}: bouw er eerst een (wijkradar build) of geef --dataset",
            path=str(dataset),
        )
    ds = open_dataset(dataset)
    idx = ds.region_index
    areas = {
        str(code): (str(r.level), r.gemeente_code, r.first_year, r.last_year)
        for code, r in zip(idx.index, idx.itertuples(index=False), strict=True)
    }
    return Known(
        areas=areas,
        indicators=set(ds.indicators.meta),
        years={lvl: ds.years(lvl) for lvl in AREA_LEVELS},
    )


def _show(p: dict) -> None:
    end = p["end"] or "lopend"
    console.print(f"[bold]{p['name']}[/bold] ({p['organisation'] or '—'}), {p['start']}–{end}")
    console.print(f"  gebieden: {', '.join(p['areas'])}")
    for g in p["goals"]:
        target = f", streefwaarde {g['target']}" if "target" in g else ""
        console.print(f"  doel: {g['indicator']} {g['direction']}{target}")
    if p["partners"]:
        console.print(f"  partners: {', '.join(p['partners'])}")
    console.print(f"  versie {p['version']}")


@programme_app.command("add")
def programme_add(
    name: Annotated[str, typer.Option("--name", help="Naam, bv. 'Hoogvliet vernieuwt'.")],
    areas: Annotated[str, typer.Option("--areas", help="Buurt- en wijkcodes, komma's ertussen.")],
    start: Annotated[int, typer.Option("--start", help="Startjaar.")],
    end: Annotated[int | None, typer.Option("--end", help="Eindjaar (leeg: lopend).")] = None,
    goal: Annotated[
        list[str] | None,
        typer.Option("--goal", help="indicator:down of indicator:up[:streefwaarde]; meer mag."),
    ] = None,
    organisation: Annotated[str, typer.Option("--organisation", help="Wie het draagt.")] = "",
    partner: Annotated[
        list[str] | None, typer.Option("--partner", help="Partner; meer mag.")
    ] = None,
    notes: Annotated[str, typer.Option("--notes", help="Toelichting.")] = "",
    db: DbOpt = None,
    dataset: DatasetOpt = DEFAULT_DATASET,
) -> None:
    """Leg een programma vast, gecontroleerd tegen de dataset.

    Example: wijkradar programme add --name Hoogvliet --areas WK059916 --start 2014
    --goal low_income_households_pct:down
    """
    from wijkradar.store import programmes

    engine = _store(db)
    spec = {
        "name": name, "organisation": organisation, "areas": areas.split(","), "start": start,
        "end": end, "goals": goal or [], "partners": partner or [], "notes": notes,
    }  # fmt: skip
    _show(programmes.add(engine, spec, _known(dataset)))


@programme_app.command("import")
def programme_import(
    file: Annotated[
        Path, typer.Argument(help="TOML ([[programme]]) of CSV (één rij per programma).")
    ],
    db: DbOpt = None,
    dataset: DatasetOpt = DEFAULT_DATASET,
) -> None:
    """Lees programma's uit een bestand: alle of geen (één transactie).

    Example: wijkradar programme import programmas.toml
    """
    from wijkradar.store import programmes
    from wijkradar.store.programme_files import read_programmes

    engine = _store(db)
    specs = read_programmes(file)
    done = programmes.add_many(engine, specs, _known(dataset), source=file.name)
    console.print(f"{len(done)} programma's vastgelegd uit {file}")


@programme_app.command("list")
def programme_list(db: DbOpt = None) -> None:
    """Toon de programma's.

    Example: wijkradar programme list
    """
    from wijkradar.store import programmes

    engine = _store(db)
    for p in programmes.programmes(engine):
        _show(p)


@programme_app.command("show")
def programme_show(
    name: NameArg,
    db: DbOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Als JSON.")] = False,
) -> None:
    """Toon één programma.

    Example: wijkradar programme show Hoogvliet --json
    """
    from wijkradar.store import programmes

    engine = _store(db)
    p = programmes.get(engine, name)
    if as_json:
        print(json.dumps(p, ensure_ascii=False, indent=1))  # noqa: T201
    else:
        _show(p)


@programme_app.command("delete")
def programme_delete(name: NameArg, db: DbOpt = None) -> None:
    """Verwijder een programma (het blijft in het audit-spoor).

    Example: wijkradar programme delete Hoogvliet
    """
    from wijkradar.store import programmes

    engine = _store(db)
    gone = programmes.delete(engine, name)
    console.print(f"programma {gone['name']} verwijderd")
