"""The template context of the wijkprofiel report: profile + early warning + action frames +
divide + sources.

The report's fixed texts are :func:`report_strings` (gettext, Dutch first); the numbers come
from :meth:`Dataset.profile`, the signal rules, :meth:`Dataset.warning`,
:meth:`Dataset.trajectories`, :meth:`Dataset.movers`, the action matrix and the divide, never
from here.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from typing import TYPE_CHECKING

from wijkradar.codes import gemeente_of, gemeenten_of, wijken_of
from wijkradar.errors import WijkradarError
from wijkradar.outputs.report import charts
from wijkradar.outputs.text import ONE_AXIS, one_axis, people, reason_groups
from wijkradar.palette import signal_colour
from wijkradar.vocab import AXES, LEVELS
from wijkradar.wording import Words, words

if TYPE_CHECKING:
    from wijkradar.catalogue.rules import Rules
    from wijkradar.dataset import Dataset


def report_strings(w: Words, rules: Rules) -> dict[str, str]:
    """Every fixed text of the report in ``w``'s language; the thresholds it quotes are those of
    ``rules`` (so a user's ``--rules`` file never makes the report state the wrong numbers)."""
    levels, trends = rules["levels"], rules["trends"]
    strong, weak = w.number(float(levels["strong"])), w.number(float(levels["weak"]))
    z = w.number(float(trends["z"]), 3)
    return {
        "title": w._("Wijkprofiel"),
        "subtitle": w._("Cijfers om het gesprek te openen"),
        "level_buurt": w.p_("report", "buurt"),
        "level_wijk": w.p_("report", "wijk"),
        "level_gemeente": w.p_("report", "gemeente"),
        "code": w._("CBS-code"),
        "gemeente": w._("Gemeente"),
        "parent": w._("Ligt in"),
        "data_years": w._("Jaren met gegevens"),
        "signal_year": w._("Signaaljaar"),
        "signal": w._("Signaal"),
        "population_n": w._("Inwoners"),
        "dwellings_n": w._("Woningen"),
        "generated": w._("Gemaakt op"),
        "map_caption": w._("Ligging binnen de gemeente (oranje: dit gebied)"),
        "map_caption_gemeente": w._(
            "Ligging tussen de omliggende gemeenten (oranje: deze gemeente)"
        ),
        "no_map": w._("Geen grenzen beschikbaar voor een kaart."),
        "signal_h": w._("Het signaal en zijn redenen"),
        "signal_none": w._(
            "Voor dit gebied is geen signaal te berekenen: te weinig gegevens in het trendvenster."
        ),
        "axis": w._("As"),
        "score": w._("Score (0–100)"),
        "level": w._("Niveau"),
        "trend": w._("Trend"),
        "scores_note": w._(
            "Score = gewogen gemiddeld percentiel; hoger is kwetsbaarder of meer problemen. "
            "Streepjes: grenzen sterk ({strong}) en zwak ({weak}).",
            strong=strong,
            weak=weak,
        ),
        "reasons_h": w._("Redenen"),
        "classes_h": w._("De signaalklassen"),
        "classes_intro": w._(
            "De klassen worden in deze volgorde geprobeerd; de eerste die past is het signaal. "
            "Het signaal van dit gebied is gemarkeerd."
        ),
        "class_col": w._("Klasse"),
        "meaning": w._("Betekenis"),
        "sens_stable": w._(
            "Gevoeligheid: het signaal blijft gelijk onder alle {n} variaties van drempels, "
            "venster en gewichten."
        ),
        "sens_changed": w._(
            "Gevoeligheid: het signaal wisselt van klasse in {k} van de {n} variaties van "
            "drempels, venster en gewichten. Het ligt op een grens; bespreek het als zodanig."
        ),
        "view_absolute": w._("vergeleken met alle gebieden van dit niveau in de gegevens"),
        "view_relative": w._("vergeleken met de andere gebieden in de gemeente"),
        "composition": w._("samenstelling"),
        "problems": w._("zichtbare problemen"),
        "comp_h": w._("Samenstelling en zichtbare problemen"),
        "comp_intro": w._(
            "Niveaus en trends ten opzichte van de gemeente en alle gebieden van dit niveau in "
            "de gegevens. Onderdrukte waarden (CBS-drempels) worden niet getoond."
        ),
        "comp_sub": w._("Samenstelling van de bewoners"),
        "prob_sub": w._("Zichtbare problemen"),
        "housing_h": w._("Woningvoorraad en bevolking"),
        "housing_sub": w._("Woningvoorraad"),
        "pop_sub": w._("Bevolking"),
        "indicator": w._("Indicator"),
        "latest": w._("Laatste waarde"),
        "year": w._("Jaar"),
        "gm_value": w._("Gemeente"),
        "suppressed": w._("niet gepubliceerd (CBS-drempel)"),
        "missing": w._("ontbreekt"),
        "no_charts": w._("Geen gegevens voor deze as."),
        "no_data": w._("Geen gegevens voor dit gebied."),
        "divide_h": w._("Tweedeling in de gemeente"),
        "divide_intro": w._(
            "Hoe ongelijk zijn lage inkomens over de {units} van {gemeente} verdeeld? D = "
            "ongelijkheidsindex (0–1). Corporatiekloof = aandeel lage inkomens in "
            "corporatierijke {units} (> {corp} corporatiebezit) min dat in de overige, in "
            "procentpunten."
        ),
        "divide_units": w._("eenheden"),
        "divide_D": w._("D"),
        "divide_gap": w._("Kloof (pp)"),
        "divide_share": w._("Huishoudens in corporatierijke eenheden"),
        "divide_none": w._(
            "Geen tweedelingscijfers voor deze gemeente (te weinig eenheden met gegevens)."
        ),
        "actions_h": w._("Actiekaders"),
        "actions_intro": w._(
            "Welke kaders de cijfers aanreiken, met de cijfers die ze aanleiden, soorten "
            "interventies en onderbouwing. Kaders openen het gesprek; ze schrijven niets voor."
        ),
        "actions_none": w._(
            "Voor dit gebied geldt geen enkel patroon uit de actiematrix: de cijfers geven geen "
            "specifieke aanleiding voor een kader. De algemene succesfactoren gelden wel."
        ),
        "reasons_for": w._("Aanleiding in de cijfers"),
        "interventions": w._("Soorten interventies"),
        "evidence": w._("Onderbouwing"),
        "uncertain": w._("details niet geverifieerd"),
        "success_h": w._("Succesfactoren van de wijkaanpak (voor elk gebied)"),
        "sources_h": w._("Bronnen, methode en kanttekeningen"),
        "sources_sub": w._("Gebruikte bestanden"),
        "source_file": w._("Bestand"),
        "source_years": w._("Jaren"),
        "licences": w._(
            "CBS en Kadaster: CC BY 4.0 („Bron: CBS, Kadaster”). Leefbaarometer: open data van "
            "het Ministerie van BZK („Leefbaarometer, Ministerie van BZK”). Grenzen: zie bestand "
            "en jaar hierboven."
        ),
        "method_sub": w._("De methode in het kort"),
        "method": w._(
            "Elke indicator wordt een rangpercentiel binnen zijn jaar en niveau; het niveau van "
            "een as is het gewogen gemiddelde percentiel, de trend het gewogen gemiddelde van "
            "gerichte hellingen (Theil–Sen of het verschil van twee edities). Een trend telt pas "
            "als stijgend of dalend wanneer hij {z} standaardfouten van een expliciet ruismodel "
            "overschrijdt. De trends en hoe lang een as al bij de zwakste vijfde staat, geven "
            "de signaalklasse (zie De signaalklassen hieronder). Geen variabele over "
            "etniciteit of migratieachtergrond komt in een score. Volledige beschrijving: "
            "docs/method.md.",
            z=z,
        ),
        "caveats_sub": w._("Kanttekeningen"),
        "evidence_h": w._("Onderbouwing: wat werkt (bronnen bij de actiekaders)"),
        "caveat_place": w._(
            "Plek versus mensen: een gebied kan verbeteren doordat bewoners vooruitgingen, of "
            "doordat zij vertrokken en door draagkrachtiger huishoudens werden vervangen."
        ),
        "caveat_small": w._(
            "Kleine aantallen: onder de CBS-drempels is er niets; net erboven zijn cijfers "
            "onrustig. Geregistreerde criminaliteit hangt ook af van aangiftebereidheid."
        ),
        "caveat_verdict": w._(
            "Een signaal is geen oordeel over bewoners. Cijfers gaan over gebieden, niet over "
            "personen; bewoners en professionals weten wat er speelt."
        ),
        "caveat_causal": w._(
            "Geen causaliteit: de cijfers signaleren, ze verklaren niet en evalueren geen beleid."
        ),
        "obs_h": w._("Waarnemingen van bewoners en professionals"),
        "obs_intro": w._(
            "In te vullen tijdens het gesprek. Wat herkent u in de cijfers, wat niet? Wat "
            "ontbreekt? Wat gaat goed?"
        ),
        "obs_who": w._("Wie (bewoner, gemeente, corporatie, welzijn, zorg, politie)"),
        "obs_what": w._("Waarneming"),
        "obs_next": w._("Afspraak / vervolg"),
        "footer": w._("Bron: CBS, Kadaster, Leefbaarometer (Ministerie van BZK) · wijkradar"),
        "page": w._("pagina"),
        "trend_rising": w._("stijgend (verslechtert)"),
        "trend_falling": w._("dalend (verbetert)"),
        "trend_stable": w._("stabiel"),
        "trend_unknown": w._("onbekend"),
        "level_weak": w._("zwak"),
        "level_middle": w._("midden"),
        "level_strong": w._("sterk"),
        "level_unknown": w._("onbekend"),
        "clusters": w._("Ruimtelijke clusters"),
        "break": w._("Reeksbreuk"),
        **early_strings(w),
    }


def early_strings(w: Words) -> dict[str, str]:
    """The fixed texts of the early-warning page: Vroegsignalering, Traject, Stijgers en dalers.

    Templates with ``{fields}`` are filled in :func:`_warning_box`, :func:`_trajectory` and
    :func:`_movers_box`.
    """
    return {
        "early_h": w._("Vroegsignalering"),
        "early_intro": w._(
            "De kans dat dit gebied bij een volgende editie zwak is of achteruitgaat, geleerd "
            "van eerdere edities van vergelijkbare gebieden. Een kans is geen zekerheid en geen "
            "oordeel over bewoners."
        ),
        "risk_next": w._("Kans op {what} bij de eerstvolgende editie na {year}"),
        "risk_later": w._("Kans op {what}, {h} edities na {year}"),
        "risk_band": w._("band {low}–{high}"),
        "risk_band_note": w._(
            "De band loopt van het 10e tot het 90e percentiel van de kans bij hertrainingen op "
            "andere steekproeven van gemeenten."
        ),
        "risk_above": w._("hoger dan gemiddeld"),
        "risk_below": w._("lager dan gemiddeld"),
        "risk_around": w._("niet duidelijk anders dan gemiddeld"),
        "risk_above_text": w._(
            "Zelfs de onderkant van de band ligt boven het gemiddelde: {base} van de gevallen "
            "waarvan het model leerde, had die uitkomst."
        ),
        "risk_below_text": w._(
            "Zelfs de bovenkant van de band ligt onder het gemiddelde: {base} van de gevallen "
            "waarvan het model leerde, had die uitkomst."
        ),
        "risk_around_text": w._(
            "De band omvat het gemiddelde: {base} van de gevallen waarvan het model leerde, had "
            "die uitkomst."
        ),
        "drivers_h": w._("Wat de kans het meest verhoogt"),
        "drivers_none": w._("Geen enkel kenmerk verhoogt de kans boven het gemiddelde."),
        "trained": w._("Getraind op {n} gevallen ({e} met die uitkomst) uit {years}: {scope}."),
        "scope_all": w._("alle {units} in de gegevens"),
        "scope_gemeente": w._("alleen de {units} van {gemeente}"),
        "fallback": w._(
            "Over alle {units} samen lukte het niet ({reason}); daarom is alleen binnen "
            "{gemeente} getraind."
        ),
        "backtest_h": w._("Hoe goed zulke voorspellingen eerder waren"),
        "not_better": w._(
            "Het model doet het in de backtest niet beter dan een eenvoudige maatstaf: lees de "
            "kans als een samenvatting van de cijfers, niet als extra kennis."
        ),
        "risk_none": w._("Geen risico te berekenen: {reason}."),
        "risk_none_both": w._(
            "Geen risico te berekenen. Over alle {units}: {national}; binnen {gemeente}: {local}."
        ),
        "risk_absent": w._(
            "het model is getraind, maar dit gebied heeft in {year} geen kenmerken om een kans "
            "uit te berekenen"
        ),
        "traj_h": w._("Traject"),
        "traj_intro": w._(
            "Per editie: de vijfde waarin het gebied stond op samenstelling en zichtbare "
            "problemen (1 = minst, 5 = meest kwetsbaar; {view}), het signaal en de "
            "Leefbaarometer-klasse (1–9, hoger is beter)."
        ),
        "traj_comp": w._("Samenstelling (vijfde)"),
        "traj_prob": w._("Problemen (vijfde)"),
        "traj_lbm": w._("Leefbaarometer (1–9)"),
        "traj_other": w._("ander gebied onder dezelfde code"),
        "traj_surroundings": w._(
            "Ten opzichte van de omgeving ({year}; scores: hoger = kwetsbaarder)"
        ),
        "traj_none": w._(
            "Geen editie met een vijfde, een signaal of een Leefbaarometer-klasse voor dit gebied."
        ),
        "movers_h": w._("Stijgers en dalers"),
        "movers_intro": w._(
            "De {units} van {name} die tussen {a} en {b} het meest veranderden op de score "
            "zichtbare problemen (0–100, hoger is meer problemen). Daler: meer problemen; "
            "stijger: minder."
        ),
        "movers_name": w._("Naam"),
        "movers_dir": w._("Richting"),
        "movers_by": w._("Vooral door"),
        "movers_none": w._(
            "Geen stijgers en dalers: de {units} van dit gebied hebben tot en met {year} geen "
            "twee edities met een score zichtbare problemen."
        ),
        "movers_still": w._(
            "Geen stijgers en dalers: geen van de {units} van dit gebied veranderde tussen {a} "
            "en {b}."
        ),
        "movers_error": w._("Geen stijgers en dalers: {reason}."),
    }


HOUSING = ("corporation_housing_pct", "rental_pct", "owner_occupied_pct", "woz_mean", "dwellings")
POPULATION = ("population", "households", "one_person_households_pct")


CORPORATION_SHARE = 200 / 3
"""The divide's "corporatierijk" line (:func:`wijkradar.analysis.divide.divide`'s default)."""


def _latest_row(ind: dict, S: dict, w: Words) -> dict:
    """The latest entry of a series as text: a value, or why there is none."""
    series = ind["series"]
    last = series[-1]
    dec = ind.get("decimals", 1)
    if last["value"] is None:
        text = S["suppressed"] if last["status"] == "suppressed" else S["missing"]
    else:
        text = w.value(last["value"], ind["unit"], dec)
    gm = [
        p for p in ind.get("gemeente", []) if p["year"] == last["year"] and p["value"] is not None
    ]
    return {
        "label": w.field(ind, "label"),
        "value": text,
        "year": last["year"],
        "gemeente": w.value(gm[0]["value"], ind["unit"], dec) if gm else "—",
        "shown": last["value"] is not None,
    }


def _cached_clusters(ds: Dataset, level: str, year: int, view: str, code: str) -> dict:
    """LISA clusters only when already known (a report never pays the numba compile)."""
    return ds.clusters(level=level, year=year, view=view, codes=[code], cached_only=True).get(
        code, {}
    )


def _sources(profile: dict) -> list[dict]:
    files: dict[str, set[int]] = {}
    for ind in profile["indicators"]:
        for p in ind["series"]:
            if p.get("source") and p["source"] != "None":
                files.setdefault(p["source"], set()).add(int(p["year"]))
    out = [
        {"file": f, "years": ", ".join(str(y) for y in sorted(ys))}
        for f, ys in sorted(files.items())
    ]
    geo = profile.get("geometry") or {}
    if geo.get("source"):
        out.append({"file": geo["source"], "years": str(geo.get("year") or "")})
    return out


def _signal_box(ds: Dataset, profile: dict, view: str, w: Words, S: dict, rules: Rules) -> dict:
    """The profile's signal with every text the report's signal section shows."""
    sig = dict(profile["signal"])
    sig["label"] = w.field(sig, "label")
    sig["description"] = w.field(sig, "description")
    sig["reason_sentences"] = [w.field(r, "sentence") for r in sig["reasons"]]
    sig["groups"] = reason_groups(sig["reasons"], w)
    axis = one_axis(sig)
    sig["one_axis"] = w._(ONE_AXIS[axis]) if axis else None
    sig["people"] = _people(profile, S, w)
    sig["color"] = signal_colour(sig["class"])
    sv = sig["sensitivity"]
    sig["sensitivity_text"] = (
        S["sens_stable"].format(n=sv["variations"])
        if sv["stable_under_variations"]
        else S["sens_changed"].format(k=sv["variations_changed"], n=sv["variations"])
    )
    sig["axes"] = [
        {
            "name": S[a],
            "score": "—" if sig[a]["score"] is None else f"{sig[a]['score']:.0f}",
            "level": S[f"level_{sig[a]['level']}"],
            "trend": S[f"trend_{sig[a]['trend']}"],
        }
        for a in AXES
    ]
    bands = {k: float(rules["levels"][k]) for k in ("weak", "strong")}
    sig["bars"] = charts.score_bars(sig, lang=w.lang, **bands)
    sig["view_text"] = S[f"view_{view}"]
    sig["clusters"] = _cached_clusters(ds, profile["level"], sig["year"], view, profile["code"])
    return sig


def _classes(rules: Rules, w: Words, current: str | None) -> list[dict]:
    """Every class of the rules, in their order, with its colour and what it means."""
    return [
        {
            "id": c.id,
            "label": c.label(w.lang),
            "description": w.field(c, "description"),
            "color": signal_colour(c.id),
            "current": c.id == current,
        }
        for c in rules.classes
    ]


def _people(profile: dict, S: dict, w: Words) -> list[dict]:
    """Inhabitants and dwellings in the signal year (the latest figure up to it), for the
    cover and the signal section: ``[{"label", "value", "year"}]``."""
    have = people(profile)
    return [
        {"label": S[f"{k}_n"], "value": w.number(have[k][0]), "year": have[k][1]}
        for k in ("population", "dwellings")
        if k in have
    ]


def _divide_rows(profile: dict, w: Words) -> list[dict]:
    return [
        {
            "year": d["year"],
            "n_units": d["n_units"],
            "D": w.number(d["dissimilarity"], 2),
            "gap": "—" if d["gap"] is None else w.value(d["gap"], "", 1),
            "share": "—"
            if d["corp_heavy_households_share"] is None
            else w.value(100 * d["corp_heavy_households_share"], "%", 0),
        }
        for d in profile.get("divide", [])
        if d.get("dissimilarity") is not None
    ]


def _checked_profile(ds: Dataset, code: str, year, view: str, level: str | None) -> dict:
    """The profile of ``code``, or a clear error when the report cannot be made for it."""
    profile = ds.profile(code, year=year, view=view, clusters=False)
    code = profile["code"]
    if level is not None and profile["level"] != level:
        raise WijkradarError(
            "{code} is een {level}, geen {wanted}",
            code=code,
            level=profile["level"],
            wanted=level,
        )
    if profile["level"] not in LEVELS:
        raise WijkradarError(
            "geen wijkprofiel voor niveau {level} ({code})", level=repr(profile["level"]), code=code
        )
    if not any(any(p["value"] is not None for p in i["series"]) for i in profile["indicators"]):
        raise WijkradarError(
            "geen gegevens voor {code} ({name}) in de dataset", code=code, name=profile["name"]
        )
    return profile


def build_context(
    ds: Dataset,
    code: str,
    *,
    lang: str = "nl",
    year: int | None = None,
    view: str = "absolute",
    level: str | None = None,
) -> dict:
    """Everything the report template shows for ``code``.

    Raises
    ------
    UnknownRegionError
        For a code that is not in the dataset.
    WijkradarError
        For a level mismatch (``level`` given and different), a region without data, or an
        unsupported language.
    """
    try:
        w = words(lang)
    except ValueError as exc:
        raise WijkradarError(str(exc)) from None
    rules = ds.rules
    S = report_strings(w, rules)
    profile = _checked_profile(ds, code, year, view, level)
    code, lvl, sig = profile["code"], profile["level"], profile.get("signal")
    if sig:
        sig = _signal_box(ds, profile, view, w, S, rules)
    try:
        actions = ds.actions_dict(code, lang=lang, year=sig["year"] if sig else None, view=view)
    except WijkradarError:
        actions = None
    for ind in profile["indicators"]:
        ind["label"] = w.field(ind, "label")
    by_id = {i["id"]: i for i in profile["indicators"]}
    gm = profile.get("gemeente") or {}
    shown = [i for i in profile["indicators"] if any(p["value"] is not None for p in i["series"])]
    years = sorted({p["year"] for i in shown for p in i["series"] if p["value"] is not None})
    corp = w.value(CORPORATION_SHARE, "%", 0)
    return {
        "lang": lang,
        "S": S,
        "code": code,
        "name": profile["name"],
        "level": lvl,
        "level_label": S[f"level_{lvl}"],
        "gemeente": gm if gm and gm.get("code") != code else None,
        "parent": profile["parent"]
        if profile.get("parent") and profile["parent"]["code"] != gm.get("code")
        else None,
        "data_years": f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0]),
        "signal_year": sig["year"] if sig else None,
        "generated": _dt.date.today().isoformat(),
        "map": charts.locator_map(ds.regions, code, label=f"{profile['name']} ({code})"),
        "map_caption": S["map_caption_gemeente"] if lvl == "gemeente" else S["map_caption"],
        "signal": sig,
        "classes": _classes(rules, w, sig["class"] if sig else None),
        "legend": charts.legend(lang, lvl),
        "composition_charts": _chart_list(ds, by_id, "composition", S, w),
        "problems_charts": _chart_list(ds, by_id, "problems", S, w),
        "housing": [_latest_row(by_id[i], S, w) for i in HOUSING if i in by_id],
        "housing_charts": [
            {"label": by_id[i]["label"], "svg": svg}
            for i in ("corporation_housing_pct", "woz_mean")
            if i in by_id and (svg := charts.trend_chart(by_id[i], lang=lang))
        ],
        "population": [_latest_row(by_id[i], S, w) for i in POPULATION if i in by_id],
        "divide": _divide_rows(profile, w),
        "divide_intro": S["divide_intro"].format(
            units=w.units("buurt" if lvl == "buurt" else "wijk"),
            gemeente=gm.get("name") or code,
            corp=corp,
        ),
        "actions": actions,
        "success_factors": (actions or {}).get("success_factors") or _success_factors(lang),
        "sources": _sources(profile),
        "breaks": _breaks(profile, w),
        "early": early_page(ds, profile, sig["year"] if sig else year, view, S, w),
    }


