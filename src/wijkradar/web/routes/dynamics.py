"""``/api/warning`` (the *risico* layer: risks, never without their backtest),
``/api/warning/backtest`` (the full table), ``/api/movers`` (stijgers en dalers) and
``/api/regions/{code}/trajectory`` (a region's editions beside its wijk's and gemeente's).

The first warning of a level takes a while (features, backtest and bootstrap refits: seconds
for a gemeente's buurten, minutes for all wijken). Results are kept in ``state.tables`` (the
result once, its JSON per language), and the heavy computations run one at a time: two cold
requests do not each build the same features.
"""

from __future__ import annotations

import threading
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Path, Query, Response

from wijkradar.analysis.warning import METRIC_COLUMNS
from wijkradar.codes import gemeente_of, wijk_of
from wijkradar.dataset import dynamics as dyn
from wijkradar.dataset.profile import find_region
from wijkradar.dataset.warning import backtest as backtest_table
from wijkradar.errors import DataNotFoundError, WijkradarError
from wijkradar.jsonable import jsonable
from wijkradar.vocab import AXES, LEVELS
from wijkradar.web.deps import GemeenteQ, LangQ, LevelQ, StateDep, ViewQ, YearQ
from wijkradar.web.schemas import (
    ERROR_RESPONSES,
    BacktestOut,
    MoversOut,
    Outcome,
    TrajectoryOut,
    WarningOut,
)
from wijkradar.web.state import WebState, dumps
from wijkradar.wording import words

router = APIRouter(prefix="/api", tags=["dynamics"], responses=ERROR_RESPONSES)

HorizonQ = Annotated[
    int | None, Query(ge=1, le=20, description="Edities vooruit; standaard uit de regels.")
]
OutcomeQ = Annotated[
    Outcome,
    Query(description="weak: zwak worden (Leefbaarometer of problemen); decline: achteruitgaan."),
]
ByQ = Annotated[
    str,
    Query(
        pattern=r"^[a-z0-9_]{1,64}$",
        description="composition, problems, lbm_class of een indicator-id.",
    ),
]
EDITIONS = (
    "; zonder from en to: de laatste twee opeenvolgende edities met gegevens (en met "
    "stijgers of dalers), met één van beide: de editie ernaast."
)
FromQ = Annotated[
    int | None, Query(alias="from", ge=1900, le=2100, description="Eerste editie" + EDITIONS)
]
ToQ = Annotated[
    int | None, Query(alias="to", ge=1900, le=2100, description="Tweede editie" + EDITIONS)
]
CodePath = Annotated[str, Path(pattern=r"^[A-Za-z]{2}[0-9A-Za-z]{2,8}$")]

_heavy = threading.Lock()  # one warning fit or backtest at a time (they share the features)
JSON = "application/json"


def _upper(gemeente: str | None) -> str | None:
    return gemeente.strip().upper() if gemeente else None


# -- early warning ----------------------------------------------------------------------------


def _warning_result(state: WebState, **kw: Any):
    key = ("warning", *sorted(kw.items()))

    def compute():
        with _heavy:
            return state.ds.warning(**kw)

    return state.tables.get(key, compute)


@router.get("/warning", response_model=WarningOut, summary="Risico per gebied, met de backtest")
def warning(
    state: StateDep,
    level: LevelQ = "buurt",
    year: YearQ = None,
    horizon: HorizonQ = None,
    outcome: OutcomeQ = "weak",
    view: ViewQ = "absolute",
    gemeente: GemeenteQ = None,
    lang: LangQ = "nl",
) -> Response:
    kw = {"level": level, "year": year, "horizon": horizon, "outcome": outcome, "view": view}
    kw["gemeente"] = _upper(gemeente)

    def render() -> bytes:
        res = _warning_result(state, **kw)
        risks = res.records(state.ds.indicators, lang)
        summary = res.summary(state.ds.indicators, lang)
        return dumps({"summary": summary, "risks": risks, "count": len(risks)})

    body = state.tables.get(("warning-json", *sorted(kw.items()), lang), render)
    return Response(body, media_type=JSON)


