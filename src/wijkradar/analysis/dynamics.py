"""Neighbourhood dynamics: trajectories, Markov transitions, stijgers en dalers.

Pure functions over long frames (``code, year, value`` or ``code, year, state``); the Dataset
(:mod:`wijkradar.dataset.dynamics`) supplies the scores, classes and geometries.

* :func:`bands` cuts values into per-year quantile bands in the catalogue's direction
  (1 = the strongest fifth … 5 = the weakest), so a band means the same share in every edition
  however the set of regions changes.
* :func:`pairs` pairs each region's edition with its own next one, never across a series cut
  (a reused or redrawn code is another place: see ``breaks.parquet``).
* :func:`transitions` pools those pairs into a Markov chain with PySAL ``giddy`` (counts,
  probabilities, the steady state, giddy's mobility indices) and, where geometries are given,
  a ``Spatial_Markov`` conditioned on the neighbours' modal state: does a weak neighbourhood
  pull its neighbours down?
* :func:`movers` lists the regions whose score moved most between two editions, with the
  indicators that moved them (their weighted percentile changes).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from wijkradar.frames import as_text

STATE_COLUMNS = ("code", "year", "state")
PAIR_COLUMNS = ("code", "year_from", "year_to", "state_from", "state_to")
MOVER_COLUMNS = (
    "code",
    "year_from",
    "year_to",
    "value_from",
    "value_to",
    "change",
    "direction",
    "rank",
    "drivers",
)
""":func:`movers`: ``change`` is ``value_to - value_from`` in the vulnerable direction (positive =
worse); ``direction`` ``daler`` or ``stijger``; ``drivers`` a list of ``(indicator, change,
contribution)`` largest first."""
MIN_SPATIAL_REGIONS = 10
"""A spatial Markov needs at least this many regions with a state in every edition and a
neighbour among them."""
SEED = 12345
"""Seed of the tie-breaking in the Spatial Markov's modal neighbour state."""
MOBILITY = {"prais": "P", "determinant": "D", "l2": "L2", "bartholomew_1": "B1"}
"""giddy's mobility indices (``giddy.mobility.markov_mobility``) wijkradar reports; 0 means no
mobility at all, higher means more movement between states."""


def bands(values: pd.DataFrame, *, k: int = 5, direction: str = "+") -> pd.DataFrame:
    """Per year, ``values`` (``code, year, value``) cut into ``k`` equal-share quantile bands:
    1 = the least vulnerable share, ``k`` = the most (``direction`` ``-``: low values are
    vulnerable; ``0`` or ``+``: high values band high). Ties share a band; NaN is dropped.

    Returns ``code, year, state`` with ``state`` an int in 1..k.
    """
    v = values.dropna(subset=["value"])
    if v.empty:
        return pd.DataFrame(columns=list(STATE_COLUMNS))
    x = -v["value"] if direction == "-" else v["value"]
    pct = x.groupby(v["year"]).rank(method="average", pct=True)
    state = np.clip(np.ceil(pct.to_numpy() * k), 1, k).astype(int)
    return pd.DataFrame(
        {"code": as_text(v["code"]).to_numpy(), "year": v["year"].astype(int), "state": state}
    ).reset_index(drop=True)


def cut_years(breaks: pd.DataFrame | None) -> dict[str, np.ndarray]:
    """Code → the sorted years at which its series starts anew (a break's ``year``)."""
    if breaks is None or breaks.empty:
        return {}
    b = breaks.assign(code=breaks["code"].astype(str))
    return {c: np.sort(g["year"].to_numpy(int)) for c, g in b.groupby("code")}


def crosses_cut(
    codes: Sequence[str], year_from: np.ndarray, year_to: np.ndarray, cuts: dict[str, np.ndarray]
) -> np.ndarray:
    """Per row: does a series cut of its code fall in ``(year_from, year_to]``?"""
    out = np.zeros(len(codes), dtype=bool)
    if not cuts:
        return out
    for i, c in enumerate(codes):
        at = cuts.get(c)
        if at is not None:
            out[i] = bool(((at > year_from[i]) & (at <= year_to[i])).any())
    return out