def _breaks(profile: dict, w: Words) -> list[dict]:
    """The series breaks as the report lists them; a reused code says that the years before
    the cut are a different area (its charts and figures show the current area only)."""
    out = []
    for b in profile.get("series_breaks", []):
        b = dict(b)
        if b.get("kind") == "reused":
            b["reason"] = w._(
                "{reason} (daarvoor een ander gebied onder dezelfde code)", reason=b["reason"]
            )
        out.append(b)
    return out


def _chart_list(ds: Dataset, by_id: dict, domain: str, S: dict, w: Words) -> list[dict]:
    """Trend charts of the scored indicators of ``domain`` the region has, with latest values."""
    cat = ds.indicators
    out = []
    for i in cat.ids:
        meta = cat.meta[i]
        ind = by_id.get(i)
        if ind is None or meta["domain"] != domain or float(meta.get("weight") or 0) <= 0:
            continue
        svg = charts.trend_chart(ind, lang=w.lang)
        if svg:
            out.append({"label": ind["label"], "svg": svg, **_latest_row(ind, S, w)})
    return out


def _success_factors(lang: str) -> list[dict]:
    from wijkradar.dataset.actions import default_matrix

    return [
        {"id": s.id, "label": s.label(lang), "text": s.text(lang), "evidence": []}
        for s in default_matrix().success_factors
    ]


