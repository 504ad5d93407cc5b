"""Typed configuration: the pydantic models of every catalogue file, and the one TOML loader.

``signals.toml`` (:class:`Rules`), ``actions.toml`` (:class:`ActionMatrix`), ``evidence.toml``
(:class:`EvidenceLibrary`), a user table's mapping file (:class:`MappingFile`) and the rows of
``indicators.csv`` (:class:`IndicatorRow`) are validated here and nowhere else. Signals and
actions share one condition language (:data:`Condition`); the signal classes use its axis
tests only. What other files define (evidence, indicator and class ids, topics) comes in
through the validation context, so one model checks a packaged and a user's file alike.

A bad file raises one :class:`~wijkradar.errors.CatalogueError` naming the file, the key path,
what was expected and what was given (:func:`config_error`), e.g. ``signals.toml:
classes[2].any[0].trend[0]: Input should be 'rising', 'falling', 'stable' or 'unknown', got
'up'``.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, NotRequired, TypeVar, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PlainValidator,
    PrivateAttr,
    StrictBool,
    StrictInt,
    Tag,
    ValidationError,
    ValidationInfo,
    model_validator,
    with_config,
)
from pydantic_core import PydanticCustomError
from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

from wijkradar.catalogue.noise import parse_noise
from wijkradar.errors import CatalogueError
from wijkradar.vocab import Axis, Band, Direction, Domain, IndicatorKind, Lang, Trend

M = TypeVar("M", bound=BaseModel)

# --- loading, and the one error message ----------------------------------------------------------


def _load_toml(name: str, path: str | Path | None = None) -> tuple[dict, str]:
    """The packaged ``name`` (or the user's file ``path``) as a dict, and its name in messages."""
    if path is None:
        text = resources.files("wijkradar.catalogue").joinpath(name).read_text("utf-8")
        source = name
    else:
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise CatalogueError(f"cannot read {name} file {path}: {exc.strerror or exc}") from exc
        source = str(path)
    try:
        return tomllib.loads(text), source
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{source}: not valid TOML: {exc}") from exc


def validate(model: type[M], data: object, source: str, **context: object) -> M:
    """``model`` validated from ``data`` (read from ``source``); ``context`` holds what other
    files define: ``indicators``, ``signals``, ``evidence``, ``ids``, ``topics``."""
    try:
        return model.model_validate(data, context={"source": source, **context})
    except ValidationError as exc:
        raise config_error(exc, source) from exc


def key_path(loc: Iterable[int | str], at: str = "") -> str:
    """``('classes', 2, 'any', 0, '<axis>', 'trend', 1)`` → ``classes[2].any[0].trend[1]``.

    Skips the condition kinds (``<axis>``: the union's tags) and pydantic's ``[key]``; ``at``
    is a path below ``loc``, set by the cross-reference checks.
    """
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not part.startswith(("<", "[key]")):
            out += f".{part}" if out else part
    if at:
        out += at if at.startswith("[") or not out else f".{at}"
    return out


def config_error(exc: ValidationError, source: str) -> CatalogueError:
    """The first problem in ``exc`` as one message: file, key path, expected, given."""
    # a misspelt key is also missing under its right name: name the misspelling first
    err = min(exc.errors(include_url=False), key=lambda e: e["type"] != "extra_forbidden")
    ctx = err.get("ctx") or {}
    path = key_path(err["loc"], ctx.get("at", ""))
    msg = f"{source}: {path}: {err['msg']}" if path else f"{source}: {err['msg']}"
    if err["type"] != "missing":
        got = repr(ctx["got"] if "got" in ctx else err["input"])
        msg += f", got {got if len(got) <= 120 else got[:117] + '...'}"
    return CatalogueError(msg)


def _fail(kind: str, message: str, at: str = "", got: object = ...) -> PydanticCustomError:
    """A failed check of a model validator; ``at`` is the key (below the model) at fault and
    ``got`` its value (default: the model's input)."""
    return PydanticCustomError(kind, message, {"at": at} | ({} if got is ... else {"got": got}))


def _unknown(what: str, got: str, known: Iterable[str], at: str) -> PydanticCustomError:
    close = difflib.get_close_matches(got, list(known), n=3, cutoff=0.6)
    hint = f"; close matches: {', '.join(close)}" if close else ""
    return _fail("unknown_id", f"Input should be {what}{hint}", at, got)


def _context(info: ValidationInfo, key: str) -> Any:
    """What the validation context holds under ``key`` (``None``: not checked)."""
    return (info.context or {}).get(key)


def _check_known(ids: Iterable[str], info: ValidationInfo, key: str, what: str, at: str) -> None:
    known = _context(info, key)
    for i, x in enumerate(ids):
        if known is not None and x not in known:
            raise _unknown(what, x, known, f"{at}[{i}]")


def _unique(ids: Iterable[str], what: str, key: str) -> None:
    """Raise at the second occurrence of an id in the list ``key``."""
    seen: set[str] = set()
    for i, x in enumerate(ids):
        if x in seen:
            raise _fail("duplicate_id", f"duplicated {what} id", f"{key}[{i}].id", x)
        seen.add(x)


# --- small types ---------------------------------------------------------------------------------


def _number(v: object) -> object:
    # int stays int and float float (TOML gives both); a bool or a text is no number
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise PydanticCustomError("number", "Input should be a number")
    return v


def _percent(v: float) -> float:
    if not 0 <= v <= 100:
        raise PydanticCustomError("percent", "Input should be a percentile in 0..100")
    return v


def _words(v: str) -> str:
    if not v.strip():
        raise PydanticCustomError("blank", "Input should be a non-empty text")
    return v


Number = Annotated[float, PlainValidator(_number)]
Percent = Annotated[Number, AfterValidator(_percent)]
Words = Annotated[str, AfterValidator(_words)]
Ids = tuple[Words, ...]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Model):
    """A string in Dutch and English; ``text(lang)`` picks one."""

    nl: Words
    en: Words

    def __call__(self, lang: Lang | str = "nl") -> str:
        return {"nl": self.nl, "en": self.en}.get(lang) or self.nl


