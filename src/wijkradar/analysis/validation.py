"""The numbers of the validation report: does a signal say something about what comes next?

Three checks, each a pure function over frames (the Dataset calls and the report live in
:mod:`wijkradar.outputs.validation`):

* **Backtest on the Leefbaarometer series** (:func:`backtest_pair`): signals of edition *t*
  (they only use data up to *t*) against the Leefbaarometer class of the next edition *t'*. Per
  signal class and per naive baseline: how many regions are flagged, how many of them end weak
  (class ≤ :data:`WEAK_CLASS_MAX` at *t'*) or decline (a lower class at *t'* than at *t*), the
  rate, the **lift** (rate ÷ base rate over every region with an outcome) and the **recall**
  (share of all weak / declining regions that the rule flagged). Only regions with a signal and
  a class in both editions count.
* **Agreement with an independent index** (:func:`parse_index`, :func:`agreement`): Spearman ρ
  of the composition score with a user's table of codes and values, overall and per gemeente.
* **Sensitivity summary** (:func:`stability`, :func:`variations`): how many regions keep their
  class under every variation of ``[sensitivity]``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from wijkradar.catalogue import Catalogue
from wijkradar.codes import gemeenten_of, invalid_codes, levels_of, normalise_codes
from wijkradar.errors import IndexTableError
from wijkradar.vocab import AXES

OUTCOME = "lbm_class"
"""The outcome indicator: the Leefbaarometer class, 1 (very poor) to 9 (excellent)."""
WEAK_CLASS_MAX = 4
"""A class at or below this is "weak" (Leefbaarometer: 1–4 are the insufficient classes)."""
WORST_SHARE = 0.2
"""The naive dimension baseline flags this share of the regions: the worst fifth."""
CURRENT_CLASS = "current_class"
"""Baseline id: the region's Leefbaarometer class at *t* is already weak."""
WORST_PREFIX = "worst_fifth:"
"""Baseline id prefix: ``worst_fifth:lbm_safety`` is the worst fifth on that dimension at *t*."""
AXIS_PREFIX = "axis:"
"""Rule id prefix: ``axis:problems`` flags the regions whose problems axis is weak at *t*."""
NOT_A_DIMENSION = ("lbm_total",)
"""Leefbaarometer scores that are no baseline dimension: the total score is what the outcome
class is cut from (the current class covers it)."""
OUTCOMES = ("weak", "decline")
MIN_RANK_N = 3
"""A Spearman ρ needs at least this many regions."""

SCORE_COLUMNS = (
    "level",
    "year_from",
    "year_to",
    "kind",
    "rule",
    "outcome",
    "n",
    "flagged",
    "events",
    "base_rate",
    "hits",
    "rate",
    "lift",
    "recall",
)
"""Columns of :func:`backtest_pair`: ``kind`` is ``class``, ``axis`` or ``baseline``;
``events`` is the number of weak (declining) regions among the ``n``; ``hits`` those the rule
flagged."""


# -- the backtest ----------------------------------------------------------------------------


def _values(panel: pd.DataFrame, level: str, year: int, indicator: str) -> pd.Series:
    """Code → the value of ``indicator`` at ``level`` in ``year`` (known values only)."""
    rows = panel[
        (panel["level"] == level)
        & (panel["year"] == year)
        & (panel["indicator"] == indicator)
        & panel["value"].notna()
    ]
    return pd.Series(rows["value"].to_numpy(float), index=rows["code"].astype(str).to_numpy())


def editions(panel: pd.DataFrame, level: str, indicator: str = OUTCOME) -> list[int]:
    """The years in which ``indicator`` has values at ``level``."""
    rows = panel[
        (panel["level"] == level) & (panel["indicator"] == indicator) & panel["value"].notna()
    ]
    return sorted(int(y) for y in rows["year"].unique())


