"""The reasons behind a signal, as numbers: which figures carried each axis, which went against
it, why an axis stands where it stands, and what changed in the place itself.

Every region gets, per axis, one ``axis`` row (its trend, band, score and run in the structural
band: the class is derivable from these rows alone, see :func:`state_from_reasons`), then

* ``for``: the indicators that moved the axis in the direction of its call (up to three);
* ``against``: indicators that moved significantly the other way (up to two): a "stable" or
  "improving" call never hides a figure that clearly worsened;
* ``level``: for an axis without a call, or stuck in the structural band, the indicators that
  put it there;

and, first of all, a ``small`` row for a region of fewer than ``[housing] small_population``
inhabitants (its figures rest on a handful of households or persons) and a ``housing`` row
when the dwelling stock or the population changed beyond ``[housing]``: new building brings
new residents, so a composition "trend" is then about other people, not about the people who
lived there (place versus people).

No words here: :mod:`wijkradar.wording` makes the sentences.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wijkradar.analysis.axes import AxisInputs, after_breaks
from wijkradar.codes import gemeente_of, gemeenten_of
from wijkradar.frames import as_text
from wijkradar.vocab import AXES

MAX_FOR = 3
MAX_AGAINST = 2
MAX_LEVEL = 2
ROLES = ("small", "housing", "axis", "for", "against", "level")
"""The roles of reason rows, in the order they are shown."""

REASON_COLUMNS = (
    "code",
    "axis",
    "rank",
    "role",
    "indicator",
    "year_from",
    "year_to",
    "value_from",
    "value_to",
    "change",
    "trend",
    "own_trend",
    "within_rounding",
    "value_pct",
    "percentile",
    "level",
    "comparison_code",
    "group_gemeenten",
    "group_size",
    "trend_group",
    "group_value_from",
    "group_value_to",
    "group_year_from",
    "group_year_to",
    "price_year",
    "axis_trend",
    "axis_band",
    "axis_score",
    "axis_slope",
    "axis_se",
    "weak_run",
    "weak_since",
    "band_share",
)
"""Columns of :attr:`SignalResult.reasons`: numbers and ids, no words. ``rank`` orders the
reasons of one region as they are shown; ``trend`` is the indicator's development against its
comparison group (``trend_group``: ``NL00``, a gemeente, or ``median:<group>``), ``own_trend``
its own; the ``weak_*`` and other ``axis_*`` columns are filled on ``axis`` rows (``axis_trend`` on
every row of the axis; ``band_share`` is the structural band as a share of the worst-off)."""

HOUSING_INDICATORS = ("dwellings", "population")


def comparison_code(code: str, view: str, n_gemeenten: float, national_min: int) -> str | None:
    """What a region's percentile compares with, as a code: its gemeente (relative view),
    ``NL00`` when the group spans at least ``national_min`` gemeenten, else ``None`` (a partial
    group, described by ``group_gemeenten`` and ``group_size``)."""
    if view == "relative":
        return gemeente_of(code)
    if n_gemeenten == n_gemeenten and n_gemeenten >= national_min:  # not NaN
        return "NL00"
    return None


def housing_change(
    panel: pd.DataFrame, codes: pd.Index, *, level: str, year: int, window: int, breaks
) -> pd.DataFrame:
    """Per code: population and dwellings in the signal year (latest edition up to it) and
    their relative change since the first edition of the window after any series break."""
    years = panel["year"].to_numpy()
    m = (
        (panel["level"] == level).to_numpy()
        & (years <= year)
        & (years >= year - window)
        & panel["indicator"].isin(HOUSING_INDICATORS).to_numpy()
        & panel["value"].notna().to_numpy()
    )
    rows = after_breaks(panel[m].reset_index(drop=True), breaks, year)
    rows = rows.assign(code=as_text(rows["code"]), indicator=as_text(rows["indicator"]))
    rows = rows.sort_values("year")
    g = rows.groupby(["code", "indicator"], observed=True)
    first, last = g.first(), g.last()
    out = pd.DataFrame(index=codes)
    for ind in HOUSING_INDICATORS:
        f = first.xs(ind, level="indicator") if ind in first.index.get_level_values(1) else None
        la = last.xs(ind, level="indicator") if f is not None else None
        if f is None:
            for c in ("", "_from", "_year_from", "_year_to", "_change"):
                out[f"{ind}{c}"] = np.nan
            continue
        f, la = f.reindex(codes), la.reindex(codes)
        out[ind] = la["value"].to_numpy(float)
        out[f"{ind}_from"] = f["value"].to_numpy(float)
        out[f"{ind}_year_from"] = f["year"].to_numpy(float)
        out[f"{ind}_year_to"] = la["year"].to_numpy(float)
        with np.errstate(all="ignore"):
            ch = la["value"].to_numpy(float) / f["value"].to_numpy(float) - 1
        # no relative change from nothing (0 inhabitants): unknown, never infinite
        grew = (f["year"].to_numpy(float) < la["year"].to_numpy(float)) & np.isfinite(ch)
        out[f"{ind}_change"] = np.where(grew, ch, np.nan)
    return out


def _blank(code: str, axis: str, role: str, level: str) -> dict:
    row = dict.fromkeys(REASON_COLUMNS)
    row.update(code=code, axis=axis, role=role, level=level)
    return row


def _num(x) -> float | None:
    return None if x is None or x != x or x is pd.NA else float(x)


TREND_FIELDS = {  # reason column ← indicator-trend column
    "year_from": "year_from",
    "year_to": "year_to",
    "value_from": "value_from",
    "value_to": "value_to",
    "change": "change",
    "trend": "trend",
    "own_trend": "own_trend",
    "within_rounding": "within_rounding",
    "trend_group": "group_code",
    "group_value_from": "group_value_from",
    "group_value_to": "group_value_to",
    "group_year_from": "group_year_from",
    "group_year_to": "group_year_to",
}
ORDER = {"small": 0, "housing": 1, "axis": 0, "for": 1, "against": 10, "level": 20}
"""Display order within a region: ``small``/``housing`` first, then per axis its summary,
what carried it, what went against it, what explains its level."""


def _top(key: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row the column positions of the ``k`` largest finite ``key`` values, and whether
    each pick is real (finite)."""
    k = min(k, key.shape[1])
    order = np.argsort(-np.where(np.isfinite(key), key, -np.inf), axis=1, kind="stable")[:, :k]
    return order, np.isfinite(np.take_along_axis(key, order, axis=1))