@router.get(
    "/warning/backtest",
    response_model=BacktestOut,
    summary="De volledige backtest: per toets het model naast de eenvoudige maatstaven",
)
def backtest(
    state: StateDep,
    level: LevelQ = "buurt",
    horizon: HorizonQ = None,
    outcome: OutcomeQ = "weak",
    view: ViewQ = "absolute",
    gemeente: GemeenteQ = None,
    lang: LangQ = "nl",
) -> Response:
    ds = state.ds
    h = horizon or int(ds.rules["warning"]["horizon"])
    kw = {"level": level, "horizon": h, "outcome": outcome, "view": view}
    kw["gemeente"] = _upper(gemeente)

    def compute() -> pd.DataFrame:
        with _heavy:
            return backtest_table(ds, **kw)

    def render() -> bytes:
        table = state.tables.get(("backtest", *sorted(kw.items())), compute)
        w = words(lang)
        rows = [
            {**r, "rule_text": w.baseline(str(r["rule"]), ds.indicators)}
            for r in table[list(METRIC_COLUMNS)].to_dict("records")
        ]
        cols = [*METRIC_COLUMNS, "rule_text"]
        return dumps({**kw, "columns": cols, "data": jsonable(rows), "count": len(rows)})

    body = state.tables.get(("backtest-json", *sorted(kw.items()), lang), render)
    return Response(body, media_type=JSON)


# -- stijgers en dalers -----------------------------------------------------------------------


def _editions(state: WebState, level: str, by: str, view: str, gemeente: str | None) -> list:
    v = dyn.in_gemeente(dyn.values(state.ds, level=level, by=by, view=view), gemeente)
    return sorted(int(y) for y in set(v["year"]))


def _no_pair(by: str, level: str, gemeente: str | None, editions: list) -> WijkradarError:
    # the library's own sentence for the same case (wijkradar transitions)
    return WijkradarError(
        "{by} op {level}niveau{where} heeft geen twee edities tussen {a} en {b}; edities: {years}",
        by=by,
        level=level,
        where=f" in {gemeente}" if gemeente else "",
        a=editions[0] if editions else "begin",
        b=editions[-1] if editions else "eind",
        years=", ".join(map(str, editions)) or "geen",
    )


def _edition_pairs(state, level, by, view, gemeente, year_from, year_to) -> list[tuple]:
    """The editions to compare, to try in turn: the asked pair; with one of them missing, the
    edition with data for ``by`` next to the other; with both missing, every pair of
    consecutive editions from the latest back (a pair whose regions all changed their code
    in between has no movers: the one before is tried)."""
    if by == dyn.SIGNAL or (year_from is not None and year_to is not None):
        return [(year_from or 0, year_to or 0)]  # ds.movers says what is wrong with these
    editions = _editions(state, level, by, view, gemeente)
    if year_to is not None:
        pairs = [(a, year_to) for a in editions if a < year_to][-1:]
    elif year_from is not None:
        pairs = [(year_from, b) for b in editions if b > year_from][:1]
    else:
        pairs = list(zip(editions[:-1], editions[1:], strict=True))[::-1]
    if not pairs:
        raise _no_pair(by, level, gemeente, editions)
    return pairs


def _first_movers(ds, pairs: list[tuple], **kw) -> tuple[pd.DataFrame, int, int, int]:
    """The movers of the first pair that has any (else of the first pair), with that pair."""
    found = None
    for a, b in pairs:
        if a >= b and kw["by"] != dyn.SIGNAL:
            raise WijkradarError("--from ({a}) moet vóór --to ({b}) liggen", a=a, b=b)
        frame, cut = ds.movers(year_from=a, year_to=b, **kw)
        found = found or (frame, cut, a, b)
        if len(frame):
            return frame, cut, a, b
    return found


def _by_label(by: str, w, catalogue) -> str:
    return w.feature(f"{by}_score" if by in AXES else f"ind:{by}", catalogue)


def _mover(r: dict, w, catalogue) -> dict:
    keep = ("code", "name", "year_from", "year_to", "value_from", "value_to", "change", "rank")
    return {
        **{k: r[k] for k in keep},
        "direction": str(r["direction"]),
        "direction_text": w.mover_direction(str(r["direction"])),
        "drivers": [
            {
                "indicator": str(ind),
                "label": w.feature(f"ind:{ind}", catalogue),
                "percentile_change": pc,
                "contribution": c,
            }
            for ind, pc, c in r["drivers"]
        ],
    }