def edition_pairs(years: Sequence[int]) -> list[tuple[int, int]]:
    """Each edition with the next one: ``[2002, 2008, 2012]`` → ``[(2002, 2008), (2008, 2012)]``."""
    years = sorted(years)
    return list(zip(years[:-1], years[1:], strict=True))


def dimensions(catalogue: Catalogue, panel: pd.DataFrame | None = None) -> list[str]:
    """The Leefbaarometer dimension scores a baseline can rank (catalogue order, safety first):
    topic ``leefbaarometer``, kind ``score``, a direction, not the total; with ``panel``, only
    those it holds."""
    ind = catalogue.indicators
    ok = (
        (ind["topic"] == "leefbaarometer")
        & (ind["kind"] == "score")
        & ind["direction"].isin(["+", "-"])
        & ~ind.index.isin(NOT_A_DIMENSION)
    )
    ids = list(ind.index[ok])
    if panel is not None:
        present = set(panel["indicator"].astype(str).unique())
        ids = [i for i in ids if i in present]
    return sorted(ids, key=lambda i: (i != "lbm_safety", ids.index(i)))


def outcomes(
    panel: pd.DataFrame,
    *,
    level: str,
    year_from: int,
    year_to: int,
    indicator: str = OUTCOME,
    weak_max: float = WEAK_CLASS_MAX,
) -> pd.DataFrame:
    """Per region with a class in both editions: ``code, class_from, class_to, weak, decline``
    (``weak``: class at ``year_to`` ≤ ``weak_max``; ``decline``: a lower class than before)."""
    a = _values(panel, level, year_from, indicator).rename("class_from")
    b = _values(panel, level, year_to, indicator).rename("class_to")
    out = pd.concat([a, b], axis=1, join="inner").sort_index()
    out["weak"] = out["class_to"] <= weak_max
    out["decline"] = out["class_to"] < out["class_from"]
    return out.rename_axis("code").reset_index()


def class_flags(frame: pd.DataFrame, class_ids: Sequence[str]) -> pd.DataFrame:
    """One column per class id of ``class_ids`` (in that order), indexed by code: does the
    region have that signal? (``frame``: a signal frame with ``code`` and ``signal``.)"""
    sig = frame.set_index(frame["code"].astype(str))["signal"].astype(str)
    return pd.DataFrame({c: sig.eq(c) for c in class_ids}, index=sig.index)


def axis_flags(frame: pd.DataFrame) -> pd.DataFrame:
    """One column per axis, ``axis:<axis>``, indexed by code: is the axis in the weak band at
    the signal year? (A part of the signal that can be tested where no class can.)"""
    idx = frame["code"].astype(str).to_numpy()
    cols = {AXIS_PREFIX + a: frame[f"{a}_level"].astype(str).eq("weak").to_numpy() for a in AXES}
    return pd.DataFrame(cols, index=idx)


def worst_share(values: pd.Series, direction: str, share: float = WORST_SHARE) -> pd.Series:
    """Code → in the worst ``share`` of ``values`` (``direction`` ``-``: low is worse)?

    Ranks 1 = worst; the regions whose rank is within ``share`` × n are flagged (ties at the
    cut all stay out, so never more than the share)."""
    bad = -values if direction == "-" else values
    rank = bad.rank(method="max", ascending=False)
    return rank <= share * len(values)


def baseline_flags(
    panel: pd.DataFrame,
    catalogue: Catalogue,
    *,
    level: str,
    year: int,
    indicator: str = OUTCOME,
    weak_max: float = WEAK_CLASS_MAX,
    share: float = WORST_SHARE,
) -> pd.DataFrame:
    """The naive baselines at ``year``, one boolean column each, indexed by code:
    :data:`CURRENT_CLASS` (the class is already weak) and ``worst_fifth:<dimension>`` for every
    Leefbaarometer dimension with values in that year (:func:`dimensions`)."""
    cols = {CURRENT_CLASS: _values(panel, level, year, indicator) <= weak_max}
    for dim in dimensions(catalogue):
        v = _values(panel, level, year, dim)
        if len(v):
            cols[WORST_PREFIX + dim] = worst_share(v, catalogue.meta[dim]["direction"], share)
    return pd.DataFrame(cols).fillna(False).astype(bool)


