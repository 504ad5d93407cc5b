/* The page's own words, Dutch first, and number formatting. Labels of classes and indicators
   come from the API (/api/classes, /api/indicators with lang=). */
import { state, DEFAULT_LANG } from "./state.js";

const STRINGS = {
  nl: {
    skip_to_search: "Naar zoeken",
    subtitle: "signaleringskaart",
    search_label: "Zoek een buurt, wijk of gemeente",
    search_placeholder: "Zoek buurt, wijk of gemeente…",
    suggestions_label: "Suggesties",
    no_results: "Geen gebieden gevonden",
    language: "Taal",
    map_label: "Kaart met het signaal per gebied",
    controls_label: "Kaartinstellingen",
    controls_title: "Kaart",
    level: "Niveau",
    level_gemeente: "Gemeente",
    level_wijk: "Wijk",
    level_buurt: "Buurt",
    level_land: "Land",
    year: "Jaar",
    layer: "Kaartlaag",
    view: "Vergelijking",
    view_absolute: "Absoluut",
    view_relative: "Binnen de gemeente",
    view_absolute_long: "absoluut (alle gebieden)",
    view_relative_long: "relatief binnen de gemeente",
    layer_signal: "Signaal",
    layer_composition: "Samenstellingsscore",
    layer_problems: "Probleemscore",
    layer_group_main: "Signalering",
    layer_group_indicators: "Indicatoren",
    domain_composition: "Samenstelling",
    domain_problems: "Zichtbare problemen",
    domain_housing: "Wonen",
    domain_context: "Achtergrond",
    legend_signal: "Signaal",
    legend_score: "score 0–100 (100 = kwetsbaarst)",
    legend_nodata: "geen waarde",
    legend_nosignal: "geen signaal berekend",
    legend_quantiles: "kwintielen van de getoonde gebieden",
    download: "Download",
    download_all: "heel Nederland",
    close: "Sluiten",
    compare: "Vergelijken",
    compare_title: "Gebieden vergelijken",
    compare_clear: "Leegmaken",
    compare_add: "Toevoegen aan vergelijking",
    compare_added: "In vergelijking",
    compare_remove: "Verwijder",
    compare_empty: "Nog niets om te vergelijken. Open een gebied en kies ‘Toevoegen aan vergelijking’.",
    compare_one: "Voeg nog minstens één gebied toe om te vergelijken.",
    loading: "Laden…",
    load_error: "Laden mislukt",
    map_loading: "Kaart laden…",
    missing_geometry: "{n} gebieden zonder grenzen staan niet op de kaart",
    missing_geometry_1: "1 gebied zonder grenzen staat niet op de kaart",
    no_features: "Geen gebieden op de kaart voor deze keuze",
    signal: "Signaal",
    signal_year: "{year}, {view}, trend over {window} jaar",
    no_signal: "Voor dit gebied en jaar is geen signaal berekend.",
    composition: "Samenstelling",
    problems: "Zichtbare problemen",
    score: "Score",
    level_word: "Niveau",
    trend: "Trend",
    trend_rising: "verslechtert",
    trend_falling: "verbetert",
    trend_stable: "stabiel",
    trend_unknown: "onbekend",
    lvl_weak: "zwak",
    lvl_middle: "gemiddeld",
    lvl_strong: "sterk",
    lvl_unknown: "onbekend",
    reasons: "Waarom dit signaal?",
    no_reasons: "Geen toelichting beschikbaar.",
    sensitivity: "Gevoeligheid",
    sens_stable: "Het signaal blijft gelijk bij alle {n} varianten van de drempels en regels.",
    sens_changed: "Het signaal verandert bij {k} van de {n} varianten van de drempels en regels; lees het met voorzichtigheid.",
    clusters: "Clusters",
    clusters_pending: "Clusters worden nog berekend; probeer het zo opnieuw.",
    clusters_off: "Geen clusters beschikbaar.",
    cluster_composition: "Samenstelling",
    cluster_problems: "Zichtbare problemen",
    parent: "Ligt in",
    gemeente: "Gemeente",
    children: "Bestaat uit",
    series_breaks: "Breuken in de reeks",
    no_breaks: "Geen breuken bekend.",
    trends: "Ontwikkeling per indicator",
    chart_region: "dit gebied",
    chart_gm_median: "mediaan gemeente",
    chart_all_median: "mediaan alle gebieden",
    report_pdf: "Rapport (PDF)",
    data_gemeente: "Data van {name} (CSV)",
    code: "Code",
    name: "Naam",
    stable_under_variations: "Robuust",
    yes: "ja",
    no: "nee",
    key_indicators: "Kernindicatoren",
    all_figures: "Alle kerncijfers ({n})",
    attribution: "Bron: CBS, Kadaster, Leefbaarometer (BZK)",
    hover_value: "Waarde",
    open_profile: "Open profiel van {name}",
    selected: "Geselecteerd: {name}",
  },
  en: {
    skip_to_search: "Skip to search",
    subtitle: "neighbourhood signals",
    search_label: "Search a neighbourhood, district or municipality",
    search_placeholder: "Search neighbourhood, district or municipality…",
    suggestions_label: "Suggestions",
    no_results: "No areas found",
    language: "Language",
    map_label: "Map of the signal per area",
    controls_label: "Map settings",
    controls_title: "Map",
    level: "Level",
    level_gemeente: "Municipality",
    level_wijk: "District",
    level_buurt: "Neighbourhood",
    level_land: "Country",
    year: "Year",
    layer: "Map layer",
    view: "Comparison",
    view_absolute: "Absolute",
    view_relative: "Within municipality",
    view_absolute_long: "absolute (all areas)",
    view_relative_long: "relative within the municipality",
    layer_signal: "Signal",
    layer_composition: "Composition score",
    layer_problems: "Problems score",
    layer_group_main: "Signals",
    layer_group_indicators: "Indicators",
    domain_composition: "Composition",
    domain_problems: "Visible problems",
    domain_housing: "Housing",
    domain_context: "Context",
    legend_signal: "Signal",
    legend_score: "score 0–100 (100 = most vulnerable)",
    legend_nodata: "no value",
    legend_nosignal: "no signal computed",
    legend_quantiles: "quintiles of the areas shown",
    download: "Download",
    download_all: "all of the Netherlands",
    close: "Close",
    compare: "Compare",
    compare_title: "Compare areas",
    compare_clear: "Clear",
    compare_add: "Add to comparison",
    compare_added: "In comparison",
    compare_remove: "Remove",
    compare_empty: "Nothing to compare yet. Open an area and choose ‘Add to comparison’.",
    compare_one: "Add at least one more area to compare.",
    loading: "Loading…",
    load_error: "Loading failed",
    map_loading: "Loading map…",
    missing_geometry: "{n} areas without boundaries are not on the map",
    missing_geometry_1: "1 area without boundaries is not on the map",
    no_features: "No areas on the map for this choice",
    signal: "Signal",
    signal_year: "{year}, {view}, trend over {window} years",
    no_signal: "No signal was computed for this area and year.",
    composition: "Composition",
    problems: "Visible problems",
    score: "Score",
    level_word: "Level",
    trend: "Trend",
    trend_rising: "worsening",
    trend_falling: "improving",
    trend_stable: "stable",
    trend_unknown: "unknown",
    lvl_weak: "weak",
    lvl_middle: "middle",
    lvl_strong: "strong",
    lvl_unknown: "unknown",
    reasons: "Why this signal?",
    no_reasons: "No explanation available.",
    sensitivity: "Sensitivity",
    sens_stable: "The signal stays the same under all {n} variations of the thresholds and rules.",
    sens_changed: "The signal changes under {k} of the {n} variations of the thresholds and rules; read it with care.",
    clusters: "Clusters",
    clusters_pending: "Clusters are still being computed; try again shortly.",
    clusters_off: "No clusters available.",
    cluster_composition: "Composition",
    cluster_problems: "Visible problems",
    parent: "Part of",
    gemeente: "Municipality",
    children: "Contains",
    series_breaks: "Breaks in the series",
    no_breaks: "No known breaks.",
    trends: "Indicators over time",
    chart_region: "this area",
    chart_gm_median: "municipal median",
    chart_all_median: "median of all areas",
    report_pdf: "Report (PDF)",
    data_gemeente: "Data of {name} (CSV)",
    code: "Code",
    name: "Name",
    stable_under_variations: "Robust",
    yes: "yes",
    no: "no",
    key_indicators: "Key indicators",
    all_figures: "All key figures ({n})",
    attribution: "Sources: CBS, Kadaster, Leefbaarometer (BZK)",
    hover_value: "Value",
    open_profile: "Open profile of {name}",
    selected: "Selected: {name}",
  },
};