# -- the early-warning page: Vroegsignalering, Traject, Stijgers en dalers -------------------

MOVERS_SHOWN = 3
"""Dalers and stijgers each: at most this many sub-areas in the report's short list."""
DRIVERS_SHOWN = 3
MOVER_DRIVERS = 1
"""A mover's first driver only: the list stays one line per area and the page one page."""
SUBLEVEL = {"wijk": "buurt", "gemeente": "wijk"}
NO_SIGNAL = "insufficient_data"


def _pct(x: float, w: Words) -> str:
    """A chance as a whole percentage; below half a percent "< 1%" rather than a false 0%."""
    return f"< {w.value(1, '%', 0)}" if x < 0.005 else w.value(100 * x, "%", 0)


def _try_warning(ds: Dataset, level: str, code: str, year: int | None, view: str):
    """The early warning of ``level``: over every region of the level first, then (for a
    buurt or wijk) over the regions of its own gemeente only.

    Returns ``(result, gemeente or None, [(gemeente or None, error), ...])``; ``result`` is
    ``None`` when every attempt failed.
    """
    scopes: list[str | None] = [None]
    if level != "gemeente" and gemeente_of(code):
        scopes.append(gemeente_of(code))
    errors = []
    for gm in scopes:
        try:
            return ds.warning(level=level, year=year, view=view, gemeente=gm), gm, errors
        except WijkradarError as exc:
            errors.append((gm, exc))
    return None, None, errors


