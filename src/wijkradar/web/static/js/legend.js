/* How a layer is coloured: the class colours from /api/classes for the signal, a sequential
   ramp over quantiles for a score or an indicator; the legend and the hover tooltip say so.
   A signal that rests on one axis only (known_axes "problems" or "composition") is hatched
   over its class colour: the hatch images are drawn here, once, for the map and the legend. */
import { $, h, swatch } from "./dom.js";
import { fmt, t, unitText } from "./i18n.js";
import { layerLabel } from "./controls.js";
import { riskTip, showRisk } from "./risk.js";
import { RISK_LAYER, SIGNAL_LAYER, axes, data, state } from "./state.js";

// viridis, light (low) to dark (high): sequential and colour-blind safe
export const RAMP = ["#fde725", "#5ec962", "#21918c", "#3b528b", "#440154"];
export const NODATA = "#d9d9d9";
export const NO_SIGNAL_FILL = "#f7f7f7"; // a region the signal run (or the risk) did not reach
export const NO_DATA_CLASS = "insufficient_data"; // white: drawn with the classes' outline

/** The feature property the layer colours by (null: the signal class; the risk layer is drawn
    over the signal's paint by js/risk.js). */
export const numericProp = () =>
  axes().includes(state.layer) ? `${state.layer}_score` : state.layer === SIGNAL_LAYER || state.layer === RISK_LAYER ? null : "value";

export function quantileBreaks(values, k) {
  const v = values.filter((x) => typeof x === "number" && Number.isFinite(x)).sort((a, b) => a - b);
  const br = [];
  for (let i = 1; i < k && v.length; i++) {
    const pos = (v.length - 1) * (i / k);
    const lo = Math.floor(pos);
    const q = v[lo] + (v[Math.min(lo + 1, v.length - 1)] - v[lo]) * (pos - lo);
    if (q > v[0] && (!br.length || q > br[br.length - 1])) br.push(q);
  }
  return br;
}

/** The ramp's darkest colours, one more than there are breaks. */
export const rampFor = (breaks) => RAMP.slice(RAMP.length - breaks.length - 1);

const classSwatch = (c) => swatch(c.color, c.id === NO_DATA_CLASS);

// ---------------------------------------------------------------- one-axis hatching

/** known_axes value → the hatch image drawn over the class colour (and its i18n key). */
export const ONE_AXIS = { problems: "hatch-problems", composition: "hatch-composition" };
const HATCH_PX = 8; // the pattern's tile in CSS pixels
const HATCH_RATIO = 2; // drawn at twice that: sharp on a high-density screen

/** The hatch tile of kind ("problems": diagonal stripes, "composition": dots), as a canvas.
    Light and dark strokes side by side: visible on the grey of "stable" and on aubergine. */
export function hatchCanvas(kind) {
  const n = HATCH_PX * HATCH_RATIO;
  const cv = document.createElement("canvas");
  cv.width = cv.height = n;
  const g = cv.getContext("2d");
  if (kind === "problems") {
    g.lineCap = "square";
    for (const [style, width, shift] of [["rgba(255,255,255,0.85)", 2.6, 0], ["rgba(0,0,0,0.28)", 1.2, 2.4]]) {
      g.strokeStyle = style;
      g.lineWidth = width;
      for (const k of [-n, 0, n]) {
        g.beginPath();
        g.moveTo(k + shift, n);
        g.lineTo(k + n + shift, 0);
        g.stroke();
      }
    }
  } else {
    for (const [x, y] of [[n / 4, n / 4], [(3 * n) / 4, (3 * n) / 4]]) {
      g.fillStyle = "rgba(0,0,0,0.3)";
      g.beginPath();
      g.arc(x + 0.8, y + 0.8, n / 7, 0, 2 * Math.PI);
      g.fill();
      g.fillStyle = "rgba(255,255,255,0.9)";
      g.beginPath();
      g.arc(x, y, n / 7, 0, 2 * Math.PI);
      g.fill();
    }
  }
  return cv;
}

/** Register the hatch images with the map (before a layer uses them). */
export function addHatchImages(map) {
  for (const [kind, id] of Object.entries(ONE_AXIS)) {
    const cv = hatchCanvas(kind);
    const img = cv.getContext("2d").getImageData(0, 0, cv.width, cv.height);
    if (!map.hasImage(id)) map.addImage(id, img, { pixelRatio: HATCH_RATIO });
  }
}

const hatchUrls = {};
/** A legend square: the hatch of kind over a mid grey (the pattern does not depend on the class). */
function hatchSwatch(kind) {
  hatchUrls[kind] ||= hatchCanvas(kind).toDataURL();
  const el = swatch("#8f8f8f");
  el.style.backgroundImage = `url(${hatchUrls[kind]})`;
  el.style.backgroundSize = `${HATCH_PX}px ${HATCH_PX}px`;
  el.classList.add("hatched");
  return el;
}

/** Whether a feature's signal rests on one axis (and is drawn hatched). */
export const oneAxis = (p) => p.known_axes in ONE_AXIS && !!p.signal && p.signal !== NO_DATA_CLASS;

// ---------------------------------------------------------------- the legends

const count = (n) => h("span", { class: "muted count-n" }, fmt(n || 0, 0));

