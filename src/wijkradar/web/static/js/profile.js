/* The profile panel of the selected region (state.sel), from <template id="tpl-profile">.
   Buttons carry data-goto / data-code; js/main.js handles their clicks. */
import { api, qs } from "./api.js";
import { charts } from "./charts.js";
import { levelOfCode } from "./codes.js";
import { exportUrl } from "./controls.js";
import { $, clone, h, showPanel, slot, swatch } from "./dom.js";
import { apply, fmt, isCodeUnit, lbl, t, unitText } from "./i18n.js";
import { NO_DATA_CLASS } from "./legend.js";
import { fillRisk } from "./risk.js";
import { axes, data, levelInfo, setFocusGemeente, state } from "./state.js";
import { fillTrajectory } from "./trajectory.js";

// A profile is 150–300 KB of JSON (boundary and every series): sixty keep a session of browsing
// and comparing in memory (some 15 MB at most); past that the cache starts over.
const PROFILE_CACHE_MAX = 60;

/** The request for code's profile: the chosen year applies to regions of the level shown. */
function request(code) {
  const year = levelOfCode(code) === state.level ? state.year : null;
  return { year, key: `${code}|${year}|${state.view}|${state.lang}` };
}

export async function getProfile(code) {
  const { year, key } = request(code);
  if (data.profiles.has(key)) return data.profiles.get(key);
  const p = await api(`api/regions/${encodeURIComponent(code)}?${qs({ year, view: state.view, lang: state.lang })}`);
  if (data.profiles.size >= PROFILE_CACHE_MAX) data.profiles.clear();
  if (!p.clusters_pending) data.profiles.set(key, p); // ask again later for the clusters
  return p;
}

let wanted = null; // request key of the profile loading or on screen
let rendered = null; // request key of the profile on screen

export const isOpen = () => !$("#profile").hidden;
/** Whether the panel shows code's profile (not loading, not an error). */
export const shows = (code) => isOpen() && rendered === request(code).key;

export async function open(code) {
  const body = $("#profile-body");
  const { key } = request(code);
  showPanel("profile", true);
  wanted = key;
  rendered = null;
  $("#profile-title").textContent = data.byCode.get(code)?.properties.name || code;
  body.replaceChildren(h("p", { class: "muted" }, t("loading")));
  body.setAttribute("aria-busy", "true");
  let p;
  try {
    p = await getProfile(code);
  } catch (e) {
    if (wanted !== key) return;
    body.replaceChildren(h("p", { class: "error" }, `${t("load_error")}: ${e.message}`));
    body.removeAttribute("aria-busy");
    return;
  }
  if (wanted !== key) return; // another choice since
  render(p);
  rendered = key;
  body.removeAttribute("aria-busy");
  if (p.gemeente && p.gemeente.code) await setFocusGemeente({ code: p.gemeente.code, name: p.gemeente.name || p.gemeente.code });
}

function close() {
  showPanel("profile", false);
  wanted = rendered = null;
}

// ---------------------------------------------------------------- rendering

export const classSwatch = (id) => {
  const c = data.classById[id];
  return c ? swatch(c.color, id === NO_DATA_CLASS) : null;
};

const regionButton = (r) =>
  h("button", { type: "button", class: "linkish", "data-goto": r.code, "aria-label": t("open_profile", { name: r.name || r.code }) }, r.name || r.code);

function compareButton(button, code) {
  const on = state.cmp.includes(code);
  button.dataset.code = code;
  button.setAttribute("aria-pressed", String(on));
  button.textContent = on ? t("compare_added") : t("compare_add");
}

const unknownAxis = (x) => !x || ((x.level || "unknown") === "unknown" && (x.trend || "unknown") === "unknown");

// Reasons by role (wijkradar.analysis.signal_reasons.ROLES): "small" and "housing" first in a
// note, then per axis its summary ("axis") as the header and what carried the call ("for"),
// what moved the other way ("against") and why the axis stands where it stands ("level").
const NOTE_ROLES = ["small", "housing"];
const AXIS_GROUPS = [
  ["for", "reasons_for"],
  ["against", "reasons_against"],
  ["level", "reasons_level"],
];

const reasonItem = (r) => h("li", { "data-role": r.role || "" }, lbl(r, "sentence"));
const reasonList = (rs) => h("ul", {}, ...rs.map(reasonItem));

