"""Reasons behind a signal: the indicators that drive each axis, as data and as a sentence.

A sentence reads like "Het aandeel huishoudens met een laag inkomen steeg van 18% (2017) naar
23% (2019), hoger dan 85% van de buurten in Nederland." Every number in it is a field of the
reason, traceable to the panel (and through ``source`` to the file).
"""

from __future__ import annotations

import math

from wijkradar.catalogue import Catalogue

PLURAL = {
    "nl": {"buurt": "buurten", "wijk": "wijken", "gemeente": "gemeenten", "land": "landen"},
    "en": {
        "buurt": "neighbourhoods",
        "wijk": "districts",
        "gemeente": "municipalities",
        "land": "countries",
    },
}


def format_value(value: float, unit: str, decimals: int = 1, lang: str = "nl") -> str:
    """A value with its unit, Dutch number style (decimal comma) unless ``lang='en'``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "onbekend" if lang == "nl" else "unknown"
    if unit == "x 1 000 euro":
        text = f"€ {value * 1000:,.0f}"
        return text.replace(",", ".") if lang == "nl" else text
    text = f"{value:,.{decimals}f}"
    if lang == "nl":
        text = text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
    if unit == "%":
        return f"{text}%"
    if unit.startswith("per 1 000"):
        return f"{text} per 1 000" if lang == "en" else f"{text} per 1.000"
    if unit in ("aantal", "afwijking", "klasse 1-9", "code", ""):
        return text
    return f"{text} {unit}"


def sentence(reason: dict, catalogue: Catalogue, lang: str = "nl") -> str:
    """The reason as one sentence (Dutch or English)."""
    ind = catalogue.meta[reason["indicator"]]
    unit, dec = str(ind["unit"]), int(ind["decimals"] or 0)
    dec = max(dec, 1) if unit in ("%", "per 1 000 inwoners") else dec
    phrase = catalogue.phrase(reason["indicator"], lang)
    phrase = phrase[0].upper() + phrase[1:]
    v0 = format_value(reason["value_from"], unit, dec, lang)
    v1 = format_value(reason["value_to"], unit, dec, lang)
    y0, y1 = reason["year_from"], reason["year_to"]
    t = reason["trend"]
    if lang == "en":
        verb = {"rising": "rose", "falling": "fell"}.get(t)
        if y0 is None or y0 == y1:
            text = f"{phrase} was {v1} ({y1})"
        elif verb:
            text = f"{phrase} {verb} from {v0} ({y0}) to {v1} ({y1})"
        else:
            text = f"{phrase} went from {v0} ({y0}) to {v1} ({y1}; no clear trend)"
    else:
        verb = {"rising": "steeg", "falling": "daalde"}.get(t)
        if y0 is None or y0 == y1:
            text = f"{phrase} was {v1} ({y1})"
        elif verb:
            text = f"{phrase} {verb} van {v0} ({y0}) naar {v1} ({y1})"
        else:
            text = f"{phrase} ging van {v0} ({y0}) naar {v1} ({y1}; geen duidelijke trend)"
    pct = reason.get("value_pct")
    if pct is not None and not math.isnan(pct):
        units = PLURAL[lang].get(reason["level"], reason["level"])
        where = (
            (reason.get("comparison_en") if lang == "en" else None)
            or reason.get("comparison")
            or ""
        )
        if pct >= 99.5:
            text += (
                f", the highest of the {units} in {where}"
                if lang == "en"
                else f", het hoogst van de {units} in {where}"
            )
        elif pct <= 0.5:
            text += (
                f", the lowest of the {units} in {where}"
                if lang == "en"
                else f", het laagst van de {units} in {where}"
            )
        else:
            if pct >= 50:
                share = round(pct)
                rel = f"higher than {share}%" if lang == "en" else f"hoger dan {share}%"
            else:
                share = round(100 - pct)
                rel = f"lower than {share}%" if lang == "en" else f"lager dan {share}%"
            text += (
                f", {rel} of the {units} in {where}"
                if lang == "en"
                else f", {rel} van de {units} in {where}"
            )
    return text + "."
