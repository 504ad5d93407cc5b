/* The map settings card: level, year, layer, view, and the download links for what is shown. */
import { api, qs } from "./api.js";
import { $, $$, h } from "./dom.js";
import { isCodeUnit, t } from "./i18n.js";
import { RISK_LAYER, SIGNAL_LAYER, availableLevels, axes, data, levelInfo, state, update } from "./state.js";

export function layerLabel(layer) {
  if (layer === SIGNAL_LAYER || layer === RISK_LAYER || axes().includes(layer)) return t(`layer_${layer}`);
  return data.indById[layer]?.label ?? layer;
}

function buildLevels() {
  const avail = availableLevels();
  for (const i of $$('input[name="level"]')) {
    i.disabled = !avail.includes(i.value);
    i.checked = i.value === state.level;
  }
}

function buildYears() {
  const sel = $("#year");
  sel.replaceChildren();
  for (const y of [...(levelInfo(state.level)?.years || [])].reverse()) {
    const o = new Option(y, y);
    o.selected = y === state.year;
    sel.append(o);
  }
}

function buildLayers() {
  const sel = $("#layer");
  sel.replaceChildren();
  const main = h("optgroup", { label: t("layer_group_main") });
  for (const id of [SIGNAL_LAYER, ...axes(), RISK_LAYER]) main.append(new Option(layerLabel(id), id));
  sel.append(main);
  const byDomain = {};
  for (const ind of data.indicators) if (!isCodeUnit(ind.unit)) (byDomain[ind.domain] ||= []).push(ind);
  for (const dom of data.health.domains.filter((d) => byDomain[d])) {
    const g = h("optgroup", { label: `${t("layer_group_indicators")}: ${t("domain_" + dom)}` });
    for (const ind of byDomain[dom]) g.append(new Option(ind.label, ind.id));
    sel.append(g);
  }
  sel.value = state.layer;
}

export const exportUrl = (format, gemeente, level = state.level) =>
  `api/export?${qs({ level, format, year: state.year, view: state.view, gemeente })}`;

// the downloads cover the focus gemeente, except on the gemeente map (all of them)
const scopeGemeente = () => (state.level === "gemeente" ? null : data.gm);

function updateDownloads() {
  const gm = scopeGemeente();
  for (const a of $$(".downloads a")) {
    a.href = exportUrl(a.dataset.format, gm && gm.code);
    a.setAttribute("aria-label", `${t("download")} ${a.textContent}: ${gm ? gm.name : t("download_all")}, ${t("level_" + state.level)}, ${state.year}`);
  }
  $("#dl-scope").textContent = `${gm ? gm.name : t("download_all")} · ${t("level_" + state.level).toLowerCase()} · ${state.year ?? ""}`;
}

/** Everything from the state (at start and after a language switch). */
export function build() {
  buildLevels();
  for (const i of $$('input[name="view"]')) i.checked = i.value === state.view;
  buildYears();
  buildLayers();
  updateDownloads();
}

export function onChange(changed) {
  if (changed.has("lang")) return build();
  if (changed.has("level")) buildLevels();
  if (changed.has("level") || changed.has("year")) buildYears();
  if (changed.has("view")) for (const i of $$('input[name="view"]')) i.checked = i.value === state.view;
  if (changed.has("layer")) $("#layer").value = state.layer;
  if (["level", "year", "view", "gm"].some((k) => changed.has(k))) updateDownloads();
}

/** The inputs change the state; `onLevel` runs after a level change has been drawn. */
export function setup({ onLevel }) {
  for (const i of $$('input[name="level"]'))
    i.addEventListener("change", async () => {
      await update({ level: i.value });
      onLevel();
    });
  for (const i of $$('input[name="view"]')) i.addEventListener("change", () => update({ view: i.value }));
  $("#year").addEventListener("change", (e) => update({ year: Number(e.target.value) }));
  $("#layer").addEventListener("change", (e) => update({ layer: e.target.value }));
}

/** Name the focus gemeente (a map layer gives only its code) for the download links. */
export async function nameGemeente() {
  const gm = data.gm;
  if (!gm || gm.name) return;
  try {
    const r = await api(`api/regions?${qs({ q: gm.code, level: "gemeente", limit: 1 })}`);
    const hit = (r.data || []).find((x) => x.code === gm.code) || (r.data || [])[0];
    gm.name = hit ? hit.name : gm.code;
  } catch (e) {
    gm.name = gm.code;
  }
  updateDownloads();
}
