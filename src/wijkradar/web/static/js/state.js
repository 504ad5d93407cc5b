/* The one store. `state` is what the user chose, mirrored in the query string; `data` is what
   the API sent. State changes only through update(patch): it keeps the choice consistent with
   the data (a level the dataset has, a year that level has), writes the URL, and then calls
   every subscriber in turn, in the order they subscribed, with the set of keys that changed.
   A data change that others show, the focus gemeente, is announced the same way (setFocusGemeente). */

export const SIGNAL_LAYER = "signal";
export const RISK_LAYER = "risk"; // the early warning's risk (js/risk.js)
export const DEFAULT_LANG = "nl"; // left out of the URL

export const state = {
  lang: DEFAULT_LANG,
  // the first guess, so that the first map layer is asked for together with /api/health;
  // corrected from health.levels_order when the dataset has no buurten
  level: "buurt",
  year: null,
  view: "absolute",
  layer: SIGNAL_LAYER, // "signal", "risk", an axis (its score) or an indicator id
  sel: null, // selected region code (profile open)
  cmp: [], // codes in the comparison
  panel: null, // "compare" when the compare panel is open
};

export const data = {
  health: null, // /api/health: levels (years), levels_order, views, domains, axes, buckets
  classes: [], // /api/classes: [{id, label, description, color}]
  classById: {},
  outline: null, // line colour of the no-data class
  riskRamp: [], // the risico layer's colours and bounds (palette.py, /api/classes)
  riskBounds: [],
  indicators: [], // /api/indicators
  indById: {},
  geo: null, // the FeatureCollection on the map
  byCode: new Map(), // code -> feature of that layer
  bucket: null, // its zoom bucket (index into health.buckets)
  layerIndicator: null, // its indicator, if any
  gm: null, // focus gemeente {code, name}: fitted first, scope of the downloads
  profiles: new Map(), // cache key -> profile (js/profile.js)
  breaks: null, // quantile breaks of the current numeric layer
};

const subscribers = [];

/** fn(changed: Set<string>) runs after every change, awaited before the next subscriber. */
export function subscribe(fn) {
  subscribers.push(fn);
  return () => subscribers.splice(subscribers.indexOf(fn), 1);
}

async function notify(...keys) {
  const changed = new Set(keys);
  for (const fn of [...subscribers]) await fn(changed);
  return changed;
}

const same = (a, b) => (Array.isArray(a) && Array.isArray(b) ? a.join() === b.join() : a === b);

/** Apply patch to state, keep it consistent, write the URL, tell the subscribers. */
export async function update(patch) {
  const changed = new Set();
  for (const [k, v] of Object.entries(patch)) {
    if (!(k in state)) throw new Error(`unknown state key ${k}`);
    if (!same(state[k], v)) {
      state[k] = v;
      changed.add(k);
    }
  }
  for (const k of normalise()) changed.add(k);
  if (!changed.size) return changed;
  writeUrl();
  return notify(...changed);
}

// ---------------------------------------------------------------- facts from /api/health

export const axes = () => data.health?.axes ?? [];
export const levelInfo = (level) => data.health?.levels?.[level] ?? null;
/** Levels with data, fine to coarse. */
export const availableLevels = () =>
  (data.health?.levels_order ?? []).filter((l) => (levelInfo(l)?.years || []).length);
const isLayer = (id) => id === SIGNAL_LAYER || id === RISK_LAYER || axes().includes(id) || id in data.indById;

/** Make state fit the data; returns the keys it changed. */
export function normalise() {
  const h = data.health;
  const changed = [];
  const fix = (key, value) => {
    if (!same(state[key], value)) {
      state[key] = value;
      changed.push(key);
    }
  };
  if (!h) return changed;
  const avail = availableLevels();
  if (!avail.includes(state.level)) fix("level", avail[0] ?? h.levels_order[h.levels_order.length - 1]);
  if (!h.views.includes(state.view)) fix("view", h.views[0]);
  const info = levelInfo(state.level);
  if (info && !info.years.includes(state.year)) fix("year", info.default_year ?? info.years[info.years.length - 1]);
  if (data.indicators.length && !isLayer(state.layer)) fix("layer", SIGNAL_LAYER);
  return changed;
}

export function setVocab(classes, indicators) {
  data.classes = classes.data;
  data.classById = Object.fromEntries(data.classes.map((c) => [c.id, c]));
  data.outline = classes.outline;
  data.riskRamp = classes.risk_ramp;
  data.riskBounds = classes.risk_bounds;
  data.indicators = indicators.data;
  data.indById = Object.fromEntries(data.indicators.map((i) => [i.id, i]));
}

export function setFocusGemeente(gm) {
  data.gm = gm;
  return notify("gm");
}

export const toggleCompare = (code) =>
  update({ cmp: state.cmp.includes(code) ? state.cmp.filter((c) => c !== code) : [...state.cmp, code] });

// ---------------------------------------------------------------- URL

/** Read the state from the query string; checked against the data by normalise() later. */
export function readUrl(langs) {
  const q = new URLSearchParams(location.search);
  const word = (k) => (/^[a-z]+$/.test(q.get(k) || "") ? q.get(k) : null);
  if (langs.includes(q.get("lang"))) state.lang = q.get("lang");
  state.level = word("level") ?? state.level;
  if (/^\d{4}$/.test(q.get("year") || "")) state.year = Number(q.get("year"));
  state.view = word("view") ?? state.view;
  if (q.get("layer")) state.layer = q.get("layer");
  if (q.get("sel")) state.sel = q.get("sel").toUpperCase();
  if (q.get("cmp")) state.cmp = [...new Set(q.get("cmp").split(",").map((c) => c.trim().toUpperCase()).filter(Boolean))];
  if (q.get("panel") === "compare") state.panel = "compare";
}

export function writeUrl() {
  const q = new URLSearchParams();
  q.set("level", state.level);
  if (state.year) q.set("year", state.year);
  q.set("view", state.view);
  q.set("layer", state.layer);
  if (state.sel) q.set("sel", state.sel);
  if (state.cmp.length) q.set("cmp", state.cmp.join(","));
  if (state.panel) q.set("panel", state.panel);
  if (state.lang !== DEFAULT_LANG) q.set("lang", state.lang);
  const url = `${location.pathname}?${q.toString().replaceAll("%2C", ",")}${location.hash}`;
  history.replaceState(history.state, "", url);
}
