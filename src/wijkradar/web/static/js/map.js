/* The MapLibre map: one GeoJSON source of regions (/api/map/{level}), its layers, loading a
   layer in the geometry detail of the zoom, fitting the view, and what the map shows of the
   state (selection, comparison, colours). No tiles, no fonts: nothing outside the server. */
import { AttributionControl, Map as MapLibreMap, NavigationControl, ScaleControl } from "maplibre-gl";
import { api, qs } from "./api.js";
import { gemeenteOfCode } from "./codes.js";
import { $, isSheet } from "./dom.js";
import { fmt, t } from "./i18n.js";
import { NODATA, NO_DATA_CLASS, NO_SIGNAL_FILL, ONE_AXIS, RAMP, addHatchImages, numericProp, quantileBreaks, rampFor, renderLegend, tooltipContent } from "./legend.js";
import { data, setFocusGemeente, state } from "./state.js";
import { status, statusError, statusKey } from "./status.js";

const BACKGROUND = "#e8ecef";
const MAX_ZOOM = 17;
const FIT_MAX_ZOOM = 14; // a fitted single buurt still shows its neighbours
const FLY_MS = 700;
// A layer is refetched only for more detail (never coarser), and DETAIL_SLACK zoom levels
// after its bucket ends: 10 m simplification still looks right at z12.5.
const DETAIL_SLACK = 1.5;

let map = null;
let attribution = null;
let loadSeq = 0;

export const getMap = () => map;

/** Status for tests and benchmarks: "init", "loading", "idle:<rendered features>", "error:…". */
export function setMapStatus(s) {
  document.body.dataset.mapStatus = s;
  document.dispatchEvent(new CustomEvent("wr:mapstatus", { detail: s }));
}

export function create() {
  setMapStatus("init");
  map = new MapLibreMap({
    container: "map",
    style: { version: 8, sources: {}, layers: [{ id: "bg", type: "background", paint: { "background-color": BACKGROUND } }] },
    center: [5.3, 52.15], // the Netherlands, until the first layer is fitted
    zoom: 6.5,
    minZoom: 5,
    maxZoom: MAX_ZOOM,
    hash: "map",
    attributionControl: false,
    dragRotate: false,
    pitchWithRotate: false,
    touchPitch: false,
    fadeDuration: 0,
  });
  map.touchZoomRotate.disableRotation();
  map.addControl(new NavigationControl({ showCompass: false }), "top-right");
  map.addControl(new ScaleControl({ unit: "metric" }), "bottom-left");
  setAttribution();
  return new Promise((resolve) => map.on("load", () => (performance.mark("wr:map-load"), resolve())));
}

function setAttribution() {
  if (attribution) map.removeControl(attribution);
  attribution = new AttributionControl({ compact: false, customAttribution: t("attribution") });
  map.addControl(attribution, "bottom-right");
}

const codeIs = (code) => ["==", ["get", "code"], code];

/** The source and its layers; onSelect(code) on a click on a region. */
export function addLayers({ onSelect }) {
  map.addSource("regions", { type: "geojson", data: { type: "FeatureCollection", features: [] }, promoteId: "code", tolerance: 0.3 });
  map.addLayer({ id: "regions-fill", type: "fill", source: "regions", paint: { "fill-color": NODATA, "fill-opacity": 0.9 } });
  addHatchImages(map);
  map.addLayer({
    id: "regions-line",
    type: "line",
    source: "regions",
    paint: {
      "line-color": ["case", ["==", ["get", "signal"], NO_DATA_CLASS], data.outline, "#ffffff"],
      "line-width": ["interpolate", ["linear"], ["zoom"], 8, 0.2, 12, 0.8, 15, 1.5],
      "line-opacity": 0.9,
    },
  });
  map.addLayer({ id: "regions-hover", type: "line", source: "regions", filter: codeIs(""), paint: { "line-color": "#000000", "line-width": 2 } });
  map.addLayer({ id: "regions-selected", type: "line", source: "regions", filter: codeIs(""), paint: { "line-color": "#000000", "line-width": 3.5 } });
  map.addLayer({
    id: "regions-compare",
    type: "line",
    source: "regions",
    filter: ["in", ["get", "code"], ["literal", []]],
    paint: { "line-color": data.health.compare_color, "line-width": 2.5, "line-dasharray": [2, 1] },
  });

  const tip = $("#tooltip");
  map.on("mousemove", "regions-fill", (e) => {
    const f = e.features && e.features[0];
    if (!f) return;
    map.getCanvas().style.cursor = "pointer";
    map.setFilter("regions-hover", codeIs(f.properties.code));
    tip.replaceChildren(...tooltipContent(f.properties));
    tip.hidden = false;
    const r = map.getContainer().getBoundingClientRect();
    const x = Math.min(e.point.x + 14, r.width - tip.offsetWidth - 6);
    const y = e.point.y + 14 + tip.offsetHeight > r.height ? e.point.y - tip.offsetHeight - 10 : e.point.y + 14;
    tip.style.transform = `translate(${Math.max(4, x)}px, ${y}px)`;
  });
  map.on("mouseleave", "regions-fill", () => {
    map.getCanvas().style.cursor = "";
    map.setFilter("regions-hover", codeIs(""));
    tip.hidden = true;
  });
  map.on("click", "regions-fill", (e) => {
    const f = e.features && e.features[0];
    if (f) onSelect(f.properties.code);
  });
}

