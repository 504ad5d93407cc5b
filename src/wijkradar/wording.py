"""Every sentence wijkradar writes, in one place, Dutch first (gettext + Babel).

The analysis returns numbers and ids; the edges (dataset profile, text, report, web, CLI) ask
:func:`words` for a :class:`Words` in the user's language and make sentences with it. Source
strings are Dutch (``_("steeg")``); other languages are gettext catalogues in
``wijkradar/locale/<lang>/LC_MESSAGES/wijkradar.po`` (compiled in memory when first used, so no
build step), and numbers are formatted by Babel in the language's locale. A new language is a
new ``.po`` file plus its entry in :data:`LOCALES` and :data:`wijkradar.vocab.LANGS`.

``tools/messages.py`` extracts the strings and updates the catalogues; ``tests/test_wording.py``
fails when a string in the code has no translation.
"""

from __future__ import annotations

import gettext
import io
import math
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from wijkradar.vocab import DEFAULT_LANG, LANGS

if TYPE_CHECKING:
    from wijkradar.catalogue import Catalogue

DOMAIN = "wijkradar"
LOCALES = {"nl": "nl_NL", "en": "en_GB"}
"""Language → the Babel locale its numbers are written in."""

UNITLESS = ("aantal", "afwijking", "klasse 1-9", "code", "")
"""Catalogue units that are not written after the number."""
EURO_THOUSANDS = "x 1 000 euro"


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark ``message`` for extraction without translating it here."""
    return message


def Nn_(singular: str, plural: str) -> tuple[str, str]:  # noqa: N802 - as N_, with a plural
    """Mark a singular/plural pair for extraction; translate later with ``ngettext``."""
    return singular, plural


@cache
def _translations(lang: str) -> gettext.NullTranslations:
    """The gettext catalogue of ``lang``, compiled from its ``.po`` in memory (once)."""
    po = resources.files("wijkradar") / "locale" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.is_file():
        return gettext.NullTranslations()
    with po.open("rb") as fp:
        catalog = read_po(fp, locale=LOCALES.get(lang, lang), domain=DOMAIN)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def check_lang(lang: str) -> str:
    """``lang`` when wijkradar speaks it; else a :class:`ValueError` naming the choices."""
    if lang not in LANGS:
        raise ValueError(
            f"taal {lang!r} bestaat niet; kies uit {', '.join(LANGS)} "
            f"(language {lang!r} unknown; choose from {', '.join(LANGS)})"
        )
    return lang


class Words:
    """Sentences, labels and numbers in one language (get one with :func:`words`)."""

    def __init__(self, lang: str = DEFAULT_LANG) -> None:
        self.lang = check_lang(lang)
        self.locale = LOCALES[lang]
        self._t = _translations(lang)

    def __repr__(self) -> str:
        return f"<Words {self.lang}>"

    # -- gettext ------------------------------------------------------------------------------

    def _(self, message: str, **fields: Any) -> str:
        """``message`` translated, then ``str.format``-ed with ``fields``."""
        text = self._t.gettext(message)
        return text.format(**fields) if fields else text

    def n_(self, singular: str, plural: str, n: int, **fields: Any) -> str:
        """The singular or plural form for ``n`` (the language's plural rule), formatted."""
        text = self._t.ngettext(singular, plural, n)
        return text.format(n=n, **fields)

    def p_(self, context: str, message: str, **fields: Any) -> str:
        """``message`` translated in ``context`` (for one Dutch word with two meanings)."""
        text = self._t.pgettext(context, message)
        return text.format(**fields) if fields else text

    def field(self, obj: Any, name: str) -> str:
        """A bilingual data field, e.g. ``field(cls, "label")`` → ``cls.label_en`` in English.

        Data (catalogue rows, signal classes, action frames) carries its own ``_nl``/``_en``
        texts; code strings go through gettext.
        """
        get = obj.get if isinstance(obj, dict) else lambda k, d=None: getattr(obj, k, d)
        value = get(f"{name}_{self.lang}")
        return str(value if value not in (None, "") else get(f"{name}_{DEFAULT_LANG}", ""))

    # -- numbers ------------------------------------------------------------------------------

    def number(self, value: float, decimals: int = 0) -> str:
        """``value`` with ``decimals`` decimals and the locale's separators (1.234,5 / 1,234.5)."""
        pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
        # Decimal(float) is the float's exact value: rounding then matches Python's own.
        return format_decimal(Decimal(value), format=pattern, locale=self.locale)

    def value(self, value: float | None, unit: str, decimals: int = 1) -> str:
        """A value with its catalogue unit: ``23,4%``, ``€ 27.800``, ``4,1 per 1.000``."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return self._("onbekend")
        if unit == EURO_THOUSANDS:
            return "€ " + self.number(value * 1000, 0)
        text = self.number(value, decimals)
        if unit == "%":
            return f"{text}%"
        if unit.startswith("per 1 000"):
            return self._("{value} per 1.000", value=text)
        if unit in UNITLESS:
            return text
        return f"{text} {unit}"

    def figure(self, value: float) -> str:
        """A number as a rule file writes it, with just the decimals it has (``80``, ``12,5``)."""
        text = f"{value:g}"
        decimals = len(text.partition(".")[2]) if "e" not in text else 0
        return self.number(float(value), decimals)

    # -- region words -------------------------------------------------------------------------

    def units(self, level: str, n: int = 2) -> str:
        """The word for ``n`` regions of ``level``: buurt/buurten, wijk/wijken …"""
        forms = {
            "buurt": Nn_("buurt", "buurten"),
            "wijk": Nn_("wijk", "wijken"),
            "gemeente": Nn_("gemeente", "gemeenten"),
            "land": Nn_("land", "landen"),
        }
        if level not in forms:
            return level
        one, many = forms[level]
        return self._t.ngettext(one, many, n)

    def comparison(
        self, n_gemeenten: float, n_regions: float, level: str, national_min: int
    ) -> str:
        """What an absolute score compares with: "Nederland", or the partial group in words."""
        if n_gemeenten != n_gemeenten:  # NaN: no group
            return ""
        if n_gemeenten >= national_min:
            return self._("Nederland")
        return self._(
            "de vergelijkingsgroep ({regions} {units} in {gemeenten})",
            regions=int(n_regions),
            units=self.units(level),
            gemeenten=self.n_("{n} gemeente", "{n} gemeenten", int(n_gemeenten)),
        )

    def where(
        self,
        comparison_code: str | None,
        group_gemeenten: float | None,
        group_size: float | None,
        level: str,
        names: Any = None,
    ) -> str:
        """A percentile's comparison group in words, from the analysis' ``comparison_code``:
        "Nederland" for ``NL00``, a gemeente's name from ``names`` (code → name, a dict or
        ``Dataset.names``; else its code) in the relative view, otherwise the partial group of
        ``group_size`` regions of ``level`` in ``group_gemeenten`` gemeenten
        (:meth:`comparison`; empty without a group)."""
        if comparison_code == "NL00":
            return self._("Nederland")
        if comparison_code:
            name = None if names is None else names.get(comparison_code)
            return name if isinstance(name, str) and name else comparison_code
        n_gm = float("nan") if group_gemeenten is None else group_gemeenten
        # not NL00, so a partial group: no number of gemeenten makes it the country here
        return self.comparison(n_gm, group_size or 0, level, national_min=1 << 62)

    # -- reasons ------------------------------------------------------------------------------

    def reason(self, reason: dict, catalogue: Catalogue, where: str) -> str:
        """One reason behind a signal as a sentence: the indicator, how it moved, how it ranks.

        ``where`` is the comparison group in words (:meth:`comparison`, or the gemeente's name
        in the relative view).
        """
        ind = catalogue.meta[reason["indicator"]]
        unit, dec = str(ind["unit"]), int(ind["decimals"] or 0)
        dec = max(dec, 1) if unit in ("%", "per 1 000 inwoners") else dec
        phrase = catalogue.phrase(reason["indicator"], self.lang)
        phrase = phrase[0].upper() + phrase[1:]
        v0 = self.value(reason["value_from"], unit, dec)
        v1 = self.value(reason["value_to"], unit, dec)
        y0, y1 = _year(reason["year_from"]), _year(reason["year_to"])
        trend = reason["trend"]
        if y0 is None or y0 == y1:
            text = self._("{what} was {v1} ({y1})", what=phrase, v1=v1, y1=y1)
        elif trend == "rising":
            text = self._(
                "{what} steeg van {v0} ({y0}) naar {v1} ({y1})", **_f(phrase, v0, y0, v1, y1)
            )
        elif trend == "falling":
            text = self._(
                "{what} daalde van {v0} ({y0}) naar {v1} ({y1})", **_f(phrase, v0, y0, v1, y1)
            )
        else:
            text = self._(
                "{what} ging van {v0} ({y0}) naar {v1} ({y1}; geen duidelijke trend)",
                **_f(phrase, v0, y0, v1, y1),
            )
        return text + self.rank(reason.get("value_pct"), reason["level"], where) + "."

    def rank(self, pct: float | None, level: str, where: str) -> str:
        """ ", hoger dan 85% van de buurten in Nederland" (or nothing without a percentile)."""
        if pct is None or (isinstance(pct, float) and math.isnan(pct)):
            return ""
        units = self.units(level)
        if pct >= 99.5:
            return self._(", het hoogst van de {units} in {where}", units=units, where=where)
        if pct <= 0.5:
            return self._(", het laagst van de {units} in {where}", units=units, where=where)
        if pct >= 50:
            return self._(
                ", hoger dan {share}% van de {units} in {where}",
                share=round(pct),
                units=units,
                where=where,
            )
        return self._(
            ", lager dan {share}% van de {units} in {where}",
            share=round(100 - pct),
            units=units,
            where=where,
        )


def _year(value: object) -> int | None:
    """A year from a reason row (float in frames with gaps, NaN or None when unknown)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return int(value)


