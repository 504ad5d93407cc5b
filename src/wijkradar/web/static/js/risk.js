/* The risico layer: the early warning's chance per region (/api/warning) on the map, and in the
   legend what it is the chance of and how such forecasts did in the past (a risk is never shown
   without its backtest); the full backtest in a dialog; the risk box of the profile panel.
   legend.js hands the legend (and the colours) of the risk layer to showRisk(). */
import { api, qs } from "./api.js";
import { $, h, swatch } from "./dom.js";
import { LANGS, fmt, t } from "./i18n.js";
import { NO_SIGNAL_FILL } from "./legend.js";
import { getMap } from "./map.js";
import { RISK_LAYER, data, state } from "./state.js";

// The ramp and its fixed bounds come from the one palette (palette.py, via /api/classes).
const WARNINGS_KEPT = 6; // a wijk warning is ~1 MB of JSON

const results = new Map(); // url → settled {body, byCode} or {error}
const pending = new Map(); // url → promise of it

export const warningUrl = (level, year, lang = state.lang) => `api/warning?${qs({ level, year, view: state.view, lang })}`;
export const backtestUrl = (level, s, lang = null) =>
  `api/warning/backtest?${qs({ level, horizon: s.horizon, outcome: s.outcome, view: state.view, lang })}`;

/** The warning of level and year (current view and language), fetched once; a promise of
    {body, byCode} or {error} (the API's message). */
export function loadWarning(level, year) {
  const url = warningUrl(level, year);
  if (results.has(url)) return Promise.resolve(results.get(url));
  if (pending.has(url)) return pending.get(url);
  if (results.size >= WARNINGS_KEPT) results.clear();
  const p = api(url).then(
    (body) => ({ body, byCode: new Map(body.risks.map((r) => [r.code, r])) }),
    (e) => ({ error: e.message, retry: !e.status || e.status >= 500 }),
  );
  pending.set(
    url,
    p.then((res) => {
      pending.delete(url);
      if (!res.retry) results.set(url, res);
      return res;
    }),
  );
  refreshProfileRisk();
  return pending.get(url);
}

const settled = (level, year) => results.get(warningUrl(level, year)) ?? null;
// the same risks in another language: the colours need no new answer, only the words do
const inAnyLanguage = (level, year) => LANGS.map((l) => results.get(warningUrl(level, year, l))).find((r) => r && !r.error);
const asked = (level, year) => results.has(warningUrl(level, year)) || pending.has(warningUrl(level, year));

// ---------------------------------------------------------------- words and numbers

/** 0.34 → "34%"; under half a percent "< 1%". */
export const pct = (x) => (typeof x !== "number" ? "–" : x < 0.005 ? "< 1%" : `${fmt(100 * x, 0)}%`);
const band = (r) => t("risk_band", { low: pct(r.risk_low), high: pct(r.risk_high) });
const binOf = (x) => data.riskBounds.filter((b) => x >= b).length;
function binLabel(i) {
  const lo = data.riskBounds[i - 1];
  const hi = data.riskBounds[i];
  if (lo === undefined) return `< ${pct(hi)}`;
  if (hi === undefined) return `≥ ${pct(lo)}`;
  return `${fmt(100 * lo, 0)}–${pct(hi)}`;
}
const horizonText = (s) => t(s.horizon === 1 ? "risk_horizon_1" : "risk_horizon_n", { n: s.horizon });
const outcomeLine = (s) => `${t("risk_of")}: ${s.outcome_text}, ${horizonText(s)}`;
const backtestNote = (s) => h("p", { class: s.backtest?.beats ? "risk-backtest" : "risk-backtest warn" }, s.backtest_text);

// ---------------------------------------------------------------- the map and its legend