class _Labelled(_Model):
    """``label_nl``/``label_en`` (and other ``*_nl``/``*_en`` pairs) as :class:`Text`."""

    def _pair(self, key: str) -> Text:
        return Text.model_construct(nl=getattr(self, f"{key}_nl"), en=getattr(self, f"{key}_en"))

    @property
    def label(self) -> Text:
        return self._pair("label")


# --- the condition language ----------------------------------------------------------------------


class AxisTest(_Model):
    """``{axis = "composition"|"problems", trend = [...], level = [...], score_gte, score_lte,
    weak_run_gte}``: ``weak_run_gte`` counts the editions in a row, up to the signal year, in
    which the axis stood in the structural band (``[levels] structural``)."""

    axis: Axis
    trend: Annotated[tuple[Trend, ...], Field(min_length=1)] | None = None
    level: Annotated[tuple[Band, ...], Field(min_length=1)] | None = None
    score_gte: Number | None = None
    score_lte: Number | None = None
    weak_run_gte: Annotated[StrictInt, Field(ge=1)] | None = None

    @model_validator(mode="after")
    def _tests_something(self) -> AxisTest:
        if self.model_fields_set <= {"axis"}:
            raise _fail(
                "no_test",
                "an axis condition tests trend, level, score_gte, score_lte or weak_run_gte",
            )
        return self


