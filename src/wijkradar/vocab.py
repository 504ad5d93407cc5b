"""The words wijkradar's stages share, as ``Literal`` types with their tuples (floor 1).

One home for the small vocabularies that the catalogue, the analysis, the API schemas and the CLI
all speak: which region levels can be mapped, the two comparison views, the languages, the two
signal axes, trend calls, score bands and the panel's value statuses. Typer and pydantic take the
``Literal`` types directly; code that needs to loop uses the tuple beside each one.
"""

from __future__ import annotations

from typing import Literal, get_args

Level = Literal["buurt", "wijk", "gemeente"]
"""Region levels that carry signals and maps (fine to coarse)."""
LEVELS: tuple[Level, ...] = get_args(Level)

View = Literal["absolute", "relative"]
"""Comparison group: ``absolute`` against the whole data, ``relative`` within the gemeente."""
VIEWS: tuple[View, ...] = get_args(View)

Lang = Literal["nl", "en"]
"""Languages of labels, sentences and messages; Dutch first."""
LANGS: tuple[Lang, ...] = get_args(Lang)
DEFAULT_LANG: Lang = "nl"

Axis = Literal["composition", "problems"]
"""The two axes of the signaleringskaart."""
AXES: tuple[Axis, ...] = get_args(Axis)

Trend = Literal["rising", "falling", "stable", "unknown"]
"""A trend call: significantly up, down, neither, or too few measurements."""
TRENDS: tuple[Trend, ...] = get_args(Trend)

Band = Literal["weak", "middle", "strong", "unknown"]
"""Where a score sits: the weak band, the middle, the strong band, or no score."""
BANDS: tuple[Band, ...] = get_args(Band)

Status = Literal["observed", "derived", "suppressed", "missing"]
"""A panel value's status: published, computed from published values, withheld, absent."""
STATUSES: tuple[Status, ...] = get_args(Status)
SHOWN_STATUSES: tuple[Status, ...] = ("observed", "derived")
"""Statuses whose value may be shown and used in a score."""

ExportFormat = Literal["csv", "gpkg", "parquet"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = get_args(ExportFormat)

TableFormat = Literal["table", "csv", "json"]
"""Output formats of the CLI's listing commands."""
TABLE_FORMATS: tuple[TableFormat, ...] = get_args(TableFormat)

Domain = Literal["composition", "problems", "housing", "context"]
"""Catalogue domain of an indicator: one of the two axes, housing, or context (never scored)."""
DOMAINS: tuple[Domain, ...] = get_args(Domain)

Direction = Literal["+", "-", "0"]
"""Which way an indicator counts: ``+`` higher is more vulnerable, ``-`` less, ``0`` neither."""
DIRECTIONS: tuple[Direction, ...] = get_args(Direction)

IndicatorKind = Literal["count", "share", "rate", "mean", "score", "class", "code"]
"""What an indicator's number is: ``count`` sums over areas; ``share`` a % of a base; ``rate``
per 1 000 (or per km², per household); ``mean`` an average over a base; ``score``/``class``/
``code`` model output or a label."""
INDICATOR_KINDS: tuple[IndicatorKind, ...] = get_args(IndicatorKind)
