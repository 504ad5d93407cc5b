"""The ``wijkradar`` command: a thin Typer shell over the library.

Every command parses its options, calls one library function and renders the result; one
handler (:func:`main`) turns any :class:`~wijkradar.errors.WijkradarError` into a message and
a non-zero exit code without a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console

from wijkradar.cli import dynamics, store
from wijkradar.cli.options import (
    DataOpt,
    DatasetOpt,
    LangOpt,
    LevelOpt,
    PortOpt,
    TextFormat,
    ViewOpt,
)
from wijkradar.errors import WijkradarError
from wijkradar.settings import DEFAULT_DATASET
from wijkradar.vocab import TableFormat

app = typer.Typer(
    name="wijkradar",
    help="Veerkracht van buurten: van CBS-bestanden naar één panel, signalen en profielen.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err = Console(stderr=True)


def _data_dir(data: Path | None) -> Path:
    if data is not None:
        return data
    from wijkradar.settings import get_settings

    d = get_settings().data
    if d is None:
        raise WijkradarError("geen databron: geef --data DIR of zet WIJKRADAR_DATA")
    return d


def _progress():
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


@app.command()
def build(
    data: DataOpt = None,
    out: Annotated[
        Path, typer.Option("--out", help="Doelmap van de dataset.", envvar="WIJKRADAR_DATASET")
    ] = DEFAULT_DATASET,
) -> None:
    """Bouw de dataset (panel, gebieden, kwaliteitsrapport) uit alle bronbestanden.

    Example: wijkradar build --data ../shared/data --out wijkradar-data
    """
    from wijkradar.panel.build import build as build_dataset

    with _progress() as bar:
        task = bar.add_task("bouwen", total=None)

        def progress(label: str, done: int, total: int | None) -> None:
            bar.update(task, description=label, completed=done, total=total)

        result = build_dataset(_data_dir(data), out, progress=progress)
    t = result.report.totals
    console.print(
        f"[green]Dataset gebouwd[/green] in {result.path} — {t['rows']:,} rijen, "
        f"{t['regions']:,} gebieden, jaren {t['years']}, {t['files']} bestanden, "
        f"{len(result.report.rejected):,} rijen afgewezen ({result.seconds:.1f} s)."
    )
    console.print(f"Kwaliteitsrapport: {result.path / 'quality.txt'}")


@app.command()
def quality(
    dataset: DatasetOpt = DEFAULT_DATASET,
    as_json: Annotated[bool, typer.Option("--json", help="Als JSON.")] = False,
) -> None:
    """Toon het datakwaliteitsrapport van een dataset (bestanden, dekking, reeksbreuken).

    Example: wijkradar quality --dataset wijkradar-data
    """
    from wijkradar.panel.store import resolve_dataset

    path = resolve_dataset(dataset)
    name = "quality.json" if as_json else "quality.txt"
    sys.stdout.write((path / name).read_text(encoding="utf-8"))


@app.command()
def indicators(
    lang: LangOpt = "nl",
    search: Annotated[
        str, typer.Option("--search", help="Alleen indicatoren met deze woorden, bv. inkomen.")
    ] = "",
    as_csv: Annotated[bool, typer.Option("--csv", help="Als CSV.")] = False,
) -> None:
    """Toon de indicatorcatalogus per domein en onderwerp (id, label, eenheid, soort, drempel).

    Example: wijkradar indicators --search inkomen
    """
    from rich.table import Table

    from wijkradar.catalogue import load_catalogue

    frame = load_catalogue().listing(search, lang)
    if as_csv:
        sys.stdout.write(frame.to_csv(index=False))
        return
    if frame.empty:
        raise WijkradarError(
            "geen indicator met {search}; probeer een ander woord", search=repr(search)
        )
    for (domain, topic), part in frame.groupby(["domain_label", "topic_label"], sort=False):
        table = Table(title=f"{domain} · {topic}", title_justify="left", title_style="bold")
        table.add_column("id", no_wrap=True)
        table.add_column("label", ratio=1)
        for col in ("eenheid", "soort", "richting", "gewicht", "drempel"):
            table.add_column(col)
        for r in part.itertuples(index=False):
            label = r.label + (" (migratieachtergrond: alleen context)" if r.sensitive else "")
            table.add_row(
                r.id, label, r.unit, r.kind, r.direction, f"{r.weight:g}", r.suppress_below
            )
        console.print(table)
    console.print(f"{len(frame)} indicatoren")


@app.command("propose-indicators")
def propose_indicators(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="CBS DataProperties/MeasureCodes JSON of een databestand.", exists=True
        ),
    ],
    out: Annotated[
        Path | None, typer.Option("--out", help="Map voor de concept-CSV's (anders alleen tonen).")
    ] = None,
) -> None:
    """Stel catalogusregels voor uit CBS-metadata, voor kolommen die de catalogus nog niet kent.

    Example: wijkradar propose-indicators 85984NED_DataProperties.json --out concept
    """
    from wijkradar.catalogue import load_catalogue
    from wijkradar.sources.codebook import harvest, propose

    drafts, spellings, report = propose(harvest(files), load_catalogue())
    for source, key, unit, verdict in report:
        if not verdict.startswith(("NEW", "AMBIGUOUS")):
            continue
        console.print(
            f"{Path(source).name}: {key}" + (f" ({unit})" if unit else "") + f" → {verdict}"
        )
    known = sum(1 for r in report if not r[3].startswith(("NEW", "AMBIGUOUS")))
    console.print(f"{known} kolommen bekend, {len(drafts)} nieuwe indicatoren voorgesteld")
    if out is not None and len(drafts):
        out.mkdir(parents=True, exist_ok=True)
        drafts.to_csv(out / "indicators.draft.csv", index=False)
        spellings.to_csv(out / "sources.draft.csv", index=False)
        console.print(
            f"concept: {out / 'indicators.draft.csv'}, {out / 'sources.draft.csv'} "
            "(vul label_en, domein, richting en drempel aan vóór gebruik)"
        )


@app.command()
def fetch(
    to: Annotated[Path, typer.Option("--to", help="Doelmap (zoals ../shared/data).")],
    years: Annotated[
        str | None,
        typer.Option("--years", help="Jaren, bv. 2017-2024 of 2019,2021 (niet voor alleen cpi)."),
    ] = None,
    what: Annotated[
        str, typer.Option("--what", help="kwb,geometry,police,leefbaarometer; cpi op verzoek")
    ] = "kwb,geometry,police,leefbaarometer",
    regions: Annotated[
        str | None, typer.Option("--regions", help="Alleen deze gemeente, bv. GM0363.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Ook complete bestanden opnieuw.")] = False,
    api: Annotated[
        str,
        typer.Option(
            "--api",
            help="CBS OData voor de KWB: auto (v3, bij storing v4), v3 of v4.",
        ),
    ] = "auto",
) -> None:
    """Download KWB-tabellen, grenzen, politiecijfers en Leefbaarometer naar een map; met
    --what cpi ook de consumentenprijsindex (CBS 83131NED, prices/cpi.csv).

    Example: wijkradar fetch --years 2017-2024 --to data
    """
    from wijkradar.sources.fetch import (
        APIS,
        CHOICES,
        YEARLESS,
        FetchPlan,
        parse_regions,
        parse_years,
    )
    from wijkradar.sources.fetch import fetch as fetch_all

    parts = tuple(w.strip() for w in what.split(","))
    try:
        year_list = parse_years(years) if years is not None else ()
    except WijkradarError as exc:
        raise WijkradarError("--years {years}: {problem}", years=years, problem=exc) from None
    needs_years = set(parts) <= set(CHOICES) and not set(parts) <= set(YEARLESS)
    if not year_list and needs_years:  # an unknown --what is FetchPlan's to name
        raise WijkradarError("--years is nodig voor {what}, bv. --years 2017-2024", what=what)
    FetchPlan(years=year_list, to=to, what=parts)
    parse_regions(regions)
    if api not in APIS:
        raise WijkradarError(
            "--api moet een van {choices} zijn, niet {api}", choices=", ".join(APIS), api=repr(api)
        )
    with _progress() as bar:
        tasks: dict[str, int] = {}

        def progress(label: str, done: int, total: int | None) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(label, total=total)
            bar.update(tasks[label], completed=done, total=total)

        report = fetch_all(
            year_list,
            to,
            what=parts,
            progress=progress,
            regions=regions,
            force=force,
            api=api,
        )
    console.print(
        f"{len(report.written)} bestanden opgehaald, {len(report.skipped)} al compleet, "
        f"{len(report.failed)} mislukt → {to}"
    )
    for f in report.failed:
        err.print(f"[red]mislukt:[/red] {f.what} {f.target}: {f.error}")
    report.raise_on_failure()


@app.command()
def demo(
    data: DataOpt = None,
    dataset: DatasetOpt = DEFAULT_DATASET,
    level: LevelOpt = "buurt",
    port: PortOpt = 8000,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Niet daarna de webapp starten (voor scripts).")
    ] = False,
) -> None:
    """Bouw de dataset, toon per gemeente de buurten die aandacht vragen, en start de webapp.

    Example: wijkradar demo --data ../shared/data   (daarna http://127.0.0.1:8000)
    """
    from wijkradar.dataset import open_dataset
    from wijkradar.outputs.text import demo_summary

    build(data=data, out=dataset)
    ds = open_dataset(dataset)
    quality_text = (ds.path / "quality.txt").read_text(encoding="utf-8")
    console.print("\n".join(quality_text.splitlines()[:4]))
    console.print(demo_summary(ds, level=level))
    console.print(
        "Een signaal opent een gesprek; het is geen oordeel over bewoners. "
        "Bron: CBS, Kadaster, Leefbaarometer (BZK). Meer: wijkradar signals --help, "
        "wijkradar profile CODE, docs/method.md."
    )
    if not no_serve:
        serve(host="127.0.0.1", port=port, dataset=dataset)


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Adres om op te luisteren.")] = "127.0.0.1",
    port: PortOpt = 8000,
    dataset: DatasetOpt = DEFAULT_DATASET,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            help="Aantal serverprocessen (elk met een eigen kopie van de dataset in het geheugen).",
            min=1,
            max=16,
        ),
    ] = 1,
) -> None:
    """Start de webapp (kaart, profielen, JSON-API met documentatie op /docs).

    Example: wijkradar serve --host 127.0.0.1 --port 8000 --dataset wijkradar-data
    """
    from wijkradar.panel.store import resolve_dataset
    from wijkradar.settings import Settings
    from wijkradar.web.app import serve_app

    # Every WIJKRADAR_* setting holds; --dataset (or its default) names the dataset.
    settings = Settings(dataset=resolve_dataset(dataset).resolve())
    console.print(f"wijkradar op http://{host}:{port}  (API-documentatie: /docs; stoppen: Ctrl+C)")
    serve_app(settings, host=host, port=port, workers=workers)


@app.command()
def signals(
    level: LevelOpt = "buurt",
    year: Annotated[
        int | None,
        typer.Option("--year", help="Signaaljaar (standaard het laatste jaar met gegevens)."),
    ] = None,
    gemeente: Annotated[
        str | None, typer.Option("--gemeente", help="Alleen deze gemeente, bv. GM0363.")
    ] = None,
    view: ViewOpt = "absolute",
    fmt: Annotated[TableFormat, typer.Option("--format", help="table, csv of json.")] = "table",
    lang: LangOpt = "nl",
    rules: Annotated[Path | None, typer.Option("--rules", help="Eigen signals.toml.")] = None,
    dataset: DatasetOpt = DEFAULT_DATASET,
) -> None:
    """Signaleringskaart: scores, trends en signaal met redenen per gebied.

    Example: wijkradar signals --level buurt --gemeente GM0363 --format csv
    """
    from wijkradar.catalogue.rules import load_rules
    from wijkradar.dataset import open_dataset
    from wijkradar.dataset.tables import signals_table
    from wijkradar.outputs.text import render_signals

    ds = open_dataset(dataset)
    if year is None and gemeente:
        year = ds.latest_year(level, gemeente=gemeente)
    res = ds.signals(level=level, year=year, view=view, rules=load_rules(rules) if rules else None)
    table = signals_table(ds, res, gemeente=gemeente, lang=lang)
    sys.stdout.write(render_signals(table, fmt, lang=lang))


@app.command()
def profile(
    code: Annotated[str, typer.Argument(help="CBS-code, bv. BU03630001 of WK059916.")],
    fmt: Annotated[TextFormat, typer.Option("--format", help="text of json.")] = "text",
    year: Annotated[int | None, typer.Option("--year", help="Signaaljaar.")] = None,
    view: ViewOpt = "absolute",
    lang: LangOpt = "nl",
    dataset: DatasetOpt = DEFAULT_DATASET,
) -> None:
    """Alles over één gebied: reeksen, scores, trends, signaal, redenen, clusters, buren.

    Example: wijkradar profile BU03630001 --format json
    """
    import json

    from wijkradar.dataset import open_dataset
    from wijkradar.outputs.text import render_text

    prof = open_dataset(dataset).profile(code, year=year, view=view)
    if fmt == "json":
        sys.stdout.write(json.dumps(prof, ensure_ascii=False, indent=2, default=str) + "\n")
    else:
        sys.stdout.write(render_text(prof, lang=lang))


@app.command()
def actions(
    code: Annotated[str, typer.Argument(help="CBS-code, bv. BU03630001 of WK059916.")],
    fmt: Annotated[TextFormat, typer.Option("--format", help="text of json.")] = "text",
    year: Annotated[int | None, typer.Option("--year", help="Signaaljaar.")] = None,
    view: ViewOpt = "absolute",
    lang: LangOpt = "nl",
    matrix: Annotated[Path | None, typer.Option("--matrix", help="Eigen actions.toml.")] = None,
    dataset: DatasetOpt = DEFAULT_DATASET,
) -> None:
    """Actiekaders voor één gebied: welke kaders, waarom (de cijfers), interventies, bronnen.

    Example: wijkradar actions BU03632702 --lang en
    """
    from wijkradar.catalogue.actions import load_action_matrix
    from wijkradar.dataset import open_dataset
    from wijkradar.outputs.text import render_actions

    m = load_action_matrix(matrix) if matrix else None
    d = open_dataset(dataset).actions_dict(code, lang=lang, year=year, view=view, matrix=m)
    sys.stdout.write(render_actions(d, fmt, lang=lang))


@app.command()
def report(
    code: Annotated[str | None, typer.Argument(help="CBS-code (of --gemeente: een reeks).")] = None,
    output: Annotated[
        Path, typer.Option("--output", help="FILE.pdf, FILE.html of een map.")
    ] = Path("wijkprofiel.pdf"),
    gemeente: Annotated[
        str | None, typer.Option("--gemeente", help="Alle gebieden van deze gemeente.")
    ] = None,
    level: Annotated[
        Literal["buurt", "wijk"] | None, typer.Option("--level", help="buurt of wijk.")
    ] = None,
    fmt: Annotated[
        Literal["pdf", "html"] | None, typer.Option("--format", help="pdf of html.")
    ] = None,
    lang: LangOpt = "nl",
    dataset: DatasetOpt = DEFAULT_DATASET,
) -> None:
    """Wijkprofiel als PDF of HTML (A4): signaal, trends, actiekaders, bronnen.

    Example: wijkradar report BU03632702 --output parooldriehoek.pdf
    """
    from wijkradar.dataset import open_dataset
    from wijkradar.outputs.report import render_batch, render_report

    if (code is None) == (gemeente is None):
        raise WijkradarError("geef een CODE of --gemeente GM.... --level buurt|wijk (niet beide)")
    ds = open_dataset(dataset)
    if code:
        path = render_report(ds, code, output, lang=lang, fmt=fmt, level=level)
        console.print(f"Wijkprofiel geschreven: {path}")
        return
    with _progress() as bar:
        task = bar.add_task("wijkprofielen", total=None)
        res = render_batch(
            ds,
            gemeente,
            level or "buurt",
            output,
            lang=lang,
            fmt=fmt or "pdf",
            progress=lambda label, done, total: bar.update(
                task, description=label or "klaar", completed=done, total=total
            ),
        )
    console.print(f"{len(res.done)} wijkprofielen in {output}, {len(res.failed)} mislukt")
    for c, msg in res.failed.items():
        err.print(f"[red]mislukt:[/red] {c}: {msg}")
    if res.interrupted:
        err.print(f"[red]onderbroken:[/red] {len(res.not_done)} niet gemaakt ({res.not_done[0]} …)")
    if not res.ok:
        raise SystemExit(1)


for _command in (dynamics.transitions, dynamics.movers, dynamics.warning):
    app.command()(_command)
app.add_typer(store.db_app, name="db")
app.add_typer(store.users_app, name="users")
app.add_typer(store.programme_app, name="programme")


def main() -> None:
    """Entry point: run the app with one error handler for every wijkradar error."""
    try:
        app()
    except WijkradarError as exc:
        from rich.markup import escape

        from wijkradar.settings import get_settings
        from wijkradar.wording import words

        w = words(get_settings().lang)
        label = escape(w._("fout:"))
        err.print(f"[red]{label}[/red] {escape(exc.render(w))}", highlight=False, soft_wrap=True)
        raise SystemExit(1) from None


@app.command()
def validate(
    dataset: DatasetOpt = DEFAULT_DATASET,
    output: Annotated[
        Path,
        typer.Option("--output", help="Markdown-rapport; de figuren komen in een map ernaast."),
    ] = Path("docs/validation.md"),
    index: Annotated[
        list[Path] | None,
        typer.Option(
            "--index",
            help="CSV met een kolom code en één kolom met getallen (bv. een sociale index); "
            "meer dan eens mag.",
        ),
    ] = None,
    lang: LangOpt = "nl",
) -> None:
    """Validatierapport: terugblik op de Leefbaarometer, overeenstemming met een index,
    gevoeligheid; Markdown met SVG-figuren.

    Example: wijkradar validate --dataset wijkradar-data --output docs/validation.md
    """
    from wijkradar.dataset import open_dataset
    from wijkradar.outputs.validation import write_validation

    ds = open_dataset(dataset)
    with _progress() as bar:
        task = bar.add_task("validatie", total=None)
        paths = write_validation(
            ds,
            output,
            index=index or (),
            lang=lang,
            progress=lambda label, done, total: bar.update(
                task, description=label, completed=done, total=total
            ),
        )
    console.print(f"Validatierapport geschreven: {paths[0]} (+ {len(paths) - 1} figuren)")
