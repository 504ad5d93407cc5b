"""Action frames: which frames of the action matrix a region triggers, and why.

Pure: frames in, result objects out. :func:`indicator_facts` collects, once per level and
year, the latest value, its position in the comparison group and the trend of every indicator a
condition names; :func:`region_state` gathers one region's signal, axes and facts;
:func:`evaluate_actions` applies the matrix (``catalogue/actions.toml``). Every reason carries
the numbers and ids it rests on (value, year, percentile, trend, comparison group, thresholds),
taken from the panel and the signal; a test on an unknown, suppressed or missing value never
holds. No sentences here: :mod:`wijkradar.dataset.action_words` words the result.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wijkradar.analysis.conditions import (
    FACT_FIELDS,
    Condition,
    axis_column,
    fact_column,
    holds,
    holds_each,
)
from wijkradar.analysis.scores import percentiles
from wijkradar.analysis.signals import comparison_code
from wijkradar.analysis.trends import indicator_trends
from wijkradar.catalogue import Catalogue
from wijkradar.catalogue.actions import (
    ActionMatrix,
    AllOf,
    AnyOf,
    AxisTest,
    Evidence,
    Frame,
    Pattern,
    SignalTest,
    SuccessFactor,
)
from wijkradar.frames import as_text

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
THRESHOLD_KEYS = (
    "value_gt",
    "value_gte",
    "value_lt",
    "value_lte",
    "percentile_gte",
    "percentile_lte",
)
"""The thresholds of an indicator test, in the order its sentence names them."""


def indicator_facts(
    panel: pd.DataFrame,
    catalogue: Catalogue,
    *,
    level: str,
    year: int,
    window: int,
    indicators: tuple[str, ...] | list[str],
    view: str = "absolute",
    z: float | None = None,
    min_years: int | None = None,
    breaks: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per region of ``level`` and indicator: the latest value in ``[year - window, year]``,
    its position and its trend (``z`` and ``min_years`` default to the packaged
    ``signals.toml``, as in :func:`~wijkradar.analysis.trends.indicator_trends`).

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
    rows["code"] = as_text(rows["code"])
    rows["indicator"] = as_text(rows["indicator"])
    rows["status"] = as_text(rows["status"])
    # value_pct, group_size, group_gemeenten: the position in the comparison group
    ok = percentiles(rows, catalogue, view=view, indicators=inds)
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
        tr["code"] = as_text(tr["code"])
        tr["indicator"] = as_text(tr["indicator"])
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
    signal
        The signal class id (``None`` when the region has no signal row).
    axes
        ``{"composition"|"problems": {"trend", "level", "score"}}``.
    facts
        Indicator id → one row of :func:`indicator_facts` as a dict, plus ``comparison_code``
        (what the percentile compares with, see
        :func:`~wijkradar.analysis.signals.comparison_code`).
    """

    code: str
    level: str
    year: int
    view: str
    signal: str | None
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
        n_gm = rec["group_gemeenten"]
        rec["comparison_code"] = comparison_code(
            code, view, float("nan") if n_gm is None else n_gm, national_min_gemeenten
        )
        out[rec["indicator"]] = rec
    return RegionState(
        code=code,
        level=level,
        year=int(year),
        view=view,
        signal=(signal_row or {}).get("signal"),
        axes=axes,
        facts=out,
    )


@dataclass(frozen=True)
class Reason:
    """One number behind a triggered pattern: ``kind`` is indicator, axis or signal, ``subject``
    the indicator id, the axis or ``"signal"``; ``data`` holds every field its sentence is made
    from (:func:`wijkradar.dataset.action_words.reason_sentence`).

    ``data`` of an indicator: ``indicator, value, year, value_from, year_from, trend,
    percentile, group_size, unit, group_gemeenten, comparison_code`` and ``thresholds`` (the
    test's ``value_gt``/``value_gte``/``value_lt``/``value_lte``/``percentile_gte``/
    ``percentile_lte`` that it names); of an axis: ``axis, trend, level, score``; of the
    signal: ``signal, year``."""

    kind: str
    subject: str
    data: dict = field(default_factory=dict)


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


def _indicator_reason(cond: dict, f: dict, catalogue: Catalogue) -> Reason:
    data = {
        "indicator": f["indicator"],
        "value": f["value"],
        "year": int(f["year"]),
        "value_from": f["value_from"],
        "year_from": None if f["year_from"] is None else int(f["year_from"]),
        "trend": f["trend"],
        "percentile": f["value_pct"],
        "group_size": f["group_size"],
        "unit": str(catalogue.meta[f["indicator"]]["unit"]),
        "group_gemeenten": f["group_gemeenten"],
        "comparison_code": f["comparison_code"],
        "thresholds": {k: float(cond[k]) for k in THRESHOLD_KEYS if k in cond},
    }
    return Reason("indicator", f["indicator"], data)