/** Colour the regions on the map by their bin of res (none: all "geen risico berekend"). */
function paint(res) {
  const m = getMap();
  if (!m || !m.getLayer("regions-fill")) return;
  const bins = data.riskRamp.map(() => []);
  for (const f of data.geo ? data.geo.features : []) {
    const r = res?.byCode?.get(f.properties.code);
    if (r && typeof r.risk === "number") bins[binOf(r.risk)].push(f.properties.code);
  }
  const color = ["match", ["get", "code"]];
  bins.forEach((codes, i) => codes.length && color.push(codes, data.riskRamp[i]));
  const known = bins.flat();
  m.setPaintProperty("regions-fill", "fill-color", known.length ? [...color, NO_SIGNAL_FILL] : NO_SIGNAL_FILL);
  m.setPaintProperty("regions-fill", "fill-opacity", known.length ? ["match", ["get", "code"], known, 0.92, 0.45] : 0.45);
  if (m.getLayer("regions-one-axis")) m.setPaintProperty("regions-one-axis", "fill-opacity", 0);
  return bins.map((b) => b.length);
}

const title = () => h("div", { class: "legend-title" }, `${t("legend_risk")} ${state.year ?? ""}`);

function readyLegend(res, counts) {
  const s = res.body.summary;
  const shown = data.geo ? data.geo.features.length : 0;
  const none = shown - counts.reduce((a, b) => a + b, 0);
  const count = (n) => h("span", { class: "muted count-n" }, fmt(n, 0));
  const items = data.riskRamp.map((c, i) => h("li", { "data-bin": i }, swatch(c), binLabel(i), count(counts[i])));
  items.push(h("li", { "data-bin": "none" }, h("span", { class: "swatch faint" }), t("legend_norisk"), count(none)));
  const open = h("button", { type: "button", class: "linkish small", "aria-haspopup": "dialog" }, t("risk_backtest_open"));
  open.addEventListener("click", () => openBacktest(state.level, s));
  return [
    title(),
    h("div", { class: "muted small risk-outcome" }, outcomeLine(s)),
    h("ul", {}, ...items),
    backtestNote(s),
    h("p", { class: "muted small" }, t("risk_trained", { n: fmt(s.n_train, 0), events: fmt(s.events, 0), years: s.train_years.join(", ") })),
    h("div", { class: "risk-links" }, open),
  ];
}

function setRiskStatus(s) {
  document.body.dataset.riskStatus = s; // for the browser tests
}

let showSeq = 0;

/** The risk layer's colours and legend for the state's level and year (legend.js calls this
    whenever the layer is drawn). The first warning of a level can take minutes: the legend
    says so meanwhile and the map shows no colours that are not the risk's. */
export async function showRisk() {
  const seq = ++showSeq;
  const { level, year } = state;
  let res = settled(level, year);
  if (!res) {
    paint(inAnyLanguage(level, year) ?? null);
    setRiskStatus("loading");
    $("#legend").replaceChildren(title(), h("p", { class: "muted small", role: "status" }, t("risk_loading")));
    res = await loadWarning(level, year);
    if (seq !== showSeq || state.layer !== RISK_LAYER) return;
  }
  if (res.error) {
    paint(null);
    setRiskStatus("error");
    $("#legend").replaceChildren(title(), h("p", { class: "error risk-error" }, res.error));
    return;
  }
  $("#legend").replaceChildren(...readyLegend(res, paint(res)));
  setRiskStatus("ready");
}

/** The tooltip line of a region on the risk layer. */
export function riskTip(code) {
  const res = settled(state.level, state.year);
  const r = res?.byCode?.get(code);
  if (!r) return h("div", { class: "muted" }, res ? t("legend_norisk") : t("loading"));
  return h("div", {}, swatch(data.riskRamp[binOf(r.risk)]), `${t("legend_risk")}: `, h("b", {}, pct(r.risk)), ` (${band(r)})`);
}

// ---------------------------------------------------------------- the backtest dialog

const METRICS = [
  ["roc_auc", "bt_roc", 2],
  ["pr_auc", "bt_pr", 2],
  ["lift_10", "bt_lift", 1],
  ["n", "bt_n", 0],
  ["events", "bt_events", 0],
];

