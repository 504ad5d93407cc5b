"""The template context of the wijkprofiel report: profile + action frames + divide + sources.

The report's fixed texts are :func:`report_strings` (gettext, Dutch first); the numbers come
from :meth:`Dataset.profile`, the signal rules, the action matrix and the divide, never from
here.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING

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
