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
        L.append(f"  {w.field(ind, 'label')}: {_values(ind, ind['series'], w)}")
        # an earlier area under the same code: its own line, never joined to this series
        for e in ind.get("earlier", []):
            L.append(
                "    ≠ "
                + w._(
                    "{values} (ander gebied onder dezelfde code, t/m {year})",
                    year=e["year_to"],
                    values=_values(ind, e["series"], w),
                )
            )
    for b in profile.get("series_breaks", []):
        reason = b["reason"]
        if b.get("kind") == "reused":
            reason = w._("{reason} (daarvoor een ander gebied onder dezelfde code)", reason=reason)
        L.append("  ! " + w._("reeksbreuk {year}: {reason}", year=b["year"], reason=reason))
    L.append("")
    L.append(
        w._("Een signaal opent een gesprek; het is geen oordeel over bewoners.") + " " + sources(w)
    )
    return "\n".join(L) + "\n"


def _values(ind: dict, series: list[dict], w: Words) -> str:
    """``2017: € 27.800, 2019: …`` (the status where a value is not shown)."""
    return ", ".join(
        f"{p['year']}: "
        + (
            w.value(p["value"], ind["unit"], ind["decimals"])
            if p["value"] is not None
            else p["status"]
        )
        for p in series
    )


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
    if line := people_line(profile, w):
        L.append(f"  {line}")
    if axis := one_axis(sig):
        L.append("  " + w._(ONE_AXIS[axis]))
    for a in AXES:
        s = sig[a]
        score = "—" if s["score"] is None else f"{s['score']:.0f}"
        name = w._(AXIS_NAMES[a])
        L.append(f"  {name}: score {score} ({s['level']}), trend {s['trend']}")
    L += _reason_lines(reason_groups(sig["reasons"], w))
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


NOTE_ROLES = ("small", "housing")
"""Reason roles shown first, apart from the axes: a small area, new building."""
NOTE_TITLE = N_("Lees dit eerst")
AXIS_GROUPS = (
    ("for", N_("Wat het signaal draagt")),
    ("against", N_("Wat ertegenin gaat")),
    ("level", N_("Waarom dit niveau")),
)
"""The roles under an axis's summary line, in the order shown, with their titles."""


def reason_groups(reasons: list[dict], w: Words) -> dict:
    """A signal's reasons as the map panel, the report and the terminal show them.

    Returns ``{"note_title", "note": [sentence], "axes": [{"axis", "name", "head",
    "groups": [{"role", "title", "sentences": [sentence]}]}]}``: ``note`` the ``small`` and
    ``housing`` reasons (read first), then per axis its ``axis`` summary as ``head`` and the
    groups of :data:`AXIS_GROUPS` that have reasons, each in rank order. A role this code does
    not know stays under its axis, in a group without a title."""
    rows = sorted(reasons, key=lambda r: r.get("rank") or 0)
    note = [w.field(r, "sentence") for r in rows if r.get("role") in NOTE_ROLES]
    axes = []
    for a in AXES:
        mine = [r for r in rows if r.get("axis") == a and r.get("role") not in NOTE_ROLES]
        if mine:
            head = " ".join(w.field(r, "sentence") for r in mine if r.get("role") == "axis")
            name = w._(AXIS_NAMES[a])
            axes.append({"axis": a, "name": name, "head": head, "groups": _groups(mine, w)})
    return {"note_title": w._(NOTE_TITLE), "note": note, "axes": axes}


def _groups(rows: list[dict], w: Words) -> list[dict]:
    """The :data:`AXIS_GROUPS` of one axis's reason rows that have any, then the rows of a
    role not known here (no title)."""
    known = {"axis", *(role for role, _ in AXIS_GROUPS)}
    out = []
    for role, title in AXIS_GROUPS:
        items = [w.field(r, "sentence") for r in rows if r.get("role") == role]
        if items:
            out.append({"role": role, "title": w._(title), "sentences": items})
    other = [w.field(r, "sentence") for r in rows if r.get("role") not in known]
    if other:
        out.append({"role": "", "title": "", "sentences": other})
    return out


def _reason_lines(g: dict) -> list[str]:
    """The grouped reasons as indented lines; every sentence on a ``•`` line."""
    L = []
    if g["note"]:
        L.append(f"  {g['note_title']}:")
        L += [f"    • {s}" for s in g["note"]]
    for ax in g["axes"]:
        L.append(f"  • {ax['head'] or ax['name'].capitalize()}")
        for grp in ax["groups"]:
            if grp["title"]:
                L.append(f"      {grp['title']}:")
            L += [f"        • {s}" for s in grp["sentences"]]
    return L


PEOPLE = {"population": N_("inwoners: {n} ({year})"), "dwellings": N_("woningen: {n} ({year})")}
ONE_AXIS = {
    "composition": N_("Alleen de samenstelling is bekend: het signaal rust op één as."),
    "problems": N_("Alleen de zichtbare problemen zijn bekend: het signaal rust op één as."),
}


def one_axis(sig: dict) -> str | None:
    """The one axis a signal rests on (the other has neither level nor trend), else ``None``:
    the ``known_axes`` of the signal frame, from a profile's ``signal``."""
    known = [
        a
        for a in AXES
        if (sig.get(a) or {}).get("level", "unknown") != "unknown"
        or (sig.get(a) or {}).get("trend", "unknown") != "unknown"
    ]
    return known[0] if len(known) == 1 else None


def people(profile: dict) -> dict[str, tuple[float, int]]:
    """Inhabitants and dwellings of the profile's region in its signal year: per indicator of
    :data:`PEOPLE`, the latest published value up to that year, with its year."""
    sig = profile.get("signal") or {}
    year = sig.get("year")
    out = {}
    for ind in profile.get("indicators", []):
        if ind["id"] not in PEOPLE or year is None:
            continue
        pts = [p for p in ind["series"] if p["value"] is not None and p["year"] <= year]
        if pts:
            last = max(pts, key=lambda p: p["year"])
            out[ind["id"]] = (float(last["value"]), int(last["year"]))
    return out


def people_line(profile: dict, w: Words) -> str:
    """``inwoners: 305 (2019) · woningen: 154 (2019)``, or ``""`` without either figure."""
    have = people(profile)
    return " · ".join(
        w._(PEOPLE[k], n=w.number(have[k][0]), year=have[k][1]) for k in PEOPLE if k in have
    )


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
