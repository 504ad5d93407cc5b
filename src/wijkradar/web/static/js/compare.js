/* The comparison panel (state.cmp, open when state.panel is "compare"): the signal, the axes
   and the key indicators of each region side by side, from <template id="tpl-compare">.
   Buttons carry data-goto / data-remove; js/main.js handles their clicks. */
import { featured } from "./charts.js";
import { $, clone, h, showPanel, slot } from "./dom.js";
import { apply, fmt, isCodeUnit, lbl, t, unitText } from "./i18n.js";
import { classSwatch, getProfile } from "./profile.js";
import { axes, data, state } from "./state.js";

// context indicators (direction "0") stay out of the comparison, apart from the population
const CONTEXT_SHOWN = new Set(["population"]);

export const isOpen = () => !$("#compare").hidden;

function keyIndicators(profiles) {
  const order = data.health.domains;
  const seen = new Set();
  const out = [];
  for (const p of profiles)
    for (const i of p.indicators || []) {
      if (seen.has(i.id) || isCodeUnit(i.unit) || !featured(i) || (i.direction === "0" && !CONTEXT_SHOWN.has(i.id))) continue;
      seen.add(i.id);
      out.push(i);
    }
  return out.sort((a, b) => order.indexOf(a.domain) - order.indexOf(b.domain));
}

// the latest value up to the signal's year (or the year shown)
function latest(p, id) {
  const ind = (p.indicators || []).find((i) => i.id === id);
  if (!ind) return null;
  const yr = (p.signal && p.signal.year) || state.year || Infinity;
  const s = ind.series.filter((d) => typeof d.value === "number" && d.year <= yr);
  return s.length ? { v: s[s.length - 1].value, y: s[s.length - 1].year, dec: ind.decimals ?? 1 } : null;
}

const withYear = (text, year) => [text, " ", h("span", { class: "muted small" }, year)];

function head(p) {
  const th = clone("compare-head");
  const name = slot(th, "name");
  name.dataset.goto = p.code;
  if (p.level) name.dataset.level = p.level;
  name.textContent = p.name;
  const remove = slot(th, "remove");
  remove.dataset.remove = p.code;
  remove.setAttribute("aria-label", `${t("compare_remove")} ${p.name}`);
  th.dataset.code = p.code;
  slot(th, "where").textContent = p.error || (p.gemeente && p.gemeente.code !== p.code ? p.gemeente.name : t("level_" + p.level));
  return th;
}

function rows(profiles) {
  const row = (label, cell, cls = "") =>
    h("tr", { class: cls }, h("th", { scope: "row" }, label), ...profiles.map((p) => h("td", {}, ...(p.error ? [] : [].concat(cell(p))))));
  const out = [row(t("signal"), (p) => (p.signal ? [classSwatch(p.signal.class), lbl(p.signal, "label"), " ", h("span", { class: "muted small" }, p.signal.year)].filter(Boolean) : "–"))];
  for (const a of axes()) {
    out.push(row(`${t(a)}: ${t("score").toLowerCase()}`, (p) => (p.signal ? fmt(p.signal[a].score, 0) : "–")));
    out.push(row(`${t(a)}: ${t("trend").toLowerCase()}`, (p) => (p.signal ? h("span", { class: `trend-${p.signal[a].trend}` }, t("trend_" + (p.signal[a].trend || "unknown"))) : "–")));
  }
  out.push(row(t("stable_under_variations"), (p) => (p.signal ? (p.signal.sensitivity.stable_under_variations ? t("yes") : t("no")) : "–")));
  out.push(h("tr", { class: "group" }, h("th", { colspan: profiles.length + 1 }, t("key_indicators"))));
  for (const i of keyIndicators(profiles)) {
    const unit = unitText(i.unit);
    out.push(
      row(`${lbl(i, "label")}${unit ? ` (${unit})` : ""}`, (p) => {
        const v = latest(p, i.id);
        return v ? withYear(fmt(v.v, v.dec), v.y) : "–";
      }),
    );
  }
  return out;
}

let renderSeq = 0;

export async function render() {
  const body = $("#compare-body");
  const seq = ++renderSeq;
  if (!state.cmp.length) return body.replaceChildren(h("p", { class: "muted" }, t("compare_empty")));
  body.replaceChildren(h("p", { class: "muted" }, t("loading")));
  const profiles = await Promise.all(state.cmp.map((c) => getProfile(c).catch((e) => ({ code: c, name: c, error: e.message }))));
  if (seq !== renderSeq) return; // the comparison changed meanwhile
  const root = apply(clone("compare"));
  if (profiles.length >= 2) slot(root, "one").remove();
  slot(root, "heads").append(...profiles.map(head));
  slot(root, "rows").append(...rows(profiles));
  body.replaceChildren(root);
}

function show(open) {
  showPanel("compare", open);
  $("#compare-toggle").setAttribute("aria-expanded", String(open));
  if (open) return render();
}

export async function onChange(changed) {
  if (changed.has("cmp")) $("#compare-count").textContent = state.cmp.length;
  if (changed.has("panel")) return show(state.panel === "compare");
  if (isOpen() && ["cmp", "year", "view", "lang"].some((k) => changed.has(k))) return render();
}

/** At start: the count, and the panel when the link asks for it. */
export function init() {
  $("#compare-count").textContent = state.cmp.length;
  if (state.panel === "compare") show(true);
}
