"""The signalling map: composition × visible problems, classified by the rules in signals.toml.

:func:`signals` computes, for every region of a level in a year, both axes (level and trend,
see :mod:`~wijkradar.analysis.axes`), the class (first matching rule of ``signals.toml``), its
reasons and how stable the class is when thresholds, window and weights move within the
ranges under ``[sensitivity]``. No migration-background variable and no Leefbaarometer 2.0
"bewoners" dimension can enter: only catalogue indicators with a weight do, and the catalogue
test pins those.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from wijkradar.analysis.axes import AXES, AxisInputs, axis_inputs, axis_states, prepare
from wijkradar.analysis.conditions import axis_column, holds_each
from wijkradar.analysis.kernel import AxisSettings
from wijkradar.catalogue import Catalogue
from wijkradar.catalogue.rules import Rules
from wijkradar.codes import gemeente_of

SIGNAL_COLUMNS = (
    "code",
    "level",
    "year",
    "view",
    "composition_score",
    "composition_level",
    "composition_trend",
    "composition_slope",
    "composition_se",
    "problems_score",
    "problems_level",
    "problems_trend",
    "problems_slope",
    "problems_se",
    "signal",
    "variations_changed",
    "stable_under_variations",
)
MAX_REASONS_PER_AXIS = 3


@dataclass(frozen=True)
class SignalResult:
    """Signals of one level, year and view.

    Attributes
    ----------
    frame
        One row per region: columns :data:`SIGNAL_COLUMNS` (scores 0–100, slopes in robust
        SD per year, positive = worsening).
    reasons
        One row per reason: ``code, axis, rank, indicator, year_from, year_to, value_from,
        value_to, change, trend, value_pct, percentile, level, comparison_code,
        group_gemeenten, group_size``: numbers and ids; :mod:`wijkradar.wording` makes the
        sentence (``comparison_code`` is the gemeente in the relative view, ``NL00`` for the
        country, empty for a partial group of ``group_size`` regions in ``group_gemeenten``).
    sensitivity
        One row per variation: ``setting, value, regions_changed, share_changed``.
    indicator_trends
        The per-indicator trends the axes were built from.
    level, year, view, window
        The inputs.
    rules
        The rules used.
    """

    frame: pd.DataFrame
    reasons: pd.DataFrame
    sensitivity: pd.DataFrame
    indicator_trends: pd.DataFrame
    level: str
    year: int
    view: str
    window: int
    rules: Rules = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        return self.frame


def classify(rules: Rules, state: dict[str, dict[str, np.ndarray]]) -> np.ndarray:
    """The id of the first class of ``rules`` whose condition holds, per region; ``state`` is
    axis → ``trend``/``level``/``score`` → array (:func:`~wijkradar.analysis.axes.axis_states`).
    """
    keep = ("trend", "level", "score")
    cols = {axis_column(a, k): v[k] for a, v in state.items() for k in keep if k in v}
    n = len(state["composition"]["trend"])
    fallback = rules.classes[-1].id  # insufficient_data: the validated rules end with it
    out = np.full(n, fallback, dtype=object)
    todo = np.ones(n, dtype=bool)
    hits = holds_each([c.condition for c in rules.classes], cols)
    for c, ok in zip(rules.classes, hits, strict=True):
        hit = todo & ok
        out[hit] = c.id
        todo &= ~hit
    # A region with no level and no trend on both axes has no signal, whatever the rules say.
    blank = np.ones(n, dtype=bool)
    for axis in AXES:
        blank &= (state[axis]["trend"] == "unknown") & (state[axis]["level"] == "unknown")
    out[blank] = fallback
    return out


def _sensitivity(prep, catalogue, rules, settings: AxisSettings, inp, base, *, breaks):
    """Classes under each variation of ``[sensitivity]``; per-region count of changes."""
    sens = rules.sensitivity
    codes = inp.codes
    changed = np.zeros(len(codes), dtype=int)
    rows = []

    def record(setting, value, classes):
        diff = classes != base
        changed[:] += diff
        rows.append(
            {
                "setting": setting,
                "value": value,
                "regions_changed": int(diff.sum()),
                "share_changed": float(diff.mean()) if len(diff) else 0.0,
            }
        )

    for key in ("weak", "strong", "z"):
        for v in sens.get(key, []):
            record(key, v, classify(rules, axis_states(inp, replace(settings, **{key: v}))))
    for v in sens.get("window", []):
        alt = axis_inputs(prep, catalogue, replace(settings, window=int(v)), breaks=breaks)
        cls = pd.Series(classify(rules, axis_states(alt, settings)), index=alt.codes)
        record("window", v, cls.reindex(codes).fillna("insufficient_data").to_numpy())
    for f in sens.get("weight_factor", []):
        for j, ind in enumerate(inp.indicators):
            w = inp.weight.copy()
            w[j] *= f
            record(f"weight:{ind}", f, classify(rules, axis_states(inp, settings, weights=w)))
    return changed, pd.DataFrame(
        rows, columns=["setting", "value", "regions_changed", "share_changed"]
    )


REASON_COLUMNS = (
    "code",
    "axis",
    "rank",
    "indicator",
    "year_from",
    "year_to",
    "value_from",
    "value_to",
    "change",
    "trend",
    "value_pct",
    "percentile",
    "level",
    "comparison_code",
    "group_gemeenten",
    "group_size",
)
"""Columns of :attr:`SignalResult.reasons`: numbers and ids, no words."""


def comparison_code(code: str, view: str, n_gemeenten: float, national_min: int) -> str | None:
    """What a region's percentile compares with, as a code: its gemeente (relative view),
    ``NL00`` when the group spans at least ``national_min`` gemeenten, else ``None`` (a partial
    group, described by ``group_gemeenten`` and ``group_size``)."""
    if view == "relative":
        return gemeente_of(code)
    if n_gemeenten == n_gemeenten and n_gemeenten >= national_min:  # not NaN
        return "NL00"
    return None


def _reasons(
    inp: AxisInputs,
    states: dict,
    *,
    level: str,
    view: str,
    national_min_gemeenten: int,
) -> pd.DataFrame:
    """Top indicators per axis in the direction of the axis (or its weakest, when stable)."""
    tcols = ["year_from", "year_to", "value_from", "value_to", "change", "trend"]
    tr = {}
    if len(inp.trends):
        t = inp.trends
        for key, *vals in zip(
            zip(t["code"], t["indicator"], strict=True),
            *(t[c].tolist() for c in tcols),
            strict=True,
        ):
            tr[key] = dict(zip(tcols, vals, strict=True))
    rows = []
    for a in AXES:
        cols = np.flatnonzero(inp.domain == a)
        if not len(cols):
            continue
        w = inp.weight[cols]
        with np.errstate(all="ignore"):
            contrib = w * inp.direction[cols] * inp.slope[:, cols] / inp.spread[cols]
        pct = inp.percentile[:, cols]
        trend = states[a]["trend"]
        for r, code in enumerate(inp.codes):
            if trend[r] == "rising":
                order = np.argsort(-np.nan_to_num(contrib[r], nan=-np.inf))
                pick = [j for j in order if contrib[r, j] > 0]
            elif trend[r] == "falling":
                order = np.argsort(np.nan_to_num(contrib[r], nan=np.inf))
                pick = [j for j in order if contrib[r, j] < 0]
            else:
                order = np.argsort(-np.nan_to_num(pct[r], nan=-np.inf))
                pick = [j for j in order if not np.isnan(pct[r, j])][:1]
            for rank, j in enumerate(pick[:MAX_REASONS_PER_AXIS], start=1):
                ind = inp.indicators[cols[j]]
                t = tr.get((code, ind))
                yr_to = inp.pct_year[r, cols[j]]
                reason = {
                    "code": code,
                    "axis": a,
                    "rank": rank,
                    "indicator": ind,
                    "level": level,
                    "year_from": int(t["year_from"])
                    if t is not None and pd.notna(t["year_from"])
                    else None,
                    "year_to": int(t["year_to"])
                    if t is not None and pd.notna(t["year_to"])
                    else (int(yr_to) if not np.isnan(yr_to) else None),
                    "value_from": float(t["value_from"]) if t is not None else np.nan,
                    "value_to": float(t["value_to"]) if t is not None else np.nan,
                    "change": float(t["change"]) if t is not None else np.nan,
                    "trend": str(t["trend"]) if t is not None else "unknown",
                    "value_pct": float(inp.value_pct[r, cols[j]]),
                    "percentile": float(pct[r, j]),
                }
                n_gm = float(inp.group_gemeenten[r, cols[j]])
                reason["comparison_code"] = comparison_code(
                    code, view, n_gm, national_min_gemeenten
                )
                reason["group_gemeenten"] = n_gm
                reason["group_size"] = float(inp.group_size[r, cols[j]])
                rows.append(reason)
    return pd.DataFrame(rows, columns=list(REASON_COLUMNS))


def signals(
    panel: pd.DataFrame,
    catalogue: Catalogue,
    rules: Rules,
    *,
    level: str,
    year: int | None = None,
    view: str = "absolute",
    breaks: pd.DataFrame | None = None,
    sensitivity: bool = True,
    national_min_gemeenten: int = 300,
) -> SignalResult:
    """Signals for every region of ``level`` in ``year``.

    Parameters
    ----------
    panel
        The long panel (see :mod:`wijkradar.panel.schema`).
    catalogue, rules
        Indicator catalogue and signal rules.
    level
        ``buurt``, ``wijk`` or ``gemeente``.
    year
        Signal year; default the latest year with data at that level.
    view
        ``absolute`` (against all regions of the level) or ``relative`` (within the gemeente).
    breaks
        Series breaks (``breaks.parquet``): editions before a break are not compared.
    sensitivity
        Also vary the settings under ``[sensitivity]``.
    national_min_gemeenten
        The absolute comparison counts as the country (``comparison_code`` ``NL00``) when the
        level's regions span at least this many gemeenten, else as a partial group.

    Returns
    -------
    SignalResult
    """
    if view not in ("absolute", "relative"):
        raise ValueError(f"view must be 'absolute' or 'relative', got {view!r}")
    lv = panel[panel["level"] == level]
    if year is None:
        if lv.empty:
            raise ValueError(f"no data at level {level!r}")
        year = int(lv["year"].max())
    settings = AxisSettings.from_rules(rules)
    window = settings.window
    prep = prepare(panel, catalogue, settings, level=level, year=year, view=view)
    inp = axis_inputs(prep, catalogue, settings, breaks=breaks)
    st = axis_states(inp, settings)
    base = classify(rules, st)
    if sensitivity:
        changed, sens = _sensitivity(prep, catalogue, rules, settings, inp, base, breaks=breaks)
    else:
        changed, sens = np.zeros(len(base), dtype=int), pd.DataFrame()
    frame = pd.DataFrame({"code": inp.codes, "level": level, "year": year, "view": view})
    for a in AXES:
        frame[f"{a}_score"] = st[a]["score"]
        frame[f"{a}_level"] = st[a]["level"]
        frame[f"{a}_trend"] = st[a]["trend"]
        frame[f"{a}_slope"] = st[a]["slope"]
        frame[f"{a}_se"] = st[a]["se"]
    frame["signal"] = base
    frame["variations_changed"] = changed
    frame["stable_under_variations"] = changed == 0
    reasons = _reasons(
        inp, st, level=level, view=view, national_min_gemeenten=national_min_gemeenten
    )
    return SignalResult(
        frame=frame[list(SIGNAL_COLUMNS)],
        reasons=reasons,
        sensitivity=sens,
        indicator_trends=inp.trends,
        level=level,
        year=year,
        view=view,
        window=window,
        rules=rules,
    )