def _risk_words(row: dict, base: float, S: dict, w: Words) -> tuple[str, str, str]:
    """The risk against the training set's share with the outcome: (key, label, sentence)."""
    if row["risk_low"] > base:
        key = "above"
    elif row["risk_high"] < base:
        key = "below"
    else:
        key = "around"
    return key, S[f"risk_{key}"], S[f"risk_{key}_text"].format(base=_pct(base, w))


def _gm_name(ds: Dataset, gm: str | None) -> str:
    return str(ds.names.get(gm, gm)) if gm else ""


def _said(exc: WijkradarError, w: Words) -> str:
    """An error's message in ``w``'s language, without a closing full stop (the report's
    sentence brings its own)."""
    return exc.render(w).rstrip(". ")


def _no_risk(ds: Dataset, level: str, errors: list, S: dict, w: Words) -> dict:
    """The one line that says why there is no risk (each attempt's reason, in ``w``'s
    language)."""
    if len(errors) > 1:
        text = S["risk_none_both"].format(
            units=w.units(level),
            national=_said(errors[0][1], w),
            gemeente=_gm_name(ds, errors[1][0]),
            local=_said(errors[1][1], w),
        )
    else:
        text = S["risk_none"].format(reason=_said(errors[0][1], w))
    return {"ok": False, "reason": text}


