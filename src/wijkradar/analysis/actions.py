"""Action frames: which frames of the action matrix a region triggers, and why.

Pure: frames in, result objects out. :func:`indicator_facts` collects, once per level and
year, the latest value, its position in the comparison group and the trend of every indicator a
condition names; :func:`region_state` gathers one region's signal, axes and facts;
:func:`evaluate_actions` applies the matrix (``catalogue/actions.toml``). Every reason carries
the numbers it rests on (value, year, percentile, trend), taken from the panel and the signal;
a test on an unknown, suppressed or missing value never holds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wijkradar.analysis.reasons import format_value, sentence
from wijkradar.analysis.signals import comparison_label
from wijkradar.analysis.trends import indicator_trends
from wijkradar.catalogue import Catalogue
from wijkradar.catalogue.actions import ActionMatrix, Evidence, Frame, Pattern, SuccessFactor

FACT_COLUMNS = (
    "code",
    "indicator",
    "year",
    "value",
    "status",
    "value_pct",
    "group_size",
    "group_gemeenten",
    "trend",
    "year_from",
    "value_from",
    "slope",
    "se",
)
AXIS_WORDS = {
    "nl": {
        "composition": "samenstelling",
        "problems": "zichtbare problemen",
        "rising": "verslechtert",
        "falling": "verbetert",
        "stable": "stabiel",
        "unknown": "onbekend",
        "weak": "zwak",
        "middle": "midden",
        "strong": "sterk",
    },
    "en": {
        "composition": "composition",
        "problems": "visible problems",
        "rising": "worsening",
        "falling": "improving",
        "stable": "stable",
        "unknown": "unknown",
        "weak": "weak",
        "middle": "middle",
        "strong": "strong",
    },
}


def indicator_facts(
    panel: pd.DataFrame,
    catalogue: Catalogue,
    *,
    level: str,
    year: int,
    window: int,
    indicators: tuple[str, ...] | list[str],
    view: str = "absolute",
    z: float = 1.645,
    min_years: int = 2,
    breaks: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per region of ``level`` and indicator: the latest value in ``[year - window, year]``,
    its position and its trend.

    Returns
    -------
    DataFrame
        :data:`FACT_COLUMNS`. ``value``/``year`` are the latest observed or derived value (or,
        when the latest row is suppressed or missing, NaN with that ``status``);
        ``value_pct`` the share (0–100) of the other regions of the comparison group (same
        level and year; in the ``relative`` view the same gemeente) with a strictly lower
        value; ``trend``, ``year_from``, ``value_from``, ``slope``, ``se`` from
        :func:`~wijkradar.analysis.trends.indicator_trends` (value direction, not
        vulnerability direction).
    """
    inds = list(indicators)
    lo = year - window
    lv = panel[(panel["level"] == level) & (panel["year"] >= lo) & (panel["year"] <= year)]
    rows = lv[lv["indicator"].isin(inds)].copy()
    if rows.empty:
        return pd.DataFrame(columns=list(FACT_COLUMNS))
    rows["code"] = rows["code"].astype(str)
    rows["indicator"] = rows["indicator"].astype(str)
    rows["status"] = rows["status"].astype(str)
    shown = rows["status"].isin(["observed", "derived"]) & rows["value"].notna()
    ok = rows[shown].copy()
    keys = ["indicator", "year"] + (["gm"] if view == "relative" else [])
    ok["gm"] = ok["code"].str[2:6]
    g = ok.groupby(keys, observed=True)["value"]
    n = g.transform("size")
    lower = g.rank(method="min") - 1
    ok["value_pct"] = (lower / (n - 1).where(n > 1) * 100).to_numpy()
    ok["group_size"] = n.to_numpy()
    ok["group_gemeenten"] = ok.groupby(keys, observed=True)["gm"].transform("nunique").to_numpy()
    latest = ok.sort_values("year").drop_duplicates(["code", "indicator"], keep="last")
    # a later suppressed/missing row says why the latest figure is not shown
    last_any = rows.sort_values("year").drop_duplicates(["code", "indicator"], keep="last")
    hidden = last_any[
        ~last_any.set_index(["code", "indicator"]).index.isin(
            latest.set_index(["code", "indicator"]).index
        )
    ]
    cols = ["code", "indicator", "year", "value", "status", "value_pct", "group_size"]
    facts = pd.concat(
        [
            latest[[*cols, "group_gemeenten"]],
            hidden[["code", "indicator", "year", "status"]].assign(value=np.nan),
        ],
        ignore_index=True,
    )
    # trends: bases (population, households) must be in the frame for the noise model
    tr = indicator_trends(
        lv,
        catalogue,
        year=year,
        window=window,
        z=z,
        min_years=min_years,
        breaks=breaks,
        indicators=inds,
    )
    if len(tr):
        tr = tr[["code", "indicator", "trend", "year_from", "value_from", "slope", "se"]].copy()
        tr["code"] = tr["code"].astype(str)
        tr["indicator"] = tr["indicator"].astype(str)
        facts = facts.merge(tr, on=["code", "indicator"], how="left")
    for c in FACT_COLUMNS:
        if c not in facts:
            facts[c] = np.nan
    facts["trend"] = facts["trend"].fillna("unknown")
    return facts[list(FACT_COLUMNS)].reset_index(drop=True)