def _picks(inp: AxisInputs, st: dict, cols: np.ndarray) -> list[tuple[np.ndarray, ...]]:
    """(region, column, role, sub-order) arrays of one axis's ``for``, ``against`` and
    ``level`` reasons, chosen for all regions at once."""
    with np.errstate(all="ignore"):
        contrib = inp.weight[cols] * inp.direction[cols] * inp.slope[:, cols] / inp.spread[cols]
    worse = _worsening(inp, cols)
    sign = np.select([st["trend"] == "rising", st["trend"] == "falling"], [1.0, -1.0], 0.0)
    out = []
    # for: the largest contributions in the direction of the call
    sc = sign[:, None] * contrib
    order, ok = _top(np.where(sc > 0, sc, np.nan), MAX_FOR)
    out.append((order, ok & (sign != 0)[:, None], "for"))
    # against: significant movers the other way (without a call: any significant mover)
    moving = (worse != 0) & (worse != sign[:, None])
    order_ag, ok_ag = _top(np.where(moving, np.abs(np.nan_to_num(contrib)), np.nan), MAX_AGAINST)
    out.append((order_ag, ok_ag, "against"))
    # level: the weakest indicators, for an axis without a call or stuck in the weak band
    stuck = st["weak_run"] >= 2
    order_lv, ok_lv = _top(inp.percentile[:, cols], MAX_LEVEL)
    k = np.where(stuck, MAX_LEVEL, 1)[:, None]
    ok_lv &= (np.arange(order_lv.shape[1])[None, :] < k) & ((sign == 0) | stuck)[:, None]
    shown = np.zeros((len(sign), len(cols)), dtype=bool)
    for o, m, _ in out:
        np.put_along_axis(shown, o, np.take_along_axis(shown, o, axis=1) | m, axis=1)
    ok_lv &= ~np.take_along_axis(shown, order_lv, axis=1)
    out.append((order_lv, ok_lv, "level"))
    rows = []
    for o, m, role in out:
        r, pos = np.nonzero(m)
        rows.append((r, cols[o[r, pos]], np.full(len(r), role, dtype=object), ORDER[role] + pos))
    return rows