def pairs(
    states: pd.DataFrame,
    breaks: pd.DataFrame | None = None,
    *,
    year_from: int | None = None,
    year_to: int | None = None,
    step: int = 1,
) -> tuple[pd.DataFrame, int]:
    """Each region's state in an edition beside its state ``step`` of its own editions later,
    within ``[year_from, year_to]``, leaving out pairs across a series cut.

    Returns the pairs (:data:`PAIR_COLUMNS`) and how many were left out at a cut.
    """
    s = states
    if year_from is not None:
        s = s[s["year"] >= year_from]
    if year_to is not None:
        s = s[s["year"] <= year_to]
    s = s.sort_values(["code", "year"]).reset_index(drop=True)
    nxt = s.groupby("code", sort=False).shift(-step)
    out = pd.DataFrame(
        {
            "code": s["code"],
            "year_from": s["year"],
            "year_to": nxt["year"],
            "state_from": s["state"],
            "state_to": nxt["state"],
        }
    ).dropna(subset=["year_to"])
    out["year_to"] = out["year_to"].astype(int)
    cut = crosses_cut(
        out["code"].tolist(),
        out["year_from"].to_numpy(int),
        out["year_to"].to_numpy(int),
        cut_years(breaks),
    )
    return out[~cut].reset_index(drop=True), int(cut.sum())


@dataclass
class TransitionResult:
    """A Markov chain over the states of one level (``wijkradar transitions``).

    ``counts`` and ``probabilities`` are state × state frames (rows: from, columns: to);
    ``steady_state`` the long-run share per state (NaN where the chain has none unique);
    ``mobility`` giddy's indices; ``spatial`` the Spatial Markov or ``None`` with ``note``.
    """

    states: list
    counts: pd.DataFrame
    probabilities: pd.DataFrame
    steady_state: pd.Series
    mobility: dict[str, float]
    n_pairs: int
    n_regions: int
    editions: list[int]
    cut_pairs: int = 0
    spatial: SpatialTransitions | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class SpatialTransitions:
    """giddy's ``Spatial_Markov`` on discrete states: one transition matrix per modal state of
    the neighbours, and the homogeneity test (does the neighbourhood matter?)."""

    counts: dict  # lag state -> counts frame
    probabilities: dict  # lag state -> probabilities frame
    n_regions: int
    chi2: float
    dof: float
    p_value: float


def _markov(from_idx: np.ndarray, to_idx: np.ndarray, k: int):
    from giddy.markov import Markov

    ids = np.column_stack([from_idx, to_idx])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Markov(ids, classes=np.arange(k), fill_empty_classes=True, summary=False)


def _steady(m, k: int) -> np.ndarray:
    try:
        ss = np.asarray(m.steady_state, dtype=float)
    except Exception:  # a reducible chain has no unique steady state: say so with NaN
        return np.full(k, np.nan)
    if ss.ndim == 2 and ss.shape[0] == 1:
        ss = ss[0]
    if ss.ndim != 1 or len(ss) != k:  # several recurrent classes: no single long run
        return np.full(k, np.nan)
    return ss


def _mobility(p: np.ndarray, ini: np.ndarray) -> dict[str, float]:
    from giddy.mobility import markov_mobility

    out = {}
    for name, measure in MOBILITY.items():
        try:
            kw = {"ini": ini} if measure.startswith("B") else {}
            out[name] = float(markov_mobility(p, measure=measure, **kw))
        except Exception:  # a singular matrix has no determinant-based index
            out[name] = float("nan")
    return out