function backtestTable(body, model) {
  const head = h("tr", {}, ...["bt_split", "bt_years", "bt_rule", ...METRICS.map((m) => m[1])].map((k) => h("th", { scope: "col" }, t(k))));
  const rows = body.data.map((r) =>
    h(
      "tr",
      { class: r.rule === model ? "bt-model" : r.kind === "baseline" ? "bt-baseline" : null },
      h("td", {}, t(`bt_split_${r.split}`)),
      h("td", { class: "nowrap" }, `${r.origin}→${r.target ?? "?"}`),
      h("td", {}, r.rule_text),
      ...METRICS.map(([k, , d]) => h("td", { class: "num" }, fmt(r[k], d))),
    ),
  );
  return h("table", { class: "backtest" }, h("thead", {}, head), h("tbody", {}, ...rows));
}

/** Open the dialog with the full backtest of the warning summarised by s. */
export async function openBacktest(level, s) {
  const dlg = $("#backtest-dialog");
  const body = $("#backtest-body");
  $("#backtest-json").href = backtestUrl(level, s);
  body.replaceChildren(h("p", { class: "muted" }, t("loading")));
  if (!dlg.open) dlg.showModal();
  try {
    const bt = await api(backtestUrl(level, s, state.lang));
    body.replaceChildren(h("p", { class: "small" }, outcomeLine(s)), backtestNote(s), backtestTable(bt, s.model), h("p", { class: "muted small" }, t("bt_note")));
  } catch (e) {
    body.replaceChildren(h("p", { class: "error" }, e.message));
  }
}

// ---------------------------------------------------------------- the profile's risk box

function regionRisk(res, code, year) {
  if (res.error) return [h("p", { class: "muted" }, res.error)];
  const s = res.body.summary;
  const r = res.byCode.get(code);
  if (!r) return [h("p", { class: "muted" }, t("risk_none_region", { year })), backtestNote(s)];
  const drivers = (r.drivers || []).map((d) => h("li", {}, d.text));
  return [
    h("div", { class: "risk-figure" }, swatch(data.riskRamp[binOf(r.risk)]), h("b", { class: "risk-value" }, pct(r.risk)), h("span", {}, ` ${band(r)}`)),
    h("p", { class: "muted small" }, outcomeLine(s)),
    drivers.length ? h("p", { class: "reason-role" }, t("risk_drivers")) : null,
    drivers.length ? h("ul", { class: "risk-drivers" }, ...drivers) : null,
    backtestNote(s),
  ].filter(Boolean);
}

/** Fill box (the profile's risk slot) for region code of level in year: from the warning when
    it was asked for already (the risk layer), else a button that asks for it (the first
    warning of a level is heavy: it is not computed for every profile one opens). */
export async function fillRisk(box, { code, level, year }) {
  Object.assign(box.dataset, { code, level, year });
  if (!asked(level, year)) {
    const b = h("button", { type: "button", class: "btn small" }, t("risk_compute"));
    b.addEventListener("click", () => loadWarning(level, year));
    return box.replaceChildren(h("p", { class: "muted small" }, t("risk_not_yet")), b);
  }
  let res = settled(level, year);
  if (!res) {
    box.replaceChildren(h("p", { class: "muted small" }, t("risk_loading")));
    res = await loadWarning(level, year);
  }
  if (box.dataset.code === code && box.dataset.year === String(year)) box.replaceChildren(...regionRisk(res, code, year));
}

function refreshProfileRisk() {
  const box = $('#profile [data-slot="risk-body"]');
  if (box && box.dataset.code) fillRisk(box, { code: box.dataset.code, level: box.dataset.level, year: Number(box.dataset.year) });
}

/** Once: the dialog's close button, and no one-axis hatching over the risk colours once the
    map has drawn (map.js adds that layer after its first idle). */
export function setup() {
  $("#backtest-close").addEventListener("click", () => $("#backtest-dialog").close());
  document.addEventListener("wr:mapstatus", (e) => {
    const m = getMap();
    if (state.layer !== RISK_LAYER || !String(e.detail).startsWith("idle") || !m.getLayer("regions-one-axis")) return;
    if (m.getPaintProperty("regions-one-axis", "fill-opacity") !== 0) m.setPaintProperty("regions-one-axis", "fill-opacity", 0);
  });
}