def _f(what: str, v0: str, y0: object, v1: str, y1: object) -> dict[str, object]:
    return {"what": what, "v0": v0, "y0": y0, "v1": v1, "y1": y1}


def in_language(obj: Any, lang: str) -> Any:
    """``obj`` (dicts and lists, e.g. a profile) with every bilingual field pair in ``lang``
    only: ``label_nl``/``label_en`` → ``label``, ``comparison``/``comparison_en`` →
    ``comparison`` (the Dutch text where the language's own is empty)."""
    if isinstance(obj, list):
        return [in_language(v, lang) for v in obj]
    if not isinstance(obj, dict):
        return obj
    out: dict = {}
    for key, value in obj.items():
        base, _, suffix = key.rpartition("_")
        if suffix in LANGS and base and (f"{base}_nl" in obj or base in obj):
            if base not in out:
                own = obj.get(f"{base}_{lang}") if lang != DEFAULT_LANG else None
                dutch = obj.get(f"{base}_nl", obj.get(base))
                out[base] = own if own not in (None, "") else dutch
            continue
        if f"{key}_en" in obj and key not in out:  # Dutch under the bare name, e.g. comparison
            own = obj.get(f"{key}_{lang}") if lang != DEFAULT_LANG else None
            out[key] = own if own not in (None, "") else value
            continue
        if key not in out:
            out[key] = in_language(value, lang)
    return out


@cache
def words(lang: str = DEFAULT_LANG) -> Words:
    """The :class:`Words` of ``lang`` (``nl`` or ``en``), made once per process."""
    return Words(lang)
