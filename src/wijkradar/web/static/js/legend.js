/* How a layer is coloured: the class colours from /api/classes for the signal, a sequential
   ramp over quantiles for a score or an indicator; the legend and the hover tooltip say so. */
import { $, h, swatch } from "./dom.js";
import { fmt, t, unitText } from "./i18n.js";
import { layerLabel } from "./controls.js";
import { SIGNAL_LAYER, axes, data, state } from "./state.js";

// viridis, light (low) to dark (high): sequential and colour-blind safe
export const RAMP = ["#fde725", "#5ec962", "#21918c", "#3b528b", "#440154"];
export const NODATA = "#d9d9d9";
export const NO_SIGNAL_FILL = "#f7f7f7"; // a region the signal run did not reach
export const NO_DATA_CLASS = "insufficient_data"; // white: drawn with the classes' outline

/** The feature property the layer colours by (null: the signal class). */
export const numericProp = () => (axes().includes(state.layer) ? `${state.layer}_score` : state.layer === SIGNAL_LAYER ? null : "value");

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

function signalLegend() {
  const counts = {};
  let none = 0;
  for (const f of data.geo ? data.geo.features : []) {
    const s = f.properties.signal;
    if (s) counts[s] = (counts[s] || 0) + 1;
    else none++;
  }
  const items = data.classes.map((c) =>
    h("li", { title: c.description }, classSwatch(c), c.label, " ", h("span", { class: "muted" }, counts[c.id] ? fmt(counts[c.id], 0) : "0")),
  );
  if (none) items.push(h("li", {}, h("span", { class: "swatch faint" }), t("legend_nosignal"), " ", h("span", { class: "muted" }, fmt(none, 0))));
  return [h("div", { class: "legend-title" }, `${t("legend_signal")} ${state.year ?? ""}`), h("ul", {}, ...items)];
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
  $("#legend").replaceChildren(...(numericProp() ? rampLegend() : signalLegend()));
}

/** The tooltip's content for a feature's properties. */
export function tooltipContent(p) {
  const cls = data.classById[p.signal];
  const out = [h("strong", {}, p.name)];
  out.push(cls ? h("div", {}, classSwatch(cls), cls.label) : h("div", { class: "muted" }, t("legend_nosignal")));
  if (state.layer !== SIGNAL_LAYER) {
    const prop = numericProp();
    const ind = data.indById[state.layer];
    const unit = ind && unitText(ind.unit) && p[prop] != null ? ` ${ind.unit}` : "";
    out.push(h("div", {}, `${layerLabel(state.layer)}: `, h("b", {}, fmt(p[prop], ind ? 1 : 0)), unit));
  }
  return out;
}
