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

from wijkradar.analysis.axes import AXES, axis_inputs, axis_states, prepare, reference_lags
from wijkradar.analysis.conditions import axis_column, holds_each
from wijkradar.analysis.kernel import AxisSettings
from wijkradar.analysis.prices import money_indicators, price_year
from wijkradar.analysis.signal_reasons import (
    REASON_COLUMNS,
    comparison_code,
    housing_change,
)
from wijkradar.analysis.signal_reasons import (
    reasons as make_reasons,
)
from wijkradar.catalogue import Catalogue
from wijkradar.catalogue.rules import Rules

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
    "composition_weak_run",
    "composition_weak_since",
    "problems_weak_run",
    "problems_weak_since",
    "known_axes",
    "population",
    "population_change",
    "dwellings",
    "dwellings_change",
    "signal",
    "variations_changed",
    "stable_under_variations",
)
__all__ = ["REASON_COLUMNS", "SIGNAL_COLUMNS", "SignalResult", "classify", "comparison_code"]


@dataclass(frozen=True)
class SignalResult:
    """Signals of one level, year and view.

    Attributes
    ----------
    frame
        One row per region: columns :data:`SIGNAL_COLUMNS` (scores 0–100, slopes in robust
        SD per year against the comparison group, positive = worsening; ``*_weak_run`` the
        editions in a row in the structural band; ``known_axes`` ``both``, ``composition``,
        ``problems`` or ``none``; population and dwellings with their change in the window).
    reasons
        One row per reason, columns :data:`~wijkradar.analysis.signal_reasons.REASON_COLUMNS`:
        numbers and ids; :mod:`wijkradar.wording` makes the sentence (``comparison_code`` is
        the gemeente in the relative view, ``NL00`` for the country, empty for a partial group
        of ``group_size`` regions in ``group_gemeenten``).
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
    keep = ("trend", "level", "score", "weak_run")
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


def known_axes(state: dict[str, dict[str, np.ndarray]]) -> np.ndarray:
    """``both``, ``composition``, ``problems`` or ``none``: which axes have a level or a trend
    (a signal never silently rests on one axis: the map and the reasons say so)."""
    known = {a: (state[a]["trend"] != "unknown") | (state[a]["level"] != "unknown") for a in AXES}
    c, p = known["composition"], known["problems"]
    return np.where(c & p, "both", np.where(c, "composition", np.where(p, "problems", "none")))


def price_years(catalogue: Catalogue, year: int) -> dict[str, int]:
    """Money indicator → the year whose prices its trend is in (the signal year's reference
    year: the income of edition 2019 is in prices of 2017)."""
    lag = reference_lags(catalogue)
    return {i: price_year(i, year, lag) for i in money_indicators(catalogue)}


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

    for key in ("weak", "strong", "structural", "z"):
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
    cpi: pd.Series | None = None,
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
    cpi
        Consumer price index (year → index) money amounts are deflated with; default the
        packaged CBS index (:func:`~wijkradar.analysis.prices.load_cpi`).
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
    prep = prepare(
        panel, catalogue, settings, level=level, year=year, view=view, breaks=breaks, cpi=cpi
    )
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
        frame[f"{a}_weak_run"] = st[a]["weak_run"]
        frame[f"{a}_weak_since"] = st[a]["weak_since"]
    frame["known_axes"] = known_axes(st)
    housing = housing_change(panel, inp.codes, level=level, year=year, window=window, breaks=breaks)
    for c in ("population", "population_change", "dwellings", "dwellings_change"):
        frame[c] = housing[c].to_numpy(float)
    frame["signal"] = base
    frame["variations_changed"] = changed
    frame["stable_under_variations"] = changed == 0
    reasons = make_reasons(
        inp,
        st,
        housing,
        level=level,
        view=view,
        national_min_gemeenten=national_min_gemeenten,
        thresholds=rules["housing"],
        structural=settings.structural,
        price_years=price_years(catalogue, year),
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
