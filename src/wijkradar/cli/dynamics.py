"""``wijkradar transitions``, ``movers`` and ``warning``: dynamics and early warning.

Registered on the main Typer app by :mod:`wijkradar.cli.app`; each command parses its options,
calls one Dataset method and renders with :mod:`wijkradar.outputs.dynamics_text`.
"""

from __future__ import annotations

import sys
from typing import Annotated, Literal

import typer

from wijkradar.cli.options import DatasetOpt, LangOpt, LevelOpt, ViewOpt
from wijkradar.settings import DEFAULT_DATASET
from wijkradar.vocab import TableFormat

GemeenteOpt = Annotated[
    str | None, typer.Option("--gemeente", help="Alleen deze gemeente, bv. GM0599.")
]
FormatOpt = Annotated[TableFormat, typer.Option("--format", help="table, csv of json.")]
Outcome = Literal["weak", "decline"]
Model = Literal["logit", "boosting"]


def transitions(
    level: LevelOpt = "wijk",
    by: Annotated[
        str,
        typer.Option(
            "--by",
            help="lbm_class, composition, problems, signal of een indicator (bv. "
            "low_income_households_pct).",
        ),
    ] = "lbm_class",
    year_from: Annotated[int | None, typer.Option("--from", help="Eerste editie.")] = None,
    year_to: Annotated[int | None, typer.Option("--to", help="Laatste editie.")] = None,
    gemeente: GemeenteOpt = None,
    view: ViewOpt = "absolute",
    spatial: Annotated[
        bool, typer.Option("--spatial/--no-spatial", help="Ook Spatial Markov (de buren).")
    ] = True,
    fmt: FormatOpt = "table",
    lang: LangOpt = "nl",
    dataset: DatasetOpt = DEFAULT_DATASET,
) -> None:
    """Overgangen tussen edities (Markov, giddy): kansen, lange termijn, mobiliteit.

    Example: wijkradar transitions --level wijk --by lbm_class --from 2002 --to 2014
    """
    from wijkradar.dataset import open_dataset
    from wijkradar.outputs.dynamics_text import render_transitions

    ds = open_dataset(dataset)
    res = ds.transitions(
        level=level,
        by=by,
        year_from=year_from,
        year_to=year_to,
        gemeente=gemeente,
        view=view,
        spatial=spatial,
    )
    sys.stdout.write(render_transitions(res, fmt, by=by, lang=lang))


def movers(
    year_from: Annotated[int, typer.Option("--from", help="Eerste editie.")],
    year_to: Annotated[int, typer.Option("--to", help="Tweede editie.")],
    level: LevelOpt = "wijk",
    by: Annotated[
        str, typer.Option("--by", help="problems, composition, lbm_class of een indicator.")
    ] = "problems",
    gemeente: GemeenteOpt = None,
    view: ViewOpt = "absolute",
    n: Annotated[int, typer.Option("--n", help="Zoveel stijgers en zoveel dalers.", min=1)] = 10,
    fmt: FormatOpt = "table",
    lang: LangOpt = "nl",
    dataset: DatasetOpt = DEFAULT_DATASET,
) -> None:
    """Stijgers en dalers: wie ging het meest vooruit en achteruit, en waardoor.

    Example: wijkradar movers --level wijk --from 2012 --to 2014 --gemeente GM0363
    """
    from wijkradar.dataset import open_dataset
    from wijkradar.outputs.dynamics_text import render_movers

    ds = open_dataset(dataset)
    frame, cut = ds.movers(
        level=level, year_from=year_from, year_to=year_to, by=by, gemeente=gemeente, view=view,
        n=n,
    )  # fmt: skip
    sys.stdout.write(render_movers(frame, fmt, catalogue=ds.indicators, cut=cut, lang=lang))


def warning(
    level: LevelOpt = "wijk",
    year: Annotated[
        int | None, typer.Option("--year", help="Vertrekjaar (standaard de laatste editie).")
    ] = None,
    horizon: Annotated[
        int | None, typer.Option("--horizon", help="Zoveel edities vooruit.", min=1)
    ] = None,
    outcome: Annotated[
        Outcome, typer.Option("--outcome", help="weak (zwak) of decline (achteruit).")
    ] = "weak",
    gemeente: GemeenteOpt = None,
    view: ViewOpt = "absolute",
    model: Annotated[Model, typer.Option("--model", help="logit of boosting.")] = "logit",
    backtest: Annotated[
        bool, typer.Option("--backtest", help="Alleen de backtest met de maatstaven.")
    ] = False,
    fmt: FormatOpt = "table",
    lang: LangOpt = "nl",
    dataset: DatasetOpt = DEFAULT_DATASET,
) -> None:
    """Vroegsignalering: kans per gebied, met de backtest die zegt hoe goed dat eerder ging.

    Example: wijkradar warning --level wijk --year 2014 --horizon 1 --outcome weak
    """
    from wijkradar.dataset import open_dataset
    from wijkradar.outputs.dynamics_text import render_backtest, render_warning

    ds = open_dataset(dataset)
    if backtest:
        from wijkradar.analysis.warning import verdict
        from wijkradar.dataset.warning import backtest as run_backtest

        table = run_backtest(
            ds, level=level, horizon=horizon, outcome=outcome, gemeente=gemeente, view=view
        )
        v = verdict(table) if len(table) else table
        sys.stdout.write(render_backtest(table, v, fmt, catalogue=ds.indicators, lang=lang))
        return
    res = ds.warning(
        level=level, year=year, horizon=horizon, outcome=outcome, gemeente=gemeente, view=view,
        model=model,
    )  # fmt: skip
    sys.stdout.write(render_warning(res, fmt, catalogue=ds.indicators, lang=lang))
