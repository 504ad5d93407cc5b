"""Which catalogue indicator a source column is: by synonym, in any edition.

CBS renames its KWB columns between editions ("Gemiddelde woningwaarde" became "Gemiddelde
WOZ-waarde van woningen" in the 2017 tables already) and every format spells a name its own way:
a raw StatLine label (``||Gemiddeld inkomen per inwoner\\xa0``), a label path
(``Inkomen/Inkomen van personen/Gemiddeld inkomen per inwoner``, or R's dotted
``Inkomen.Inkomen.van.personen.Gemiddeld...``), an OData v3 key (``GemiddeldInkomenPerInwoner_66``,
digits prefixed ``k_``), a short name (``g_ink_pi``). ``sources.csv`` lists every known spelling of
an indicator once; any of them is accepted in any year.

Rules, per format:

* ``statline`` and ``odata4`` (labels): the column's words must *end with* a synonym's words
  (a topic path before it does not matter) and the units agree. The longest matching synonym
  wins, so ``Semi-bebouwd terrein`` is not ``Bebouwd terrein`` and ``Niet-woningvoorraad`` is not
  ``Woningvoorraad``.
* ``odata`` (v3 keys): the key stem, reduced to letters and digits (``k_`` and accents dropped),
  equals a label synonym reduced the same way, or one of the indicator's explicit ``odata``
  stems (for the keys CBS truncated, e.g. ``MediaanVermogenVanParticuliereHuish``); units agree
  when the file's ``DataProperties`` give them.
* ``kwbkaart``: the short name, case-insensitive. ``lbm``, ``police``: the key as written.

A label CBS uses twice in one table with the same unit (``Europa (exclusief Nederland)`` under
*herkomstland* and again under *geboren in Nederland*) can only be told apart by its place when the
file carries no topic path: readers tag the second and later occurrences ``#2``, ``#3`` (see
:func:`occurrence_keys`) and a synonym may carry the same tag. Two indicators that a column could
both mean make :class:`AmbiguousColumn`; two indicators sharing a synonym make the catalogue
invalid.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

_OCCURRENCE = re.compile(r"\s*#(\d+)\s*$")
# "%" is no word in a label: R writes "40% personen" as "40..personen"
_WORDS = re.compile(r"[^0-9a-zà-ÿ€²³]+")
_UNIT = re.compile(r"[^0-9a-zà-ÿ€%²³]+")
LABEL_FORMATS = ("statline", "odata4")


class AmbiguousColumn(ValueError):
    """A source column that matches synonyms of more than one indicator."""

    def __init__(self, column: str, unit: str, indicators: tuple[str, ...]) -> None:
        self.column, self.unit, self.indicators = column, unit, indicators
        super().__init__(
            f"column {column!r}"
            + (f" ({unit})" if unit else "")
            + f" could mean {' or '.join(repr(i) for i in indicators)}"
        )


def split_occurrence(text: str) -> tuple[str, int]:
    """``'Nederland #2'`` → ``('Nederland', 2)``; no tag is occurrence 1."""
    m = _OCCURRENCE.search(str(text))
    if not m:
        return str(text), 1
    return str(text)[: m.start()], int(m.group(1))


def words(label: object) -> str:
    """Lower-case words of a label or label path (``/``, ``|``, dots and punctuation are breaks)."""
    text = str(label).replace("\xa0", " ").lower()
    return " ".join(_WORDS.sub(" ", text).split())


def unit_words(unit: object) -> str:
    """A unit reduced to lower-case words, ``%`` kept (``'x 1 000 euro'``, ``'%'``)."""
    text = str(unit).replace("\xa0", " ").lower()
    return " ".join(_UNIT.sub(" ", text).split())


def compact(label: object) -> str:
    """Letters and digits only, accents dropped: how CBS turns a title into an OData key."""
    text = unicodedata.normalize("NFKD", str(label))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]", "", text)


def odata_stem(key: str) -> str:
    """An OData v3 key without its position suffix and ``k_`` prefix, compacted."""
    stem = re.sub(r"_\d+$", "", str(key))
    return compact(re.sub(r"^k_", "", stem))


def occurrence_keys(keys: Iterable[tuple[str, str]]) -> list[str]:
    """Tag repeated (key, unit) pairs of one table ``#2``, ``#3`` in column order.

    Parameters
    ----------
    keys
        (column key, unit) per value column, in the table's order.

    Returns
    -------
    list of str
        The keys, the second and later occurrences of a (key, unit) pair with ``" #k"`` added.
    """
    seen: Counter = Counter()
    out = []
    for key, unit in keys:
        seen[(key, unit)] += 1
        k = seen[(key, unit)]
        out.append(key if k == 1 else f"{key} #{k}")
    return out


@dataclass(frozen=True)
class Rule:
    """One spelling of an indicator in one format."""

    indicator: str
    fmt: str
    text: str
    unit: str
    occurrence: int
    scale: float


def _compatible(a: str, b: str) -> bool:
    return not a or not b or a == b


class Matcher:
    """Indexes the catalogue's source rules for fast, unambiguous matching.

    Parameters
    ----------
    rules
        Every (indicator, format, spelling, unit, scale) of ``sources.csv``, spellings split.

    Raises
    ------
    ValueError
        When two indicators share a spelling (same words, unit and occurrence); the message
        names both (the catalogue turns it into a :class:`~wijkradar.errors.CatalogueError`).
    """

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.by_words: dict[tuple[str, int], list[Rule]] = {}
        self.by_compact: dict[tuple[str, int], list[Rule]] = {}
        self.by_short: dict[str, list[Rule]] = {}
        self.by_exact: dict[tuple[str, str], list[Rule]] = {}
        for r in rules:
            if r.fmt == "statline":
                self._add(self.by_words, (words(r.text), r.occurrence), r)
                if "/" not in r.text:  # a path is no part of an OData key
                    self._add(self.by_compact, (compact(r.text), r.occurrence), r)
            elif r.fmt == "odata":
                self._add(self.by_compact, (odata_stem(r.text), r.occurrence), r)
            elif r.fmt == "kwbkaart":
                self._add(self.by_short, r.text.lower(), r)
            else:
                self._add(self.by_exact, (r.fmt, r.text), r)
        self.longest = max((len(k[0].split()) for k in self.by_words), default=0)

    @staticmethod
    def _add(index: dict, key: object, rule: Rule) -> None:
        bucket = index.setdefault(key, [])
        # Labels and keys carry units (two indicators may share a label with different units:
        # kWh and m³ per dwelling type); short names and keys of the other formats do not.
        unit_told = rule.fmt in ("statline", "odata")
        clash = [
            r
            for r in bucket
            if r.indicator != rule.indicator and (not unit_told or r.unit == rule.unit)
        ]
        if clash:
            raise ValueError(
                f"{rule.fmt} spelling {rule.text!r}"
                + (f" ({rule.unit})" if rule.unit else "")
                + f" is listed for both {clash[0].indicator!r} and {rule.indicator!r}"
            )
        if not any(r.indicator == rule.indicator and r.unit == rule.unit for r in bucket):
            bucket.append(rule)

    def match(self, fmt: str, column: str, unit: str = "") -> Rule | None:
        """The rule a source column matches, ``None`` when none does.

        Raises
        ------
        AmbiguousColumn
            When the best-matching spelling belongs to more than one indicator.
        """
        text, occurrence = split_occurrence(column)
        unit = unit_words(unit)
        if fmt in LABEL_FORMATS:
            ws = words(text).split()
            for k in range(max(0, len(ws) - self.longest), len(ws)):
                found = self._pick(self.by_words.get((" ".join(ws[k:]), occurrence)), unit)
                if found:
                    return self._one(column, unit, found)
            return None
        if fmt == "odata":
            return self._one(
                column, unit, self._pick(self.by_compact.get((odata_stem(text), occurrence)), unit)
            )
        if fmt == "kwbkaart":
            return self._one(column, unit, self.by_short.get(text.lower()))
        return self._one(column, unit, self.by_exact.get((fmt, text)))

    @staticmethod
    def _pick(rules: list[Rule] | None, unit: str) -> list[Rule]:
        return [r for r in rules or () if _compatible(r.unit, unit)]

    @staticmethod
    def _one(column: str, unit: str, rules: list[Rule] | None) -> Rule | None:
        if not rules:
            return None
        ids = tuple(dict.fromkeys(r.indicator for r in rules))
        if len(ids) > 1:
            raise AmbiguousColumn(column, unit, ids)
        return rules[0]