class IndicatorTest(_Model):
    """``{indicator = "id", trend = [...], percentile_gte/_lte = 0..100, value_gt/_gte/_lt/_lte}``:
    ``trend`` is the direction of the value itself, ``percentile`` the share of the comparison
    group with a strictly lower value."""

    indicator: str
    trend: Annotated[tuple[Trend, ...], Field(min_length=1)] | None = None
    percentile_gte: Percent | None = None
    percentile_lte: Percent | None = None
    value_gt: Number | None = None
    value_gte: Number | None = None
    value_lt: Number | None = None
    value_lte: Number | None = None

    @model_validator(mode="after")
    def _known_and_tests_something(self, info: ValidationInfo) -> IndicatorTest:
        known = _context(info, "indicators")
        if known is not None and self.indicator not in known:
            raise _unknown("an id of indicators.csv", self.indicator, known, "indicator")
        if self.model_fields_set <= {"indicator"}:
            raise _fail("no_test", "an indicator condition tests trend, percentile_* or value_*")
        return self


class SignalTest(_Model):
    """``{signal = ["alarm", ...]}``: the region's class (one of the signal rules loaded)."""

    signal: Annotated[Ids, Field(min_length=1)]

    @model_validator(mode="after")
    def _known(self, info: ValidationInfo) -> SignalTest:
        _check_known(self.signal, info, "signals", "a class of the signal rules", "signal")
        return self


class AllOf(_Model):
    """``{all = [condition, ...]}``: every condition holds."""

    all: Annotated[tuple[Condition, ...], Field(min_length=1)]


class AnyOf(_Model):
    """``{any = [condition, ...]}``: at least one condition holds."""

    any: Annotated[tuple[Condition, ...], Field(min_length=1)]


_KINDS = {"axis": AxisTest, "indicator": IndicatorTest, "signal": SignalTest}
_KINDS |= {"all": AllOf, "any": AnyOf}
_TAGS = {model: f"<{key}>" for key, model in _KINDS.items()}


def _kind(v: object) -> str | None:
    """A condition's tag: which one of the keys axis, indicator, signal, all, any it has."""
    if isinstance(v, dict):
        keys = [k for k in _KINDS if k in v]
        return f"<{keys[0]}>" if len(keys) == 1 else None
    return _TAGS.get(type(v))


Condition = Annotated[
    Annotated[AxisTest, Tag("<axis>")]
    | Annotated[IndicatorTest, Tag("<indicator>")]
    | Annotated[SignalTest, Tag("<signal>")]
    | Annotated[AllOf, Tag("<all>")]
    | Annotated[AnyOf, Tag("<any>")],
    Discriminator(
        _kind,
        custom_error_type="condition",
        custom_error_message="a condition is a table with exactly one of the keys axis, "
        "indicator, signal, all or any",
    ),
]
"""A condition of the language that ``signals.toml`` and ``actions.toml`` share."""
Leaf = AxisTest | IndicatorTest | SignalTest
AllOf.model_rebuild()
AnyOf.model_rebuild()


def leaves(cond: AllOf | AnyOf | Leaf, at: str = "") -> Iterator[tuple[str, Leaf]]:
    """Every test in ``cond``, with its key path (below ``at``)."""
    if isinstance(cond, AllOf | AnyOf):
        key = "all" if isinstance(cond, AllOf) else "any"
        for i, c in enumerate(getattr(cond, key)):
            yield from leaves(c, f"{at}.{key}[{i}]" if at else f"{key}[{i}]")
    else:
        yield at, cond


# --- signals.toml --------------------------------------------------------------------------------
# The sections stay plain dicts (TypedDicts): the analysis reads rules["trends"]["z"].


@with_config(ConfigDict(extra="forbid"))
class ScoreSettings(TypedDict):
    min_weight_share: Number
    min_relative_units: Annotated[StrictInt, Field(ge=1)]
    sufficient_sets: NotRequired[dict[Axis, tuple[tuple[str, ...], ...]]]


@with_config(ConfigDict(extra="forbid"))
class TrendSettings(TypedDict):
    window: Annotated[StrictInt, Field(ge=1)]
    min_years: Annotated[StrictInt, Field(ge=2)]
    z: Number
    min_weight_share: Number
    against: NotRequired[Literal["comparison_group", "none"]]


