/* A region's trajectory for the profile panel (/api/regions/{code}/trajectory): per edition its
   composition and problems fifth, its signal and its Leefbaarometer class, and for a buurt the
   rows of its wijk and gemeente beside it (meerschalig). Rows of another place under the same
   code (before a series cut) are marked. */
import { api, qs } from "./api.js";
import { h, swatch } from "./dom.js";
import { t } from "./i18n.js";
import { NO_DATA_CLASS } from "./legend.js";
import { data, state } from "./state.js";

const COLUMNS = ["composition", "problems", "signal", "lbm_class"];

function signalCell(id) {
  const c = data.classById[id];
  if (!c) return h("td", { class: "muted" }, "–");
  return h("td", { class: "t-signal" }, swatch(c.color, id === NO_DATA_CLASS), c.label);
}

const cell = (row, key) => (key === "signal" ? signalCell(row?.signal) : h("td", { class: "num" }, row?.[key] ?? "–"));

/** The series of the row the profile is about: the year shown, else the latest before it. */
function seriesAt(rows, year) {
  const before = rows.filter((r) => r.year <= year);
  return (before.length ? before[before.length - 1] : rows[rows.length - 1])?.series;
}

function head(multi) {
  const th = (key) => h("th", { scope: "col", title: t(`traj_${key}_long`) }, t(`traj_${key}`));
  return h("thead", {}, h("tr", {}, th("year"), multi ? th("scale") : null, ...COLUMNS.map(th)));
}

function body(scales, year) {
  const [region, ...others] = scales;
  const refs = scales.map((s) => seriesAt(s.rows, year));
  const byYear = scales.map((s) => new Map(s.rows.map((r) => [r.year, r])));
  const out = [];
  let other = false;
  for (const r of region.rows) {
    const group = scales.map((s, i) => ({ s, row: byYear[i].get(r.year), i }));
    for (const { s, row, i } of group) {
      const elsewhere = !!row && row.series !== refs[i];
      other ||= elsewhere;
      const cls = [`t-${s.scale}`, elsewhere ? "t-other" : ""].join(" ").trim();
      const yearCell = i === 0 ? h("th", { scope: "rowgroup", rowspan: group.length }, String(r.year)) : null;
      const scaleCell = others.length ? h("td", { class: "t-scale" }, t(`level_${s.level}`), elsewhere ? " *" : "") : null;
      out.push(h("tr", { class: cls }, yearCell, scaleCell, ...COLUMNS.map((k) => cell(row, k))));
    }
  }
  return { tbody: h("tbody", {}, ...out), other };
}

/** Meerschalig: the region's latest axis changes up to year beside its neighbours' (the API
    words them), with the relation as a class for the marker. */
function surroundings(tr, year) {
  const rows = (tr.surroundings || []).filter((r) => r.year <= year && r.change != null);
  if (!rows.length) return null;
  const latest = Math.max(...rows.map((r) => r.year));
  const items = rows.filter((r) => r.year === latest).map((r) => h("li", { class: `t-rel t-rel-${r.relation}` }, r.text));
  return h("div", { class: "surroundings" }, h("p", { class: "small" }, h("strong", {}, t("traj_surroundings", { year: latest }))), h("ul", { class: "small" }, ...items));
}

/** The trajectory table of tr (the API's answer), the profile being about year. */
export function trajectoryTable(tr, year) {
  const scales = tr.scales.filter((s) => s.scale === "region" || s.rows.length);
  if (!scales.length || scales[0].scale !== "region" || !scales[0].rows.length) return [h("p", { class: "muted" }, t("traj_none"))];
  const names = scales.map((s) => `${t(`level_${s.level}`)}: ${s.name || s.code}`).join(" · ");
  const { tbody, other } = body(scales, year);
  return [
    scales.length > 1 ? h("p", { class: "muted small" }, names) : null,
    h("table", { class: "trajectory" }, head(scales.length > 1), tbody),
    h("p", { class: "muted small" }, t("traj_note")),
    other ? h("p", { class: "muted small" }, t("traj_other_area")) : null,
    surroundings(tr, year),
  ].filter(Boolean);
}

/** Fill box with code's trajectory (in the current view); year: the year the profile shows. */
export async function fillTrajectory(box, code, year) {
  box.replaceChildren(h("p", { class: "muted small" }, t("loading")));
  let tr;
  try {
    tr = await api(`api/regions/${encodeURIComponent(code)}/trajectory?${qs({ view: state.view, lang: state.lang })}`);
  } catch (e) {
    box.replaceChildren(h("p", { class: "muted" }, `${t("load_error")}: ${e.message}`));
    return;
  }
  box.replaceChildren(...trajectoryTable(tr, year));
}