def _warning_box(ds: Dataset, profile: dict, year, view: str, S: dict, w: Words) -> dict:
    """The report region's early-warning risk in words, with its band, drivers, training set
    and backtest; or ``{"ok": False, "reason": ...}`` saying why there is none."""
    code, level = profile["code"], profile["level"]
    res, gm, errors = _try_warning(ds, level, code, year, view)
    if res is None:
        return _no_risk(ds, level, errors, S, w)
    mine = dataclasses.replace(res, frame=res.frame[res.frame["code"].astype(str) == code])
    recs = mine.records(ds.indicators, w.lang)
    if not recs:
        reason = S["risk_absent"].format(year=res.year)
        return {"ok": False, "reason": S["risk_none"].format(reason=reason)}
    row, summ = recs[0], res.summary(ds.indicators, w.lang)
    base = res.events / res.n_train if res.n_train else 0.0
    key, label, sentence = _risk_words(row, base, S, w)
    what = summ["outcome_text"]
    head = (
        S["risk_next"].format(what=what, year=res.year)
        if res.horizon == 1
        else S["risk_later"].format(what=what, h=res.horizon, year=res.year)
    )
    units = w.units(level)
    scope = (
        S["scope_gemeente"].format(units=units, gemeente=_gm_name(ds, gm))
        if gm
        else S["scope_all"].format(units=units)
    )
    fallback = None
    if errors:
        fallback = S["fallback"].format(
            units=units, reason=_said(errors[0][1], w), gemeente=_gm_name(ds, gm)
        )
    return {
        "ok": True,
        "year": res.year,
        "head": head,
        "risk": _pct(row["risk"], w),
        "band": S["risk_band"].format(
            low=w.number(100 * row["risk_low"], 0), high=_pct(row["risk_high"], w)
        ),
        "key": key,
        "label": label,
        "sentence": sentence,
        "drivers": [d["text"] for d in row["drivers"][:DRIVERS_SHOWN]],
        "trained": S["trained"].format(
            n=w.number(res.n_train),
            e=w.number(res.events),
            years=", ".join(map(str, res.train_years)),
            scope=scope,
        ),
        "fallback": fallback,
        "backtest": _unbroken(summ["backtest_text"]),
        "beats": bool((summ.get("backtest") or {}).get("beats")),
    }