def _indicator_rows(inp: AxisInputs, picks, axis: str, ctx: dict) -> pd.DataFrame:
    """The reason rows of the picked (region, column) pairs, with their trend numbers."""
    r = np.concatenate([p[0] for p in picks])
    j = np.concatenate([p[1] for p in picks])
    codes = ctx["codes"][r]
    inds = np.asarray(inp.indicators, dtype=object)[j]
    n_gm = inp.group_gemeenten[r, j]
    if ctx["view"] == "relative":
        comp = gemeenten_of(pd.Series(codes)).astype(object).to_numpy()
    else:
        comp = np.where(n_gm >= ctx["national_min"], "NL00", None)
    out = pd.DataFrame(
        {
            "code": codes,
            "axis": axis,
            "role": np.concatenate([p[2] for p in picks]),
            "indicator": inds,
            "value_pct": inp.value_pct[r, j],
            "percentile": inp.percentile[r, j],
            "level": ctx["level"],
            "comparison_code": comp,
            "group_gemeenten": n_gm,
            "group_size": inp.group_size[r, j],
            "price_year": pd.array([ctx["price_years"].get(i) for i in inds], dtype="Int64"),
            "_r": r,
            "_j": j,
            "_order": np.concatenate([p[3] for p in picks]),
        }
    )
    t = inp.trends
    if len(t):
        t = t.reindex(columns=["code", "indicator", *TREND_FIELDS.values()])
        t = t.rename(columns={v: k for k, v in TREND_FIELDS.items()})
        t = t[t["year_to"].notna()]
        t = t.assign(code=as_text(t["code"]), indicator=as_text(t["indicator"]))
        out = out.merge(t, on=["code", "indicator"], how="left")
    for c in TREND_FIELDS:
        if c not in out:
            out[c] = np.nan
    # no trend: the latest value itself (a percentile never comes without its value)
    none = out["year_to"].isna().to_numpy()
    rr, jj = out["_r"].to_numpy()[none], out["_j"].to_numpy()[none]
    out["value_to"] = out["value_to"].astype(float)
    out.loc[none, "value_to"] = inp.value[rr, jj]
    out["year_to"] = out["year_to"].astype(float)
    out.loc[none, "year_to"] = inp.pct_year[rr, jj]
    out["trend"] = out["trend"].astype(object)
    out.loc[none, "trend"] = "unknown"
    return out


def _axis_rows(st: dict, axis: str, ctx: dict) -> pd.DataFrame:
    codes = ctx["codes"]
    if ctx["view"] == "relative":
        group = gemeenten_of(pd.Series(codes)).astype(object).to_numpy()
    else:
        group = np.full(len(codes), "NL00", dtype=object)
    return pd.DataFrame(
        {
            "code": codes,
            "axis": axis,
            "role": "axis",
            "level": ctx["level"],
            "trend": st["trend"].astype(object),
            "axis_band": st["level"].astype(object),
            "axis_score": st["score"],
            "axis_slope": st["slope"],
            "axis_se": st["se"],
            "weak_run": st["weak_run"],
            "weak_since": st["weak_since"],
            "band_share": ctx["band_share"],
            "trend_group": group,
            "_r": np.arange(len(codes)),
            "_order": ORDER["axis"],
        }
    )