export const LANGS = Object.keys(STRINGS);
const LOCALES = { nl: "nl-NL", en: "en-GB" };

/** The string KEY in the current language, with {name} placeholders filled from vars. */
export function t(key, vars) {
  const dict = STRINGS[state.lang] || STRINGS[DEFAULT_LANG];
  let s = dict[key] ?? STRINGS[DEFAULT_LANG][key] ?? key;
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, v);
  return s;
}

const within = (root, sel) => [...(root.matches?.(sel) ? [root] : []), ...root.querySelectorAll(sel)];

/** Put the current language's strings into root: data-i18n (text), data-i18n-placeholder,
    data-i18n-aria (aria-label). For the document also its lang, title and the NL/EN buttons. */
export function apply(root = document) {
  for (const el of within(root, "[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of within(root, "[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of within(root, "[data-i18n-aria]")) el.setAttribute("aria-label", t(el.dataset.i18nAria));
  if (root !== document) return root;
  document.documentElement.lang = state.lang;
  for (const b of document.querySelectorAll(".lang button")) b.setAttribute("aria-pressed", String(b.dataset.lang === state.lang));
  document.title = `wijkradar — ${t("subtitle")}`;
  return root;
}

/** obj[base_nl] / obj[base_en] (profile fields) in the current language. */
export const lbl = (obj, base) => obj[`${base}_${state.lang}`] ?? obj[`${base}_${DEFAULT_LANG}`] ?? obj[base];

export function fmt(v, decimals = 1) {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  return new Intl.NumberFormat(LOCALES[state.lang], { maximumFractionDigits: decimals, minimumFractionDigits: 0 }).format(v);
}

/** 12,3 k style for chart ticks from 10 000 up. */
export const compact = (v, decimals) =>
  Math.abs(v) >= 10000
    ? new Intl.NumberFormat(LOCALES[state.lang], { notation: "compact", maximumFractionDigits: 1 }).format(v)
    : fmt(v, decimals);

// Catalogue units (indicators.csv) that the page does not print after a number: "aantal" is a
// plain count (the label says what is counted); "code" marks a label-valued indicator, which
// is not a number at all and is left out of layers, charts and tables.
const COUNT_UNIT = "aantal";
const CODE_UNIT = "code";
export const unitText = (unit) => (unit && unit !== COUNT_UNIT ? unit : "");
export const isCodeUnit = (unit) => unit === CODE_UNIT;