def _unbroken(text: str) -> str:
    """``text`` with the metric names' hyphens non-breaking (no "ROC-" at a line's end)."""
    return text.replace("ROC-AUC", "ROC\u2011AUC").replace("PR-AUC", "PR\u2011AUC")


def _state(x, fmt=str) -> str:
    return "—" if x is None or x != x else fmt(x)


def _trajectory(ds: Dataset, profile: dict, year, view: str, S: dict, w: Words) -> dict:
    """The region's editions: composition and problems fifth, signal, Leefbaarometer class.

    Rows of another area under the same code (before or after a series cut) are marked; the
    report's year is highlighted."""
    code, level = profile["code"], profile["level"]
    try:
        t = ds.trajectories(level=level, view=view)
    except WijkradarError as exc:
        return {"rows": [], "none": exc.render(w)}
    t = t[t["code"].astype(str) == code]
    # an edition with no state and no signal but "insufficient data" says nothing: left out
    known = t[["composition", "problems", "lbm_class"]].notna().any(axis=1)
    t = t[known | (t["signal"].notna() & (t["signal"] != NO_SIGNAL))]
    at_year = t.loc[t["year"] == year, "series"]
    subject = str(at_year.iloc[0]) if len(at_year) else code
    rows = []
    for r in t.itertuples(index=False):
        cls = ds.rules.get(r.signal) if isinstance(r.signal, str) else None
        rows.append(
            {
                "year": int(r.year),
                "composition": _state(r.composition, lambda v: str(int(v))),
                "problems": _state(r.problems, lambda v: str(int(v))),
                "signal": w.field(cls, "label") if cls is not None else _state(r.signal),
                "color": signal_colour(r.signal) if cls is not None else None,
                "lbm": _state(r.lbm_class, lambda v: str(int(v))),
                "other": str(r.series) != subject,
                "current": int(r.year) == year,
            }
        )
    around, around_year = _surroundings(ds, code, level, year, view, w)
    return {
        "rows": rows,
        "none": None if rows else S["traj_none"],
        "intro": S["traj_intro"].format(view=S[f"view_{view}"]),
        "other": any(r["other"] for r in rows),
        "surroundings": around,
        "surroundings_h": S["traj_surroundings"].format(year=around_year) if around else "",
    }


