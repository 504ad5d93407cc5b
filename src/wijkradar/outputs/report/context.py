"""The template context of the wijkprofiel report: profile + action frames + divide + sources.

Every user-facing string of the report lives in :data:`STRINGS` (Dutch first, English second);
the numbers come from :meth:`Dataset.profile`, the signal and the action matrix, never from
here.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING

from wijkradar.analysis.reasons import format_value
from wijkradar.errors import WijkradarError
from wijkradar.outputs.report import charts

if TYPE_CHECKING:
    from wijkradar.dataset import Dataset

LANGS = ("nl", "en")

STRINGS: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Wijkprofiel",
        "subtitle": "Cijfers om het gesprek te openen",
        "level_buurt": "buurt",
        "level_wijk": "wijk",
        "level_gemeente": "gemeente",
        "code": "CBS-code",
        "gemeente": "Gemeente",
        "parent": "Ligt in",
        "data_years": "Jaren met gegevens",
        "signal_year": "Signaaljaar",
        "generated": "Gemaakt op",
        "map_caption": "Ligging binnen de gemeente (oranje: dit gebied)",
        "map_caption_gemeente": "Ligging tussen de omliggende gemeenten (oranje: deze gemeente)",
        "no_map": "Geen grenzen beschikbaar voor een kaart.",
        "signal_h": "Het signaal en zijn redenen",
        "signal_none": "Voor dit gebied is geen signaal te berekenen: te weinig gegevens in het "
        "trendvenster.",
        "axis": "As",
        "score": "Score (0–100)",
        "level": "Niveau",
        "trend": "Trend",
        "scores_note": "Score = gewogen gemiddeld percentiel; hoger is kwetsbaarder of meer "
        "problemen. Streepjes: grenzen sterk (40) en zwak (60).",
        "reasons_h": "Redenen",
        "sens_stable": "Gevoeligheid: het signaal blijft gelijk onder alle {n} variaties van "
        "drempels, venster en gewichten.",
        "sens_changed": "Gevoeligheid: het signaal wisselt van klasse in {k} van de {n} variaties "
        "van drempels, venster en gewichten. Het ligt op een grens; bespreek het als zodanig.",
        "view_absolute": "vergeleken met alle gebieden van dit niveau in de gegevens",
        "view_relative": "vergeleken met de andere gebieden in de gemeente",
        "composition": "samenstelling",
        "problems": "zichtbare problemen",
        "comp_h": "Samenstelling en zichtbare problemen",
        "comp_intro": "Niveaus en trends ten opzichte van de gemeente en alle gebieden van dit "
        "niveau in de gegevens. Onderdrukte waarden (CBS-drempels) worden niet getoond.",
        "comp_sub": "Samenstelling van de bewoners",
        "prob_sub": "Zichtbare problemen",
        "housing_h": "Woningvoorraad en bevolking",
        "housing_sub": "Woningvoorraad",
        "pop_sub": "Bevolking",
        "indicator": "Indicator",
        "latest": "Laatste waarde",
        "year": "Jaar",
        "gm_value": "Gemeente",
        "suppressed": "niet gepubliceerd (CBS-drempel)",
        "missing": "ontbreekt",
        "no_charts": "Geen gegevens voor deze as.",
        "no_data": "Geen gegevens voor dit gebied.",
        "divide_h": "Tweedeling in de gemeente",
        "divide_intro": "Hoe ongelijk zijn lage inkomens over de {units} van {gemeente} verdeeld? "
        "D = ongelijkheidsindex (0–1). Corporatiekloof = aandeel lage inkomens in "
        "corporatierijke {units} (> 2/3 corporatiebezit) min dat in de overige, in "
        "procentpunten.",
        "divide_units": "eenheden",
        "divide_D": "D",
        "divide_gap": "Kloof (pp)",
        "divide_share": "Huishoudens in corporatierijke eenheden",
        "divide_none": "Geen tweedelingscijfers voor deze gemeente (te weinig eenheden met "
        "gegevens).",
        "actions_h": "Actiekaders",
        "actions_intro": "Welke kaders de cijfers aanreiken, met de cijfers die ze aanleiden, "
        "soorten interventies en onderbouwing. Kaders openen het gesprek; ze schrijven niets "
        "voor.",
        "actions_none": "Voor dit gebied geldt geen enkel patroon uit de actiematrix: de cijfers "
        "geven geen specifieke aanleiding voor een kader. De algemene succesfactoren gelden wel.",
        "reasons_for": "Aanleiding in de cijfers",
        "interventions": "Soorten interventies",
        "evidence": "Onderbouwing",
        "uncertain": "details niet geverifieerd",
        "success_h": "Succesfactoren van de wijkaanpak (voor elk gebied)",
        "sources_h": "Bronnen, methode en kanttekeningen",
        "sources_sub": "Gebruikte bestanden",
        "source_file": "Bestand",
        "source_years": "Jaren",
        "licences": "CBS en Kadaster: CC BY 4.0 („Bron: CBS, Kadaster”). Leefbaarometer: open "
        "data van het Ministerie van BZK („Leefbaarometer, Ministerie van BZK”). Grenzen: "
        "zie bestand en jaar hierboven.",
        "method_sub": "De methode in het kort",
        "method": "Elke indicator wordt een rangpercentiel binnen zijn jaar en niveau; het niveau "
        "van een as is het gewogen gemiddelde percentiel, de trend het gewogen gemiddelde van "
        "gerichte hellingen (Theil–Sen of het verschil van twee edities). Een trend telt pas als "
        "stijgend of dalend wanneer hij 1,645 standaardfouten van een expliciet ruismodel "
        "overschrijdt. Het paar trends geeft de signaalklasse. Geen variabele over etniciteit "
        "of migratieachtergrond komt in een score. Volledige beschrijving: docs/method.md.",
        "caveats_sub": "Kanttekeningen",
        "evidence_h": "Onderbouwing: wat werkt (bronnen bij de actiekaders)",
        "caveat_place": "Plek versus mensen: een gebied kan verbeteren doordat bewoners "
        "vooruitgingen, of doordat zij vertrokken en door draagkrachtiger huishoudens werden "
        "vervangen.",
        "caveat_small": "Kleine aantallen: onder de CBS-drempels is er niets; net erboven zijn "
        "cijfers onrustig. Geregistreerde criminaliteit hangt ook af van aangiftebereidheid.",
        "caveat_verdict": "Een signaal is geen oordeel over bewoners. Cijfers gaan over gebieden, "
        "niet over personen; bewoners en professionals weten wat er speelt.",
        "caveat_causal": "Geen causaliteit: de cijfers signaleren, ze verklaren niet en "
        "evalueren geen beleid.",
        "obs_h": "Waarnemingen van bewoners en professionals",
        "obs_intro": "In te vullen tijdens het gesprek. Wat herkent u in de cijfers, wat niet? "
        "Wat ontbreekt? Wat gaat goed?",
        "obs_who": "Wie (bewoner, gemeente, corporatie, welzijn, zorg, politie)",
        "obs_what": "Waarneming",
        "obs_next": "Afspraak / vervolg",
        "footer": "Bron: CBS, Kadaster, Leefbaarometer (Ministerie van BZK) · wijkradar",
        "page": "pagina",
        "trend_rising": "stijgend (verslechtert)",
        "trend_falling": "dalend (verbetert)",
        "trend_stable": "stabiel",
        "trend_unknown": "onbekend",
        "level_weak": "zwak",
        "level_middle": "midden",
        "level_strong": "sterk",
        "level_unknown": "onbekend",
        "clusters": "Ruimtelijke clusters",
        "break": "Reeksbreuk",
    },
    "en": {
        "title": "Neighbourhood profile",
        "subtitle": "Figures to open the conversation",
        "level_buurt": "neighbourhood (buurt)",
        "level_wijk": "district (wijk)",
        "level_gemeente": "municipality (gemeente)",
        "code": "CBS code",
        "gemeente": "Municipality",
        "parent": "Part of",
        "data_years": "Years with data",
        "signal_year": "Signal year",
        "generated": "Made on",
        "map_caption": "Location within the municipality (orange: this area)",
        "map_caption_gemeente": "Location among the surrounding municipalities (orange)",
        "no_map": "No boundaries available for a map.",
        "signal_h": "The signal and its reasons",
        "signal_none": "No signal can be computed for this area: too little data in the trend "
        "window.",
        "axis": "Axis",
        "score": "Score (0–100)",
        "level": "Level",
        "trend": "Trend",
        "scores_note": "Score = weighted mean percentile; higher is more vulnerable or more "
        "problems. Dashes: thresholds strong (40) and weak (60).",
        "reasons_h": "Reasons",
        "sens_stable": "Sensitivity: the signal stays the same under all {n} variations of "
        "thresholds, window and weights.",
        "sens_changed": "Sensitivity: the signal changes class in {k} of the {n} variations of "
        "thresholds, window and weights. It lies on a boundary; discuss it as such.",
        "view_absolute": "compared with all areas of this level in the data",
        "view_relative": "compared with the other areas in the municipality",
        "composition": "composition",
        "problems": "visible problems",
        "comp_h": "Composition and visible problems",
        "comp_intro": "Levels and trends against the municipality and all areas of this level in "
        "the data. Suppressed values (CBS thresholds) are not shown.",
        "comp_sub": "Resident composition",
        "prob_sub": "Visible problems",
        "housing_h": "Housing stock and population",
        "housing_sub": "Housing stock",
        "pop_sub": "Population",
        "indicator": "Indicator",
        "latest": "Latest value",
        "year": "Year",
        "gm_value": "Municipality",
        "suppressed": "not published (CBS threshold)",
        "missing": "missing",
        "no_charts": "No data for this axis.",
        "no_data": "No data for this area.",
        "divide_h": "The divide in the municipality",
        "divide_intro": "How unevenly are low incomes spread over the {units} of {gemeente}? "
        "D = index of dissimilarity (0–1). Housing-association gap = low-income share in "
        "association-heavy {units} (> 2/3 association stock) minus that in the others, in "
        "percentage points.",
        "divide_units": "units",
        "divide_D": "D",
        "divide_gap": "Gap (pp)",
        "divide_share": "Households in association-heavy units",
        "divide_none": "No divide figures for this municipality (too few units with data).",
        "actions_h": "Action frames",
        "actions_intro": "Which frames the figures suggest, with the figures behind them, kinds "
        "of intervention and evidence. Frames open the conversation; they prescribe nothing.",
        "actions_none": "No pattern of the action matrix holds for this area: the figures give no "
        "specific reason for a frame. The general success factors still apply.",
        "reasons_for": "What in the figures",
        "interventions": "Kinds of intervention",
        "evidence": "Evidence",
        "uncertain": "details not verified",
        "success_h": "Success factors of area-based work (for every area)",
        "sources_h": "Sources, method and caveats",
        "sources_sub": "Files used",
        "source_file": "File",
        "source_years": "Years",
        "licences": "CBS and Kadaster: CC BY 4.0 (\u201cSource: CBS, Kadaster\u201d). "
        "Leefbaarometer: open data of the Ministry of the Interior (BZK) (\u201cLeefbaarometer, "
        "Ministerie van BZK\u201d). Boundaries: see file and year above.",
        "method_sub": "The method in short",
        "method": "Each indicator becomes a rank percentile within its year and level; an axis "
        "level is the weighted mean percentile, its trend the weighted mean of direction-signed "
        "slopes (Theil–Sen or the difference of two editions). A trend only counts as rising or "
        "falling when it clears 1.645 standard errors of an explicit noise model. The pair of "
        "trends gives the signal class. No ethnicity or migration-background variable enters "
        "any score. Full description: docs/method.md.",
        "caveats_sub": "Caveats",
        "evidence_h": "Evidence: what works (sources of the action frames)",
        "caveat_place": "Place versus people: an area can improve because residents got ahead, or "
        "because they left and were replaced by better-off households.",
        "caveat_small": "Small numbers: below the CBS thresholds there is nothing; just above them "
        "figures are noisy. Registered crime also depends on the willingness to report.",
        "caveat_verdict": "A signal is not a verdict on residents. Figures are about areas, not "
        "people; residents and professionals know what is going on.",
        "caveat_causal": "No causality: the figures signal; they do not explain or evaluate "
        "policy.",
        "obs_h": "Observations of residents and professionals",
        "obs_intro": "To be filled in during the conversation. What do you recognise in the "
        "figures, what not? What is missing? What goes well?",
        "obs_who": "Who (resident, municipality, housing association, welfare, care, police)",
        "obs_what": "Observation",
        "obs_next": "Agreement / follow-up",
        "footer": "Source: CBS, Kadaster, Leefbaarometer (Ministerie van BZK) · wijkradar",
        "page": "page",
        "trend_rising": "rising (worsening)",
        "trend_falling": "falling (improving)",
        "trend_stable": "stable",
        "trend_unknown": "unknown",
        "level_weak": "weak",
        "level_middle": "middle",
        "level_strong": "strong",
        "level_unknown": "unknown",
        "clusters": "Spatial clusters",
        "break": "Series break",
    },
}

HOUSING = ("corporation_housing_pct", "rental_pct", "owner_occupied_pct", "woz_mean", "dwellings")
POPULATION = ("population", "households", "one_person_households_pct")


def _check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise WijkradarError(f"--lang moet nl of en zijn, niet {lang!r} (lang must be nl or en)")
    return lang


def _latest_row(ind: dict, S: dict, lang: str) -> dict:
    """The latest entry of a series as text: a value, or why there is none."""
    series = ind["series"]
    last = series[-1]
    dec = ind.get("decimals", 1)
    if last["value"] is None:
        text = S["suppressed"] if last["status"] == "suppressed" else S["missing"]
    else:
        text = format_value(last["value"], ind["unit"], dec, lang)
    gm = [
        p for p in ind.get("gemeente", []) if p["year"] == last["year"] and p["value"] is not None
    ]
    return {
        "label": ind["label_en" if lang == "en" else "label_nl"],
        "value": text,
        "year": last["year"],
        "gemeente": format_value(gm[0]["value"], ind["unit"], dec, lang) if gm else "—",
        "shown": last["value"] is not None,
    }


def _cached_clusters(ds: Dataset, level: str, year: int, view: str, code: str) -> dict:
    """LISA clusters only when already on disk (a report never pays the numba compile)."""
    folder = ds.path / "cache"
    if not folder.exists() or not any(folder.glob(f"*clusters_{level}_{year}_{view}_*.parquet")):
        return {}
    return ds.clusters(level=level, year=year, view=view, codes=[code]).get(code, {})


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
    from wijkradar.outputs.actions import region_actions

    lang = _check_lang(lang)
    S = STRINGS[lang]
    profile = ds.profile(code, year=year, view=view, clusters=False)
    code = profile["code"]
    if level is not None and profile["level"] != level:
        raise WijkradarError(
            f"{code} is een {profile['level']}, geen {level} (level mismatch: {code} is a "
            f"{profile['level']})"
        )
    if profile["level"] not in ("buurt", "wijk", "gemeente"):
        raise WijkradarError(f"geen wijkprofiel voor niveau {profile['level']!r} ({code})")
    shown = [i for i in profile["indicators"] if any(p["value"] is not None for p in i["series"])]
    if not shown:
        raise WijkradarError(f"geen gegevens voor {code} ({profile['name']}) in de dataset")
    cat = ds.indicators
    lvl = profile["level"]
    sig = profile.get("signal")
    rules_levels = {"weak": 60.0, "strong": 40.0}
    actions = None
    if sig:
        res = ds.signals(level=lvl, year=sig["year"], view=view)
        rules_levels = {k: float(res.rules["levels"][k]) for k in ("weak", "strong")}
        sig = dict(sig)
        sig["label"] = sig["label_en" if lang == "en" else "label_nl"]
        sig["description"] = sig["description_en" if lang == "en" else "description_nl"]
        sig["reason_sentences"] = [
            r["sentence_en" if lang == "en" else "sentence_nl"] for r in sig["reasons"]
        ]
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
            for a in ("composition", "problems")
        ]
        sig["bars"] = charts.score_bars(sig, lang=lang, **rules_levels)
        sig["view_text"] = S[f"view_{view}"]
        sig["clusters"] = _cached_clusters(ds, lvl, sig["year"], view, code)
    try:
        actions = region_actions(ds, code, year=sig["year"] if sig else None, view=view).to_dict(
            lang
        )
    except WijkradarError:
        actions = None
    for ind in profile["indicators"]:
        ind["label"] = ind["label_en" if lang == "en" else "label_nl"]
    by_id = {i["id"]: i for i in profile["indicators"]}

    def chart_list(domain: str) -> list[dict]:
        ids = [
            i
            for i in cat.ids
            if cat.meta[i]["domain"] == domain and float(cat.meta[i].get("weight") or 0) > 0
        ]
        out = []
        for i in ids:
            ind = by_id.get(i)
            if ind is None:
                continue
            svg = charts.trend_chart(ind, lang=lang)
            if svg:
                out.append({"label": ind["label"], "svg": svg, **_latest_row(ind, S, lang)})
        return out

    housing = [_latest_row(by_id[i], S, lang) for i in HOUSING if i in by_id]
    housing_charts = [
        {"label": by_id[i]["label"], "svg": svg}
        for i in ("corporation_housing_pct", "woz_mean")
        if i in by_id and (svg := charts.trend_chart(by_id[i], lang=lang))
    ]
    population = [_latest_row(by_id[i], S, lang) for i in POPULATION if i in by_id]
    gm = profile.get("gemeente") or {}
    units_word = {
        "nl": {"buurt": "buurten", "wijk": "wijken"},
        "en": {"buurt": "neighbourhoods", "wijk": "districts"},
    }[lang]
    div_level = "buurt" if lvl == "buurt" else "wijk"
    divide = [
        {
            "year": d["year"],
            "n_units": d["n_units"],
            "D": f"{d['dissimilarity']:.2f}".replace(".", "," if lang == "nl" else "."),
            "gap": "—" if d["gap"] is None else format_value(d["gap"], "", 1, lang),
            "share": "—"
            if d["corp_heavy_households_share"] is None
            else format_value(100 * d["corp_heavy_households_share"], "%", 0, lang),
        }
        for d in profile.get("divide", [])
        if d.get("dissimilarity") is not None
    ]
    regions = ds.regions
    years = sorted({p["year"] for i in shown for p in i["series"] if p["value"] is not None})
    caption = S["map_caption_gemeente"] if lvl == "gemeente" else S["map_caption"]
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
        "map": charts.locator_map(regions, code, label=f"{profile['name']} ({code})"),
        "map_caption": caption,
        "signal": sig,
        "legend": charts.legend(lang, lvl),
        "composition_charts": chart_list("composition"),
        "problems_charts": chart_list("problems"),
        "housing": housing,
        "housing_charts": housing_charts,
        "population": population,
        "divide": divide,
        "divide_intro": S["divide_intro"].format(
            units=units_word[div_level], gemeente=gm.get("name") or code
        ),
        "actions": actions,
        "success_factors": (actions or {}).get("success_factors") or _success_factors(lang),
        "sources": _sources(profile),
        "breaks": profile.get("series_breaks", []),
    }


def _success_factors(lang: str) -> list[dict]:
    from wijkradar.outputs.actions import default_matrix

    return [
        {"id": s.id, "label": s.label(lang), "text": s.text(lang), "evidence": []}
        for s in default_matrix().success_factors
    ]
