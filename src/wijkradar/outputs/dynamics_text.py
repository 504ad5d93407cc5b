"""Transitions, stijgers en dalers and early-warning risks as terminal tables, CSV or JSON.

The CLI's ``wijkradar transitions``, ``movers`` and ``warning`` render through these; CSV is
written for Dutch Excel like every export (``;`` and a decimal comma in ``nl``).
"""

from __future__ import annotations

import io
import json

import pandas as pd

from wijkradar.jsonable import jsonable
from wijkradar.wording import words


def _json(obj) -> str:
    return json.dumps(jsonable(obj), ensure_ascii=False, indent=1, default=str) + "\n"


def _csv(frame: pd.DataFrame, lang: str) -> str:
    buf = io.StringIO()
    sep, dec = (";", ",") if lang == "nl" else (",", ".")
    frame.to_csv(buf, index=False, sep=sep, decimal=dec, float_format="%.4f")
    return buf.getvalue()


def _table(title: str, header: list[str], rows: list[list[str]], notes: list[str]) -> str:
    from rich.console import Console
    from rich.table import Table

    con = Console(width=160, record=True, file=io.StringIO())
    t = Table(*header, title=title, show_lines=False)
    for r in rows:
        t.add_row(*r)
    con.print(t)
    for n in notes:
        con.print(n, highlight=False, soft_wrap=True)
    return con.export_text()


def _p(x: float, w) -> str:
    return "—" if x is None or x != x else w.number(float(x), 2)


def transitions_json(res) -> dict:
    """The chain as a dict: states, counts, probabilities, steady state, mobility, spatial."""
    out = {
        "states": res.states,
        "counts": res.counts.to_numpy().tolist(),
        "probabilities": res.probabilities.to_numpy().tolist(),
        "steady_state": res.steady_state.to_numpy().tolist(),
        "mobility": res.mobility,
        "n_pairs": res.n_pairs,
        "n_regions": res.n_regions,
        "editions": res.editions,
        "left_out_at_series_cut": res.cut_pairs,
        "notes": res.notes,
        "spatial": None,
    }
    if res.spatial is not None:
        s = res.spatial
        out["spatial"] = {
            "n_regions": s.n_regions,
            "chi2": s.chi2,
            "dof": s.dof,
            "p_value": s.p_value,
            "neighbour_states": list(s.probabilities),
            "counts": {str(k): v.to_numpy().tolist() for k, v in s.counts.items()},
            "probabilities": {str(k): v.to_numpy().tolist() for k, v in s.probabilities.items()},
        }
    return out


def transition_rows(res, w) -> tuple[list[str], list[list[str]]]:
    """The header and one row per state (from): the probabilities to each state, the number
    of transitions from it and its long-run share — for the terminal and the report alike."""
    header = [w._("van \\ naar"), *map(str, res.states), "n", w._("lange termijn")]
    rows = []
    for s in res.states:
        n = int(res.counts.loc[s].sum())
        probs = [_p(x, w) for x in res.probabilities.loc[s]]
        rows.append([str(s), *probs, str(n), _p(res.steady_state.loc[s], w)])
    return header, rows


def render_transitions(res, fmt: str, *, by: str, lang: str = "nl") -> str:
    """A :class:`~wijkradar.analysis.dynamics.TransitionResult` as a table, CSV (long: from,
    to, count, probability) or JSON."""
    if fmt == "json":
        return _json(transitions_json(res))
    if fmt == "csv":
        long = res.counts.stack().rename("count").reset_index()
        long.columns = ["from", "to", "count"]
        long["probability"] = res.probabilities.stack(future_stack=True).to_numpy()
        return _csv(long, lang)
    w = words(lang)
    header, rows = transition_rows(res, w)
    mob = ", ".join(f"{k} {v:.3f}" for k, v in res.mobility.items())
    notes = [
        w._(
            "{n} overgangen van {r} gebieden, edities {years}; {cut} paren weggelaten bij een "
            "breuk in de reeks.",
            n=res.n_pairs,
            r=res.n_regions,
            years=", ".join(map(str, res.editions)),
            cut=res.cut_pairs,
        ),
        w._("Mobiliteit (giddy): {m}", m=mob),
    ]
    if res.spatial is not None:
        s = res.spatial
        notes.append(
            w._(
                "Ruimtelijk (Spatial Markov, {n} gebieden): hangt de overgang af van de "
                "buren? χ² = {chi2} (vrijheidsgraden {dof}), p = {p}.",
                n=s.n_regions,
                chi2=w.number(s.chi2, 1),
                dof=int(s.dof),
                p=w.number(s.p_value, 3),
            )
        )
    title = w._("Overgangen van {by}", by=by)
    return _table(title, header, rows, notes)


def movers_records(frame: pd.DataFrame, catalogue, lang: str) -> list[dict]:
    """Stijgers en dalers as dicts, each driver worded."""
    w = words(lang)
    out = []
    for r in frame.to_dict("records"):
        r["drivers"] = [
            {
                "indicator": i,
                "change": c,
                "contribution": v,
                "text": w._(
                    "{what} {change} percentielpunten",
                    what=w.feature("ind:" + i, catalogue),
                    change=w.signed(c, 0),
                ),
            }
            for i, c, v in r["drivers"]
        ]
        r["direction_text"] = w.mover_direction(r["direction"])
        out.append(r)
    return jsonable(out)


