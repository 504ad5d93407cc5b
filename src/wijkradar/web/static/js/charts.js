/* Small trend charts (inline SVG) for the profile: the region's series against the median of
   its gemeente and of all regions. The PDF report draws its own (outputs/report/charts.py).
   A reused code (the profile's `earlier` parts: a different area under the same code before a
   cut) is drawn from its last cut on only: a dotted line marks the cut, a note under the chart
   says the years before it are another area, and nothing is joined across it. */
import { h } from "./dom.js";
import { compact, fmt, isCodeUnit, lbl, t, unitText } from "./i18n.js";
import { data, state } from "./state.js";

const W = 172; // px: two charts side by side in the 410 px panel
const H = 92;
const M = { l: 34, r: 6, t: 6, b: 16 };
const X_NEAR_REGION = 6; // years: medians reaching further back than this are cut at the region's first year - 2
const Y_PAD = 0.08; // of the value range, above and below
const DOT_R = 2.2;

const SVG = "http://www.w3.org/2000/svg";
function s(tag, attrs = {}, text = null) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text !== null) el.textContent = text;
  return el;
}

const numbers = (series, key) => (series || []).filter((d) => typeof d[key] === "number").map((d) => [d.year, d[key]]);

export function chart(ind) {
  const region = numbers(ind.series, "value");
  const gmm = numbers(ind.median_in_gemeente, "median");
  const all = numbers(ind.median_all, "median");
  const pts = [...region, ...gmm, ...all];
  let x0 = Math.min(...pts.map((d) => d[0]));
  let x1 = Math.max(...pts.map((d) => d[0]));
  // keep the x axis near the region's own years
  const rx0 = Math.min(...region.map((d) => d[0]));
  if (rx0 - x0 > X_NEAR_REGION) x0 = rx0 - 2;
  if (x0 === x1) {
    x0 -= 1;
    x1 += 1;
  }
  const inX = (d) => d[0] >= x0 && d[0] <= x1;
  const ys = pts.filter(inX).map((d) => d[1]);
  let y0 = Math.min(...ys);
  let y1 = Math.max(...ys);
  if (y0 === y1) {
    y0 -= Math.abs(y0) * 0.1 || 1;
    y1 += Math.abs(y1) * 0.1 || 1;
  }
  const pad = (y1 - y0) * Y_PAD;
  y0 -= pad;
  y1 += pad;
  const sx = (x) => M.l + ((x - x0) / (x1 - x0)) * (W - M.l - M.r);
  const sy = (y) => H - M.b - ((y - y0) / (y1 - y0)) * (H - M.t - M.b);
  const path = (ds) => ds.filter(inX).map((d, i) => `${i ? "L" : "M"}${sx(d[0]).toFixed(1)},${sy(d[1]).toFixed(1)}`).join("");
  const decimals = ind.decimals ?? 1;
  const tickDec = Math.abs(y1) >= 1000 ? 0 : decimals;
  const label = lbl(ind, "label");
  const unit = unitText(ind.unit);
  const cut = Math.max(...(ind.earlier || []).map((e) => e.cut)); // -Infinity: no earlier area
  const note = Number.isFinite(cut) ? t("chart_other_area", { year: cut - 1 }) : null;
  const desc = region.map((d) => `${d[0]}: ${fmt(d[1], decimals)}`).join(", ") + (note ? `; ${note}` : "");

  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img", "aria-label": `${label}: ${desc}` });
  svg.append(
    s("line", { class: "axis", x1: M.l, y1: H - M.b, x2: W - M.r, y2: H - M.b }),
    s("text", { class: "tick", x: M.l - 3, y: M.t + 7, "text-anchor": "end" }, compact(y1 - pad, tickDec)),
    s("text", { class: "tick", x: M.l - 3, y: H - M.b, "text-anchor": "end" }, compact(y0 + pad, tickDec)),
    s("text", { class: "tick", x: sx(x0), y: H - 3, "text-anchor": "start" }, x0),
    s("text", { class: "tick", x: sx(x1), y: H - 3, "text-anchor": "end" }, x1),
  );
  if (state.year && state.year > x0 && state.year < x1) svg.append(s("line", { class: "yr", x1: sx(state.year), x2: sx(state.year), y1: M.t, y2: H - M.b }));
  if (note && cut - 0.5 > x0 && cut - 0.5 < x1) {
    const at = sx(cut - 0.5).toFixed(1);
    const line = s("line", { class: "cut", x1: at, x2: at, y1: M.t, y2: H - M.b, stroke: "#5c6670", "stroke-dasharray": "1 2" });
    line.append(s("title", {}, note));
    svg.append(line);
  }
  if (all.length) svg.append(s("path", { class: "l-all", d: path(all) }));
  if (gmm.length) svg.append(s("path", { class: "l-gm", d: path(gmm) }));
  svg.append(s("path", { class: "l-region", d: path(region) }));
  for (const d of region.filter(inX)) {
    const dot = s("circle", { class: "p-region", cx: sx(d[0]).toFixed(1), cy: sy(d[1]).toFixed(1), r: DOT_R });
    dot.append(s("title", {}, `${d[0]}: ${fmt(d[1], decimals)}`));
    svg.append(dot);
  }
  const caption = h("figcaption", { title: label }, unit ? `${label} ` : label);
  if (unit) caption.append(h("span", { class: "muted" }, `(${unit})`));
  return h("figure", { class: "chart" }, caption, svg, note && h("small", { class: "muted" }, note));
}

export const featured = (ind) => !!data.indById[ind.id]?.featured;
const hasNumbers = (ind) => (ind.series || []).some((d) => typeof d.value === "number");

/** The charts of a profile: its featured indicators, by domain, context last in each. */
export function charts(profile) {
  const order = data.health.domains;
  return (profile.indicators || [])
    .filter((i) => featured(i) && !isCodeUnit(i.unit) && hasNumbers(i))
    .sort((a, b) => order.indexOf(a.domain) - order.indexOf(b.domain) || (a.direction === "0") - (b.direction === "0"))
    .map(chart);
}