@dataclass(frozen=True)
class RegionState:
    """What the conditions look at for one region.

    Attributes
    ----------
    code, level, year, view
        The region and the signal it belongs to.
    signal, signal_label_nl, signal_label_en
        The signal class id and labels (``None`` when the region has no signal row).
    axes
        ``{"composition"|"problems": {"trend", "level", "score"}}``.
    facts
        Indicator id → one row of :func:`indicator_facts` as a dict, plus ``comparison_nl`` /
        ``comparison_en`` (the comparison group in words).
    """

    code: str
    level: str
    year: int
    view: str
    signal: str | None
    signal_label_nl: str
    signal_label_en: str
    axes: dict
    facts: dict


def region_state(
    code: str,
    *,
    level: str,
    year: int,
    view: str,
    signal_row: dict | None,
    facts: pd.DataFrame,
    signal_label_nl: str = "",
    signal_label_en: str = "",
    gemeente_name: str | None = None,
    national_min_gemeenten: int = 300,
) -> RegionState:
    """One region's state from its row of the signal frame and the facts table."""
    axes = {}
    for a in ("composition", "problems"):
        r = signal_row or {}
        score = r.get(f"{a}_score")
        axes[a] = {
            "trend": str(r.get(f"{a}_trend") or "unknown"),
            "level": str(r.get(f"{a}_level") or "unknown"),
            "score": None if score is None or score != score else float(score),
        }
    mine = facts[facts["code"] == code] if len(facts) else facts
    out = {}
    for rec in mine.to_dict("records"):
        rec = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in rec.items()}
        for lang in ("nl", "en"):
            if view == "relative":
                where = gemeente_name or (rec["code"][2:6] if lang == "en" else "de gemeente")
            else:
                where = comparison_label(
                    rec["group_gemeenten"] if rec["group_gemeenten"] is not None else float("nan"),
                    rec["group_size"] or 0,
                    level,
                    national_min_gemeenten,
                    lang,
                )
            rec[f"comparison_{lang}"] = where
        out[rec["indicator"]] = rec
    return RegionState(
        code=code,
        level=level,
        year=int(year),
        view=view,
        signal=(signal_row or {}).get("signal"),
        signal_label_nl=signal_label_nl,
        signal_label_en=signal_label_en,
        axes=axes,
        facts=out,
    )


@dataclass(frozen=True)
class Reason:
    """One number behind a triggered pattern: ``kind`` is indicator, axis or signal; ``data``
    holds the fields (value, year, percentile, trend, …) the sentences are made from."""

    kind: str
    subject: str
    sentence_nl: str
    sentence_en: str
    data: dict = field(default_factory=dict)

    def sentence(self, lang: str = "nl") -> str:
        return self.sentence_en if lang == "en" else self.sentence_nl


@dataclass(frozen=True)
class TriggeredPattern:
    pattern: Pattern
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class FrameOutcome:
    """A frame in the result: its triggered patterns (may be empty for an ``always`` frame)."""

    frame: Frame
    patterns: tuple[TriggeredPattern, ...]

    @property
    def triggered(self) -> bool:
        return bool(self.patterns)