def reasons(
    inp: AxisInputs,
    states: dict,
    housing: pd.DataFrame,
    *,
    level: str,
    view: str,
    national_min_gemeenten: int,
    thresholds: dict,
    structural: float = 80.0,
    price_years: dict[str, int] | None = None,
) -> pd.DataFrame:
    """The reason rows of every region (see the module docstring), ``rank`` in display
    order; chosen for all regions at once (a national level has ~15 000 regions)."""
    codes = np.asarray([str(c) for c in inp.codes], dtype=object)
    ctx = {
        "codes": codes,
        "view": view,
        "level": level,
        "national_min": national_min_gemeenten,
        "price_years": price_years or {},
        "band_share": 100.0 - structural,
    }
    parts = []
    for block, a in enumerate(AXES, start=1):
        st = states[a]
        ax = _axis_rows(st, a, ctx)
        cols = np.flatnonzero(inp.domain == a)
        picks = _picks(inp, st, cols) if len(cols) else []
        if picks and sum(len(p[0]) for p in picks):
            ax = pd.concat([ax, _indicator_rows(inp, picks, a, ctx)], ignore_index=True)
        parts.append(ax.assign(_block=10 * block, axis_trend=st["trend"][ax["_r"].to_numpy()]))
    h = {c: housing[c].to_numpy() for c in housing.columns}
    extra = []
    for r in np.flatnonzero(_housing_flagged(h, thresholds)):
        rows = _housing_rows(codes[r], {c: v[r] for c, v in h.items()}, level, thresholds)
        extra += [{**row, "_r": r, "_block": 0, "_order": k} for k, row in enumerate(rows)]
    if extra:
        parts.insert(0, pd.DataFrame(extra))
    out = pd.concat(parts, ignore_index=True)
    out = out.sort_values(["_r", "_block", "_order"], kind="stable")
    out["rank"] = out.groupby("_r").cumcount() + 1
    out = out.reindex(columns=list(REASON_COLUMNS)).reset_index(drop=True)
    for c in ("year_from", "year_to", "group_year_from", "group_year_to", "weak_run", "price_year"):
        # whole years as ints, unknown as None (not NaN or pd.NA): what the wording expects
        v = pd.to_numeric(out[c], errors="coerce")
        out[c] = pd.Series(
            [None if x != x else int(x) for x in v.to_numpy(float)], index=out.index, dtype=object
        )
    return out


def _worsening(inp: AxisInputs, cols: np.ndarray) -> np.ndarray:
    """(codes × axis indicators): +1 where the indicator's call (against its group) makes the
    region more vulnerable, -1 where it makes it less, 0 without a clear trend."""
    out = np.zeros((len(inp.codes), len(cols)))
    t = inp.trends
    if t.empty:
        return out
    w = t.pivot_table(
        index="code", columns="indicator", values="trend", aggfunc="first", observed=True
    )
    calls = w.reindex(index=inp.codes, columns=inp.indicators[cols]).to_numpy(object)
    moved = np.where(calls == "rising", 1.0, np.where(calls == "falling", -1.0, 0.0))
    return moved * inp.direction[cols]


def _housing_flagged(h: dict[str, np.ndarray], thresholds: dict) -> np.ndarray:
    """Regions that get a ``small`` or ``housing`` row (the others skip the row builder)."""
    with np.errstate(invalid="ignore"):
        out = h["population"] < thresholds.get("small_population", 0)
        for ind, key in (("dwellings", "dwellings_change"), ("population", "population_change")):
            out |= np.abs(h[f"{ind}_change"]) >= thresholds[key]
    return out


def _housing_rows(code: str, h: dict, level: str, thresholds: dict) -> list[dict]:
    out = []
    pop = _num(h.get("population"))
    if pop is not None and pop < thresholds.get("small_population", 0):
        row = _blank(code, "composition", "small", level)
        row.update(
            indicator="population",
            year_to=int(h["population_year_to"]),
            value_to=pop,
            trend="unknown",
        )
        out.append(row)
    for ind, key in (("dwellings", "dwellings_change"), ("population", "population_change")):
        ch = _num(h.get(f"{ind}_change"))
        if ch is None or abs(ch) < thresholds[key]:
            continue
        row = _blank(code, "composition", "housing", level)
        row.update(
            indicator=ind,
            year_from=int(h[f"{ind}_year_from"]),
            year_to=int(h[f"{ind}_year_to"]),
            value_from=_num(h[f"{ind}_from"]),
            value_to=_num(h[ind]),
            change=ch,
            trend="rising" if ch > 0 else "falling",
        )
        out.append(row)
    return out


def state_from_reasons(reasons: pd.DataFrame) -> pd.DataFrame:
    """The axis state of each region as its ``axis`` reason rows state it (one row per code,
    the columns :func:`~wijkradar.analysis.signals.classify` reads): what a test uses to check
    that every class is derivable from the reasons shown."""
    ax = reasons[reasons["role"] == "axis"]
    out = {}
    for a in AXES:
        r = ax[ax["axis"] == a].set_index("code")
        out[f"{a}_trend"] = r["axis_trend"]
        out[f"{a}_level"] = r["axis_band"]
        out[f"{a}_score"] = r["axis_score"].astype(float)
        out[f"{a}_weak_run"] = r["weak_run"].astype(float)
    return pd.DataFrame(out)