// The class descriptions are shown until the reader folds them away (for this page view).
let describe = true;
function describeToggle() {
  const b = h("button", { type: "button", class: "linkish small legend-toggle", "aria-expanded": String(describe), "aria-controls": "legend-classes" }, t(describe ? "legend_less" : "legend_more"));
  b.addEventListener("click", () => {
    describe = !describe;
    renderLegend();
    $("#legend .legend-toggle")?.focus();
  });
  return b;
}

function signalLegend() {
  const counts = {};
  const axisCounts = {};
  let none = 0;
  for (const f of data.geo ? data.geo.features : []) {
    const p = f.properties;
    if (p.signal) counts[p.signal] = (counts[p.signal] || 0) + 1;
    else none++;
    if (oneAxis(p)) axisCounts[p.known_axes] = (axisCounts[p.known_axes] || 0) + 1;
  }
  // every class of the rules, in their order, with what it means
  const items = data.classes.map((c) =>
    h(
      "li",
      { class: "cls", "data-class": c.id },
      classSwatch(c),
      h("span", { class: "cls-text" }, h("span", { class: "cls-label" }, c.label), h("span", { class: "cls-desc" }, c.description)),
      count(counts[c.id]),
    ),
  );
  if (none) items.push(h("li", {}, h("span", { class: "swatch faint" }), t("legend_nosignal"), " ", count(none)));
  const axisItems = Object.keys(ONE_AXIS).map((kind) =>
    h("li", { class: "one-axis", "data-known": kind }, hatchSwatch(kind), h("span", { class: "cls-label" }, t(`known_${kind}`)), count(axisCounts[kind])),
  );
  return [
    h("div", { class: "legend-title legend-head" }, h("span", {}, `${t("legend_signal")} ${state.year ?? ""}`), describeToggle()),
    h("ul", { class: describe ? "classes" : "classes brief", id: "legend-classes" }, ...items),
    h("div", { class: "legend-sub" }, t("legend_one_axis")),
    h("ul", { class: "one-axis-list" }, ...axisItems),
  ];
}

function rampLegend() {
  const ind = data.indById[state.layer];
  const dec = ind ? 1 : 0;
  const br = data.breaks.breaks;
  const items = rampFor(br).map((c, i) => {
    const lo = i === 0 ? null : br[i - 1];
    const hi = i < br.length ? br[i] : null;
    const txt =
      lo === null && hi === null ? t("legend_nodata") : lo === null ? `< ${fmt(hi, dec)}` : hi === null ? `≥ ${fmt(lo, dec)}` : `${fmt(lo, dec)} – ${fmt(hi, dec)}`;
    return h("li", {}, swatch(c), txt);
  });
  if (data.breaks.n < (data.geo ? data.geo.features.length : 0)) items.push(h("li", {}, swatch(NODATA), t("legend_nodata")));
  return [
    h("div", { class: "legend-title" }, layerLabel(state.layer)),
    h("div", { class: "muted small" }, `${ind ? ind.unit : t("legend_score")}; ${t("legend_quantiles")}`),
    h("ul", {}, ...items),
  ];
}

export function renderLegend() {
  if (state.layer === RISK_LAYER) return showRisk(); // its legend and its colours
  $("#legend").replaceChildren(...(numericProp() ? rampLegend() : signalLegend()));
}

const pct = (x) => `${x > 0 ? "+" : x < 0 ? "−" : "±"}${fmt(Math.abs(100 * x), 0)}%`;

/** "1.234 inwoners · 567 woningen", with their change where the reasons name it (housing). */
function peopleLine(p) {
  const parts = [];
  for (const [key, word] of [["population", "tip_inhabitants"], ["dwellings", "tip_dwellings"]]) {
    if (typeof p[key] !== "number") continue;
    const ch = p[`${key}_change`];
    const change = p.housing && typeof ch === "number" ? ` (${pct(ch)})` : "";
    if (parts.length) parts.push(" · ");
    parts.push(h("span", { class: "nowrap" }, t(word, { n: fmt(p[key], 0) }) + change));
  }
  return parts.length ? h("div", { class: "tip-people" }, ...parts) : null;
}

/** The tooltip's content for a feature's properties. */
export function tooltipContent(p) {
  const cls = data.classById[p.signal];
  const out = [h("strong", {}, p.name)];
  out.push(cls ? h("div", {}, classSwatch(cls), cls.label) : h("div", { class: "muted" }, t("legend_nosignal")));
  if (oneAxis(p)) out.push(h("div", { class: "tip-axis" }, hatchSwatch(p.known_axes), t(`known_${p.known_axes}`)));
  out.push(peopleLine(p));
  // what the reasons put first: the figures rest on few people, or the place got new residents
  if (p.small) out.push(h("div", { class: "tip-note" }, t("tip_small")));
  if (p.housing) out.push(h("div", { class: "tip-note" }, t("tip_housing")));
  if (state.layer === RISK_LAYER) out.push(riskTip(p.code));
  else if (state.layer !== SIGNAL_LAYER) {
    const prop = numericProp();
    const ind = data.indById[state.layer];
    const unit = ind && unitText(ind.unit) && p[prop] != null ? ` ${ind.unit}` : "";
    out.push(h("div", {}, `${layerLabel(state.layer)}: `, h("b", {}, fmt(p[prop], ind ? 1 : 0)), unit));
  }
  return out.filter(Boolean);
}