def transitions(
    pair_frame: pd.DataFrame,
    classes: Sequence,
    *,
    cut_pairs: int = 0,
    regions: gpd.GeoDataFrame | None = None,
    states: pd.DataFrame | None = None,
) -> TransitionResult:
    """The Markov chain of ``pair_frame`` (:func:`pairs`) over ``classes`` (in order; a class
    that never occurs keeps its row and column, with zero counts).

    With ``regions`` (``code, geometry``) and ``states`` (:func:`bands`' frame, same years), a
    Spatial Markov on the regions that have a state in every edition and a queen neighbour.
    """
    classes = list(classes)
    k = len(classes)
    index = {c: i for i, c in enumerate(classes)}
    fi = pair_frame["state_from"].map(index)
    ti = pair_frame["state_to"].map(index)
    ok = fi.notna() & ti.notna()
    fi, ti = fi[ok].to_numpy(int), ti[ok].to_numpy(int)
    notes = []
    m = _markov(fi, ti, k)
    counts = pd.DataFrame(np.asarray(m.transitions, dtype=int), index=classes, columns=classes)
    rows = counts.sum(axis=1).to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        prob = np.where(rows[:, None] > 0, counts.to_numpy() / rows[:, None], np.nan)
    empty = [c for c, r in zip(classes, rows, strict=True) if r == 0]
    if empty:
        notes.append("never_from:" + ",".join(map(str, empty)))
    ini = np.bincount(fi, minlength=k) / max(len(fi), 1)
    p_filled = np.asarray(m.p, dtype=float)
    res = TransitionResult(
        states=classes,
        counts=counts,
        probabilities=pd.DataFrame(prob, index=classes, columns=classes),
        steady_state=pd.Series(_steady(m, k), index=classes),
        mobility=_mobility(p_filled, ini),
        n_pairs=int(len(fi)),
        n_regions=int(pair_frame.loc[ok, "code"].nunique()),
        editions=sorted(set(pair_frame["year_from"]) | set(pair_frame["year_to"])),
        cut_pairs=cut_pairs,
        notes=notes,
    )
    if regions is not None and states is not None:
        res.spatial, note = spatial_transitions(states, regions, classes)
        if note:
            res.notes.append(note)
    return res


def _balanced(states: pd.DataFrame, classes: list) -> pd.DataFrame:
    wide = states.pivot_table(index="code", columns="year", values="state", aggfunc="first")
    wide = wide.dropna()
    return wide[wide.isin(classes).all(axis=1)]


def spatial_transitions(
    states: pd.DataFrame, regions: gpd.GeoDataFrame, classes: list
) -> tuple[SpatialTransitions | None, str]:
    """giddy ``Spatial_Markov`` (discrete states, lag = the neighbours' modal state) on the
    regions with a state in every edition of ``states`` and at least one queen neighbour
    among them; ``(None, reason)`` when too few remain."""
    from giddy.markov import Spatial_Markov
    from libpysal.graph import Graph

    wide = _balanced(states, classes)
    if wide.shape[1] < 2:
        return None, "spatial:one_edition"
    geo = regions[regions["code"].astype(str).isin(wide.index)]
    geo = geo[geo.geometry.notna() & ~geo.geometry.is_empty].drop_duplicates("code")
    if len(geo) < MIN_SPATIAL_REGIONS:
        return None, f"spatial:too_few:{len(geo)}"
    geoms = gpd.GeoSeries(geo.geometry.to_numpy(), index=geo["code"].astype(str).to_numpy())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = Graph.build_contiguity(geoms, rook=False)
        keep = g.cardinalities[g.cardinalities > 0].index
        if len(keep) < MIN_SPATIAL_REGIONS:
            return None, f"spatial:too_few:{len(keep)}"
        g = Graph.build_contiguity(geoms.loc[keep], rook=False).transform("r")
        index = {c: i for i, c in enumerate(classes)}
        y = wide.loc[list(keep)].apply(lambda col: col.map(index)).to_numpy(int)
        # giddy breaks ties of the neighbours' modal state with numpy's global generator:
        # seeded for the call (and restored) so the same data give the same matrices
        state = np.random.get_state()
        try:
            np.random.seed(SEED)
            sm = Spatial_Markov(y, g.to_W(), discrete=True, fill_empty_classes=True)
        finally:
            np.random.set_state(state)
    lags = [classes[int(c)] for c in np.asarray(sm.classes).ravel()][: len(sm.T)]
    counts = {}
    probs = {}
    present = [classes[int(c)] for c in np.asarray(sm.classes).ravel()]
    for lag, t, p in zip(lags, sm.T, sm.P, strict=False):
        counts[lag] = pd.DataFrame(np.asarray(t, dtype=int), index=present, columns=present)
        probs[lag] = pd.DataFrame(np.asarray(p, dtype=float), index=present, columns=present)
    return (
        SpatialTransitions(
            counts=counts,
            probabilities=probs,
            n_regions=len(keep),
            chi2=float(sm.x2),
            dof=float(sm.x2_dof),
            p_value=float(sm.x2_pvalue),
        ),
        "",
    )