@router.get("/movers", response_model=MoversOut, summary="Stijgers en dalers tussen twee edities")
def movers(
    state: StateDep,
    level: LevelQ = "buurt",
    year_from: FromQ = None,
    year_to: ToQ = None,
    by: ByQ = "problems",
    gemeente: GemeenteQ = None,
    view: ViewQ = "absolute",
    n: Annotated[int, Query(ge=1, le=100, description="Zoveel dalers en stijgers.")] = 10,
    lang: LangQ = "nl",
) -> dict:
    ds = state.ds
    by = dyn.check_by(ds, by)
    gm = dyn.check_gemeente(ds, gemeente)
    pairs = _edition_pairs(state, level, by, view, gm, year_from, year_to)
    kw = {"level": level, "by": by, "gemeente": gm, "view": view, "n": n}
    frame, cut, a, b = _first_movers(ds, pairs, **kw)
    w = words(lang)
    rows = jsonable([_mover(r, w, ds.indicators) for r in frame.to_dict("records")])
    return {
        "level": level,
        "by": by,
        "by_label": _by_label(by, w, ds.indicators),
        "view": view,
        "gemeente": gm,
        "year_from": a,
        "year_to": b,
        "left_out_at_cut": int(cut),
        "movers": rows,
        "count": len(rows),
    }


# -- trajectories -----------------------------------------------------------------------------


def _whole(x) -> int | None:
    """A fifth or a class as an int (None where not known)."""
    return None if x is None or pd.isna(x) else int(round(float(x)))


def _trajectory_rows(state: WebState, level: str, view: str) -> dict[str, list[dict]]:
    """code → its rows of ``ds.trajectories`` (once per level and view)."""

    def compute() -> dict[str, list[dict]]:
        frame = state.ds.trajectories(level=level, view=view)
        out: dict[str, list[dict]] = {}
        for r in frame.to_dict("records"):
            signal = r["signal"]
            out.setdefault(str(r["code"]), []).append(
                {
                    "year": int(r["year"]),
                    "composition": _whole(r["composition"]),
                    "problems": _whole(r["problems"]),
                    "signal": None if signal is None or pd.isna(signal) else str(signal),
                    "lbm_class": _whole(r["lbm_class"]),
                    "series": str(r["series"]),
                }
            )
        return out

    return state.tables.get(("trajectories", level, view), compute)


def _scales(code: str, level: str) -> list[tuple[str, str, str]]:
    """(scale, code, level) of the region, its wijk (for a buurt) and its gemeente."""
    out = [("region", code, level)]
    if level == "buurt":
        out.append(("wijk", wijk_of(code), "wijk"))
    if level in ("buurt", "wijk"):
        out.append(("gemeente", gemeente_of(code), "gemeente"))
    return out


@router.get(
    "/regions/{code}/trajectory",
    response_model=TrajectoryOut,
    summary="Trajectorie van een gebied per editie, naast die van zijn wijk en gemeente",
)
def trajectory(
    state: StateDep,
    code: CodePath,
    view: ViewQ = "absolute",
    lang: LangQ = "nl",
) -> dict:
    ds = state.ds
    code, row = find_region(ds, code)
    level = str(row["level"])
    if level not in LEVELS:
        raise DataNotFoundError("geen gegevens voor {level}", level=level)
    scales = []
    for scale, c, lvl in _scales(code, level):
        if c is None or (scale != "region" and c not in ds.region_index.index):
            continue
        rows = _trajectory_rows(state, lvl, view).get(c, [])
        name = ds.names.get(c)
        scales.append({"scale": scale, "code": c, "name": name, "level": lvl, "rows": rows})
    return {
        "code": code,
        "level": level,
        "view": view,
        "scales": jsonable(scales),
        "surroundings": jsonable(_surroundings(state, code, level, view, lang)),
    }


def _surroundings(state: WebState, code: str, level: str, view: str, lang: str) -> list[dict]:
    """The region's axis changes beside its neighbours', each with its sentence."""
    if level not in ("buurt", "wijk"):
        return []
    frame = state.tables.get(
        ("surroundings", level, view), lambda: state.ds.surroundings(level=level, view=view)
    )
    w = words(lang)
    rows = frame[frame["code"] == code].to_dict("records")
    keep = ("year", "previous_year", "axis", "change", "neighbours_change", "neighbours")
    return [
        {**{k: r[k] for k in keep}, "relation": r["relation"], "text": w.surroundings(r, level)}
        for r in rows
    ]
