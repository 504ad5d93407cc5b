"""The indicator catalogue: one place (data, not code) for every indicator wijkradar knows.

``indicators.csv`` lists each indicator (id, Dutch and English label, unit, domain, direction,
kind, derivation, weight, privacy threshold); ``sources.csv`` says which column of which source
format feeds it in which years, matched on the stable part of CBS's names; ``kwb_tables.csv``
names the CBS table of each KWB year. :func:`load_catalogue` reads and validates them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path

import pandas as pd

from wijkradar.errors import CatalogueError, UnknownIndicatorError

DOMAINS = ("composition", "problems", "housing", "context")
DIRECTIONS = ("+", "-", "0")
KINDS = ("count", "rate", "mean", "score", "class", "code")
FORMATS = ("statline", "odata", "kwbkaart", "lbm", "user", "police")
REQUIRED = ("id", "label_nl", "label_en", "unit", "domain", "direction", "kind")
_DERIVATION = re.compile(r"^(per_1000|pct)\(\s*([a-z0-9_]+)\s*,\s*([a-z0-9_]+)\s*\)$")
_THRESHOLD = re.compile(r"^([a-z0-9_]+)\s*<\s*(\d+(?:\.\d+)?)$")
_YEARS = re.compile(r"^(\d{4})?\s*(-)?\s*(\d{4})?$")


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
        One row per (indicator, format, years, match) rule, with ``year_from``/``year_to``.
    tables
        KWB year → CBS table id.
    """

    indicators: pd.DataFrame
    sources: pd.DataFrame
    tables: dict[int, str] = field(default_factory=dict)

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
        return str(self.get(indicator)[f"label_{'en' if lang == 'en' else 'nl'}"])

    @cached_property
    def derivations(self) -> dict[str, Derivation]:
        out = {}
        for ind, text in self.indicators["derivation"].items():
            if text:
                m = _DERIVATION.match(text)
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
        text = row.get(f"phrase_{'en' if lang == 'en' else 'nl'}", "")
        return text or self.label(indicator, lang).lower()

    @cached_property
    def thresholds(self) -> dict[str, Threshold]:
        out = {}
        for ind, text in self.indicators["suppress_below"].items():
            if text:
                m = _THRESHOLD.match(text)
                assert m
                out[ind] = Threshold(m.group(1), float(m.group(2)))
        return out

    def rules(self, fmt: str) -> pd.DataFrame:
        """The source rules of one format."""
        return self.sources[self.sources["format"] == fmt]

    def to_frame(self) -> pd.DataFrame:
        """The indicator table as a plain frame (``id`` a column), e.g. for export."""
        return self.indicators.reset_index()


def _read_csv(name: str, path: Path | None) -> pd.DataFrame:
    src = (path / name) if path else resources.files("wijkradar.catalogue").joinpath(name)
    try:
        with src.open("r", encoding="utf-8") as fh:  # type: ignore[union-attr]
            return pd.read_csv(fh, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"catalogue {name} cannot be parsed: {exc}") from exc


def _fail(file: str, row: int, msg: str) -> CatalogueError:
    return CatalogueError(f"catalogue {file} row {row}: {msg}")