def movers(
    scores: pd.DataFrame,
    *,
    year_from: int,
    year_to: int,
    components: pd.DataFrame | None = None,
    breaks: pd.DataFrame | None = None,
    n: int = 10,
    top: int = 3,
) -> tuple[pd.DataFrame, int]:
    """Stijgers en dalers: the ``n`` regions whose ``value`` (``code, year, value``, higher =
    more vulnerable) rose most (``daler``) and fell most (``stijger``) from ``year_from`` to
    ``year_to``, leaving out regions with a series cut in between.

    ``components`` (``code, year, indicator, percentile, weight``) names what moved each one:
    the indicators whose weighted percentile change carried the score's change, largest first
    in the direction of the move (at most ``top``).

    Returns the movers (:data:`MOVER_COLUMNS`, dalers first) and how many regions were left out
    at a cut.
    """
    a = scores[scores["year"] == year_from].set_index("code")["value"].rename("value_from")
    b = scores[scores["year"] == year_to].set_index("code")["value"].rename("value_to")
    d = pd.concat([a, b], axis=1, join="inner").dropna()
    d.index = d.index.astype(str)
    cut = crosses_cut(
        list(d.index),
        np.full(len(d), year_from),
        np.full(len(d), year_to),
        cut_years(breaks),
    )
    d = d[~cut]
    d["change"] = d["value_to"] - d["value_from"]
    down = d[d["change"] > 0].sort_values("change", ascending=False).head(n)
    up = d[d["change"] < 0].sort_values("change").head(n)
    parts = []
    for label, part in (("daler", down), ("stijger", up)):
        part = part.assign(direction=label, rank=np.arange(1, len(part) + 1))
        parts.append(part)
    out = pd.concat(parts).rename_axis("code").reset_index()
    out["year_from"] = year_from
    out["year_to"] = year_to
    out["drivers"] = _drivers(out, components, year_from, year_to, top)
    return out[list(MOVER_COLUMNS)], int(cut.sum())


def _drivers(out: pd.DataFrame, components, year_from: int, year_to: int, top: int) -> list:
    if components is None or components.empty or out.empty:
        return [[] for _ in range(len(out))]
    c = components[as_text(components["code"]).isin(out["code"]).to_numpy()]
    c = c.assign(code=as_text(c["code"]), indicator=as_text(c["indicator"]))
    wide = c.pivot_table(index=["code", "indicator"], columns="year", values="percentile")
    if year_from not in wide.columns or year_to not in wide.columns:
        return [[] for _ in range(len(out))]
    w = c.drop_duplicates(["code", "indicator"]).set_index(["code", "indicator"])["weight"]
    ch = (wide[year_to] - wide[year_from]).dropna()
    share = w.reindex(ch.index) / w.reindex(ch.index).groupby(level="code").transform("sum")
    contrib = ch * share
    res = []
    for code, sign in zip(out["code"], np.sign(out["change"]), strict=True):
        if code not in contrib.index.get_level_values("code"):
            res.append([])
            continue
        cc = contrib.xs(code, level="code")
        cc = cc[np.sign(cc) == sign].sort_values(key=np.abs, ascending=False).head(top)
        chg = ch.xs(code, level="code")
        res.append([(i, float(chg[i]), float(v)) for i, v in cc.items()])
    return res