def score_flags(flags: pd.DataFrame, out: pd.DataFrame) -> pd.DataFrame:
    """Rate, lift and recall of each column of ``flags`` (bool, indexed by code) against the
    outcomes ``out`` (:func:`outcomes`), over the regions of ``out``; one row per (column,
    outcome) with ``rule, outcome, n, flagged, events, base_rate, hits, rate, lift, recall``.
    A region of ``out`` that a column does not mention is not flagged by it."""
    m = flags.reindex(out["code"].to_numpy()).fillna(False).astype(bool).to_numpy()
    n = len(out)
    parts = []
    for outcome in OUTCOMES:
        y = out[outcome].to_numpy(bool)
        flagged = m.sum(axis=0)
        hits = (m & y[:, None]).sum(axis=0)
        events = int(y.sum())
        base = events / n if n else np.nan
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(flagged > 0, hits / np.maximum(flagged, 1), np.nan)
            lift = rate / base if base else np.full(len(flagged), np.nan)
            recall = hits / events if events else np.full(len(flagged), np.nan)
        parts.append(
            pd.DataFrame(
                {
                    "rule": list(flags.columns),
                    "outcome": outcome,
                    "n": n,
                    "flagged": flagged.astype(int),
                    "events": events,
                    "base_rate": base,
                    "hits": hits.astype(int),
                    "rate": rate,
                    "lift": lift,
                    "recall": recall,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def backtest_pair(
    panel: pd.DataFrame,
    catalogue: Catalogue,
    frame: pd.DataFrame,
    class_ids: Sequence[str],
    *,
    level: str,
    year_from: int,
    year_to: int,
) -> pd.DataFrame:
    """Signals of ``year_from`` (``frame``) and the naive baselines against the class of
    ``year_to``: the rows of :data:`SCORE_COLUMNS`, classes first (in ``class_ids`` order),
    then each axis's weak band (:func:`axis_flags`), then the baselines.

    Counted are the regions with a signal (a row of ``frame``) and a class in both editions.
    """
    out = outcomes(panel, level=level, year_from=year_from, year_to=year_to)
    out = out[out["code"].isin(frame["code"].astype(str))].reset_index(drop=True)
    cls = score_flags(class_flags(frame, class_ids), out).assign(kind="class")
    axes = score_flags(axis_flags(frame), out).assign(kind="axis")
    base = baseline_flags(panel, catalogue, level=level, year=year_from)
    base = score_flags(base, out).assign(kind="baseline")
    res = pd.concat([cls, axes, base], ignore_index=True)
    res = res.assign(level=level, year_from=year_from, year_to=year_to)
    return res[list(SCORE_COLUMNS)]


def verdicts(scores: pd.DataFrame, fallback: str) -> pd.DataFrame:
    """Per class (not ``fallback``) or axis band that flagged a region, outcome and edition
    pair: its lift beside the best baseline's, ``worse`` when its lift is lower.

    Columns: ``level, year_from, year_to, outcome, rule, flagged, lift, baseline,
    baseline_lift, worse``.
    """
    key = ["level", "year_from", "year_to", "outcome"]
    base = scores[(scores["kind"] == "baseline") & scores["lift"].notna()]
    best = base.sort_values(key + ["lift", "rule"], ascending=[True] * 4 + [False, True])
    best = best.drop_duplicates(key)[key + ["rule", "lift"]]
    best = best.rename(columns={"rule": "baseline", "lift": "baseline_lift"})
    cls = scores[
        scores["kind"].isin(["class", "axis"])
        & (scores["rule"] != fallback)
        & (scores["flagged"] > 0)
    ]
    res = cls[key + ["rule", "flagged", "lift"]].merge(best, on=key, how="left")
    res["worse"] = res["lift"].fillna(0) < res["baseline_lift"]
    return res.reset_index(drop=True)


def leakage(catalogue: Catalogue, outcome: str = OUTCOME) -> list[str]:
    """Weighted indicators of the outcome's own source (topic): they are in an axis and in
    the outcome alike (the Leefbaarometer safety dimension is part of its total class)."""
    ind = catalogue.indicators
    topic = ind.loc[outcome, "topic"] if outcome in ind.index else None
    ok = (ind["topic"] == topic) & (ind["weight"].astype(float) > 0) & (ind.index != outcome)
    return list(ind.index[ok])


# -- the sensitivity summary -----------------------------------------------------------------


def stability(frames: Iterable[pd.DataFrame], fallback: str) -> pd.DataFrame:
    """Per signal frame (level, year): ``level, year, n`` regions, ``signalled`` (a class
    other than ``fallback``), ``stable`` (same class under every variation) and
    ``stable_signalled`` (stable among the signalled)."""
    rows = []
    for f in frames:
        sig = f["signal"].astype(str) != fallback
        st = f["stable_under_variations"].astype(bool)
        rows.append(
            {
                "level": str(f["level"].iloc[0]) if len(f) else "",
                "year": int(f["year"].iloc[0]) if len(f) else 0,
                "n": len(f),
                "signalled": int(sig.sum()),
                "stable": int(st.sum()),
                "stable_signalled": int((st & sig).sum()),
            }
        )
    return pd.DataFrame(
        rows, columns=["level", "year", "n", "signalled", "stable", "stable_signalled"]
    )


def variations(tables: Mapping[tuple[str, int], pd.DataFrame]) -> pd.DataFrame:
    """The ``sensitivity`` tables of several signal results, keyed by (level, year), as one
    frame: ``level, year, setting, value, regions_changed, share_changed``."""
    cols = ["level", "year", "setting", "value", "regions_changed", "share_changed"]
    parts = [t.assign(level=lv, year=yr) for (lv, yr), t in tables.items() if len(t)]
    if not parts:
        return pd.DataFrame(columns=cols)
    return pd.concat(parts, ignore_index=True)[cols]


# -- an independent index ----------------------------------------------------------------------

CODE_COLUMN = "code"
YEAR_COLUMNS = ("year", "jaar")


def _numbers(cells: pd.Series) -> pd.Series:
    """Cells as floats (decimal comma or point; empty → NaN); text stays NaN."""
    text = cells.astype("string").str.strip().str.replace(",", ".", regex=False)
    return pd.to_numeric(text.replace("", pd.NA), errors="coerce")


def _is_numeric(cells: pd.Series) -> bool:
    """Every non-empty cell is a number, and there is at least one."""
    filled = cells.astype("string").str.strip().fillna("") != ""
    return bool(filled.any()) and bool(_numbers(cells)[filled].notna().all())


def _name_matches(names: pd.Series, text: str, limit: int = 3) -> list[str]:
    """``code (name)`` of the regions called ``text`` (case and spaces ignored)."""
    key = names.astype("string").str.strip().str.casefold()
    hit = names[key == text.strip().casefold()]
    return [f"{c} ({n})" for c, n in hit.iloc[:limit].items()]


def _check_codes(raw: pd.Series, lines: np.ndarray, names: pd.Series, path) -> pd.Series:
    codes = normalise_codes(raw)
    bad = np.flatnonzero(invalid_codes(codes).to_numpy())
    if not len(bad):
        return codes
    i = int(bad[0])
    cell = str(raw.iloc[i]).strip()
    found = _name_matches(names, cell) if cell else []
    if found:
        raise IndexTableError(
            "{cell} is een gebiedsnaam, geen CBS-code; bedoelt u {codes}?",
            path=path,
            row=int(lines[i]),
            column=CODE_COLUMN,
            cell=repr(cell),
            codes=", ".join(found),
        )
    raise IndexTableError(
        "{cell} is geen CBS-code (verwacht een code als GM0363, WK036300 of BU03630001)",
        path=path,
        row=int(lines[i]),
        column=CODE_COLUMN,
        cell=repr(cell),
    )


def _check_unique(frame: pd.DataFrame, path) -> None:
    key = ["code", "year"] if "year" in frame else ["code"]
    dup = frame.duplicated(key, keep=False)
    if not dup.any():
        return
    first = frame[dup].iloc[0]
    same = frame[dup & (frame[key] == first[key]).all(axis=1)]
    rows = ", ".join(str(int(r)) for r in same["row"])
    raise IndexTableError(
        "deze code staat meer dan eens in de tabel (rijen {rows})",
        path=path,
        row=int(same["row"].iloc[1]),
        column=CODE_COLUMN,
        code=str(first["code"]),
        rows=rows,
    )


def _value_column(header: Sequence[str], cols: dict[str, pd.Series], path) -> str:
    skip = {CODE_COLUMN, *YEAR_COLUMNS}
    numeric = [h for h in header if h.casefold() not in skip and _is_numeric(cols[h])]
    if len(numeric) == 1:
        return numeric[0]
    if not numeric:
        raise IndexTableError(
            "geen kolom met getallen naast {name} (verwacht één kolom met getallen, decimaal "
            "komma of punt); gevonden kolommen: {found}",
            path=path,
            name=repr(CODE_COLUMN),
            found=", ".join(header),
        )
    raise IndexTableError(
        "meer dan één kolom met getallen: {found}; laat er één staan naast de code",
        path=path,
        found=", ".join(numeric),
    )


def _years(cells: pd.Series, lines: np.ndarray, column: str, path) -> pd.Series:
    years = _numbers(cells)
    bad = np.flatnonzero((years.isna() | (years % 1 != 0)).to_numpy())
    if len(bad):
        i = int(bad[0])
        raise IndexTableError(
            "{cell} is geen jaartal (verwacht een jaar als 2019)",
            path=path,
            row=int(lines[i]),
            column=column,
            cell=repr(str(cells.iloc[i])),
        )
    return years.astype(int)


def parse_index(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    names: pd.Series,
    path: str | Path,
    known: Iterable[str] | None = None,
) -> pd.DataFrame:
    """A user's index table as ``code, level, year, value, row`` (``year`` only when the
    table has a ``year``/``jaar`` column; ``row`` is the line in the file, the header line 1).

    ``header`` and ``rows`` are the cells as text; ``names`` is code → region name (to suggest
    the code when a region name stands where a code should); ``known`` are the codes with
    signals (default: ``names``' codes). Codes the dataset does not know are left out
    (``attrs["unknown"]`` lists them); when none is known, that is the error.

    Raises
    ------
    IndexTableError
        An empty table, no ``code`` column, a name or other text instead of a code (with the
        code of a region of that name), a code twice (in the same year), no or several
        numeric columns, a year that is no whole number, or no code the dataset knows.
    """
    header = [str(h).strip() for h in header]
    if not rows:
        raise IndexTableError(
            "de indextabel is leeg (verwacht een kopregel en minstens één rij)", path=path
        )
    lower = [h.casefold() for h in header]
    if CODE_COLUMN not in lower:
        raise IndexTableError(
            "geen kolom {name} (verwacht een kolom code met CBS-codes en één kolom met "
            "getallen); gevonden kolommen: {found}",
            path=path,
            name=repr(CODE_COLUMN),
            found=", ".join(header),
        )
    width = len(header)
    cells = [list(r)[:width] + [""] * (width - len(r)) for r in rows]
    cols = {h: pd.Series([r[j] for r in cells], dtype=object) for j, h in enumerate(header)}
    lines = np.arange(2, len(rows) + 2)
    raw = cols[header[lower.index(CODE_COLUMN)]]
    frame = pd.DataFrame({"code": _check_codes(raw, lines, names, path).astype(str)})
    frame["level"] = levels_of(frame["code"]).astype(str).to_numpy()
    year_col = next((header[lower.index(y)] for y in YEAR_COLUMNS if y in lower), None)
    if year_col is not None:
        frame["year"] = _years(cols[year_col], lines, year_col, path).to_numpy()
    value_col = _value_column(header, cols, path)
    frame["value"] = _numbers(cols[value_col]).to_numpy(float)
    frame["row"] = lines
    _check_unique(frame, path)
    frame = frame[frame["value"].notna()]
    known = set(names.index.astype(str) if known is None else known)
    unknown = ~frame["code"].isin(known)
    if unknown.all():
        raise IndexTableError(
            "geen enkele code uit de tabel staat in de dataset (bv. {codes})",
            path=path,
            column=CODE_COLUMN,
            codes=", ".join(frame["code"].iloc[:3]) if len(frame) else "—",
        )
    out = frame[~unknown].reset_index(drop=True)
    out.attrs = {"value_column": value_col, "unknown": list(frame.loc[unknown, "code"])}
    return out


def _rank_corr(d: pd.DataFrame, group: str) -> pd.DataFrame:
    """Spearman ρ of ``x`` and ``y`` per ``group``: Pearson's r of the ranks (mean rank for
    ties), from grouped sums; NaN under :data:`MIN_RANK_N` or without spread."""
    g = d.groupby(group, sort=True)
    rx = g["x"].rank()
    ry = g["y"].rank()
    r = pd.DataFrame({group: d[group], "x": rx, "y": ry, "xy": rx * ry, "xx": rx**2, "yy": ry**2})
    s = r.groupby(group, sort=True).agg(
        n=("x", "size"),
        x=("x", "mean"),
        y=("y", "mean"),
        xy=("xy", "mean"),
        xx=("xx", "mean"),
        yy=("yy", "mean"),
    )
    cov = s["xy"] - s["x"] * s["y"]
    var = (s["xx"] - s["x"] ** 2) * (s["yy"] - s["y"] ** 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = cov / np.sqrt(var.where(var > 1e-12))
    rho = rho.where(s["n"] >= MIN_RANK_N).clip(-1, 1)
    return pd.DataFrame({"n": s["n"].astype(int), "rho": rho}).reset_index()


def agreement(index: pd.DataFrame, frames: Mapping[tuple[str, int], pd.DataFrame]) -> pd.DataFrame:
    """Spearman ρ of the composition score with the index value, per (level, year) in
    ``frames`` that the index covers: one row ``gemeente = ""`` over all regions, then one per
    gemeente. Columns ``level, year, gemeente, n, rho``; only regions with both numbers count.

    ``index`` is :func:`parse_index`'s frame; without a ``year`` column it must already carry
    the year it is compared in (the caller picks it)."""
    cols = ["level", "year", "gemeente", "n", "rho"]
    parts = []
    for (level, year), f in sorted(frames.items()):
        rows = index[(index["level"] == level) & (index["year"] == year)]
        score = f.set_index(f["code"].astype(str))["composition_score"]
        d = pd.DataFrame(
            {
                "code": rows["code"].to_numpy(),
                "x": score.reindex(rows["code"]).to_numpy(float),
                "y": rows["value"].to_numpy(float),
            }
        )
        d = d.dropna(subset=["x", "y"])
        if d.empty:
            continue
        d["gemeente"] = gemeenten_of(d["code"]).fillna("").astype(str).to_numpy()
        per = _rank_corr(d, "gemeente")
        overall = _rank_corr(d.assign(gemeente=""), "gemeente")
        parts.append(pd.concat([overall, per], ignore_index=True).assign(level=level, year=year))
    if not parts:
        return pd.DataFrame(columns=cols)
    return pd.concat(parts, ignore_index=True)[cols]
