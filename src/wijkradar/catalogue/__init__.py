"""The indicator catalogue: one place (data, not code) for every indicator wijkradar knows.

``indicators.csv`` lists each indicator (id, Dutch and English label, unit, domain, CBS topic,
direction, kind, derivation, weight, privacy threshold, noise model); ``sources.csv`` lists every
known spelling of it per source format (any spelling is accepted in any edition, see
:mod:`~wijkradar.catalogue.matching`); ``ignored.csv`` the source columns that are deliberately
no indicator, with the reason; ``topics.csv`` the CBS topic groups; ``kwb_tables.csv`` the CBS
table of each KWB edition. :func:`load_catalogue` reads and validates them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from pathlib import Path

import pandas as pd

from wijkradar.catalogue._models import (
    DERIVATION,
    THRESHOLD,
    IndicatorRow,
    SourceRow,
    validate,
)
from wijkradar.catalogue.matching import Matcher, Rule, split_occurrence, unit_words, words
from wijkradar.errors import CatalogueError, UnknownIndicatorError
from wijkradar.vocab import DOMAINS

DOMAIN_LABELS = {
    "composition": {"nl": "Bewonerssamenstelling", "en": "Resident composition"},
    "problems": {"nl": "Zichtbare problemen", "en": "Visible problems"},
    "housing": {"nl": "Wonen", "en": "Housing"},
    "context": {"nl": "Context", "en": "Context"},
}
"""Domain → its name per language (data, like the indicators' ``label_nl``/``label_en``)."""


def _in_lang(row, name: str, lang: str) -> str:
    """``row[f"{name}_{lang}"]``, falling back to the Dutch text when it is empty or absent."""
    text = row.get(f"{name}_{lang}", "")
    return str(text) if isinstance(text, str) and text else str(row.get(f"{name}_nl", ""))


REQUIRED = ("id", "label_nl", "label_en", "unit", "domain", "topic", "direction", "kind")


@dataclass(frozen=True)
class Derivation:
    """A rate computed from two indicators: ``per_1000`` (num/den*1000) or ``pct`` (num/den*100)."""

    op: str
    numerator: str
    denominator: str

    @property
    def factor(self) -> float:
        return 1000.0 if self.op == "per_1000" else 100.0


@dataclass(frozen=True)
class Threshold:
    """CBS publication threshold: the indicator is suppressed where ``base`` < ``minimum``."""

    base: str
    minimum: float


@dataclass(frozen=True)
class Catalogue:
    """The validated catalogue.

    Attributes
    ----------
    indicators
        One row per indicator id (columns of ``indicators.csv``), indexed by ``id``.
    sources
        One row per (indicator, format, match) rule of ``sources.csv``; ``unit`` filled with
        the indicator's unit for the label formats.
    tables
        KWB year → CBS table id.
    topics
        Topic id → (Dutch, English) label, in the order of ``topics.csv``.
    ignored
        (format, column) → why that source column is deliberately no indicator.
    """

    indicators: pd.DataFrame
    sources: pd.DataFrame
    tables: dict[int, str] = field(default_factory=dict)
    topics: dict[str, tuple[str, str]] = field(default_factory=dict)
    ignored: dict[tuple[str, str], str] = field(default_factory=dict)

    @cached_property
    def ids(self) -> tuple[str, ...]:
        return tuple(self.indicators.index)

    def get(self, indicator: str) -> pd.Series:
        """The catalogue row of ``indicator``; raises :class:`UnknownIndicatorError`."""
        if indicator not in self.indicators.index:
            import difflib

            close = difflib.get_close_matches(indicator, self.ids, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise UnknownIndicatorError(f"unknown indicator {indicator!r}{hint}")
        return self.indicators.loc[indicator]

    @cached_property
    def meta(self) -> dict[str, dict]:
        """Indicator id → its catalogue row as a plain dict (fast lookups in loops)."""
        return {i: dict(r) for i, r in self.indicators.iterrows()}

    def label(self, indicator: str, lang: str = "nl") -> str:
        return _in_lang(self.get(indicator), "label", lang)

    @cached_property
    def derivations(self) -> dict[str, Derivation]:
        out = {}
        for ind, text in self.indicators["derivation"].items():
            if text:
                m = DERIVATION.match(text)
                assert m  # validated in load_catalogue
                out[ind] = Derivation(m.group(1), m.group(2), m.group(3))
        return out

    @cached_property
    def noise(self) -> dict:
        """Indicator → tuple of :class:`~wijkradar.catalogue.noise.NoiseTerm` (may be empty)."""
        from wijkradar.catalogue.noise import parse_noise

        return {
            ind: parse_noise(text, indicator=ind) for ind, text in self.indicators["noise"].items()
        }

    def phrase(self, indicator: str, lang: str = "nl") -> str:
        """The indicator as a noun phrase for sentences ("het aandeel huishoudens …")."""
        row = self.meta.get(indicator) or self.get(indicator)
        text = row.get(f"phrase_{lang}", "")
        return text if isinstance(text, str) and text else self.label(indicator, lang).lower()

    @cached_property
    def thresholds(self) -> dict[str, Threshold]:
        out = {}
        for ind, text in self.indicators["suppress_below"].items():
            if text:
                m = THRESHOLD.match(text)
                assert m
                out[ind] = Threshold(m.group(1), float(m.group(2)))
        return out

    def rules(self, fmt: str) -> pd.DataFrame:
        """The source rules of one format."""
        return self.sources[self.sources["format"] == fmt]

    @cached_property
    def matcher(self) -> Matcher:
        """The index that says which indicator a source column is (built once)."""
        return Matcher(_rules(self.sources))

    def topic_label(self, topic: str, lang: str = "nl") -> str:
        nl, en = self.topics.get(topic, (topic, topic))
        return {"nl": nl, "en": en}.get(lang) or nl

    def listing(self, search: str = "", lang: str = "nl") -> pd.DataFrame:
        """The catalogue (or the indicators matching ``search``) grouped by domain, then topic.

        Returns
        -------
        pandas.DataFrame
            ``domain, domain_label, topic, topic_label, id, label, unit, kind, direction,
            weight, suppress_below, sensitive``, in domain and topic order.
        """
        frame = self.search(search) if search.strip() else self.indicators
        topic_order = {t: i for i, t in enumerate(self.topics)}
        out = frame.reset_index().assign(
            domain_label=lambda f: f["domain"].map(lambda d: DOMAIN_LABELS[d].get(lang, d)),
            topic_label=lambda f: f["topic"].map(lambda t: self.topic_label(t, lang)),
            label=lambda f: f[f"label_{lang}"].where(f[f"label_{lang}"] != "", f["label_nl"]),
            _d=lambda f: f["domain"].map(DOMAINS.index),
            _t=lambda f: f["topic"].map(lambda t: topic_order.get(t, len(topic_order))),
            _i=range(len(frame)),
        )
        cols = [
            "domain",
            "domain_label",
            "topic",
            "topic_label",
            "id",
            "label",
            "unit",
            "kind",
            "direction",
            "weight",
            "suppress_below",
            "sensitive",
        ]
        return out.sort_values(["_d", "_t", "_i"])[cols].reset_index(drop=True)

    def search(self, text: str) -> pd.DataFrame:
        """Indicators whose id, labels, topic, description or CBS names hold every word of
        ``text`` (case- and accent-insensitive), in catalogue order."""
        terms = words(text).split()
        spellings = self.sources.groupby("indicator")["match"].agg(" ".join)
        hay = (
            self.indicators.index.to_series().str.replace("_", " ")
            + " "
            + self.indicators["label_nl"]
            + " "
            + self.indicators["label_en"]
            + " "
            + self.indicators["topic"].map(lambda t: " ".join(self.topics.get(t, ())))
            + " "
            + self.indicators["description"]
            + " "
            + spellings.reindex(self.indicators.index).fillna("")
        ).map(words)
        keep = hay.map(lambda h: all(t in h for t in terms))
        return self.indicators[keep]

    def to_frame(self) -> pd.DataFrame:
        """The indicator table as a plain frame (``id`` a column), e.g. for export."""
        return self.indicators.reset_index()


def _read_csv(name: str, path: Path | None, *, optional: bool = False) -> pd.DataFrame:
    src = (path / name) if path else resources.files("wijkradar.catalogue").joinpath(name)
    if optional and not src.is_file():  # datasets built by older versions lack it
        return pd.DataFrame(columns=["id", "label_nl", "label_en", "format", "column", "reason"])
    try:
        with src.open("r", encoding="utf-8") as fh:  # type: ignore[union-attr]
            return pd.read_csv(fh, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"catalogue {name} cannot be parsed: {exc}") from exc


def _validate_indicators(ind: pd.DataFrame, topics: dict) -> pd.DataFrame:
    """Every row checked by :class:`~wijkradar.catalogue._models.IndicatorRow`; typed columns."""
    missing = [c for c in (*REQUIRED, "derivation", "weight", "suppress_below") if c not in ind]
    if missing:
        raise CatalogueError(f"catalogue indicators.csv lacks columns {missing}")
    dup = ind["id"][ind["id"].duplicated()]
    if not dup.empty:
        raise CatalogueError(f"catalogue indicators.csv: duplicated id {dup.iloc[0]!r}")
    ids = set(ind["id"])
    for i, row in enumerate(ind.to_dict("records"), start=2):
        where = f"catalogue indicators.csv row {i} ({row['id'] or '?'})"
        validate(IndicatorRow, row, where, ids=ids, topics=topics)
    ind = ind.copy()
    for optional in (
        "noise",
        "phrase_nl",
        "phrase_en",
        "description",
        "decimals",
        "featured",
        "sensitive",
        "reference_lag",
    ):
        if optional not in ind:  # datasets built by older versions lack these columns
            ind[optional] = ""
    ind["weight"] = pd.to_numeric(ind["weight"].replace("", "0"))
    ind["decimals"] = pd.to_numeric(ind.get("decimals", "0").replace("", "0")).astype(int)
    ind["featured"] = ind["featured"].isin(["1", "true", "True", "yes"])
    # years between a KWB edition and the year its figure refers to (income: edition - 2)
    ind["reference_lag"] = pd.to_numeric(ind["reference_lag"].replace("", "0")).astype(int)
    return ind.set_index("id")


def _validate_sources(src: pd.DataFrame, ind: pd.DataFrame) -> pd.DataFrame:
    for col in ("indicator", "format", "match"):
        if col not in src:
            raise CatalogueError(f"catalogue sources.csv lacks column {col!r}")
    src = src.copy()
    for col, default in (("unit", ""), ("scale", ""), ("note", "")):
        if col not in src:
            src[col] = default
    ids = set(ind.index)
    for i, row in enumerate(src.to_dict("records"), start=2):
        validate(SourceRow, row, f"catalogue sources.csv row {i}", ids=ids)
    unit = src["unit"].str.strip()
    by_label = (unit == "") & src["format"].isin(["statline", "odata"])  # the catalogue's unit
    src["unit"] = unit.mask(by_label, src["indicator"].map(ind["unit"])).map(unit_words)
    src["scale"] = pd.to_numeric(src["scale"].replace("", "1"))
    try:
        Matcher(_rules(src))
    except ValueError as exc:
        raise CatalogueError(f"catalogue sources.csv: {exc}") from None
    return src


def _rules(src: pd.DataFrame) -> list[Rule]:
    """Every spelling of every source row (``|`` separates the spellings)."""
    out = []
    for r in src.itertuples(index=False):
        for text in (t.strip() for t in r.match.split("|")):
            if text:
                body, occurrence = split_occurrence(text)
                out.append(
                    Rule(r.indicator, r.format, body.strip(), r.unit, occurrence, float(r.scale))
                )
    return out


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Read and validate the catalogue (the packaged one, read once per process, or the folder
    ``path``, read on every call).

    Raises
    ------
    CatalogueError
        Naming the file, row and what is wrong (a spelling listed for two indicators names both).
    """
    return _read_catalogue(Path(path)) if path else _packaged_catalogue()


@cache
def _packaged_catalogue() -> Catalogue:
    return _read_catalogue(None)


def _read_catalogue(p: Path | None) -> Catalogue:
    topics = {
        r["id"]: (r["label_nl"], r["label_en"])
        for _, r in _read_csv("topics.csv", p, optional=True).iterrows()
    }
    ind = _validate_indicators(_read_csv("indicators.csv", p), topics)
    src = _validate_sources(_read_csv("sources.csv", p), ind)
    tables = {int(r["year"]): r["table"] for _, r in _read_csv("kwb_tables.csv", p).iterrows()}
    ignored = {
        (r["format"], r["column"]): r["reason"]
        for _, r in _read_csv("ignored.csv", p, optional=True).iterrows()
    }
    return Catalogue(indicators=ind, sources=src, tables=tables, topics=topics, ignored=ignored)