def render_movers(frame: pd.DataFrame, fmt: str, *, catalogue, cut: int, lang="nl") -> str:
    """Stijgers en dalers as a table, CSV or JSON."""
    recs = movers_records(frame, catalogue, lang)
    if fmt == "json":
        return _json({"left_out_at_series_cut": cut, "movers": recs})
    flat = frame.drop(columns=["drivers"]).assign(
        drivers=[" | ".join(d["text"] for d in r["drivers"]) for r in recs]
    )
    if fmt == "csv":
        return _csv(flat, lang)
    w = words(lang)
    header = ["code", w._("naam"), w._("richting"), w._("van"), w._("naar"), "Δ", w._("door")]
    rows = [
        [
            r["code"],
            str(r["name"]),
            r["direction_text"],
            w.number(r["value_from"], 1),
            w.number(r["value_to"], 1),
            w.signed(r["change"], 1),
            "\n".join(d["text"] for d in r["drivers"][:2]),
        ]
        for r in recs
    ]
    notes = [w._("{n} gebieden weggelaten: een breuk in de reeks tussen beide jaren.", n=cut)]
    return _table(w._("Stijgers en dalers"), header, rows, notes)


def render_warning(result, fmt: str, *, catalogue, lang: str = "nl", limit: int = 25) -> str:
    """Risks of a :class:`~wijkradar.dataset.warning.WarningResult`: JSON (a list of objects
    with ``code, name, year, horizon, outcome, risk, drivers``), CSV, or the riskiest
    ``limit`` as a table with the backtest sentence under it."""
    recs = result.records(catalogue, lang)
    summary = result.summary(catalogue, lang)
    if fmt == "json":
        return _json(recs)
    flat = result.frame.drop(columns=["drivers"]).assign(
        drivers=[" | ".join(d["text"] for d in r["drivers"]) for r in recs]
    )
    if fmt == "csv":
        return _csv(flat, lang)
    w = words(lang)
    header = ["code", w._("naam"), w._("risico"), w._("band"), w._("waarom")]
    rows = [
        [
            r["code"],
            str(r["name"]),
            f"{w.number(100 * r['risk'], 0)}%",
            _band(r, w),
            "\n".join(d["text"] for d in r["drivers"][:2]),
        ]
        for r in recs[:limit]
    ]
    notes = [
        w._(
            "Kans op: {what}, {h} editie(s) na {year}. Getraind op {n} gebieden ({e} met die "
            "uitkomst), jaren {years}.",
            what=summary["outcome_text"],
            h=result.horizon,
            year=result.year,
            n=result.n_train,
            e=result.events,
            years=", ".join(map(str, result.train_years)),
        ),
        summary["backtest_text"],
    ]
    return _table(w._("Vroegsignalering"), header, rows, notes)


def _band(r: dict, w) -> str:
    lo, hi = r.get("risk_low"), r.get("risk_high")
    if lo is None or hi is None:
        return "—"
    return f"{w.number(100 * lo, 0)}–{w.number(100 * hi, 0)}%"


def render_backtest(table: pd.DataFrame, verdict: pd.DataFrame, fmt: str, *, catalogue,
                    lang: str = "nl") -> str:  # fmt: skip
    """The backtest harness's table, each model beside the named baselines."""
    if fmt == "json":
        return _json({"rows": table.to_dict("records"), "verdict": verdict.to_dict("records")})
    if fmt == "csv":
        return _csv(table, lang)
    w = words(lang)
    header = [w._("uitkomst"), w._("toets"), w._("regel"), "n", "ROC-AUC", "PR-AUC",
              "lift 10%", "recall 10%", "lift 20%", "recall 20%", "Brier"]  # fmt: skip
    rows = []
    for r in table.itertuples(index=False):
        split = f"{r.split} {r.origin}→{r.target}"
        cells = [r.roc_auc, r.pr_auc, r.lift_10, r.recall_10, r.lift_20, r.recall_20, r.brier]
        rows.append(
            [r.outcome, split, w.baseline(r.rule, catalogue), str(r.n)] + [_p(c, w) for c in cells]
        )
    notes = []
    for v in verdict.itertuples(index=False):
        notes.append(
            w._(
                "{outcome} ({split} {a}→{b}): het model (ROC-AUC {m}) {verdict} de beste "
                "maatstaf, {base} ({bm}).",
                outcome=v.outcome,
                split=v.split,
                a=v.origin,
                b=v.target,
                m=_p(v.roc_auc, w),
                verdict=w._("verslaat") if v.beats else w._("verslaat niet"),
                base=w.baseline(v.baseline, catalogue),
                bm=_p(v.baseline_roc_auc, w),
            )
        )
    return _table(w._("Backtest van de vroegsignalering"), header, rows, notes)


__all__ = [
    "movers_records",
    "render_backtest",
    "render_movers",
    "render_transitions",
    "transition_rows",
    "render_warning",
    "transitions_json",
]
