"""Plain-text renderings for the terminal: a profile, action frames, signal tables and the
demo's summary. They take what :class:`~wijkradar.dataset.Dataset` returns and only render."""

from __future__ import annotations

import io
import json

import pandas as pd

from wijkradar.codes import gemeenten_of
from wijkradar.dataset.tables import TABLE_COLUMNS
from wijkradar.jsonable import jsonable
from wijkradar.vocab import AXES
from wijkradar.wording import N_, Words, words

AXIS_NAMES = {"composition": N_("samenstelling"), "problems": N_("problemen")}


def render_text(profile: dict, lang: str = "nl") -> str:
    """The profile as plain text for the terminal."""
    w = words(lang)
    L = [f"{profile['name']} ({profile['code']}, {profile['level']})"]
    gm = profile.get("gemeente") or {}
    if gm:
        L.append("  " + w._("gemeente: {name} ({code})", name=gm["name"], code=gm["code"]))
    parent = profile.get("parent")
    if parent and parent["code"] != gm.get("code"):
        L.append("  " + w._("ligt in: {name} ({code})", name=parent["name"], code=parent["code"]))
    if profile.get("children"):
        L.append("  " + w._("bestaat uit: {n} gebieden", n=len(profile["children"])))
    if profile.get("signal"):
        L += _signal_lines(profile, w)
    L.append("")
    L.append(w._("Indicatoren:"))
    for ind in profile["indicators"]:
        vals = ", ".join(
            f"{p['year']}: "
            + (
                w.value(p["value"], ind["unit"], ind["decimals"])
                if p["value"] is not None
                else p["status"]
            )
            for p in ind["series"]
        )
        L.append(f"  {w.field(ind, 'label')}: {vals}")
    for b in profile.get("series_breaks", []):
        L.append("  ! " + w._("reeksbreuk {year}: {reason}", year=b["year"], reason=b["reason"]))
    L.append("")
    L.append(
        w._("Een signaal opent een gesprek; het is geen oordeel over bewoners.") + " " + sources(w)
    )
    return "\n".join(L) + "\n"


def sources(w: Words) -> str:
    """The attribution line, in ``w``'s language."""
    return w._("Bron: CBS, Kadaster, Leefbaarometer (BZK).")


def _signal_lines(profile: dict, w: Words) -> list[str]:
    sig = profile["signal"]
    L = [
        "",
        w._(
            "Signaal {year} ({view}): {label} — {description}",
            year=sig["year"],
            view=sig["view"],
            label=w.field(sig, "label"),
            description=w.field(sig, "description"),
        ),
    ]
    for a in AXES:
        s = sig[a]
        score = "—" if s["score"] is None else f"{s['score']:.0f}"
        name = w._(AXIS_NAMES[a])
        L.append(f"  {name}: score {score} ({s['level']}), trend {s['trend']}")
    for r in sig["reasons"]:
        L.append(f"  • {w.field(r, 'sentence')}")
    sv = sig["sensitivity"]
    stable = (
        w._("stabiel onder alle variaties")
        if sv["stable_under_variations"]
        else w._(
            "wisselt van klasse in {k} van {n} variaties",
            k=sv["variations_changed"],
            n=sv["variations"],
        )
    )
    L.append("  " + w._("gevoeligheid: {text}", text=stable))
    cl = profile.get("clusters") or {}
    if cl:
        L.append("  clusters: " + ", ".join(f"{k}: {v}" for k, v in cl.items()))
    return L


def render_actions(d: dict, fmt: str = "text", lang: str = "nl") -> str:
    """The action frames ``d`` (:meth:`Dataset.actions_dict
    <wijkradar.dataset.Dataset.actions_dict>` in ``lang``) as plain text or JSON."""
    if fmt == "json":
        return json.dumps(d, ensure_ascii=False, indent=2, default=str) + "\n"
    w = words(lang)
    nd = w._("z.j.")
    L = [
        w._(
            "Actiekaders {code} ({level}, signaaljaar {year}, {view})",
            code=d["code"],
            level=d["level"],
            year=d["year"],
            view=d["view"],
        )
    ]
    if d["nothing_triggered"]:
        L.append(
            w._(
                "Voor dit gebied geldt geen enkel patroon uit de actiematrix: de cijfers geven "
                "geen specifieke aanleiding voor een kader. De algemene succesfactoren gelden."
            )
        )
    for i, fr in enumerate(d["frames"], 1):
        L.append("")
        L.append(f"{i}. {fr['label']} — {fr['description']}")
        if not fr["triggered"]:
            L.append(f"   {fr['general']}")
        for p in fr["patterns"]:
            L.append(f"   ▸ {p['label']}")
            for r in p["reasons"]:
                L.append(f"     • {r['sentence']}")
            L.append("     " + w._("Interventies: {list}", list="; ".join(p["interventions"])))
            sources = "; ".join(
                f"{e['title']} ({e['publisher']}, {e['year'] or nd})" for e in p["evidence"]
            )
            L.append("     " + w._("Onderbouwing: {list}", list=sources))
    L.append("")
    L.append(w._("Succesfactoren van de wijkaanpak:"))
    for s in d["success_factors"]:
        L.append(f"  • {s['label']}: {s['text']}")
    L.append("")
    L.append(w._("Kaders openen het gesprek; ze zijn geen oordeel over bewoners."))
    return "\n".join(L) + "\n"


def render_signals(table: pd.DataFrame, fmt: str, *, lang: str = "nl") -> str:
    """``table`` as CSV, JSON (with structured reasons) or a Rich table (returned as text)."""
    if fmt == "json":
        records = table.drop(columns=[]).to_dict("records")
        return (
            json.dumps([jsonable(r) for r in records], ensure_ascii=False, indent=1, default=str)
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

    w = words(lang)
    con = Console(width=160, record=True, file=io.StringIO())
    t = Table(
        "code",
        w._("naam"),
        w._("samenst."),
        "trend",
        "probl.",
        "trend",
        w._("signaal"),
        w._("redenen"),
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


def demo_summary(ds, *, level: str = "buurt", per_gemeente: int = 8, lang: str = "nl"):
    """A Rich renderable: per gemeente with data at ``level``, its signal counts and the
    regions with an alarm or attention signal, each with its first reason."""
    w = words(lang)
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    codes = pd.Series(ds.panel.loc[ds.panel["level"] == level, "code"].astype(str).unique())
    gemeenten = sorted(gemeenten_of(codes).dropna().unique())[:10]
    names = ds.names
    parts = []
    order = {"alarm": 0, "attention": 1}
    for gm in gemeenten:
        year = ds.latest_year(level, gemeente=gm)
        if year is None:
            continue
        table = ds.signals_table(level=level, year=year, gemeente=gm, lang=lang)
        if table.empty:
            continue
        counts = table["signal_label"].value_counts().to_dict()
        parts.append(
            Text(
                f"\n{names.get(gm, gm)} ({gm}), {w.units(level)} {year}: "
                + ", ".join(f"{v} {k.lower()}" for k, v in counts.items()),
                style="bold",
            )
        )
        top = table[table["signal"].isin(order)].copy()
        top["o"] = top["signal"].map(order)
        top = top.sort_values(["o", "composition_score"], ascending=[True, False])
        top = top.head(per_gemeente)
        t = Table(
            "code",
            w._("naam"),
            w._("signaal"),
            w._(AXIS_NAMES["composition"]),
            w._(AXIS_NAMES["problems"]),
        )
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