/** The hatching of signals that rest on one axis, over their class colour (the signal layer
    only: styleLayer() fades it by paint). Added once the first layer's data is drawn: a
    fill-pattern layer on the empty source of addLayers() made MapLibre 5 keep the empty tiles
    and drop the first setData() (no polygons at all on a cold server). */
function addOneAxisLayer() {
  if (map.getLayer("regions-one-axis")) return;
  const kinds = Object.keys(ONE_AXIS);
  map.addLayer(
    {
      id: "regions-one-axis",
      type: "fill",
      source: "regions",
      filter: ["all", ["in", ["get", "known_axes"], ["literal", kinds]], ["has", "signal"], ["!=", ["get", "signal"], NO_DATA_CLASS]],
      paint: {
        "fill-pattern": ["match", ["get", "known_axes"], ...kinds.flatMap((k) => [k, ONE_AXIS[k]]), ONE_AXIS[kinds[0]]],
        "fill-opacity": numericProp() ? 0 : 1,
      },
    },
    "regions-line",
  );
}

// ---------------------------------------------------------------- zoom buckets (/api/health)

/** Index of the bucket whose zoom range holds zoom (the API's mapdata.bucket_of). */
function bucketOf(zoom) {
  const bs = data.health.buckets;
  const i = bs.findIndex((b) => zoom <= b.max_zoom);
  return i < 0 ? bs.length - 1 : i;
}
// the zoom to ask a bucket's layer with: its top (the last bucket is open-ended)
const bucketZoom = (i) => Math.min(data.health.buckets[i].max_zoom, MAX_ZOOM);

export const layerUrl = (zoom) =>
  `api/map/${encodeURIComponent(state.level)}?${qs({ year: state.year, view: state.view, indicator: data.indById[state.layer] ? state.layer : null, zoom })}`;

/** Refetch the layer in more detail when the map is zoomed past its bucket. */
export function followZoom() {
  map.on("moveend", () => {
    if (data.geo && bucketOf(map.getZoom() - DETAIL_SLACK) > data.bucket) loadLayer();
  });
}

// ---------------------------------------------------------------- loading a layer

/** Load the layer of the state; opts: zoom, prefetched (a promise of it), fit (to the focus). */
export async function loadLayer(opts = {}) {
  const seq = ++loadSeq;
  const bucket = bucketOf(opts.zoom ?? map.getZoom());
  setMapStatus("loading");
  status(t("map_loading"));
  const indicator = data.indById[state.layer] ? state.layer : null;
  let geo = opts.prefetched ? await opts.prefetched : null;
  try {
    if (!geo) geo = await api(layerUrl(bucketZoom(bucket)));
  } catch (e) {
    if (seq !== loadSeq) return;
    statusError(e);
    setMapStatus("error:" + e.message);
    return;
  }
  if (seq !== loadSeq) return;
  performance.mark("wr:layer-data");
  data.geo = geo;
  data.bucket = bucket;
  data.byCode = new Map(geo.features.map((f) => [f.properties.code, f]));
  data.layerIndicator = indicator;
  if (!data.gm) data.gm = focusGemeente(geo);
  if (opts.fit) fitFocus(); // before drawing: the first frame is already the final view
  map.getSource("regions").setData(geo);
  watchFirstPolygons();
  styleLayer();
  highlight();
  const missing = geo.missing_geometry || 0;
  if (!geo.features.length) statusKey("no_features");
  else if (missing) statusKey(missing === 1 ? "missing_geometry_1" : "missing_geometry", { n: fmt(missing, 0) });
  else statusKey(null);
  map.once("idle", () => {
    if (seq !== loadSeq) return;
    addOneAxisLayer();
    setMapStatus(`idle:${map.queryRenderedFeatures({ layers: ["regions-fill"] }).length}`);
  });
  map.triggerRepaint();
  await setFocusGemeente(data.gm); // the downloads follow the layer
}

let firstSeen = false;
function watchFirstPolygons() {
  if (firstSeen) return;
  firstSeen = true;
  const first = () => {
    if (!map.isSourceLoaded("regions") || !map.queryRenderedFeatures({ layers: ["regions-fill"] }).length) return;
    performance.mark("wr:first-polygons");
    document.dispatchEvent(new CustomEvent("wr:firstpolygons", { detail: performance.now() }));
    map.off("render", first);
  };
  map.on("render", first);
}

