"""Signals as a table for the CLI and downloads: one row per region, reasons joined."""

from __future__ import annotations

import io
import json
import math

import pandas as pd

TABLE_COLUMNS = (
    "code",
    "name",
    "level",
    "year",
    "composition_score",
    "composition_trend",
    "problems_score",
    "problems_trend",
    "signal",
    "stable_under_variations",
    "reasons",
)


def signals_table(ds, res, *, gemeente: str | None = None, lang: str = "nl") -> pd.DataFrame:
    """The signals of ``res`` with names and the reasons (sentences in ``lang``) per region."""
    f = res.frame.copy()
    if gemeente:
        gm = gemeente.strip().upper()
        f = f[f["code"].str[2:6] == gm[2:6]]
    names = ds.regions.set_index("code")["name"]
    f.insert(1, "name", f["code"].map(names))
    col = "sentence_en" if lang == "en" else "sentence_nl"
    texts: dict[str, list] = {}
    details: dict[str, list] = {}
    r = res.reasons[res.reasons["code"].isin(set(f["code"]))].sort_values(["code", "axis", "rank"])
    for rec in r.to_dict("records"):
        code = rec.pop("code")
        texts.setdefault(code, []).append(rec[col])
        rec.pop("sentence_nl")
        rec.pop("sentence_en")
        details.setdefault(code, []).append(rec)
    f["reasons"] = [texts.get(c, []) for c in f["code"]]
    f["reason_details"] = [details.get(c, []) for c in f["code"]]
    f["signal_label"] = f["signal"].map(lambda c: res.rules.get(c).label(lang))
    return f.reset_index(drop=True)


def _json_safe(v):
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, dict):
        return {k: _json_safe(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_json_safe(x) for x in v]
    return v.item() if hasattr(v, "item") else v


def render_signals(table: pd.DataFrame, fmt: str, *, lang: str = "nl") -> str:
    """``table`` as CSV, JSON (with structured reasons) or a Rich table (returned as text)."""
    if fmt == "json":
        records = table.drop(columns=[]).to_dict("records")
        return (
            json.dumps([_json_safe(r) for r in records], ensure_ascii=False, indent=1, default=str)
            + "\n"
        )
    out = table[list(TABLE_COLUMNS)].copy()
    out["reasons"] = out["reasons"].apply(" | ".join)
    if fmt == "csv":
        buf = io.StringIO()
        out.to_csv(buf, index=False, float_format="%.1f")
        return buf.getvalue()
    from rich.console import Console
    from rich.table import Table

    con = Console(width=160, record=True, file=io.StringIO())
    t = Table(
        "code",
        "naam" if lang == "nl" else "name",
        "samenst." if lang == "nl" else "comp.",
        "trend",
        "probl.",
        "trend",
        "signaal" if lang == "nl" else "signal",
        "redenen" if lang == "nl" else "reasons",
        show_lines=False,
    )
    for r in table.itertuples(index=False):

        def sc(x):
            return "—" if x != x else f"{x:.0f}"

        t.add_row(
            r.code,
            str(r.name),
            sc(r.composition_score),
            r.composition_trend,
            sc(r.problems_score),
            r.problems_trend,
            r.signal_label,
            "\n".join(r.reasons[:2]),
        )
    con.print(t)
    return con.export_text()


def demo_summary(ds, *, level: str = "buurt", per_gemeente: int = 8):
    """A Rich renderable: per gemeente with data at ``level``, its signal counts and the
    regions with an alarm or attention signal, each with its first reason."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    codes = ds.panel.loc[ds.panel["level"] == level, "code"].astype(str)
    gemeenten = sorted({"GM" + c[2:6] for c in codes.unique()})[:10]
    names = ds.regions.set_index("code")["name"]
    parts = []
    order = {"alarm": 0, "attention": 1}
    for gm in gemeenten:
        year = ds.latest_year(level, gemeente=gm)
        if year is None:
            continue
        table = signals_table(ds, ds.signals(level=level, year=year), gemeente=gm)
        if table.empty:
            continue
        counts = table["signal_label"].value_counts().to_dict()
        parts.append(
            Text(
                f"\n{names.get(gm, gm)} ({gm}), {level}en {year}: "
                + ", ".join(f"{v} {k.lower()}" for k, v in counts.items()),
                style="bold",
            )
        )
        top = table[table["signal"].isin(order)].copy()
        top["o"] = top["signal"].map(order)
        top = top.sort_values(["o", "composition_score"], ascending=[True, False])
        top = top.head(per_gemeente)
        t = Table("code", "naam", "signaal", "samenstelling", "problemen")
        for r in top.itertuples(index=False):

            def sc(x, trend):
                return ("—" if x != x else f"{x:.0f}") + f" ({trend})"

            t.add_row(
                r.code,
                str(r.name),
                r.signal_label,
                sc(r.composition_score, r.composition_trend),
                sc(r.problems_score, r.problems_trend),
            )
        parts.append(t)
        for r in top.itertuples(index=False):
            if r.reasons:
                parts.append(Text(f"  • {r.name}: {r.reasons[0]}"))
    return Group(*parts)
