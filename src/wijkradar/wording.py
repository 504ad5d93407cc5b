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


BANDS = {
    "weak": N_("zwak"),
    "middle": N_("midden"),
    "strong": N_("sterk"),
    "unknown": N_("onbekend"),
}
"""An axis band in words (``weak`` → "zwak")."""


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
        if unit == EURO_THOUSANDS:  # published to ``decimals`` in thousands: no false precision
            return "€ " + self.number(round(value, max(decimals, 1)) * 1000, 0)
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

    # -- dynamics and early warning ----------------------------------------------------------

    def feature(self, feature: str, catalogue: Catalogue) -> str:
        """An early-warning feature's name: ``problems_score`` → "problemenscore",
        ``lag:ind:lbm_safety`` → "Leefbaarometer veiligheid bij de buren"."""
        if feature.startswith("lag:"):
            return self._("{what} bij de buren", what=self.feature(feature[4:], catalogue))
        if feature.startswith("ind:"):
            ind = feature[4:]
            meta = catalogue.meta.get(ind)
            return self.field(meta, "label") if meta else ind
        names = {
            "composition_score": N_("samenstellingsscore"),
            "problems_score": N_("problemenscore"),
            "composition_change": N_("verandering van de samenstellingsscore"),
            "problems_change": N_("verandering van de problemenscore"),
            "population_change": N_("bevolkingsgroei"),
            "problems_weak_run": N_("edities op rij in de zwakste vijfde (problemen)"),
        }
        return self._(names[feature]) if feature in names else feature

    def driver(self, driver: dict, catalogue: Catalogue) -> str:
        """A driver of a risk in words: its name and value ("problemenscore 84",
        "bevolkingsgroei −12%", "Leefbaarometer veiligheid: slechter dan 91% ...")."""
        feat = str(driver["feature"])
        name = self.feature(feat, catalogue)
        v = driver.get("value")
        if v is None or _missing(v):
            return self._("{name} onbekend", name=name)
        base = feat.removeprefix("lag:")
        if base == "population_change":
            return f"{name} {self.signed(100 * (math.exp(v) - 1), 0)}%"
        if base.endswith("_change"):
            return self._("{name} {value} punten", name=name, value=self.signed(v, 0))
        if base == "problems_weak_run":
            return f"{name}: {self.number(v, 0)}"
        if base.startswith("ind:"):
            meta = catalogue.meta.get(base[4:]) or {}
            if str(meta.get("direction", "+")) == "0":  # no vulnerable side: just its rank
                return self._("{name}: hoger dan {pct}% van de gebieden", name=name, pct=round(v))
            return self._(
                "{name}: kwetsbaarder dan {pct}% van de gebieden", name=name, pct=round(v)
            )
        return f"{name} {self.number(v, 0)}"

    def signed(self, value: float, decimals: int = 0) -> str:
        """A number with its sign (+3, −2; a true minus sign)."""
        text = self.number(abs(value), decimals)
        if round(value, decimals) == 0:
            return text
        return ("+" if value > 0 else "\u2212") + text

    def mover_direction(self, direction: str) -> str:
        """``daler`` / ``stijger`` in words."""
        return self._("daler") if direction == "daler" else self._("stijger")

    def surroundings(self, row: dict, level: str) -> str:
        """One axis's course beside its neighbours' (:mod:`wijkradar.analysis.surroundings`):
        "Problemen: +12 punten sinds 2016; de 6 aangrenzende buurten gemiddeld +2 — beweegt
        tegen de omgeving in." Higher scores are more vulnerable."""
        axis = self._("Samenstelling") if row["axis"] == "composition" else self._("Problemen")
        relations = {
            "with": N_("beweegt mee met de omgeving"),
            "against": N_("beweegt tegen de omgeving in"),
            "alone": N_("beweegt, de omgeving blijft ongeveer gelijk"),
            "holds": N_("blijft ongeveer gelijk terwijl de omgeving beweegt"),
            "stable": N_("blijft ongeveer gelijk, net als de omgeving"),
        }
        if _missing(row.get("change")):
            return self._("{axis}: geen eerdere editie om mee te vergelijken.", axis=axis)
        own = self.n_(
            "{axis}: {change} punt sinds {year}",
            "{axis}: {change} punten sinds {year}",
            round(abs(row["change"])),
            axis=axis,
            change=self.signed(row["change"]),
            year=int(row["previous_year"]),
        )
        n = int(row.get("neighbours") or 0)
        if n == 0 or _missing(row.get("neighbours_change")):
            return own + "; " + self._("geen aangrenzend gebied om mee te vergelijken.")
        nb = self.n_(
            "{n} aangrenzende {units} {change}",
            "de {n} aangrenzende {units} gemiddeld {change}",
            n,
            units=self.units(level, n),
            change=self.signed(row["neighbours_change"]),
        )
        return f"{own}; {nb} \u2014 {self._(relations[row['relation']])}."

    def baseline(self, rule: str, catalogue: Catalogue) -> str:
        """A backtest row's rule in words: a model, or a named naive baseline."""
        fixed = {
            "logit": N_("model: logistische regressie"),
            "boosting": N_("model: gradient boosting"),
            "persistence": N_("blijft zoals het is (huidige klasse of score)"),
            "trend": N_("de trend zet door"),
        }
        if rule in fixed:
            return self._(fixed[rule])
        if rule.startswith("level:"):
            ind = rule.partition(":")[2]
            what = self.feature(
                "problems_score" if ind == "problems_score" else "ind:" + ind, catalogue
            )
            return self._("huidig niveau van {what}", what=what)
        return rule

    def outcome(self, outcome: str, kind: str, points: float = 10) -> str:
        """What an early-warning outcome means, for a legend."""
        if outcome == "weak":
            if kind == "lbm_class":
                return self._("Leefbaarometer-klasse 4 of lager (onvoldoende)")
            return self._("problemenscore in de zwakste vijfde")
        if kind == "lbm_class":
            return self._("een lagere Leefbaarometer-klasse")
        return self._("problemenscore minstens {n} punten hoger", n=self.figure(points))

    def backtest_sentence(self, headline: dict, catalogue: Catalogue) -> str:
        """How such forecasts did in the past, in one sentence (from
        :attr:`WarningResult.headline <wijkradar.dataset.warning.WarningResult.headline>`)."""
        if not headline:
            return self._("Er is geen backtest: zonder die wordt geen risico getoond.")
        how = (
            self._("op eerdere jaren getoetst")
            if headline["split"] == "time"
            else self._("getoetst op andere gemeenten (ruimtelijk geblokt, geen tijdsplitsing)")
        )
        verdict = (
            self._("het model doet het beter")
            if headline["beats"]
            else self._("het model doet het niet beter")
        )
        return self._(
            "Backtest {a}→{b}, {how}: ROC-AUC {auc} (1 = perfect, 0,5 = toeval); de beste "
            "eenvoudige maatstaf ({baseline}) haalt {bauc}: {verdict}.",
            a=headline["origin"],
            b=headline["target"] if headline["target"] is not None else "?",
            how=how,
            auc=self.number(headline["roc_auc"], 2),
            baseline=self.baseline(headline["baseline"], catalogue),
            bauc=self.number(headline["baseline_roc_auc"], 2),
            verdict=verdict,
        )

    # -- reasons ------------------------------------------------------------------------------

    def reason(self, reason: dict, catalogue: Catalogue, where: str, names: Any = None) -> str:
        """One reason behind a signal as a sentence, by its ``role`` (see
        :mod:`wijkradar.analysis.signal_reasons`): an axis's call, band and run; an indicator,
        how it moved beside its comparison group and how it ranks; new housing; a small area.

        ``where`` is the percentile's comparison group in words (:meth:`where`); ``names``
        (code → name) names the gemeente a trend is compared with.
        """
        role = reason.get("role")
        if role == "axis":
            return self.axis_reason(reason, names)
        if role == "housing":
            return self.housing_reason(reason)
        if role == "small":
            return self._(
                "Klein gebied: {n} inwoners ({year}); de cijfers rusten op kleine aantallen "
                "en schommelen sterk.",
                n=self.number(reason["value_to"]),
                year=_year(reason["year_to"]),
            )
        text = self.indicator_reason(reason, catalogue, names, where)
        text += self.rank(reason.get("value_pct"), reason["level"], where) + "."
        if role == "against":
            lead = self._("Maar: ") if reason.get("axis_trend") in ("rising", "falling") else ""
            lead = lead or self._("Wel: ")
            return lead + text[0].lower() + text[1:] if _lower_ok(text) else lead + text
        return text

    def trend_group(self, code: str | None, level: str, names: Any = None, where: str = "") -> str:
        """What a trend is compared with, in words: "Nederland", a gemeente, or the median
        region of a group (``median:NL00``: of ``where``, the percentile's comparison group,
        which is the country only with the full series)."""
        if not isinstance(code, str) or not code:
            return ""
        if code.startswith("median:"):
            inner = code.partition(":")[2]
            group = where if inner == "NL00" and where else self.trend_group(inner, level, names)
            return self._("de middelste {unit} in {group}", unit=self.units(level, 1), group=group)
        if code == "NL00":
            return self._("Nederland")
        name = None if names is None else names.get(code)
        return name if isinstance(name, str) and name else code

    def _years(self, year: object, lag: int) -> str | None:
        """An edition year, with the year its figure refers to where they differ
        ("2017, KWB 2019")."""
        y = _year(year)
        if y is None or not lag:
            return None if y is None else str(y)
        return self._("{ref}, KWB {edition}", ref=y - lag, edition=y)

    def indicator_reason(
        self, reason: dict, catalogue: Catalogue, names: Any = None, where: str = ""
    ) -> str:
        """How an indicator moved: its own values, its group's, and the call against the group
        (without the final rank and full stop)."""
        ind = catalogue.meta[reason["indicator"]]
        unit, dec = str(ind["unit"]), int(ind["decimals"] or 0)
        dec = max(dec, 1) if unit in ("%", "per 1 000 inwoners") else dec
        lag = int(ind.get("reference_lag", 0) or 0)
        phrase = catalogue.phrase(reason["indicator"], self.lang)
        phrase = phrase[0].upper() + phrase[1:]
        v0 = self.value(reason.get("value_from"), unit, dec)
        v1 = self.value(reason.get("value_to"), unit, dec)
        y0, y1 = self._years(reason.get("year_from"), lag), self._years(reason.get("year_to"), lag)
        prices = ""
        if reason.get("price_year") is not None and not _missing(reason.get("price_year")):
            prices = self._(" (in prijzen van {year})", year=int(reason["price_year"]))
        if y0 is None or y0 == y1:
            return self._("{what} was {v1} ({y1})", what=phrase, v1=v1, y1=y1) + prices
        values = _f(phrase, v0, y0, v1, y1)
        a, b = reason.get("value_from"), reason.get("value_to")
        if _missing(a) or _missing(b) or a == b:
            text = self._("{what} ging van {v0} ({y0}) naar {v1} ({y1})", **values)
        elif b > a:
            text = self._("{what} steeg van {v0} ({y0}) naar {v1} ({y1})", **values)
        else:
            text = self._("{what} daalde van {v0} ({y0}) naar {v1} ({y1})", **values)
        text += prices
        return text + self._against_group(reason, unit, dec, names, where)

    def _against_group(
        self, reason: dict, unit: str, dec: int, names: Any = None, where: str = ""
    ) -> str:
        """The comparison group's development beside the region's, and the call on the
        difference ("; Nederland van 7,9% naar 7,5%: duidelijk hoger uitgekomen …")."""
        text = ""
        group = self.trend_group(reason.get("trend_group"), reason["level"], names, where)
        trend = reason.get("trend")
        if not group:  # a raw trend (action facts, or no comparison group)
            if trend not in ("rising", "falling"):
                text += self._("; geen duidelijke trend")
            return text
        g0 = self.value(reason.get("group_value_from"), unit, dec)
        g1 = self.value(reason.get("group_value_to"), unit, dec)
        text += self._("; {group} van {g0} naar {g1}", group=group, g0=g0, g1=g1)
        if reason.get("within_rounding") is True:  # no change of its own beyond CBS's rounding
            text += self._("; zelf binnen één afrondingsstap van CBS gelijk gebleven")
        elif reason.get("own_trend") == "stable" and trend == "stable":
            return text + self._(": geen duidelijke eigen beweging")
        if trend == "rising":
            return text + self._(": duidelijk hoger uitgekomen dan die ontwikkeling")
        if trend == "falling":
            return text + self._(": duidelijk lager uitgekomen dan die ontwikkeling")
        return text + self._(": geen duidelijk verschil met die ontwikkeling")

    def axis_reason(self, reason: dict, names: Any = None) -> str:
        """An axis's call against its comparison group, its score and band, and how long it has
        stood in the structural band."""
        axis = self._("Samenstelling") if reason["axis"] == "composition" else self._("Problemen")
        group = self.trend_group(reason.get("trend_group"), reason["level"], names)
        calls = {
            "rising": self._("verslechtert ten opzichte van {group}", group=group),
            "falling": self._("verbetert ten opzichte van {group}", group=group),
            "stable": self._("beweegt niet duidelijk anders dan {group}", group=group),
        }
        call = calls.get(
            reason.get("axis_trend"), self._("trend onbekend (te weinig cijfers over de jaren)")
        )
        score = reason.get("axis_score")
        if _missing(score):
            text = self._(
                "{axis}: {call}; score onbekend (te weinig cijfers dit jaar)", axis=axis, call=call
            )
        else:
            band = self._(BANDS.get(str(reason.get("axis_band")), BANDS["unknown"]))
            text = self._(
                "{axis}: {call}; score {score} ({band})",
                axis=axis,
                call=call,
                score=self.number(score),
                band=band,
            )
        run = reason.get("weak_run")
        if not _missing(run) and int(run) >= 2:
            text += self._(
                "; al {n} edities op rij bij de zwakste {share}% (sinds {since})",
                n=int(run),
                share=self.figure(reason.get("band_share") or 20),
                since=_year(reason.get("weak_since")),
            )
        return text + "."

    def housing_reason(self, reason: dict) -> str:
        """New building or demolition (dwellings), or a population that changed a lot."""
        change = self.number(abs(float(reason["change"])) * 100)
        values = {
            "change": change,
            "v0": self.number(reason["value_from"]),
            "y0": _year(reason["year_from"]),
            "v1": self.number(reason["value_to"]),
            "y1": _year(reason["year_to"]),
        }
        grew = float(reason["change"]) > 0
        if reason["indicator"] == "dwellings" and grew:
            return self._(
                "Nieuwbouw: de woningvoorraad groeide met {change}% ({v0} in {y0} → {v1} in "
                "{y1}); nieuwe bewoners veranderen de cijfers, niet de positie van wie er al "
                "woonde.",
                **values,
            )
        if reason["indicator"] == "dwellings":
            return self._(
                "Sloop of samenvoeging: de woningvoorraad kromp met {change}% ({v0} in {y0} → "
                "{v1} in {y1}); wie vertrok en wie kwam, bepaalt de cijfers mee.",
                **values,
            )
        if grew:
            return self._(
                "Het aantal inwoners groeide met {change}% ({v0} in {y0} → {v1} in {y1}): "
                "een andere bevolking, niet per se een verandering voor wie er woonde.",
                **values,
            )
        return self._(
            "Het aantal inwoners nam af met {change}% ({v0} in {y0} → {v1} in {y1}): wie "
            "vertrok, bepaalt de cijfers mee.",
            **values,
        )

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


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _lower_ok(text: str) -> bool:
    """Whether a sentence may start lower-case after a lead-in (not a name or an acronym)."""
    return len(text) > 1 and not text[1].isupper()


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