@with_config(ConfigDict(extra="forbid"))
class LevelSettings(TypedDict):
    weak: Number
    strong: Number
    structural: NotRequired[Annotated[Number, Field(ge=0, le=100)]]


@with_config(ConfigDict(extra="forbid"))
class HousingSettings(TypedDict):
    dwellings_change: Annotated[Number, Field(gt=0)]
    population_change: Annotated[Number, Field(gt=0)]
    small_population: NotRequired[Annotated[Number, Field(ge=0)]]


@with_config(ConfigDict(extra="forbid"))
class SurroundingsSettings(TypedDict):
    """``[surroundings]``: when a region's or its neighbours' axis change counts as moving
    (analysis/surroundings.py)."""

    move_points: Annotated[Number, Field(gt=0, le=100)]


class WarningSettings(TypedDict):
    """``[warning]``: the early warning's outcomes and its backtest (analysis/warning.py)."""

    horizon: Annotated[int, Field(ge=1)]
    weak_score: Annotated[Number, Field(gt=0, le=100)]
    decline_points: Annotated[Number, Field(gt=0, le=100)]
    weak_class_max: Annotated[int, Field(ge=1, le=9)]
    folds: Annotated[int, Field(ge=2, le=20)]
    bootstrap: Annotated[int, Field(ge=0, le=200)]
    min_regions: Annotated[int, Field(ge=10)]
    min_events: Annotated[int, Field(ge=2)]
    max_train_rows: Annotated[int, Field(ge=1000)]
    challenger_origins: Annotated[int, Field(ge=1)]


SensitivityKey = Literal["weak", "strong", "structural", "z", "window", "weight_factor"]


class SignalClass(_Labelled):
    """A class of the signaleringskaart; its condition is its own ``all`` or ``any`` list of
    axis conditions (empty for the fallback ``insufficient_data``: ``all = []``)."""

    id: Words
    label_nl: Words
    label_en: Words
    description_nl: str = ""
    description_en: str = ""
    all: tuple[Condition, ...] | None = None
    any: tuple[Condition, ...] | None = None

    @property
    def condition(self) -> AllOf | AnyOf:
        # not validated again: the class's own list may be empty, a nested one may not
        if self.all is not None:
            return AllOf.model_construct(all=self.all)
        return AnyOf.model_construct(any=self.any or ())

    @model_validator(mode="after")
    def _one_list_of_axis_tests(self) -> SignalClass:
        if (self.all is None) == (self.any is None):
            raise _fail("condition", "a class has exactly one of the keys all or any", "all")
        for at, leaf in leaves(self.condition):
            if not isinstance(leaf, AxisTest):
                got = leaf.model_dump(exclude_none=True)
                raise _fail("axis_only", "a signal class tests the axes only", at, got)
        return self