/** The reason blocks of a signal, in rank order within each group. */
export function reasonBlocks(reasons) {
  const sorted = [...reasons].sort((a, b) => (a.rank ?? 0) - (b.rank ?? 0));
  const out = [];
  const note = sorted.filter((r) => NOTE_ROLES.includes(r.role));
  if (note.length) out.push(h("div", { class: "reason-note", role: "note" }, h("p", { class: "reason-role" }, t("reasons_note")), reasonList(note)));
  const grouped = new Set([...NOTE_ROLES, "axis", ...AXIS_GROUPS.map(([role]) => role)]);
  for (const a of axes()) {
    const mine = sorted.filter((r) => r.axis === a && !NOTE_ROLES.includes(r.role));
    if (!mine.length) continue;
    const head = mine.filter((r) => r.role === "axis");
    const block = h("div", { class: `reason-axis axis-${a}` });
    block.append(h("h4", { class: "axis-head" }, head.length ? head.map((r) => lbl(r, "sentence")).join(" ") : t(a)));
    for (const [role, key] of AXIS_GROUPS) {
      const rs = mine.filter((r) => r.role === role);
      if (rs.length) block.append(h("p", { class: "reason-role" }, t(key)), reasonList(rs));
    }
    const other = mine.filter((r) => !grouped.has(r.role)); // a role this page does not know yet
    if (other.length) block.append(reasonList(other));
    out.push(block);
  }
  const rest = sorted.filter((r) => !NOTE_ROLES.includes(r.role) && !axes().includes(r.axis));
  if (rest.length) out.push(reasonList(rest));
  return out;
}

/** "305 inwoners · 154 woningen (2019)" from the map layer, when it shows this signal's year. */
function peopleText(code, sig) {
  const f = data.byCode.get(code);
  if (!f || !data.geo || data.geo.year !== sig.year || data.geo.view !== sig.view) return null;
  const p = f.properties;
  const parts = [];
  if (typeof p.population === "number") parts.push(t("tip_inhabitants", { n: fmt(p.population, 0) }));
  if (typeof p.dwellings === "number") parts.push(t("tip_dwellings", { n: fmt(p.dwellings, 0) }));
  return parts.length ? t("signal_people", { people: parts.join(" · "), year: sig.year }) : null;
}

function fillSignal(root, sig, code) {
  const box = slot(root, "signal");
  box.style.setProperty("--sig", (data.classById[sig.class] || { color: "#ccc" }).color);
  slot(root, "class").append(...[classSwatch(sig.class), h("span", {}, lbl(sig, "label"))].filter(Boolean));
  slot(root, "description").textContent = lbl(sig, "description");
  const view = t(sig.view === "relative" ? "view_relative_long" : "view_absolute_long");
  slot(root, "when").textContent = t("signal_year", { year: sig.year, view, window: sig.window });
  const people = peopleText(code, sig);
  if (people) slot(root, "people").textContent = people;
  else slot(root, "people").remove();
  for (const a of axes()) {
    const x = sig[a] || {};
    const row = clone("axis-row");
    const [th, score, band, trend] = row.children;
    th.textContent = t(a);
    score.textContent = fmt(x.score, 0);
    band.textContent = t("lvl_" + (x.level || "unknown"));
    trend.className = `trend-${x.trend || "unknown"}`;
    trend.textContent = t("trend_" + (x.trend || "unknown"));
    slot(root, "axes").append(row);
  }
  const known = axes().filter((a) => !unknownAxis(sig[a]));
  if (known.length === 1) slot(root, "one-axis").textContent = t(`signal_one_axis_${known[0]}`);
  else slot(root, "one-axis").remove();
  const reasons = sig.reasons || [];
  if (reasons.length) {
    slot(root, "no-reasons").remove();
    slot(root, "reason-list").append(...reasonBlocks(reasons));
  } else slot(root, "reason-list").remove();
  const sv = sig.sensitivity;
  if (!sv) return slot(root, "sensitivity").remove();
  const text = slot(root, "sensitivity-text");
  text.className = sv.stable_under_variations ? "" : "warn";
  text.textContent = sv.stable_under_variations ? t("sens_stable", { n: sv.variations }) : t("sens_changed", { k: sv.variations_changed, n: sv.variations });
}

// Every KWB figure of the region, latest year, grouped by CBS topic (the charts show the
// featured ones only: a profile with 150 charts helps nobody at a meeting table).
function figureRows(p) {
  const groups = {};
  let n = 0;
  for (const i of p.indicators || []) {
    const s = (i.series || []).filter((d) => typeof d.value === "number");
    const meta = data.indById[i.id];
    if (!s.length || !meta || isCodeUnit(i.unit)) continue;
    const last = s[s.length - 1];
    (groups[meta.topic_label] ||= []).push(
      h("tr", {}, h("th", { scope: "row" }, lbl(i, "label")), h("td", {}, fmt(last.value, i.decimals ?? 1)), h("td", { class: "muted" }, unitText(i.unit)), h("td", { class: "muted" }, last.year)),
    );
    n += 1;
  }
  const rows = Object.entries(groups).flatMap(([topic, trs]) => [h("tr", { class: "group" }, h("th", { colspan: 4 }, topic)), ...trs]);
  return { n, rows };
}