def _validate_indicators(ind: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in (*REQUIRED, "derivation", "weight", "suppress_below") if c not in ind]
    if missing:
        raise CatalogueError(f"catalogue indicators.csv lacks columns {missing}")
    dup = ind["id"][ind["id"].duplicated()]
    if not dup.empty:
        raise CatalogueError(f"catalogue indicators.csv: duplicated id {dup.iloc[0]!r}")
    ids = set(ind["id"])
    for i, r in ind.iterrows():
        row = int(i) + 2
        for col in REQUIRED:
            if not r[col].strip():
                raise _fail("indicators.csv", row, f"{r['id'] or '?'}: empty {col}")
        if r["domain"] not in DOMAINS:
            raise _fail(
                "indicators.csv", row, f"domain must be one of {DOMAINS}, got {r['domain']!r}"
            )
        if r["direction"] not in DIRECTIONS:
            raise _fail(
                "indicators.csv", row, f"direction must be +, - or 0, got {r['direction']!r}"
            )
        if r["kind"] not in KINDS:
            raise _fail("indicators.csv", row, f"kind must be one of {KINDS}, got {r['kind']!r}")
        if r["derivation"]:
            m = _DERIVATION.match(r["derivation"])
            if not m:
                raise _fail(
                    "indicators.csv",
                    row,
                    f"derivation {r['derivation']!r} is not "
                    "per_1000(numerator, denominator) or pct(numerator, denominator)",
                )
            for ref in m.group(2, 3):
                if ref not in ids:
                    raise _fail("indicators.csv", row, f"derivation refers to unknown id {ref!r}")
        if r["suppress_below"]:
            m = _THRESHOLD.match(r["suppress_below"])
            if not m or m.group(1) not in ids:
                raise _fail(
                    "indicators.csv",
                    row,
                    f"suppress_below {r['suppress_below']!r} must be '<known id><number'",
                )
        try:
            float(r["weight"] or 0)
        except ValueError:
            raise _fail("indicators.csv", row, f"weight {r['weight']!r} is not a number") from None
    from wijkradar.catalogue.noise import parse_noise

    for i, r in ind.iterrows():
        for term in parse_noise(r.get("noise", "") or "", indicator=r["id"]):
            if term.base and term.base not in ids:
                raise _fail(
                    "indicators.csv", int(i) + 2, f"noise refers to unknown id {term.base!r}"
                )
    ind = ind.copy()
    for optional in ("noise", "phrase_nl", "phrase_en", "description", "decimals"):
        if optional not in ind:  # datasets built by older versions lack these columns
            ind[optional] = ""
    ind["weight"] = pd.to_numeric(ind["weight"].replace("", "0"))
    ind["decimals"] = pd.to_numeric(ind.get("decimals", "0").replace("", "0")).astype(int)
    return ind.set_index("id")


def _validate_sources(src: pd.DataFrame, ids: set[str]) -> pd.DataFrame:
    for col in ("indicator", "format", "years", "match", "unit"):
        if col not in src:
            raise CatalogueError(f"catalogue sources.csv lacks column {col!r}")
    year_from, year_to = [], []
    for i, r in src.iterrows():
        row = int(i) + 2
        if r["indicator"] not in ids:
            raise _fail("sources.csv", row, f"unknown indicator {r['indicator']!r}")
        if r["format"] not in FORMATS:
            raise _fail("sources.csv", row, f"format must be one of {FORMATS}, got {r['format']!r}")
        if not r["match"].strip():
            raise _fail("sources.csv", row, "empty match")
        m = _YEARS.match(r["years"].strip())
        if not m:
            raise _fail(
                "sources.csv", row, f"years {r['years']!r} must look like 2015-, -2014 or 2015-2018"
            )
        lo, dash, hi = m.groups()
        year_from.append(int(lo) if lo else 0)
        year_to.append(int(hi) if hi else (9999 if dash or not lo else int(lo)))
    src = src.copy()
    src["year_from"] = year_from
    src["year_to"] = year_to
    src["scale"] = pd.to_numeric(src.get("scale", "1").replace("", "1"))
    return src


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Read and validate the catalogue (the packaged one, or the folder ``path``).

    Raises
    ------
    CatalogueError
        Naming the file, row and what is wrong.
    """
    p = Path(path) if path else None
    ind = _validate_indicators(_read_csv("indicators.csv", p))
    src = _validate_sources(_read_csv("sources.csv", p), set(ind.index))
    tables = {int(r["year"]): r["table"] for _, r in _read_csv("kwb_tables.csv", p).iterrows()}
    return Catalogue(indicators=ind, sources=src, tables=tables)
