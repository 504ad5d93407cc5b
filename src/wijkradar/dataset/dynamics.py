"""Dynamics of a Dataset: trajectories, transitions and stijgers en dalers.

Assembles the long frames :mod:`wijkradar.analysis.dynamics` works on from the panel, the
axes' scores (:meth:`Dataset.axis_scores <wijkradar.dataset.Dataset.axis_scores>`), the
signals of every edition and the geometries, and checks the user's choices with clear
messages (an unknown ``by``, a year without states, a gemeente without regions).
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

import pandas as pd

from wijkradar.analysis import dynamics as dyn
from wijkradar.codes import gemeenten_of
from wijkradar.errors import WijkradarError
from wijkradar.frames import as_text
from wijkradar.vocab import AXES

if TYPE_CHECKING:
    from wijkradar.dataset import Dataset

BANDS_K = 5
"""Axis scores and indicators are cut into fifths (1 = the least vulnerable fifth)."""
LBM = "lbm_class"
SIGNAL = "signal"
BY_FIXED = (*AXES, SIGNAL, LBM)
"""What ``by`` may name besides any catalogue indicator."""
TRAJECTORY_COLUMNS = ("code", "year", "composition", "problems", "signal", LBM)


def check_by(ds: Dataset, by: str) -> str:
    """``by`` when it names an axis, ``signal``, ``lbm_class`` or a catalogue indicator."""
    if by in BY_FIXED or by in ds.indicators.meta:
        return by
    choices = list(BY_FIXED) + list(ds.indicators.meta)
    close = difflib.get_close_matches(by, choices, n=3)
    raise WijkradarError(
        "onbekende maat {by!r}; kies composition, problems, signal, lbm_class of een indicator"
        "{hint}",
        by=by,
        hint=(" (bedoelde u " + ", ".join(close) + "?)") if close else "",
    )


def in_gemeente(frame: pd.DataFrame, gemeente: str | None) -> pd.DataFrame:
    """The rows of ``frame`` (with ``code``) in ``gemeente``."""
    if gemeente is None:
        return frame
    return frame[gemeenten_of(frame["code"].astype(str)).astype(str).to_numpy() == gemeente]


def check_gemeente(ds: Dataset, gemeente: str | None) -> str | None:
    """The normalised gemeente code, or a message naming the nearest known one."""
    if gemeente is None:
        return None
    code = gemeente.strip().upper()
    known = ds.region_index.index
    gm = [c for c in known.astype(str) if c.startswith("GM")]
    if code not in gm:
        close = difflib.get_close_matches(code, gm, n=3)
        raise WijkradarError(
            "onbekende gemeente {code}{hint}",
            code=repr(code),
            hint=(" (bedoelde u " + ", ".join(close) + "?)") if close else "",
        )
    return code


def values(ds: Dataset, *, level: str, by: str, view: str = "absolute") -> pd.DataFrame:
    """``code, year, value`` of ``by`` at ``level``: an axis score, a panel indicator."""
    if by in AXES:
        s = ds.axis_scores(view)
        s = s[(s["level"] == level) & (s["domain"] == by)]
        return s[["code", "year", "score"]].rename(columns={"score": "value"})
    p = ds.panel
    m = (p["level"] == level) & (p["indicator"] == by) & p["value"].notna()
    m &= p["status"].isin(["observed", "derived"])
    v = p.loc[m, ["code", "year", "value"]]
    return v.assign(code=as_text(v["code"]), year=v["year"].astype(int))


def signal_states(ds: Dataset, *, level: str, view: str = "absolute") -> pd.DataFrame:
    """``code, year, state`` with the signal class of every edition of ``level``."""
    parts = []
    for year in ds.years(level):
        try:
            f = ds.signals(level=level, year=year, view=view, sensitivity=False).frame
        except (WijkradarError, ValueError):
            continue
        parts.append(f[["code", "year", "signal"]].rename(columns={"signal": "state"}))
    if not parts:
        return pd.DataFrame(columns=list(dyn.STATE_COLUMNS))
    out = pd.concat(parts, ignore_index=True)
    return out.assign(code=as_text(out["code"]))


def states(
    ds: Dataset, *, level: str, by: str, view: str = "absolute"
) -> tuple[pd.DataFrame, list]:
    """The states of ``by`` (``code, year, state``) and the ordered list of possible states:
    classes 1–9 for the Leefbaarometer, the rules' classes for ``signal``, else fifths."""
    by = check_by(ds, by)
    if by == SIGNAL:
        return signal_states(ds, level=level, view=view), [c.id for c in ds.rules.classes]
    v = values(ds, level=level, by=by, view=view)
    meta = ds.indicators.meta.get(by, {})
    if by == LBM or meta.get("kind") == "class":
        st = v.assign(state=v["value"].round().astype(int))[list(dyn.STATE_COLUMNS)]
        lo, hi = (1, 9) if by == LBM else (int(st["state"].min()), int(st["state"].max()))
        return st, list(range(lo, hi + 1))
    direction = "+" if by in AXES else str(meta.get("direction", "+"))
    return dyn.bands(v, k=BANDS_K, direction=direction), list(range(1, BANDS_K + 1))