function places(p) {
  const gm = p.gemeente;
  const out = [];
  if (p.parent && p.parent.code) out.push(h("dt", {}, t("parent")), h("dd", {}, regionButton(p.parent)));
  if (gm && gm.code && gm.code !== p.code && (!p.parent || p.parent.code !== gm.code)) out.push(h("dt", {}, t("gemeente")), h("dd", {}, regionButton(gm)));
  if (p.children && p.children.length)
    out.push(
      h("dt", {}, `${t("children")} (${p.children.length})`),
      h("dd", {}, h("ul", { class: "children" }, ...p.children.map((c) => h("li", {}, regionButton(c))))),
    );
  return out;
}

/** The risk and the trajectory of a region of a mapped level (js/risk.js, js/trajectory.js). */
function dynamics(root, p) {
  const info = levelInfo(p.level);
  if (!info) return ["risk", "trajectory"].forEach((name) => slot(root, name).remove());
  const year = p.signal?.year ?? (p.level === state.level ? state.year : info.default_year);
  fillRisk(slot(root, "risk-body"), { code: p.code, level: p.level, year });
  fillTrajectory(slot(root, "trajectory-body"), p.code, year);
}

function render(p) {
  const root = apply(clone("profile"));
  const gm = p.gemeente;
  $("#profile-title").textContent = p.name;
  const where = gm && gm.code !== p.code ? ` · ${gm.name || gm.code}` : "";
  slot(root, "meta").append(`${t("level_" + p.level)} · `, h("code", {}, p.code), where);
  compareButton(slot(root, "cmp-add"), p.code);
  slot(root, "report").setAttribute("href", `api/regions/${encodeURIComponent(p.code)}/report.pdf`);
  const dl = slot(root, "data");
  if (gm) {
    // the gemeente's regions at this level (a gemeente's own profile: its wijken)
    dl.setAttribute("href", exportUrl("csv", gm.code, p.level === "gemeente" ? "wijk" : p.level));
    dl.textContent = t("data_gemeente", { name: gm.name || gm.code });
  } else dl.remove();

  if (p.signal) {
    fillSignal(root, p.signal, p.code);
    slot(root, "no-signal").remove();
  } else for (const name of ["signal", "reasons", "sensitivity"]) slot(root, name).remove();

  dynamics(root, p);

  const cl = p.clusters;
  if (cl && axes().some((a) => cl[a])) {
    slot(root, "no-clusters").remove();
    slot(root, "clusters").append(...axes().flatMap((a) => [h("dt", {}, t("cluster_" + a)), h("dd", {}, cl[a] ?? "–")]));
  } else {
    slot(root, "clusters").remove();
    slot(root, "no-clusters").textContent = p.clusters_pending ? t("clusters_pending") : t("clusters_off");
  }

  slot(root, "charts").append(...charts(p));
  const figures = figureRows(p);
  if (figures.n) {
    slot(root, "figures-title").textContent = t("all_figures", { n: figures.n });
    slot(root, "figure-rows").append(...figures.rows);
  } else slot(root, "figures").remove();

  const pl = places(p);
  if (pl.length) slot(root, "place-list").append(...pl);
  else slot(root, "places").remove();

  const br = p.series_breaks || [];
  if (br.length) slot(root, "no-breaks").remove();
  else slot(root, "breaks").remove();
  // a reused code: the API's words for its kind ("ander gebied onder dezelfde code")
  for (const b of br)
    slot(root, "breaks").append(
      h("li", {}, h("b", {}, `${b.previous_year ?? ""}→${b.year}`), ` ${b.reason}`, b.kind === "reused" && b.kind_label ? h("span", { class: "muted" }, ` (${b.kind_label})`) : null),
    );

  $("#profile-body").replaceChildren(root);
}

// ---------------------------------------------------------------- the state in the panel

export async function onChange(changed) {
  if (changed.has("sel") && !state.sel) return close();
  if (changed.has("sel")) return open(state.sel);
  // a new year, view or language asks again; a level switch alone leaves the panel as it is
  const asked = changed.has("view") || changed.has("lang") || (changed.has("year") && !changed.has("level"));
  if (asked && state.sel && isOpen() && wanted !== request(state.sel).key) return open(state.sel);
  if (changed.has("cmp")) {
    const b = $("#cmp-add");
    if (b) compareButton(b, b.dataset.code);
  }
}