def _surroundings(ds: Dataset, code: str, level: str, year, view: str, w: Words):
    """Meerschalig: the sentences of the region's latest axis changes up to ``year`` beside
    its neighbours' (buurt and wijk), and that edition."""
    if level not in ("buurt", "wijk"):
        return [], None
    s = ds.surroundings(level=level, view=view)
    s = s[(s["code"] == code) & s["change"].notna()]
    if year is not None:
        s = s[s["year"] <= int(year)]
    if s.empty:
        return [], None
    latest = int(s["year"].max())
    rows = s[s["year"] == latest].to_dict("records")
    return [w.surroundings(r, level) for r in rows], latest


def _inside(codes, code: str, level: str):
    """Mask of ``codes`` (buurten or wijken) that lie in the wijk or gemeente ``code``."""
    codes = codes.astype(str)
    parent = wijken_of(codes) if level == "wijk" else gemeenten_of(codes)
    return (parent.astype(str) == code).to_numpy()


def _mover_row(r: dict, w: Words, catalogue) -> dict:
    return {
        "name": r["name"] or r["code"],
        "code": r["code"],
        "direction": w.mover_direction(r["direction"]),
        "daler": r["direction"] == "daler",
        "value_from": w.number(r["value_from"], 0),
        "value_to": w.number(r["value_to"], 0),
        "change": w.signed(r["change"], 0),
        "drivers": [
            w._(
                "{what} {change} percentielpunten",
                what=w.feature("ind:" + i, catalogue),
                change=w.signed(c, 0),
            )
            for i, c, _ in r["drivers"][:MOVER_DRIVERS]
        ],
    }