/** The gemeente with the most regions that carry a signal (Amsterdam on the real data). */
function focusGemeente(geo) {
  const count = new Map();
  const countAll = new Map();
  for (const f of geo.features) {
    const c = f.properties.code || "";
    const g = gemeenteOfCode(c);
    if (!g || g === c) continue; // a gemeente layer has no focus
    countAll.set(g, (countAll.get(g) || 0) + 1);
    if (f.properties.signal && f.properties.signal !== NO_DATA_CLASS) count.set(g, (count.get(g) || 0) + 1);
  }
  const m = count.size ? count : countAll;
  let best = null;
  for (const [g, n] of m) if (!best || n > best[1]) best = [g, n];
  return best ? { code: best[0], name: null } : null;
}

// ---------------------------------------------------------------- colours and highlights

function styleLayer() {
  if (!map || !map.getLayer("regions-fill")) return;
  const prop = numericProp();
  if (!prop) {
    const m = ["match", ["coalesce", ["get", "signal"], "__none"]];
    for (const c of data.classes) m.push(c.id, c.color);
    m.push(NO_SIGNAL_FILL);
    map.setPaintProperty("regions-fill", "fill-color", m);
    map.setPaintProperty("regions-fill", "fill-opacity", ["case", ["has", "signal"], ["case", ["==", ["get", "signal"], null], 0.45, 0.92], 0.45]);
    if (map.getLayer("regions-one-axis")) map.setPaintProperty("regions-one-axis", "fill-opacity", 1);
    data.breaks = null;
  } else {
    const vals = (data.geo ? data.geo.features : []).map((f) => f.properties[prop]);
    const br = quantileBreaks(vals, RAMP.length);
    data.breaks = { prop, breaks: br, n: vals.filter((x) => typeof x === "number").length };
    const colors = rampFor(br);
    const step = ["step", ["to-number", ["get", prop]], colors[0]];
    br.forEach((b, i) => step.push(b, colors[i + 1]));
    map.setPaintProperty("regions-fill", "fill-color", ["case", ["==", ["typeof", ["get", prop]], "number"], step, NODATA]);
    map.setPaintProperty("regions-fill", "fill-opacity", 0.92);
    if (map.getLayer("regions-one-axis")) map.setPaintProperty("regions-one-axis", "fill-opacity", 0);
  }
  renderLegend();
}

function highlight() {
  if (!map || !map.getLayer("regions-selected")) return;
  map.setFilter("regions-selected", codeIs(state.sel || ""));
  map.setFilter("regions-compare", ["in", ["get", "code"], ["literal", state.cmp]]);
}

// ---------------------------------------------------------------- fitting the view

function bboxOf(features) {
  const b = [Infinity, Infinity, -Infinity, -Infinity];
  const walk = (c) => {
    if (typeof c[0] === "number") {
      if (c[0] < b[0]) b[0] = c[0];
      if (c[1] < b[1]) b[1] = c[1];
      if (c[0] > b[2]) b[2] = c[0];
      if (c[1] > b[3]) b[3] = c[1];
    } else c.forEach(walk);
  };
  for (const f of features) if (f && f.geometry) walk(f.geometry.coordinates);
  return Number.isFinite(b[0]) ? [[b[0], b[1]], [b[2], b[3]]] : null;
}

// room for the settings card and an open profile (at the side, or a bottom sheet)
function panelPadding() {
  const base = 40;
  const profile = $("#profile");
  const card = $("#controls");
  const pad = { top: base, bottom: base, left: base, right: base };
  if (!isSheet()) {
    pad.left = Math.min(card.offsetWidth + 30, window.innerWidth * 0.3);
    if (!profile.hidden) pad.right = profile.offsetWidth + base;
  } else {
    pad.top = Math.min(card.offsetHeight + 20, window.innerHeight * 0.4);
    if (!profile.hidden) pad.bottom = profile.offsetHeight + 20;
  }
  return pad;
}

function fitTo(features, animate) {
  const b = bboxOf(features);
  if (b) map.fitBounds(b, { padding: panelPadding(), maxZoom: FIT_MAX_ZOOM, duration: animate ? FLY_MS : 0 });
}

/** Fit the focus gemeente (its regions, or itself on the gemeente map), else the whole layer. */
export function fitFocus() {
  if (!data.geo) return;
  const gm = data.gm;
  if (gm) {
    const fs = data.geo.features.filter((f) => gemeenteOfCode(f.properties.code || "") === gm.code);
    if (fs.length) return fitTo(fs, false);
  }
  fitTo(data.geo.features, false);
}

/** Fit the region code when it is on the map; false when it is not. */
export function fitRegion(code, animate) {
  const f = data.byCode.get(code);
  if (f) fitTo([f], animate);
  return !!f;
}

// ---------------------------------------------------------------- the state on the map

export async function onChange(changed) {
  if (!map || !map.getLayer("regions-fill")) return;
  const layerData = ["level", "year", "view"].some((k) => changed.has(k));
  const indicatorLayer = changed.has("layer") && (data.indById[state.layer] || data.layerIndicator);
  if (layerData || indicatorLayer) await loadLayer();
  else if (changed.has("layer") || changed.has("lang")) styleLayer();
  if (changed.has("sel") || changed.has("cmp")) highlight();
  if (changed.has("lang")) setAttribution();
}
