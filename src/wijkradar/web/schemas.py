"""Types the API validates against and response models for the OpenAPI docs.

The vocabularies come from :mod:`wijkradar.vocab` and the colours from :mod:`wijkradar.palette`
(the front end reads them from ``/api/classes`` and ``/api/health``).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from wijkradar import palette
from wijkradar.vocab import LEVELS, ExportFormat, Lang, Level, View  # noqa: F401 - re-exported

PALETTE = palette.SIGNALS  # the one palette (wijkradar/palette.py)
OUTLINE = palette.OUTLINE


class ErrorItem(BaseModel):
    loc: list[str | int] = Field(description="Where the problem is, e.g. ['query', 'year'].")
    msg: str


class ErrorBody(BaseModel):
    """The one shape of every failure."""

    ok: Literal[False] = False
    status: int
    error: str
    errors: list[ErrorItem] = []


class LevelInfo(BaseModel):
    years: list[int]
    default_year: int | None


class ZoomBucket(BaseModel):
    max_zoom: int = Field(description="Highest map zoom of the bucket (99: any zoom).")
    tolerance_m: float = Field(description="Simplification tolerance in metres (EPSG:28992).")


class Health(BaseModel):
    """Status, and the facts the front end needs instead of copies of its own."""

    ok: bool
    version: str
    dataset: dict[str, Any]
    levels: dict[str, LevelInfo]
    levels_order: list[Level] = Field(description="The mapped levels, fine to coarse.")
    views: list[View] = Field(description="The comparison views; the first is the default.")
    domains: list[str] = Field(description="Indicator domains in catalogue order.")
    axes: list[str] = Field(description="The two signal axes, as in a profile's `signal`.")
    buckets: list[ZoomBucket] = Field(
        description="Geometry detail of `/api/map` per zoom range (`zoom=` picks one)."
    )
    compare_color: str = Field(
        palette.ACCENT,
        description="Outline of the regions in the comparison (Okabe–Ito blue: no class colour).",
    )
    warm: bool = False  # the signals of every default year are computed (see WebState)


class IndicatorOut(BaseModel):
    id: str
    label: str
    unit: str
    domain: str
    domain_label: str
    topic: str = Field(description="CBS-onderwerp (bevolking, wonen, inkomen, ...).")
    topic_label: str
    kind: str = Field(description="count, share, rate, mean, score, class of code.")
    direction: str = Field(
        description="+ (hoger is kwetsbaarder / meer problemen), - (lager is dat) of 0 (context)."
    )
    weight: float = Field(description="Gewicht in de domeinscore; 0: alleen context.")
    featured: bool = Field(description="Als grafiek in het gebiedsprofiel.")
    sensitive: str = Field(
        description="'migration': migratieachtergrond, alleen context, nooit in een score."
    )
    description: str


class IndicatorList(BaseModel):
    data: list[IndicatorOut]
    count: int


class ClassOut(BaseModel):
    id: str
    label: str
    description: str = Field(description="What the class means, for the map legend.")
    color: str


class ClassList(BaseModel):
    data: list[ClassOut]
    outline: str = OUTLINE
    risk_ramp: list[str] = Field(
        list(palette.RISK_RAMP), description="Colours of the risico layer, low to high risk."
    )
    risk_bounds: list[float] = Field(
        list(palette.RISK_BOUNDS),
        description="Risk (0–1) bounds between the ramp's colours: one fewer than colours.",
    )


class RegionOut(BaseModel):
    code: str
    name: str | None
    level: str
    gemeente_code: str | None
    gemeente_name: str | None


class RegionList(BaseModel):
    data: list[RegionOut]
    count: int


class SignalsOut(BaseModel):
    level: str
    year: int | None
    view: str
    window: int | None
    data: list[dict[str, Any]]
    sensitivity: list[dict[str, Any]]
    count: int


class FeatureCollection(BaseModel):
    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[dict[str, Any]]
    level: str
    year: int | None
    view: str
    count: int
    missing_geometry: int


# -- dynamics and early warning (routes/dynamics.py) --------------------------------------

Outcome = Literal["weak", "decline"]
"""What a risk is the chance of (``wijkradar.analysis.warning.OUTCOMES``)."""


class WarningOut(BaseModel):
    """Risks of one origin with what judges them: ``summary`` (the outcome in words, the
    training set, the backtest's headline and its sentence) and one row per region."""

    summary: dict[str, Any] = Field(
        description="outcome_text, n_train, events, train_years, backtest {split, origin, "
        "target, roc_auc, pr_auc, baseline, baseline_roc_auc, beats}, backtest_text."
    )
    risks: list[dict[str, Any]] = Field(
        description="code, name, year, horizon, outcome, risk (0–1), risk_low, risk_high, "
        "drivers [{feature, indicator, value, contribution, text}]; highest risk first."
    )
    count: int


class BacktestOut(BaseModel):
    """The full backtest table: one row per split, model and naive baseline."""

    level: str
    horizon: int
    outcome: str
    view: str
    gemeente: str | None
    columns: list[str]
    data: list[dict[str, Any]] = Field(description="NaN is null; rule_text: the rule in words.")
    count: int


class MoverDriver(BaseModel):
    indicator: str
    label: str
    percentile_change: float | None
    contribution: float | None


class Mover(BaseModel):
    code: str
    name: str
    year_from: int
    year_to: int
    value_from: float | None
    value_to: float | None
    change: float | None
    direction: Literal["daler", "stijger"] = Field(
        description="daler: got more vulnerable; stijger: improved."
    )
    direction_text: str
    rank: int
    drivers: list[MoverDriver]


class MoversOut(BaseModel):
    level: str
    by: str
    by_label: str
    view: str
    gemeente: str | None
    year_from: int
    year_to: int
    left_out_at_cut: int = Field(description="Regions left out: a series cut between the years.")
    movers: list[Mover]
    count: int


class TrajectoryRow(BaseModel):
    year: int
    composition: int | None = Field(description="Fifth 1–5 (5 = most vulnerable).")
    problems: int | None
    signal: str | None = Field(description="Signal class id (see /api/classes).")
    lbm_class: int | None = Field(description="Leefbaarometer class 1–9.")
    series: str = Field(
        description="The code, or <code>@-<year> for the rows of another place under the code "
        "before a series cut: rows of one series belong to one place."
    )


class TrajectoryScale(BaseModel):
    scale: Literal["region", "wijk", "gemeente"]
    code: str
    name: str | None
    level: str
    rows: list[TrajectoryRow]


class SurroundingsRow(BaseModel):
    year: int
    previous_year: int | None = Field(description="The region's previous edition (same series).")
    axis: Literal["composition", "problems"]
    change: float | None = Field(description="Score points since previous_year (+ = worse).")
    neighbours_change: float | None = Field(
        description="Mean change of the queen neighbours of the same level (spatial lag)."
    )
    neighbours: int = Field(description="Neighbours with a change that edition.")
    relation: Literal["with", "against", "alone", "holds", "stable", "unknown"]
    text: str = Field(description="The row in words, in the requested language.")


class TrajectoryOut(BaseModel):
    code: str
    level: str
    view: str
    scales: list[TrajectoryScale] = Field(
        description="The region itself first, then (for a buurt) its wijk, then its gemeente."
    )
    surroundings: list[SurroundingsRow] = Field(
        default_factory=list,
        description="Buurt and wijk: per edition and axis, its change beside its neighbours'.",
    )


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    s: {"model": ErrorBody} for s in (400, 404, 405, 413, 414, 422, 500)
}
