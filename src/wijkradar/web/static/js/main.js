/* wijkradar web page: the signalling map, search, profile panel, comparison and downloads.
   Native ES modules, no build step, nothing outside the server (see web/README.md). This module
   starts the page and wires the others: each owns its part of the page and follows the state
   through state.subscribe (in the order below); the one store is js/state.js. */
import { api, loadVocab } from "./api.js";
import { gemeenteOfCode, levelOfCode } from "./codes.js";
import * as compare from "./compare.js";
import * as controls from "./controls.js";
import { $, $$ } from "./dom.js";
import { LANGS, apply as applyI18n } from "./i18n.js";
import * as map from "./map.js";
import * as movers from "./movers.js";
import * as profile from "./profile.js";
import * as risk from "./risk.js";
import { setup as setupSearch } from "./search.js";
import { RISK_LAYER, SIGNAL_LAYER, availableLevels, axes, data, normalise, readUrl, state, subscribe, toggleCompare, update, writeUrl } from "./state.js";
import { retranslate, statusError } from "./status.js";

// The first layer is asked for before the map is fitted, at the zoom a city fills a laptop
// screen with (unless a #map= link says otherwise).
const INITIAL_ZOOM = 11;
const hasHash = /[#&]map=/.test(location.hash);

/** Open the profile of code (switching the map to its level), and show it on the map.
    opts: level (when known), fly (animate to it; false: never move), focusPanel. */
async function selectRegion(code, opts = {}) {
  code = String(code).toUpperCase();
  const level = opts.level || levelOfCode(code);
  const patch = { sel: code };
  if (level && level !== state.level && availableLevels().includes(level)) patch.level = level;
  const panelWasHidden = !profile.isOpen();
  const changed = await update(patch);
  if (!changed.has("sel")) await profile.open(code);
  if (opts.focusPanel && profile.shows(code)) $("#profile").focus();
  if (opts.fly) map.fitRegion(code, true);
  else if (panelWasHidden && opts.fly !== false) map.fitRegion(code, false);
}

const openCompare = async (show, focus) => {
  await update({ panel: show ? "compare" : null });
  if (show && focus) $("#compare").focus();
};

function wire() {
  controls.setup({ onLevel: () => map.fitFocus() });
  const search = setupSearch({ onChoose: (r) => selectRegion(r.code, { level: r.level, fly: true, focusPanel: true }) });
  risk.setup();
  movers.setup({ onChoose: (code) => selectRegion(code, { fly: true }) });
  $$(".lang button").forEach((b) => b.addEventListener("click", () => update({ lang: b.dataset.lang })));
  $$("[data-close]").forEach((b) => b.addEventListener("click", () => (b.dataset.close === "profile" ? update({ sel: null }) : openCompare(false))));
  $("#compare-toggle").addEventListener("click", () => openCompare(!compare.isOpen(), true));
  $("#compare-clear").addEventListener("click", () => update({ cmp: [] }));
  // the panels' buttons, by their data attributes
  $("#profile-body").addEventListener("click", (e) => {
    const b = e.target.closest("button");
    if (b && b.id === "cmp-add") toggleCompare(b.dataset.code);
    else if (b && b.dataset.goto) selectRegion(b.dataset.goto, { fly: true, focusPanel: true });
  });
  $("#compare-body").addEventListener("click", (e) => {
    const b = e.target.closest("button");
    if (b && b.dataset.remove) toggleCompare(b.dataset.remove);
    else if (b && b.dataset.goto) selectRegion(b.dataset.goto, { level: b.dataset.level, fly: true });
  });
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Escape" || e.target.closest?.("dialog")) return; // a dialog closes itself
    if (search.isOpen()) return search.close();
    if (movers.isOpen() && $("#movers").contains(document.activeElement)) {
      movers.show(false);
      return $("#movers-open").focus();
    }
    const inCompare = $("#compare").contains(document.activeElement);
    if (profile.isOpen() && !inCompare) {
      update({ sel: null });
      $("#search").focus();
    } else if (compare.isOpen()) {
      openCompare(false);
      $("#compare-toggle").focus();
    }
  });
}

// After a language switch: the page's words, then the labels from the API, before the others redraw.
async function onLang(changed) {
  if (!changed.has("lang")) return;
  applyI18n();
  try {
    await loadVocab();
  } catch (e) {
    statusError(e);
  }
  retranslate();
}

async function init() {
  performance.mark("wr:init");
  readUrl(LANGS);
  applyI18n();
  wire();
  // Start the map layer and the map itself at once; the year defaults to the API's default year.
  const hashZoom = Number((location.hash.match(/map=([\d.]+)\//) || [])[1]);
  const initialZoom = hasHash && hashZoom ? hashZoom : INITIAL_ZOOM;
  const prefetched = api(map.layerUrl(initialZoom)).catch(() => null);
  const first = Promise.all([api("api/health"), loadVocab()]);
  const mapReady = map.create();
  try {
    const [health] = await first;
    performance.mark("wr:vocab");
    data.health = health;
  } catch (e) {
    statusError(e);
    map.setMapStatus("error:" + e.message);
    return;
  }
  const asked = { level: state.level, year: state.year, view: state.view }; // by the prefetch
  normalise();
  if (gemeenteOfCode(state.sel)) data.gm = { code: gemeenteOfCode(state.sel), name: null };
  controls.build();
  writeUrl();
  for (const fn of [onLang, controls.onChange, map.onChange, profile.onChange, compare.onChange, movers.onChange]) subscribe(fn);
  await mapReady;
  map.addLayers({ onSelect: (code) => selectRegion(code, { level: state.level, fly: false }) });
  // the prefetched layer holds the signal and the axis scores, not an indicator's values
  const fresh =
    Object.entries(asked).some(([k, v]) => v !== null && v !== state[k]) || !(state.layer === SIGNAL_LAYER || state.layer === RISK_LAYER || axes().includes(state.layer));
  await map.loadLayer({ zoom: initialZoom, prefetched: fresh ? null : prefetched, fit: !hasHash && !state.sel });
  if (!hasHash && state.sel) map.fitRegion(state.sel, false);
  map.followZoom();
  controls.nameGemeente();
  if (state.sel) profile.open(state.sel);
  compare.init();
}

// Hooks for the browser tests and benchmarks (tests/e2e, benchmarks/bench_page.py).
document.addEventListener("wr:mapstatus", (e) => (window.mapStatus = e.detail));
document.addEventListener("wr:firstpolygons", (e) => (window.mapFirstPolygonsAt = e.detail));
window.wijkradar = { state, data, selectRegion, get map() { return map.getMap(); } };

init();