class Rules(_Model):
    """Validated signal rules (``signals.toml``): thresholds, and the classes in order.

    ``rules["scores"]``, ``rules["trends"]``, ``rules["levels"]`` are the sections as dicts;
    ``sensitivity`` maps a setting to the values its variations try.
    """

    scores: ScoreSettings
    trends: TrendSettings
    levels: LevelSettings
    housing: HousingSettings = {
        "dwellings_change": 0.2,
        "population_change": 0.25,
        "small_population": 1000,
    }
    surroundings: SurroundingsSettings = {"move_points": 5}
    warning: WarningSettings = {
        "horizon": 1,
        "weak_score": 80,
        "decline_points": 10,
        "weak_class_max": 4,
        "folds": 5,
        "bootstrap": 10,
        "min_regions": 30,
        "min_events": 5,
        "max_train_rows": 50000,
        "challenger_origins": 1,
    }
    classes: tuple[SignalClass, ...]
    sensitivity: dict[SensitivityKey, tuple[Number, ...]] = {}
    _source: str = PrivateAttr("signals.toml")

    @property
    def source(self) -> str:
        return self._source

    def __getitem__(self, section: str) -> dict:
        if section not in (
            "scores",
            "trends",
            "levels",
            "housing",
            "surroundings",
            "warning",
            "sensitivity",
        ):
            raise KeyError(section)
        return getattr(self, section)

    def get(self, class_id: str) -> SignalClass:
        for c in self.classes:
            if c.id == class_id:
                return c
        raise KeyError(class_id)

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> Rules:
        strong, weak = self.levels["strong"], self.levels["weak"]
        if strong > weak:
            raise _fail("levels", f"strong must not exceed weak ({weak})", "levels.strong", strong)
        structural = self.levels.get("structural", weak)
        if structural < weak:
            at = "levels.structural"
            raise _fail("levels", f"structural must not be below weak ({weak})", at, structural)
        ids = [c.id for c in self.classes]
        if not ids or ids[-1] != "insufficient_data":
            at, got = (f"classes[{len(ids) - 1}].id", ids[-1]) if ids else ("classes", [])
            raise _fail("fallback", "the last class must be 'insufficient_data'", at, got)
        _unique(ids, "class", "classes")
        self._source = _context(info, "source") or self._source
        return self


# --- evidence.toml and actions.toml --------------------------------------------------------------


class Evidence(_Model):
    """One what-works entry. ``uncertain`` marks details not verified against the source."""

    id: Words
    title: Words
    publisher: Words
    summary_nl: Words
    summary_en: Words
    reference: Words
    year: StrictInt | None = None
    authors: str = ""
    uncertain: StrictBool = False
    note: str = ""

    def summary(self, lang: Lang | str = "nl") -> str:
        return {"nl": self.summary_nl, "en": self.summary_en}.get(lang) or self.summary_nl