def transitions(
    ds: Dataset,
    *,
    level: str,
    by: str,
    year_from: int | None = None,
    year_to: int | None = None,
    gemeente: str | None = None,
    view: str = "absolute",
    spatial: bool = True,
) -> dyn.TransitionResult:
    """The Markov chain of ``by`` at ``level`` (``wijkradar transitions``).

    Raises
    ------
    WijkradarError
        For an unknown ``by`` or gemeente, a window without two editions, or no pairs.
    """
    gemeente = check_gemeente(ds, gemeente)
    st, classes = states(ds, level=level, by=by, view=view)
    st = in_gemeente(st, gemeente)
    years = sorted(set(st["year"]))
    if year_from is not None and year_to is not None and year_from >= year_to:
        raise WijkradarError("--from ({a}) moet vóór --to ({b}) liggen", a=year_from, b=year_to)
    window = [y for y in years if (year_from or 0) <= y <= (year_to or 9999)]
    if len(window) < 2:
        raise WijkradarError(
            "{by} op {level}niveau{where} heeft geen twee edities tussen {a} en {b}; "
            "edities: {years}",
            by=by,
            level=level,
            where=f" in {gemeente}" if gemeente else "",
            a=year_from or "begin",
            b=year_to or "eind",
            years=", ".join(map(str, years)) or "geen",
        )
    pr, cut = dyn.pairs(st, ds.breaks, year_from=year_from, year_to=year_to)
    if pr.empty:
        raise WijkradarError(
            "geen gebied heeft {by} in twee opeenvolgende edities tussen {a} en {b}",
            by=by,
            a=window[0],
            b=window[-1],
        )
    st_w = st[st["year"].isin(window)]
    regions = ds.regions[ds.regions["level"] == level] if spatial else None
    return dyn.transitions(
        pr, classes, cut_pairs=cut, regions=regions, states=st_w if spatial else None
    )


def movers(
    ds: Dataset,
    *,
    level: str,
    year_from: int,
    year_to: int,
    by: str = "problems",
    gemeente: str | None = None,
    view: str = "absolute",
    n: int = 10,
) -> tuple[pd.DataFrame, int]:
    """Stijgers en dalers between two editions, with names and what moved them.

    ``by`` an axis (its components name the drivers) or an indicator (higher = more
    vulnerable in the catalogue's direction; its own change is the driver).
    """
    by = check_by(ds, by)
    if by == SIGNAL:
        raise WijkradarError("stijgers en dalers volgen een score of indicator, geen signaal")
    gemeente = check_gemeente(ds, gemeente)
    v = in_gemeente(values(ds, level=level, by=by, view=view), gemeente)
    meta = ds.indicators.meta.get(by, {})
    if by == LBM or str(meta.get("direction", "+")) == "-":
        v = v.assign(value=-v["value"])  # higher = more vulnerable, as for the axes
    years = sorted(set(v["year"]))
    for y in (year_from, year_to):
        if y not in years:
            raise WijkradarError(
                "{by} op {level}niveau heeft geen gegevens in {year}; edities: {years}",
                by=by,
                level=level,
                year=y,
                years=", ".join(map(str, years)) or "geen",
            )
    comps = _components(ds, level=level, by=by, view=view) if by in AXES else None
    out, cut = dyn.movers(
        v, year_from=year_from, year_to=year_to, components=comps, breaks=ds.breaks, n=n
    )
    if by == LBM or str(meta.get("direction", "+")) == "-":
        out[["value_from", "value_to"]] = -out[["value_from", "value_to"]]
    out.insert(1, "name", out["code"].map(ds.names).fillna(""))
    return out, cut


def _components(ds: Dataset, *, level: str, by: str, view: str) -> pd.DataFrame:
    from wijkradar.analysis.scores import percentiles

    p = ds.panel[ds.panel["level"] == level]
    pct = percentiles(p, ds.indicators, view=view, domains=(by,))
    return pct[["code", "year", "indicator", "percentile", "weight"]].assign(
        code=as_text(pct["code"])
    )


def trajectories(
    ds: Dataset, *, level: str, view: str = "absolute", gemeente: str | None = None
) -> pd.DataFrame:
    """Per region and edition: its composition and problems fifth, its signal class and its
    Leefbaarometer class (:data:`TRAJECTORY_COLUMNS`; NaN where not known).

    A region's rows before a series cut belong to the other place under the code: they carry
    ``series`` ``<code>@-<year>`` (as in the profile), the current series the bare code.
    """
    gemeente = check_gemeente(ds, gemeente)
    frames = []
    for by in (*AXES, SIGNAL, LBM):
        st, _ = states(ds, level=level, by=by, view=view)
        frames.append(in_gemeente(st, gemeente).set_index(["code", "year"])["state"].rename(by))
    out = pd.concat(frames, axis=1).reset_index()
    out = out.sort_values(["code", "year"]).reset_index(drop=True)
    cuts = dyn.cut_years(ds.breaks)
    out["series"] = [
        _series(c, y, cuts.get(c)) for c, y in zip(out["code"], out["year"], strict=True)
    ]
    return out[[*TRAJECTORY_COLUMNS, "series"]]


def _series(code: str, year: int, cuts) -> str:
    if cuts is None:
        return code
    later = [int(c) for c in cuts if c > year]
    return f"{code}@-{later[0] - 1}" if later else code


def surroundings(ds: Dataset, *, level: str, view: str = "absolute") -> pd.DataFrame:
    """Meerschalig: per region of ``level``, edition and axis, its change beside its
    neighbours' (:func:`wijkradar.analysis.surroundings.surroundings`, queen contiguity of
    the level's geometries, ``[surroundings] move_points``)."""
    from wijkradar.analysis.surroundings import surroundings as compute_surroundings
    from wijkradar.dataset.neighbours import adjacency

    def compute() -> pd.DataFrame:
        s = ds.axis_scores(view)
        s = s[s["level"] == level]
        adj, order = adjacency(ds, level)
        return compute_surroundings(
            s,
            adj,
            order,
            breaks=ds.breaks,
            move_points=float(ds.rules["surroundings"]["move_points"]),
        )

    return ds._memo(("surroundings", level, view), compute)
