"""Action frames in words: the :class:`~wijkradar.analysis.actions.ActionResult` (numbers and
ids) as the JSON the web, the CLI and the report show (:func:`action_dict`), or as one row per
triggered pattern (:func:`action_rows`).

Every sentence is made here, through :func:`wijkradar.wording.words`: an indicator reason is the
reason sentence of :meth:`Words.reason <wijkradar.wording.Words.reason>` plus the test's
thresholds, an axis reason its score, band and trend, the signal reason the class's label (from
``signals.toml``). Frame, pattern, intervention, evidence and success-factor texts come from
``actions.toml`` and ``evidence.toml`` in the language asked for.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from wijkradar.wording import N_, Words, words

if TYPE_CHECKING:
    from wijkradar.analysis.actions import ActionResult, FrameOutcome, Reason, TriggeredPattern
    from wijkradar.catalogue import Catalogue
    from wijkradar.catalogue.rules import Rules

REASON_FIELDS = {
    "indicator": (
        "indicator",
        "value",
        "year",
        "value_from",
        "year_from",
        "trend",
        "percentile",
        "group_size",
        "unit",
    ),
    "axis": ("axis", "trend", "level", "score"),
    "signal": ("signal", "year"),
}
"""Per kind of reason, the fields of its ``data`` a reason of :func:`action_dict` shows."""

AXIS_SENTENCES = {
    "composition": N_("As samenstelling ({year}): score {score} van 100 ({level}), trend: {trend}"),
    "problems": N_(
        "As zichtbare problemen ({year}): score {score} van 100 ({level}), trend: {trend}"
    ),
}
AXIS_TRENDS = {
    "rising": N_("verslechtert"),
    "falling": N_("verbetert"),
    "stable": N_("stabiel"),
    "unknown": N_("onbekend"),
}
"""An axis trend in words (rising is worsening: the axes point to vulnerability)."""
AXIS_LEVELS = {
    "weak": N_("zwak"),
    "middle": N_("midden"),
    "strong": N_("sterk"),
    "unknown": N_("onbekend"),
}
THRESHOLDS = {
    "value_gt": N_("meer dan {value}"),
    "value_gte": N_("minstens {value}"),
    "value_lt": N_("minder dan {value}"),
    "value_lte": N_("hoogstens {value}"),
    "percentile_gte": N_("percentiel ≥ {value}"),
    "percentile_lte": N_("percentiel ≤ {value}"),
}
"""A threshold of an indicator test in words, in the order the sentence names them."""


def _thresholds(tests: dict, unit: str, decimals: int, w: Words) -> str:
    """ " (drempel: minstens 20,00%, percentiel ≥ 80)", or nothing without a threshold."""
    parts = []
    for key, text in THRESHOLDS.items():
        if key not in tests:
            continue
        if key.startswith("value_"):
            dec = max(decimals, 2) if unit == "%" else decimals
            value = w.value(float(tests[key]), unit, dec)
        else:
            value = w.figure(float(tests[key]))
        parts.append(w._(text, value=value))
    return " " + w._("(drempel: {tests})", tests=", ".join(parts)) if parts else ""


def _indicator_sentence(
    data: dict, level: str, w: Words, *, names: Any, catalogue: Catalogue
) -> str:
    unknown_from = data["year_from"] is None or data["value_from"] is None
    reason = {
        "indicator": data["indicator"],
        "value_from": data["value_from"],
        "value_to": data["value"],
        "year_from": None if unknown_from else data["year_from"],
        "year_to": data["year"],
        "trend": data["trend"],
        "value_pct": data["percentile"],
        "level": level,
    }
    where = w.where(
        data.get("comparison_code"), data.get("group_gemeenten"), data["group_size"], level, names
    )
    decimals = int(catalogue.meta[data["indicator"]]["decimals"] or 0)
    tests = _thresholds(data.get("thresholds") or {}, data["unit"], decimals, w)
    return w.reason(reason, catalogue, where) + tests


def _axis_sentence(data: dict, year: int, w: Words) -> str:
    score = "—" if data["score"] is None else w.number(data["score"], 0)
    return w._(
        AXIS_SENTENCES[data["axis"]],
        year=year,
        score=score,
        level=w._(AXIS_LEVELS.get(data["level"], data["level"])),
        trend=w._(AXIS_TRENDS.get(data["trend"], data["trend"])),
    )


def _signal_sentence(data: dict, w: Words, rules: Rules) -> str:
    signal = data["signal"]
    try:
        label = w.field(rules.get(str(signal)), "label") or signal
    except KeyError:
        label = signal
    return w._("Signaal {year}: {label}", year=data["year"], label=label)


def reason_sentence(
    reason: Reason,
    result: ActionResult,
    lang: str = "nl",
    *,
    names: Any = None,
    catalogue: Catalogue,
    rules: Rules | None = None,
) -> str:
    """One reason of ``result`` as a sentence in ``lang``; ``names`` (code → name) names the
    gemeente of the relative view, ``rules`` the signal classes (default: the packaged ones)."""
    w = words(lang)
    if reason.kind == "axis":
        return _axis_sentence(reason.data, result.year, w)
    if reason.kind == "signal":
        return _signal_sentence(reason.data, w, rules or _default_rules())
    return _indicator_sentence(reason.data, result.level, w, names=names, catalogue=catalogue)


def _default_rules() -> Rules:
    from wijkradar.catalogue.rules import load_rules

    return load_rules()


def _jsonable(d: dict) -> dict:
    out = {}
    for k, v in d.items():
        if isinstance(v, np.generic):
            v = v.item()
        if isinstance(v, float) and math.isnan(v):
            v = None
        out[k] = v
    return out


class _Writer:
    """The pieces of :func:`action_dict` for one result and language."""

    def __init__(self, result: ActionResult, lang: str, **context: Any) -> None:
        self.result, self.lang, self.context = result, lang, context

    def evidence(self, ids) -> list[dict]:
        ev = self.result.evidence
        return [
            {
                "id": i,
                "title": ev[i].title,
                "publisher": ev[i].publisher,
                "year": ev[i].year,
                "summary": ev[i].summary(self.lang),
                "reference": ev[i].reference,
                "uncertain": ev[i].uncertain,
            }
            for i in ids
        ]

    def reason(self, r: Reason) -> dict:
        shown = {k: r.data.get(k) for k in REASON_FIELDS.get(r.kind, tuple(r.data))}
        return {
            "kind": r.kind,
            "subject": r.subject,
            "sentence": reason_sentence(r, self.result, self.lang, **self.context),
            **_jsonable(shown),
        }

    def pattern(self, tp: TriggeredPattern) -> dict:
        lang = self.lang
        return {
            "id": tp.pattern.id,
            "label": tp.pattern.label(lang),
            "priority": tp.pattern.priority,
            "reasons": [self.reason(r) for r in tp.reasons],
            "interventions": [t(lang) for t in tp.pattern.interventions],
            "evidence": self.evidence(tp.pattern.evidence),
        }

    def frame(self, f: FrameOutcome) -> dict:
        lang = self.lang
        return {
            "id": f.frame.id,
            "label": f.frame.label(lang),
            "description": f.frame.description(lang),
            "triggered": f.triggered,
            "general": f.frame.general(lang),
            "patterns": [self.pattern(tp) for tp in f.patterns],
        }


def action_dict(
    result: ActionResult,
    lang: str = "nl",
    *,
    names: Any = None,
    catalogue: Catalogue,
    rules: Rules | None = None,
) -> dict:
    """``result`` JSON-ready in ``lang``: region, frames with their patterns, reasons (the
    numbers and a ``sentence``), interventions and evidence, and the success factors.

    ``names`` (code → region name, ``Dataset.names``) names the gemeente in the relative view;
    ``catalogue`` gives the indicators' phrases and decimals; ``rules`` the signal classes'
    labels (default: the packaged ``signals.toml``).
    """
    r = result
    out = _Writer(r, words(lang).lang, names=names, catalogue=catalogue, rules=rules)
    return {
        "code": r.code,
        "level": r.level,
        "year": r.year,
        "view": r.view,
        "signal": r.signal,
        "nothing_triggered": r.nothing_triggered,
        "frames": [out.frame(f) for f in r.frames],
        "evidence": out.evidence(list(r.evidence)),
        "success_factors": [
            {
                "id": s.id,
                "label": s.label(lang),
                "text": s.text(lang),
                "evidence": out.evidence(s.evidence),
            }
            for s in r.success_factors
        ],
    }


ROW_COLUMNS = ("code", "frame", "pattern", "priority", "reasons", "evidence")


def action_rows(
    result: ActionResult,
    lang: str = "nl",
    *,
    names: Any = None,
    catalogue: Catalogue,
    rules: Rules | None = None,
) -> pd.DataFrame:
    """One row per triggered pattern of ``result``: :data:`ROW_COLUMNS`, ``reasons`` the
    sentences in ``lang`` (arguments as :func:`action_dict`)."""
    context = {"names": names, "catalogue": catalogue, "rules": rules}
    rows = [
        {
            "code": result.code,
            "frame": f.frame.id,
            "pattern": tp.pattern.id,
            "priority": tp.pattern.priority,
            "reasons": [reason_sentence(r, result, lang, **context) for r in tp.reasons],
            "evidence": list(tp.pattern.evidence),
        }
        for f in result.frames
        for tp in f.patterns
    ]
    return pd.DataFrame(rows, columns=list(ROW_COLUMNS))


__all__ = ["ROW_COLUMNS", "action_dict", "action_rows", "reason_sentence"]