class EvidenceLibrary(_Model):
    """``evidence.toml``: the ``[[evidence]]`` entries, with unique ids."""

    evidence: Annotated[tuple[Evidence, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _unique_ids(self) -> EvidenceLibrary:
        _unique((e.id for e in self.evidence), "evidence", "evidence")
        return self

    @property
    def by_id(self) -> dict[str, Evidence]:
        return {e.id: e for e in self.evidence}


FrameId = Literal["sociale_basis", "sociale_stijging", "sociale_herovering", "fysiek", "netwerk"]
FRAME_IDS: tuple[FrameId, ...] = get_args(FrameId)


class Pattern(_Labelled):
    """A profile pattern: a condition, the kinds of intervention it suggests, their evidence."""

    id: Words
    label_nl: Words
    label_en: Words
    condition: Condition
    interventions: Annotated[tuple[Text, ...], Field(min_length=1)]
    evidence: Ids = ()
    priority: StrictInt = 50

    @model_validator(mode="after")
    def _known_evidence(self, info: ValidationInfo) -> Pattern:
        _check_known(self.evidence, info, "evidence", "an evidence.toml id", "evidence")
        return self


class Frame(_Labelled):
    """An action frame; a frame shown ``always`` (netwerk) has a ``general`` text for when no
    pattern holds."""

    id: FrameId
    priority: StrictInt
    always: StrictBool = False
    label_nl: Words
    label_en: Words
    description_nl: Words
    description_en: Words
    general_nl: str = ""
    general_en: str = ""
    patterns: tuple[Pattern, ...] = ()

    description = property(lambda self: self._pair("description"))
    general = property(lambda self: self._pair("general"))

    @model_validator(mode="after")
    def _check(self) -> Frame:
        for key in ("general_nl", "general_en"):
            if self.always and not getattr(self, key).strip():
                raise _fail("blank", "a frame shown always needs a general text", key, "")
        _unique((p.id for p in self.patterns), "pattern", "patterns")
        return self


class SuccessFactor(_Labelled):
    """A general success factor of area-based work (part of every profile)."""

    id: Words
    label_nl: Words
    label_en: Words
    text_nl: Words
    text_en: Words
    evidence: Ids = ()

    text = property(lambda self: self._pair("text"))

    @model_validator(mode="after")
    def _known_evidence(self, info: ValidationInfo) -> SuccessFactor:
        _check_known(self.evidence, info, "evidence", "an evidence.toml id", "evidence")
        return self


class ActionMatrix(_Model):
    """Validated frames (each of :data:`FRAME_IDS` once), success factors and the evidence
    library they refer to (from the validation context)."""

    frames: tuple[Frame, ...]
    success_factors: Annotated[tuple[SuccessFactor, ...], Field(min_length=1)]
    _evidence: dict[str, Evidence] = PrivateAttr(default_factory=dict)
    _source: str = PrivateAttr("actions.toml")

    @property
    def evidence(self) -> dict[str, Evidence]:
        return self._evidence

    @property
    def source(self) -> str:
        return self._source

    def frame(self, frame_id: str) -> Frame:
        for f in self.frames:
            if f.id == frame_id:
                return f
        raise KeyError(frame_id)

    @property
    def indicators(self) -> tuple[str, ...]:
        """Every indicator named in a condition (sorted)."""
        tests = (t for f in self.frames for p in f.patterns for _, t in leaves(p.condition))
        return tuple(sorted({t.indicator for t in tests if isinstance(t, IndicatorTest)}))

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> ActionMatrix:
        _unique((f.id for f in self.frames), "frame", "frames")
        missing = [x for x in FRAME_IDS if x not in {f.id for f in self.frames}]
        if missing:
            raise _fail("missing_frame", f"frames missing: {missing}", "frames", missing)
        self._evidence = _context(info, "evidence") or {}
        self._source = _context(info, "source") or self._source
        return self


# --- a user table's mapping file -----------------------------------------------------------------


def _gemeente(v: str) -> str:
    v = v.strip().upper()
    if not re.fullmatch(r"GM\d{4}", v):
        raise PydanticCustomError("gemeente", "Input should be a gemeente code like GM0363")
    return v


def _year_pattern(v: str) -> str:
    try:
        groups = re.compile(v).groups
    except re.error as exc:
        msg = "Input should be a regular expression ({error})"
        raise PydanticCustomError("regex", msg, {"error": str(exc)}) from exc
    if groups < 1:
        raise PydanticCustomError("regex", "Input should have a group around the year: (20\\d\\d)")
    return v


class ColumnSpec(_Model):
    """``column = "id"``, or ``column = {id = "id", scale = 1, unit = "..."}``."""

    id: str
    scale: Number = 1
    unit: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_id(cls, v: object) -> object:
        return {"id": v} if isinstance(v, str) else v

    @model_validator(mode="after")
    def _known_id(self, info: ValidationInfo) -> ColumnSpec:
        known = _context(info, "indicators")
        if known is not None and self.id not in known:
            raise _unknown("a catalogue id (indicators.csv)", self.id, known, "id")
        return self


class MappingFile(_Model):
    """A user table's mapping file (``*.mapping.toml``, see :mod:`wijkradar.sources.usertable`)."""

    name: str | None = None
    match: Annotated[tuple[Words, ...], Field(min_length=1)]
    code: str | None = None
    region_name: str | None = None
    name_column: str | None = None
    gemeente: Annotated[str, AfterValidator(_gemeente)] | None = None
    year: StrictInt | None = None
    year_pattern: Annotated[str, AfterValidator(_year_pattern)] | None = None
    sep: str | None = None
    decimal: Literal[",", "."] = ","
    sheet: str | None = None
    columns: Annotated[dict[str, ColumnSpec], Field(min_length=1)]
    ignore: dict[str, Words] = {}

    @property
    def region(self) -> str | None:
        """The column of region names: ``region_name`` (or its alias ``name_column``)."""
        return self.region_name if self.region_name is not None else self.name_column

    @model_validator(mode="after")
    def _identifies_regions(self) -> MappingFile:
        if self.code is None and not (self.region and self.gemeente):
            msg = "give code = <code column>, or region_name and gemeente for names only"
            raise _fail("regions", msg, "code", {"code": None, "gemeente": self.gemeente})
        return self


# --- indicators.csv ------------------------------------------------------------------------------

DERIVATION = re.compile(r"^(per_1000|pct)\(\s*([a-z0-9_]+)\s*,\s*([a-z0-9_]+)\s*\)$")
THRESHOLD = re.compile(r"^([a-z0-9_]+)\s*<\s*(\d+(?:\.\d+)?)$")


def _like(pattern: re.Pattern, expected: str) -> AfterValidator:
    """Empty, or text that matches ``pattern``."""

    def check(v: str) -> str:
        if v and not pattern.match(v):
            raise PydanticCustomError("format", f"Input should be {expected}")
        return v

    return AfterValidator(check)


def _cell_number(v: object) -> float:
    try:
        return float(v or 0)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise PydanticCustomError("number", "Input should be a number (empty: 0)") from None


def _cell_count(v: object) -> int:
    n = _cell_number(v)
    if n < 0 or not n.is_integer():
        raise PydanticCustomError("count", "Input should be a whole number >= 0 (empty: 0)")
    return int(n)


class IndicatorRow(BaseModel):
    """One row of ``indicators.csv`` (every cell a text); the context gives the ``ids`` of all
    rows and the ``topics`` of ``topics.csv``."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: Words
    label_nl: Words
    label_en: Words
    unit: Words
    domain: Domain
    topic: Words
    direction: Direction
    kind: IndicatorKind
    derivation: Annotated[str, _like(DERIVATION, "per_1000(numerator, denominator) or pct(…)")] = ""
    weight: Annotated[float, PlainValidator(_cell_number)] = 0.0
    suppress_below: Annotated[str, _like(THRESHOLD, "'<known id> < <number>'")] = ""
    decimals: Annotated[int, PlainValidator(_cell_count)] = 0
    noise: str = ""
    sensitive: Literal["", "migration"] = ""

    def references(self) -> Iterator[tuple[str, str]]:
        """(column, id) of every indicator this row refers to."""
        if m := DERIVATION.match(self.derivation):
            yield from (("derivation", ref) for ref in m.group(2, 3))
        if m := THRESHOLD.match(self.suppress_below):
            yield "suppress_below", m.group(1)
        yield from (("noise", t.base) for t in parse_noise(self.noise, indicator=self.id) if t.base)

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> IndicatorRow:
        topics, ids = _context(info, "topics"), _context(info, "ids")
        if topics and self.topic not in topics:
            raise _unknown("a topic of topics.csv", self.topic, topics, "topic")
        for column, ref in self.references():
            if ids is not None and ref not in ids:
                raise _unknown("a known indicator id", ref, ids, column)
        if self.sensitive == "migration" and (self.weight or self.domain != "context"):
            got = {"domain": self.domain, "weight": self.weight}
            msg = "a migration-background indicator is context only (domain context, weight 0)"
            raise _fail("sensitive", msg, "sensitive", got)
        return self


SourceFormat = Literal["statline", "odata", "kwbkaart", "lbm", "user", "police"]
FORMATS: tuple[SourceFormat, ...] = get_args(SourceFormat)


class SourceRow(BaseModel):
    """One row of ``sources.csv``: a spelling of an indicator in one source format; the context
    gives the indicator ``ids``."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    indicator: str
    format: SourceFormat
    match: Words
    scale: Annotated[float, PlainValidator(lambda v: _cell_number(v or 1))] = 1.0

    @model_validator(mode="after")
    def _known(self, info: ValidationInfo) -> SourceRow:
        ids = _context(info, "ids")
        if ids is not None and self.indicator not in ids:
            raise _unknown("an id of indicators.csv", self.indicator, ids, "indicator")
        return self
