/* Stijgers en dalers (/api/movers): the regions of the current level (in the focus gemeente,
   like the downloads) whose score moved most between the two latest editions with data for it,
   with what moved them. A card beside the map settings; a click on a region selects it. */
import { api, qs } from "./api.js";
import { $, $$, h } from "./dom.js";
import { fmt, t } from "./i18n.js";
import { axes, data, state } from "./state.js";

const N = 10; // dalers and stijgers each
const DRIVERS_SHOWN = 2;

let byChoice = null; // the axis the card follows (null: the map's axis layer, else problems)
let seq = 0;
let shownUrl = null; // the list on the card
let choose = () => {};

export const isOpen = () => !$("#movers").hidden;
const by = () => byChoice ?? (axes().includes(state.layer) ? state.layer : "problems");
// like the downloads: the focus gemeente, except on the gemeente map (all of them)
const scope = () => (state.level === "gemeente" ? null : data.gm);

export const moversUrl = () => `api/movers?${qs({ level: state.level, by: by(), gemeente: scope()?.code, view: state.view, n: N, lang: state.lang })}`;

const signed = (x, d = 0) => (typeof x !== "number" ? "–" : `${x > 0 ? "+" : x < 0 ? "−" : "±"}${fmt(Math.abs(x), d)}`);

function driverItem(d) {
  return h("li", {}, t("movers_driver", { label: d.label, change: signed(d.percentile_change) }));
}

function moverItem(m) {
  const name = h("button", { type: "button", class: "linkish", "data-goto": m.code, "aria-label": t("open_profile", { name: m.name || m.code }) }, m.name || m.code);
  const change = h("span", { class: `mv-change mv-${m.direction}` }, signed(m.change));
  const values = h("span", { class: "muted small" }, `${fmt(m.value_from, 0)} → ${fmt(m.value_to, 0)}`);
  const drivers = m.drivers.slice(0, DRIVERS_SHOWN).map(driverItem);
  return h("li", { "data-code": m.code }, h("div", { class: "mv-line" }, name, values, change), drivers.length ? h("ul", { class: "mv-drivers small" }, ...drivers) : null);
}

function group(body, direction) {
  const rows = body.movers.filter((m) => m.direction === direction);
  return [
    h("h3", {}, t(`movers_${direction}`)),
    rows.length ? h("ol", { class: "mv-list", "data-direction": direction }, ...rows.map(moverItem)) : h("p", { class: "muted small" }, t("movers_none")),
  ];
}

function content(body) {
  const where = scope() ? scope().name || scope().code : t("download_all");
  const label = body.by_label.charAt(0).toUpperCase() + body.by_label.slice(1);
  const head = `${label} · ${body.year_from} → ${body.year_to} · ${where} · ${t("level_" + body.level).toLowerCase()}`;
  const cut = body.left_out_at_cut ? h("p", { class: "muted small" }, t("movers_cut", { n: fmt(body.left_out_at_cut, 0) })) : null;
  return [h("p", { class: "mv-head" }, head), cut, ...group(body, "daler"), ...group(body, "stijger"), h("p", { class: "muted small" }, t("movers_note"))].filter(Boolean);
}

async function render() {
  const el = $("#movers-body");
  const my = ++seq;
  shownUrl = moversUrl();
  for (const i of $$('input[name="movers-by"]')) i.checked = i.value === by();
  el.replaceChildren(h("p", { class: "muted" }, t("loading")));
  el.setAttribute("aria-busy", "true");
  let body;
  try {
    body = await api(shownUrl);
  } catch (e) {
    if (my === seq) el.replaceChildren(h("p", { class: "error" }, e.message));
    return;
  } finally {
    if (my === seq) el.removeAttribute("aria-busy");
  }
  if (my === seq) el.replaceChildren(...content(body));
}

export function show(open) {
  $("#movers").hidden = !open;
  $("#movers-open").setAttribute("aria-expanded", String(open));
  if (open) return render();
}

/** Wire the card; onChoose(code) when a region in it is clicked. */
export function setup({ onChoose }) {
  choose = onChoose;
  $("#movers-open").addEventListener("click", () => {
    show(!isOpen());
    if (isOpen()) $("#movers").focus();
  });
  $("#movers-close").addEventListener("click", () => {
    show(false);
    $("#movers-open").focus();
  });
  for (const i of $$('input[name="movers-by"]'))
    i.addEventListener("change", () => {
      byChoice = i.value;
      render();
    });
  $("#movers-body").addEventListener("click", (e) => {
    const b = e.target.closest("button[data-goto]");
    if (b) choose(b.dataset.goto);
  });
}

// a new level, view, language, focus gemeente or axis layer asks again (a region chosen from
// the list makes its gemeente the focus: the same list, left as it is)
export function onChange() {
  if (isOpen() && moversUrl() !== shownUrl) return render();
}