def _mover_years(ds: Dataset, code: str, level: str, year, view: str) -> list[int]:
    """The editions (up to ``year``) in which the sub-areas of ``code`` have a problems score."""
    s = ds.axis_scores(view)
    s = s[(s["level"] == SUBLEVEL[level]) & (s["domain"] == "problems") & s["score"].notna()]
    s = s[_inside(s["code"], code, level)]
    return sorted(int(y) for y in set(s["year"]) if year is None or y <= year)


def _movers_box(ds: Dataset, profile: dict, year, view: str, S: dict, w: Words) -> dict | None:
    """For a wijk or gemeente: its buurten (or wijken) that rose and fell most on the
    problems score between the two latest editions up to ``year``; ``None`` for a buurt."""
    code, level = profile["code"], profile["level"]
    sub = SUBLEVEL.get(level)
    if sub is None:
        return None
    units = w.units(sub)
    years = _mover_years(ds, code, level, year, view)
    if len(years) < 2:
        return {"rows": [], "none": S["movers_none"].format(units=units, year=year or "—")}
    a, b = years[-2:]
    try:
        frame, _ = ds.movers(
            level=sub, year_from=a, year_to=b, gemeente=gemeente_of(code), view=view, n=100_000
        )
    except WijkradarError as exc:
        return {"rows": [], "none": S["movers_error"].format(reason=_said(exc, w))}
    frame = frame[_inside(frame["code"], code, level)]
    frame = frame.sort_values(["direction", "rank"]).groupby("direction").head(MOVERS_SHOWN)
    rows = [_mover_row(r, w, ds.indicators) for r in frame.to_dict("records")]
    rows.sort(key=lambda r: not r["daler"])
    return {
        "rows": rows,
        "a": a,
        "b": b,
        "intro": S["movers_intro"].format(units=units, name=profile["name"], a=a, b=b),
        "none": None if rows else S["movers_still"].format(units=units, a=a, b=b),
    }


def early_page(ds: Dataset, profile: dict, year, view: str, S: dict, w: Words) -> dict:
    """Everything the early-warning page shows for the report's region, level, year and view."""
    return {
        "warning": _warning_box(ds, profile, year, view, S, w),
        "trajectory": _trajectory(ds, profile, year, view, S, w),
        "movers": _movers_box(ds, profile, year, view, S, w),
    }
