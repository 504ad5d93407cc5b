"""Options the ``wijkradar`` commands share (one definition, many commands)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from wijkradar.vocab import Lang, Level, View

DataOpt = Annotated[
    Path | None,
    typer.Option(
        "--data",
        help="Map met bronbestanden (standaard WIJKRADAR_DATA of ../shared/data).",
        envvar="WIJKRADAR_DATA",
    ),
]
DatasetOpt = Annotated[
    Path,
    typer.Option(
        "--dataset",
        help="Gebouwde dataset (standaard WIJKRADAR_DATASET of ./wijkradar-data).",
        envvar="WIJKRADAR_DATASET",
    ),
]
LevelOpt = Annotated[Level, typer.Option("--level", help="buurt, wijk of gemeente.")]
ViewOpt = Annotated[
    View, typer.Option("--view", help="absolute (landelijk) of relative (binnen de gemeente).")
]
LangOpt = Annotated[Lang, typer.Option("--lang", help="nl of en.")]
TextFormat = Literal["text", "json"]
PortOpt = Annotated[
    int,
    typer.Option("--port", help="Poort van de webapp.", envvar="WIJKRADAR_PORT", min=1, max=65535),
]