@dataclass(frozen=True)
class ActionResult:
    """The action frames for one region.

    Attributes
    ----------
    code, level, year, view, signal
        The region and the signal the frames were derived from.
    frames
        Triggered frames in priority order, then frames shown always (netwerk) that did not
        trigger.
    success_factors
        The general success factors of area-based work (every profile).
    evidence
        Evidence id → entry, for every id the result refers to.
    """

    code: str
    level: str
    year: int
    view: str
    signal: str | None
    frames: tuple[FrameOutcome, ...]
    success_factors: tuple[SuccessFactor, ...]
    evidence: dict[str, Evidence]

    @property
    def nothing_triggered(self) -> bool:
        return not any(f.triggered for f in self.frames)

    def to_frame(self) -> pd.DataFrame:
        """One row per triggered pattern: frame, pattern, priority, reasons (Dutch)."""
        rows = [
            {
                "code": self.code,
                "frame": f.frame.id,
                "pattern": tp.pattern.id,
                "priority": tp.pattern.priority,
                "reasons": [r.sentence_nl for r in tp.reasons],
                "evidence": list(tp.pattern.evidence),
            }
            for f in self.frames
            for tp in f.patterns
        ]
        return pd.DataFrame(
            rows, columns=["code", "frame", "pattern", "priority", "reasons", "evidence"]
        )

    def to_dict(self, lang: str = "nl") -> dict:
        """JSON-ready, in one language."""

        def ev(ids):
            return [
                {
                    "id": i,
                    "title": self.evidence[i].title,
                    "publisher": self.evidence[i].publisher,
                    "year": self.evidence[i].year,
                    "summary": self.evidence[i].summary(lang),
                    "reference": self.evidence[i].reference,
                    "uncertain": self.evidence[i].uncertain,
                }
                for i in ids
            ]

        return {
            "code": self.code,
            "level": self.level,
            "year": self.year,
            "view": self.view,
            "signal": self.signal,
            "nothing_triggered": self.nothing_triggered,
            "frames": [
                {
                    "id": f.frame.id,
                    "label": f.frame.label(lang),
                    "description": f.frame.description(lang),
                    "triggered": f.triggered,
                    "general": f.frame.general(lang),
                    "patterns": [
                        {
                            "id": tp.pattern.id,
                            "label": tp.pattern.label(lang),
                            "priority": tp.pattern.priority,
                            "reasons": [
                                {
                                    "kind": r.kind,
                                    "subject": r.subject,
                                    "sentence": r.sentence(lang),
                                    **_jsonable(r.data),
                                }
                                for r in tp.reasons
                            ],
                            "interventions": [t(lang) for t in tp.pattern.interventions],
                            "evidence": ev(tp.pattern.evidence),
                        }
                        for tp in f.patterns
                    ],
                }
                for f in self.frames
            ],
            "evidence": ev(list(self.evidence)),
            "success_factors": [
                {
                    "id": s.id,
                    "label": s.label(lang),
                    "text": s.text(lang),
                    "evidence": ev(s.evidence),
                }
                for s in self.success_factors
            ],
        }


def _jsonable(d: dict) -> dict:
    out = {}
    for k, v in d.items():
        if isinstance(v, np.generic):
            v = v.item()
        if isinstance(v, float) and math.isnan(v):
            v = None
        out[k] = v
    return out


def _num(x: float, lang: str) -> str:
    text = f"{x:g}"
    return text.replace(".", ",") if lang == "nl" else text


def _test_words(cond: dict, unit: str, dec: int, lang: str) -> str:
    parts = []
    for key, nl, en in (
        ("value_gt", "meer dan", "more than"),
        ("value_gte", "minstens", "at least"),
        ("value_lt", "minder dan", "less than"),
        ("value_lte", "hoogstens", "at most"),
    ):
        if key in cond:
            v = format_value(float(cond[key]), unit, max(dec, 2 if unit == "%" else dec), lang)
            parts.append(f"{nl if lang == 'nl' else en} {v}")
    if "percentile_gte" in cond:
        p = _num(cond["percentile_gte"], lang)
        parts.append(f"percentiel ≥ {p}" if lang == "nl" else f"percentile ≥ {p}")
    if "percentile_lte" in cond:
        p = _num(cond["percentile_lte"], lang)
        parts.append(f"percentiel ≤ {p}" if lang == "nl" else f"percentile ≤ {p}")
    if not parts:
        return ""
    return (
        f" (drempel: {', '.join(parts)})" if lang == "nl" else f" (threshold: {', '.join(parts)})"
    )


def _indicator_reason(cond: dict, f: dict, state: RegionState, catalogue: Catalogue) -> Reason:
    meta = catalogue.meta[f["indicator"]]
    unit, dec = str(meta["unit"]), int(meta["decimals"] or 0)
    sentences = {}
    for lang in ("nl", "en"):
        reason = {
            "indicator": f["indicator"],
            "value_from": f["value_from"],
            "value_to": f["value"],
            "year_from": None if f["year_from"] is None else int(f["year_from"]),
            "year_to": int(f["year"]),
            "trend": f["trend"],
            "value_pct": f["value_pct"],
            "level": state.level,
            "comparison": f[f"comparison_{lang}"],
        }
        if reason["year_from"] is None or f["value_from"] is None:
            reason["year_from"] = None
        sentences[lang] = sentence(reason, catalogue, lang) + _test_words(cond, unit, dec, lang)
    data = {
        "indicator": f["indicator"],
        "value": f["value"],
        "year": int(f["year"]),
        "value_from": f["value_from"],
        "year_from": None if f["year_from"] is None else int(f["year_from"]),
        "trend": f["trend"],
        "percentile": f["value_pct"],
        "group_size": f["group_size"],
        "unit": unit,
    }
    return Reason("indicator", f["indicator"], sentences["nl"], sentences["en"], data)