def _axis_reason(axis: str, state: RegionState) -> Reason:
    return Reason("axis", axis, {"axis": axis, **state.axes[axis]})


def _signal_reason(state: RegionState) -> Reason:
    return Reason("signal", "signal", {"signal": state.signal, "year": state.year})


def action_states(signal_frame: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    """The state frame of every region of ``signal_frame``, for :func:`pattern_hits`.

    Returns
    -------
    DataFrame
        Indexed by ``code``: the signal frame's columns (``signal``, ``composition_trend``, …)
        and, per indicator of ``facts`` (:func:`indicator_facts`), ``<indicator>.value``,
        ``<indicator>.value_pct`` and ``<indicator>.trend`` (see
        :mod:`~wijkradar.analysis.conditions`); NaN where a region has no fact.
    """
    states = signal_frame.assign(code=signal_frame["code"].astype(str)).set_index("code")
    if not len(facts):
        return states
    wide = facts.pivot(index="code", columns="indicator", values=list(FACT_FIELDS))
    wide.columns = [fact_column(ind, f) for f, ind in wide.columns]
    return states.join(wide)


def pattern_hits(matrix: ActionMatrix, states: pd.DataFrame) -> pd.DataFrame:
    """Which patterns of ``matrix`` hold, for every region of ``states`` at once.

    Returns
    -------
    DataFrame
        ``bool``, indexed like ``states`` (see :func:`action_states`), one column per
        ``(frame, pattern)`` id pair.
    """
    ids = [(f.id, p.id) for f in matrix.frames for p in f.patterns]
    hits = holds_each([p.condition for f in matrix.frames for p in f.patterns], states)
    columns = pd.MultiIndex.from_tuples(ids, names=["frame", "pattern"])
    return pd.DataFrame(dict(zip(columns, hits, strict=True)), index=states.index)


def _state_row(state: RegionState) -> dict[str, list]:
    """``state`` as a one-row state (the columns of :func:`action_states`)."""
    row = {"signal": [state.signal]}
    for axis, a in state.axes.items():
        row |= {axis_column(axis, k): [a[k]] for k in ("trend", "level", "score")}
    for indicator, f in state.facts.items():
        row |= {fact_column(indicator, k): [f[k]] for k in FACT_FIELDS}
    return row


def _why(cond: Condition, row: dict, state: RegionState, catalogue: Catalogue) -> list:
    """The reasons of a condition that holds: one per test that holds, in the file's order."""
    if isinstance(cond, AllOf):
        return [r for c in cond.all for r in _why(c, row, state, catalogue)]
    if isinstance(cond, AnyOf):
        return [r for c in cond.any if holds(c, row)[0] for r in _why(c, row, state, catalogue)]
    if isinstance(cond, SignalTest):
        return [_signal_reason(state)]
    if isinstance(cond, AxisTest):
        return [_axis_reason(cond.axis, state)]
    test = cond.model_dump(exclude_none=True)
    return [_indicator_reason(test, state.facts[cond.indicator], catalogue)]


def _triggered(p: Pattern, row: dict, state: RegionState, catalogue) -> TriggeredPattern:
    seen, uniq = set(), []
    for r in _why(p.condition, row, state, catalogue):
        if (r.kind, r.subject) not in seen:
            seen.add((r.kind, r.subject))
            uniq.append(r)
    return TriggeredPattern(p, tuple(uniq))


def evaluate_actions(
    matrix: ActionMatrix, state: RegionState, catalogue: Catalogue
) -> ActionResult:
    """The frames ``state`` triggers, in priority order, each with its reasons (the one-region
    case of :func:`pattern_hits`)."""
    row = _state_row(state)
    ids = [(f.id, p.id) for f in matrix.frames for p in f.patterns]
    conds = [p.condition for f in matrix.frames for p in f.patterns]
    hit = dict(zip(ids, holds_each(conds, row), strict=True))
    outcomes = []
    for frame in matrix.frames:
        ps = [p for p in frame.patterns if hit[frame.id, p.id][0]]
        hits = [_triggered(p, row, state, catalogue) for p in ps]
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
    "action_states",
    "evaluate_actions",
    "indicator_facts",
    "pattern_hits",
    "region_state",
]
