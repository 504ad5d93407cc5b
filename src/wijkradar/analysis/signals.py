"""The signalling map: composition × visible problems, classified by the rules in signals.toml.

:func:`signals` computes, for every region of a level in a year, both axes (level and trend,
see :mod:`~wijkradar.analysis.axes`), the class (first matching rule of ``signals.toml``), its
reasons and how stable the class is when thresholds, window and weights move within the
ranges under ``[sensitivity]``. No migration-background variable and no Leefbaarometer 2.0
"bewoners" dimension can enter: only catalogue indicators with a weight do, and the catalogue
test pins those.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wijkradar.analysis.axes import (
    AXES,
    AxisInputs,
    Prepared,
    axis_inputs,
    axis_state,
    prepare,
)
from wijkradar.analysis.reasons import sentence
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
        value_to, change, trend, value_pct, percentile, comparison, level, sentence_nl,
        sentence_en``.
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


def _holds(cond: dict, state: dict[str, dict[str, np.ndarray]], n: int) -> np.ndarray:
    if "all" in cond:
        out = np.ones(n, dtype=bool)
        for c in cond["all"]:
            out &= _holds(c, state, n)
        return out
    if "any" in cond:
        out = np.zeros(n, dtype=bool)
        for c in cond["any"]:
            out |= _holds(c, state, n)
        return out
    axis = state[cond["axis"]]
    ok = np.ones(n, dtype=bool)
    if "trend" in cond:
        ok &= np.isin(axis["trend"], cond["trend"])
    if "level" in cond:
        ok &= np.isin(axis["level"], cond["level"])
    return ok


def classify(rules: Rules, state: dict[str, dict[str, np.ndarray]]) -> np.ndarray:
    """Vectorised :meth:`Rules.classify`: the first matching class id per region."""
    n = len(state["composition"]["trend"])
    out = np.full(n, "", dtype=object)
    todo = np.ones(n, dtype=bool)
    for c in rules.classes:
        hit = todo & _holds(c.condition, state, n)
        out[hit] = c.id
        todo &= ~hit
    out[todo] = rules.classes[-1].id
    # A region with no level and no trend on both axes has no signal, whatever the rules say.
    blank = np.ones(n, dtype=bool)
    for axis in AXES:
        blank &= (state[axis]["trend"] == "unknown") & (state[axis]["level"] == "unknown")
    out[blank] = "insufficient_data"
    return out


def _states(inp: AxisInputs, rules: Rules, *, weights=None, **override) -> dict:
    kw = {
        "min_score_share": rules["scores"]["min_weight_share"],
        "min_trend_share": rules["trends"]["min_weight_share"],
        "z": rules["trends"]["z"],
        "weak": rules["levels"]["weak"],
        "strong": rules["levels"]["strong"],
    }
    kw.update(override)
    sets = rules["scores"].get("sufficient_sets", {})
    return {
        a: axis_state(inp, a, weights=weights, sufficient_sets=sets.get(a, []), **kw) for a in AXES
    }


def _prepare(panel, catalogue, rules, level, year, view) -> Prepared:
    windows = [int(rules["trends"]["window"]), *map(int, rules.sensitivity.get("window", []))]
    min_units = rules["scores"]["min_relative_units"] if view == "relative" else 1
    return prepare(
        panel,
        catalogue,
        level=level,
        year=year,
        max_window=max(windows),
        view=view,
        min_units=min_units,
    )


def _inputs(prep: Prepared, catalogue, rules, window: int, breaks) -> AxisInputs:
    return axis_inputs(
        prep,
        catalogue,
        window=window,
        z=rules["trends"]["z"],
        min_years=rules["trends"]["min_years"],
        breaks=breaks,
    )


def _sensitivity(prep, catalogue, rules, inp, base, *, breaks):
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
            record(key, v, classify(rules, _states(inp, rules, **{key: v})))
    for v in sens.get("window", []):
        alt = _inputs(prep, catalogue, rules, int(v), breaks)
        cls = pd.Series(classify(rules, _states(alt, rules)), index=alt.codes)
        record("window", v, cls.reindex(codes).fillna("insufficient_data").to_numpy())
    for f in sens.get("weight_factor", []):
        for j, ind in enumerate(inp.indicators):
            w = inp.weight.copy()
            w[j] *= f
            record(f"weight:{ind}", f, classify(rules, _states(inp, rules, weights=w)))
    return changed, pd.DataFrame(
        rows, columns=["setting", "value", "regions_changed", "share_changed"]
    )


def comparison_label(
    n_gemeenten: float, n_regions: float, level: str, national_min: int, lang: str = "nl"
) -> str:
    """ "Nederland" when the comparison group spans the country, else what it is."""
    from wijkradar.analysis.reasons import PLURAL

    if n_gemeenten != n_gemeenten:  # NaN
        return ""
    if n_gemeenten >= national_min:
        return "Nederland" if lang == "nl" else "the Netherlands"
    units = PLURAL[lang].get(level, level)
    one = int(n_gemeenten) == 1
    if lang == "en":
        gm = "municipality" if one else "municipalities"
        return f"the comparison group ({int(n_regions)} {units} in {int(n_gemeenten)} {gm})"
    gm = "gemeente" if one else "gemeenten"
    return f"de vergelijkingsgroep ({int(n_regions)} {units} in {int(n_gemeenten)} {gm})"


def _reasons(
    inp: AxisInputs,
    states: dict,
    catalogue: Catalogue,
    *,
    level: str,
    view: str,
    comparison: pd.Series,
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
                for lang, key in (("nl", "comparison"), ("en", "comparison_en")):
                    reason[key] = (
                        comparison.get(code, "")
                        if view == "relative"
                        else comparison_label(
                            inp.group_gemeenten[r, cols[j]],
                            inp.group_size[r, cols[j]],
                            level,
                            national_min_gemeenten,
                            lang,
                        )
                    )
                reason["sentence_nl"] = sentence(reason, catalogue, "nl")
                reason["sentence_en"] = sentence(reason, catalogue, "en")
                rows.append(reason)
    cols_out = [
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
        "comparison",
        "comparison_en",
        "level",
        "sentence_nl",
        "sentence_en",
    ]
    return pd.DataFrame(rows, columns=cols_out)


def comparison_names(
    codes: pd.Index, view: str, names: pd.Series | None, national: bool, lang: str = "nl"
) -> pd.Series:
    """What each region is compared with: "Nederland" (or the dataset) or its gemeente."""
    if view == "relative":
        gm = pd.Series(["GM" + c[2:6] for c in codes], index=codes)
        return gm.map(names).fillna(gm) if names is not None else gm
    label = (
        ("Nederland" if lang == "nl" else "the Netherlands")
        if national
        else ("de vergelijkingsgroep" if lang == "nl" else "the comparison group")
    )
    return pd.Series(label, index=codes)


def signals(
    panel: pd.DataFrame,
    catalogue: Catalogue,
    rules: Rules,
    *,
    level: str,
    year: int | None = None,
    view: str = "absolute",
    breaks: pd.DataFrame | None = None,
    names: pd.Series | None = None,
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
    names
        Code → name, for the comparison group in sentences.
    sensitivity
        Also vary the settings under ``[sensitivity]``.
    national_min_gemeenten
        The absolute comparison is called "Nederland" when the level's regions span at least
        this many gemeenten, else "de vergelijkingsgroep" (a partial dataset).

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
    window = int(rules["trends"]["window"])
    prep = _prepare(panel, catalogue, rules, level, year, view)
    inp = _inputs(prep, catalogue, rules, window, breaks)
    st = _states(inp, rules)
    base = classify(rules, st)
    if sensitivity:
        changed, sens = _sensitivity(prep, catalogue, rules, inp, base, breaks=breaks)
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
    comp = comparison_names(inp.codes, view, names, True)
    reasons = _reasons(
        inp,
        st,
        catalogue,
        level=level,
        view=view,
        comparison=comp,
        national_min_gemeenten=national_min_gemeenten,
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