def _axis_reason(axis: str, state: RegionState) -> Reason:
    a = state.axes[axis]
    s = {}
    for lang in ("nl", "en"):
        w = AXIS_WORDS[lang]
        score = "—" if a["score"] is None else f"{a['score']:.0f}"
        if lang == "nl":
            s[lang] = (
                f"As {w[axis]} ({state.year}): score {score} van 100 ({w[a['level']]}), "
                f"trend: {w[a['trend']]}"
            )
        else:
            s[lang] = (
                f"{w[axis].capitalize()} axis ({state.year}): score {score} of 100 "
                f"({w[a['level']]}), trend: {w[a['trend']]}"
            )
    return Reason("axis", axis, s["nl"], s["en"], {"axis": axis, **a})


def _signal_reason(state: RegionState) -> Reason:
    return Reason(
        "signal",
        "signal",
        f"Signaal {state.year}: {state.signal_label_nl or state.signal}",
        f"Signal {state.year}: {state.signal_label_en or state.signal}",
        {"signal": state.signal, "year": state.year},
    )


def _between(v: float, cond: dict, prefix: str) -> bool:
    checks = {
        f"{prefix}_gt": lambda t: v > t,
        f"{prefix}_gte": lambda t: v >= t,
        f"{prefix}_lt": lambda t: v < t,
        f"{prefix}_lte": lambda t: v <= t,
    }
    return all(fn(cond[k]) for k, fn in checks.items() if k in cond)


def _eval(cond: dict, state: RegionState, catalogue: Catalogue) -> tuple[bool, list[Reason]]:
    if "all" in cond:
        reasons: list[Reason] = []
        for c in cond["all"]:
            ok, r = _eval(c, state, catalogue)
            if not ok:
                return False, []
            reasons += r
        return True, reasons
    if "any" in cond:
        reasons, hit = [], False
        for c in cond["any"]:
            ok, r = _eval(c, state, catalogue)
            if ok:
                hit, reasons = True, reasons + r
        return hit, reasons
    if "signal" in cond:
        ok = state.signal is not None and state.signal in cond["signal"]
        return ok, [_signal_reason(state)] if ok else []
    if "axis" in cond:
        a = state.axes[cond["axis"]]
        if "trend" in cond and a["trend"] not in cond["trend"]:
            return False, []
        if "level" in cond and a["level"] not in cond["level"]:
            return False, []
        if ("score_gte" in cond or "score_lte" in cond) and (
            a["score"] is None or not _between(a["score"], cond, "score")
        ):
            return False, []
        return True, [_axis_reason(cond["axis"], state)]
    f = state.facts.get(cond["indicator"])
    if f is None or f["value"] is None:
        return False, []  # unknown, suppressed or missing: claims nothing
    if "trend" in cond and f["trend"] not in cond["trend"]:
        return False, []
    if ("percentile_gte" in cond or "percentile_lte" in cond) and (
        f["value_pct"] is None or not _between(f["value_pct"], cond, "percentile")
    ):
        return False, []
    if not _between(float(f["value"]), cond, "value"):
        return False, []
    return True, [_indicator_reason(cond, f, state, catalogue)]


def evaluate_actions(
    matrix: ActionMatrix, state: RegionState, catalogue: Catalogue
) -> ActionResult:
    """The frames ``state`` triggers, in priority order, each with its reasons."""
    outcomes = []
    for frame in matrix.frames:
        hits = []
        for p in frame.patterns:
            ok, reasons = _eval(p.condition, state, catalogue)
            if ok:
                seen, uniq = set(), []
                for r in reasons:
                    if (r.kind, r.subject) not in seen:
                        seen.add((r.kind, r.subject))
                        uniq.append(r)
                hits.append(TriggeredPattern(p, tuple(uniq)))
        hits.sort(key=lambda t: t.pattern.priority)
        if hits or frame.always:
            outcomes.append(FrameOutcome(frame, tuple(hits)))
    outcomes.sort(
        key=lambda o: (
            not o.triggered,
            min((t.pattern.priority for t in o.patterns), default=10**6),
            o.frame.priority,
        )
    )
    ids: list[str] = []
    for o in outcomes:
        for t in o.patterns:
            ids += [i for i in t.pattern.evidence if i not in ids]
    for s in matrix.success_factors:
        ids += [i for i in s.evidence if i not in ids]
    return ActionResult(
        code=state.code,
        level=state.level,
        year=state.year,
        view=state.view,
        signal=state.signal,
        frames=tuple(outcomes),
        success_factors=matrix.success_factors,
        evidence={i: matrix.evidence[i] for i in ids},
    )


__all__ = [
    "ActionResult",
    "FrameOutcome",
    "Reason",
    "RegionState",
    "TriggeredPattern",
    "evaluate_actions",
    "indicator_facts",
    "region_state",
]
