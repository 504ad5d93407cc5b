"""Types the API validates against, response models for the OpenAPI docs, and the palette.

The colours of the signal classes live here and only here (Okabe–Ito, colour-blind safe);
the front end reads them from ``/api/classes``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

Level = Literal["buurt", "wijk", "gemeente"]
View = Literal["absolute", "relative"]
Lang = Literal["nl", "en"]
ExportFormat = Literal["csv", "gpkg", "parquet"]

LEVELS: tuple[str, ...] = ("buurt", "wijk", "gemeente")

#: Signal class → colour (Okabe & Ito 2008, "Color Universal Design"). ``insufficient_data`` is
#: white and drawn with a grey outline on the map.
PALETTE: dict[str, str] = {
    "alarm": "#D55E00",
    "attention": "#E69F00",
    "resilient": "#009E73",
    "improving": "#56B4E9",
    "stable": "#BBBBBB",
    "insufficient_data": "#FFFFFF",
}
OUTLINE = "#888888"


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


class Health(BaseModel):
    ok: bool
    version: str
    dataset: dict[str, Any]
    levels: dict[str, LevelInfo]
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
    description: str
    color: str


class ClassList(BaseModel):
    data: list[ClassOut]
    outline: str = OUTLINE


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


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    s: {"model": ErrorBody} for s in (400, 404, 405, 413, 414, 422, 500)
}
