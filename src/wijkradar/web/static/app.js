/* wijkradar web page: the signalling map, search, profile panel, comparison and downloads.
   Plain JavaScript, no build step; MapLibre GL JS (UMD) is vendored in vendor/ (see web/README.md).
   All state lives in S and is mirrored in the query string (see writeUrl). No external requests. */
(function () {
  "use strict";

  // ---------------------------------------------------------------- state
  const LEVELS = ["gemeente", "wijk", "buurt"];
  const VIEWS = ["absolute", "relative"];
  const SCORE_LAYERS = { composition: "composition_score", problems: "problems_score" };
  // viridis, light (low) to dark (high): sequential and colour-blind safe
  const RAMP = ["#fde725", "#5ec962", "#21918c", "#3b528b", "#440154"];
  const NODATA = "#d9d9d9";
  const BACKGROUND = "#e8ecef";
  const DOMAIN_ORDER = ["composition", "problems", "housing", "context"];

  const S = {
    lang: "nl",
    level: "buurt",
    year: null,
    view: "absolute",
    layer: "signal",
    sel: null, // selected region code (profile open)
    cmp: [], // codes in the comparison
    panel: null, // "compare" when the compare panel is open
  };
  const D = {
    health: null,
    classes: [], // [{id,label,description,color}]
    classById: {},
    indicators: [],
    indById: {},
    geo: null, // current FeatureCollection
    byCode: new Map(), // code -> feature of the current layer
    gm: null, // focus gemeente {code, name}
    profiles: new Map(), // cache key -> profile
    breaks: null, // quantile breaks of the current numeric layer
  };
  let map = null;
  let attribution = null;
  let loadSeq = 0;
  let hasHash = /[#&]map=/.test(location.hash);

  const $ = (sel, el = document) => el.querySelector(sel);
  const $$ = (sel, el = document) => Array.from(el.querySelectorAll(sel));

  // ---------------------------------------------------------------- i18n
  function t(key, vars) {
    const dict = window.I18N[S.lang] || window.I18N.nl;
    let s = dict[key] ?? window.I18N.nl[key] ?? key;
    if (vars) for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, v);
    return s;
  }
  function applyI18n() {
    document.documentElement.lang = S.lang;
    $$("[data-i18n]").forEach((el) => (el.textContent = t(el.dataset.i18n)));
    $$("[data-i18n-placeholder]").forEach((el) => (el.placeholder = t(el.dataset.i18nPlaceholder)));
    $$("[data-i18n-aria]").forEach((el) => el.setAttribute("aria-label", t(el.dataset.i18nAria)));
    $$(".lang button").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.lang === S.lang)));
    document.title = `wijkradar — ${t("subtitle")}`;
  }
  const esc = (s) =>
    String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  function fmt(v, decimals = 1) {
    if (v === null || v === undefined || Number.isNaN(v)) return "–";
    return new Intl.NumberFormat(S.lang === "en" ? "en-GB" : "nl-NL", {
      maximumFractionDigits: decimals,
      minimumFractionDigits: 0,
    }).format(v);
  }
  const lbl = (obj, base) => obj[`${base}_${S.lang}`] ?? obj[`${base}_nl`] ?? obj[base];

  // ---------------------------------------------------------------- URL state
  function readUrl() {
    const q = new URLSearchParams(location.search);
    if (q.get("lang") === "en") S.lang = "en";
    if (LEVELS.includes(q.get("level"))) S.level = q.get("level");
    if (/^\d{4}$/.test(q.get("year") || "")) S.year = Number(q.get("year"));
    if (VIEWS.includes(q.get("view"))) S.view = q.get("view");
    if (q.get("layer")) S.layer = q.get("layer");
    if (q.get("sel")) S.sel = q.get("sel").toUpperCase();
    if (q.get("cmp")) S.cmp = [...new Set(q.get("cmp").split(",").map((c) => c.trim().toUpperCase()).filter(Boolean))];
    if (q.get("panel") === "compare") S.panel = "compare";
  }
  function writeUrl() {
    const q = new URLSearchParams();
    q.set("level", S.level);
    if (S.year) q.set("year", S.year);
    q.set("view", S.view);
    q.set("layer", S.layer);
    if (S.sel) q.set("sel", S.sel);
    if (S.cmp.length) q.set("cmp", S.cmp.join(","));
    if (S.panel) q.set("panel", S.panel);
    if (S.lang !== "nl") q.set("lang", S.lang);
    const url = `${location.pathname}?${q.toString().replaceAll("%2C", ",")}${location.hash}`;
    history.replaceState(history.state, "", url);
  }

  // ---------------------------------------------------------------- API
  async function api(path) {
    const r = await fetch(path, { headers: { Accept: "application/json" } });
    let body = null;
    try {
      body = await r.json();
    } catch (e) {
      body = null;
    }
    if (!r.ok || (body && body.ok === false)) {
      const msg = (body && (body.error || (body.errors && body.errors.join("; ")))) || `${r.status} ${r.statusText}`;
      const err = new Error(msg);
      err.status = r.status;
      throw err;
    }
    return body;
  }
  const qs = (o) =>
    Object.entries(o)
      .filter(([, v]) => v !== null && v !== undefined && v !== "")
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
      .join("&");

  async function loadVocab() {
    const [classes, inds] = await Promise.all([api(`api/classes?lang=${S.lang}`), api(`api/indicators?lang=${S.lang}`)]);
    D.classes = classes.data;
    D.classById = Object.fromEntries(D.classes.map((c) => [c.id, c]));
    D.indicators = inds.data;
    D.indById = Object.fromEntries(D.indicators.map((i) => [i.id, i]));
  }

  let lastStatus = null; // [key, vars, isError]: re-translated on a language switch
  function statusKey(key, vars, isError) {
    lastStatus = key ? [key, vars, isError] : null;
    status(key ? t(key, vars) : "", isError);
  }
  function status(msg, isError) {
    const el = $("#status");
    el.textContent = msg || "";
    el.classList.toggle("error", !!isError);
    el.hidden = !msg;
  }

  // ---------------------------------------------------------------- controls
  function levelInfo(level) {
    return (D.health.levels || {})[level] || null;
  }
  function availableLevels() {
    return LEVELS.filter((l) => (levelInfo(l)?.years || []).length);
  }
  function fixYear() {
    const info = levelInfo(S.level);
    if (!info) return;
    if (!info.years.includes(S.year)) S.year = info.default_year ?? info.years[info.years.length - 1];
  }
  function buildControls() {
    const avail = availableLevels();
    $$('input[name="level"]').forEach((i) => {
      i.disabled = !avail.includes(i.value);
      i.checked = i.value === S.level;
    });
    $$('input[name="view"]').forEach((i) => (i.checked = i.value === S.view));
    const ysel = $("#year");
    ysel.innerHTML = "";
    for (const y of [...(levelInfo(S.level)?.years || [])].reverse()) {
      const o = document.createElement("option");
      o.value = y;
      o.textContent = y;
      o.selected = y === S.year;
      ysel.appendChild(o);
    }
    buildLayerSelect();
    updateDownloads();
  }
  function layerLabel(layer) {
    if (layer === "signal") return t("layer_signal");
    if (layer === "composition") return t("layer_composition");
    if (layer === "problems") return t("layer_problems");
    const ind = D.indById[layer];
    return ind ? ind.label : layer;
  }
  function buildLayerSelect() {
    const sel = $("#layer");
    sel.innerHTML = "";
    const g0 = document.createElement("optgroup");
    g0.label = t("layer_group_main");
    for (const id of ["signal", "composition", "problems"]) g0.appendChild(new Option(layerLabel(id), id));
    sel.appendChild(g0);
    const byDomain = {};
    for (const ind of D.indicators) {
      if (ind.unit === "code") continue;
      (byDomain[ind.domain] ||= []).push(ind);
    }
    const domains = Object.keys(byDomain).sort((a, b) => DOMAIN_ORDER.indexOf(a) - DOMAIN_ORDER.indexOf(b));
    for (const dom of domains) {
      const g = document.createElement("optgroup");
      g.label = `${t("layer_group_indicators")}: ${t("domain_" + dom)}`;
      for (const ind of byDomain[dom]) g.appendChild(new Option(ind.label, ind.id));
      sel.appendChild(g);
    }
    if (!["signal", "composition", "problems"].includes(S.layer) && !D.indById[S.layer]) S.layer = "signal";
    sel.value = S.layer;
  }
  function exportUrl(format, gemeente) {
    return `api/export?${qs({ level: S.level, format, year: S.year, view: S.view, gemeente })}`;
  }
  function scopeGemeente() {
    return S.level === "gemeente" ? null : D.gm;
  }
  function updateDownloads() {
    const gm = scopeGemeente();
    for (const a of $$(".downloads a")) {
      a.href = exportUrl(a.dataset.format, gm && gm.code);
      a.setAttribute(
        "aria-label",
        `${t("download")} ${a.textContent}: ${gm ? gm.name : t("download_all")}, ${t("level_" + S.level)}, ${S.year}`,
      );
    }
    $("#dl-scope").textContent = `${gm ? gm.name : t("download_all")} · ${t("level_" + S.level).toLowerCase()} · ${S.year ?? ""}`;
  }

  // ---------------------------------------------------------------- map
  function createMap() {
    map = new maplibregl.Map({
      container: "map",
      style: {
        version: 8,
        sources: {},
        layers: [{ id: "bg", type: "background", paint: { "background-color": BACKGROUND } }],
      },
      center: [5.3, 52.15],
      zoom: 6.5,
      minZoom: 5,
      maxZoom: 17,
      hash: "map",
      attributionControl: false,
      dragRotate: false,
      pitchWithRotate: false,
      touchPitch: false,
      fadeDuration: 0,
    });
    map.touchZoomRotate.disableRotation();
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
    map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-left");
    setAttribution();
    return new Promise((resolve) => map.on("load", () => (performance.mark("wr:map-load"), resolve())));
  }
  function setAttribution() {
    if (attribution) map.removeControl(attribution);
    attribution = new maplibregl.AttributionControl({ compact: false, customAttribution: t("attribution") });
    map.addControl(attribution, "bottom-right");
  }
  function addLayers() {
    map.addSource("regions", {
      type: "geojson",
      data: { type: "FeatureCollection", features: [] },
      promoteId: "code",
      tolerance: 0.3,
    });
    map.addLayer({ id: "regions-fill", type: "fill", source: "regions", paint: { "fill-color": NODATA, "fill-opacity": 0.9 } });
    map.addLayer({
      id: "regions-line",
      type: "line",
      source: "regions",
      paint: {
        "line-color": ["case", ["==", ["get", "signal"], "insufficient_data"], "#8c8c8c", "#ffffff"],
        "line-width": ["interpolate", ["linear"], ["zoom"], 8, 0.2, 12, 0.8, 15, 1.5],
        "line-opacity": 0.9,
      },
    });
    map.addLayer({
      id: "regions-hover",
      type: "line",
      source: "regions",
      filter: ["==", ["get", "code"], ""],
      paint: { "line-color": "#000000", "line-width": 2 },
    });
    map.addLayer({
      id: "regions-selected",
      type: "line",
      source: "regions",
      filter: ["==", ["get", "code"], ""],
      paint: { "line-color": "#000000", "line-width": 3.5 },
    });
    map.addLayer({
      id: "regions-compare",
      type: "line",
      source: "regions",
      filter: ["in", ["get", "code"], ["literal", []]],
      paint: { "line-color": "#0072B2", "line-width": 2.5, "line-dasharray": [2, 1] },
    });

    const tip = $("#tooltip");
    map.on("mousemove", "regions-fill", (e) => {
      const f = e.features && e.features[0];
      if (!f) return;
      map.getCanvas().style.cursor = "pointer";
      map.setFilter("regions-hover", ["==", ["get", "code"], f.properties.code]);
      tip.innerHTML = tooltipHtml(f.properties);
      tip.hidden = false;
      const r = map.getContainer().getBoundingClientRect();
      const x = Math.min(e.point.x + 14, r.width - tip.offsetWidth - 6);
      const y = e.point.y + 14 + tip.offsetHeight > r.height ? e.point.y - tip.offsetHeight - 10 : e.point.y + 14;
      tip.style.transform = `translate(${Math.max(4, x)}px, ${y}px)`;
    });
    map.on("mouseleave", "regions-fill", () => {
      map.getCanvas().style.cursor = "";
      map.setFilter("regions-hover", ["==", ["get", "code"], ""]);
      tip.hidden = true;
    });
    map.on("click", "regions-fill", (e) => {
      const f = e.features && e.features[0];
      if (f) selectRegion(f.properties.code, { fly: false });
    });
  }
  function tooltipHtml(p) {
    const cls = D.classById[p.signal];
    let h = `<strong>${esc(p.name)}</strong>`;
    if (cls) h += `<div><span class="swatch ${cls.id === "insufficient_data" ? "outlined" : ""}" style="background:${cls.color}"></span>${esc(cls.label)}</div>`;
    else h += `<div class="muted">${esc(t("legend_nosignal"))}</div>`;
    if (S.layer !== "signal") {
      const prop = numericProp();
      const ind = D.indById[S.layer];
      const unit = ind && ind.unit && ind.unit !== "aantal" ? ` ${ind.unit}` : "";
      h += `<div>${esc(layerLabel(S.layer))}: <b>${esc(fmt(p[prop], ind ? 1 : 0))}</b>${esc(p[prop] == null ? "" : unit)}</div>`;
    }
    return h;
  }
  function numericProp() {
    return SCORE_LAYERS[S.layer] || (S.layer === "signal" ? null : "value");
  }
  function setMapStatus(s) {
    window.mapStatus = s;
    document.body.dataset.mapStatus = s;
  }

  // Geometry detail follows the zoom in the API's buckets (≤8: 50 m, ≤11: 10 m, else 2 m).
  // A layer is only refetched for more detail (never coarser), with some slack: 10 m is fine to z12.5.
  const zoomBucket = (z) => (z <= 8 ? 8 : z <= 11 ? 11 : 13);
  const neededBucket = (z) => (z <= 9 ? 8 : z <= 12.5 ? 11 : 13);
  const layerUrl = (zoom) =>
    `api/map/${S.level}?${qs({ year: S.year, view: S.view, indicator: D.indById[S.layer] ? S.layer : null, zoom })}`;
  async function loadLayer(opts = {}) {
    const seq = ++loadSeq;
    const zoom = zoomBucket(opts.zoom ?? map.getZoom());
    setMapStatus("loading");
    status(t("map_loading"));
    const indicator = D.indById[S.layer] ? S.layer : null;
    let geo = opts.prefetched ? await opts.prefetched : null;
    try {
      if (!geo) geo = await api(layerUrl(zoom));
    } catch (e) {
      if (seq !== loadSeq) return;
      status(`${t("load_error")}: ${e.message}`, true);
      setMapStatus("error:" + e.message);
      return;
    }
    if (seq !== loadSeq) return;
    performance.mark("wr:layer-data");
    D.geo = geo;
    D.zoom = zoom;
    D.byCode = new Map(geo.features.map((f) => [f.properties.code, f]));
    D.layerIndicator = indicator;
    if (!D.gm) D.gm = focusGemeente(geo);
    if (opts.fit) fitFocus(); // before drawing: the first frame is already the final view
    map.getSource("regions").setData(geo);
    if (!window.mapFirstPolygonsAt) {
      const first = () => {
        if (!map.isSourceLoaded("regions") || !map.queryRenderedFeatures({ layers: ["regions-fill"] }).length) return;
        window.mapFirstPolygonsAt = performance.now();
        performance.mark("wr:first-polygons");
        map.off("render", first);
      };
      map.on("render", first);
    }
    styleLayer();
    highlight();
    const missing = geo.missing_geometry || 0;
    // (status line below)
    if (!geo.features.length) statusKey("no_features");
    else if (missing) statusKey(missing === 1 ? "missing_geometry_1" : "missing_geometry", { n: fmt(missing, 0) });
    else statusKey(null);
    updateDownloads();
    map.once("idle", () => {
      if (seq !== loadSeq) return;
      const n = map.queryRenderedFeatures({ layers: ["regions-fill"] }).length;
      setMapStatus(`idle:${n}`);
    });
    map.triggerRepaint();
  }

  function focusGemeente(geo) {
    // The gemeente with the most regions that carry a signal (Amsterdam on the real data).
    const count = new Map();
    const countAll = new Map();
    for (const f of geo.features) {
      const c = f.properties.code || "";
      if (!/^(BU|WK)/.test(c)) continue;
      const g = "GM" + c.slice(2, 6);
      countAll.set(g, (countAll.get(g) || 0) + 1);
      if (f.properties.signal && f.properties.signal !== "insufficient_data") count.set(g, (count.get(g) || 0) + 1);
    }
    const m = count.size ? count : countAll;
    let best = null;
    for (const [g, n] of m) if (!best || n > best[1]) best = [g, n];
    return best ? { code: best[0], name: null } : null;
  }
  async function nameGemeente() {
    if (!D.gm || D.gm.name) return;
    try {
      const r = await api(`api/regions?${qs({ q: D.gm.code, level: "gemeente", limit: 1 })}`);
      const hit = (r.data || []).find((x) => x.code === D.gm.code) || (r.data || [])[0];
      D.gm.name = hit ? hit.name : D.gm.code;
    } catch (e) {
      D.gm.name = D.gm.code;
    }
    updateDownloads();
  }

  function bboxOf(features) {
    let b = [Infinity, Infinity, -Infinity, -Infinity];
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
  function panelPadding() {
    const base = 40;
    const sheet = window.matchMedia("(max-width: 900px)").matches;
    const profileOpen = !$("#profile").hidden;
    const pad = { top: base, bottom: base, left: base, right: base };
    const card = $("#controls");
    if (!sheet) {
      pad.left = Math.min(card.offsetWidth + 30, window.innerWidth * 0.3);
      if (profileOpen) pad.right = $("#profile").offsetWidth + base;
    } else {
      pad.top = Math.min(card.offsetHeight + 20, window.innerHeight * 0.4);
      if (profileOpen) pad.bottom = $("#profile").offsetHeight + 20;
    }
    return pad;
  }
  function fitTo(features, animate) {
    const b = bboxOf(features);
    if (!b) return;
    map.fitBounds(b, { padding: panelPadding(), maxZoom: 14, duration: animate ? 700 : 0 });
  }
  function fitFocus() {
    if (!D.geo) return;
    if (D.gm && S.level !== "gemeente") {
      const code = D.gm.code.slice(2, 6);
      const fs = D.geo.features.filter((f) => (f.properties.code || "").slice(2, 6) === code);
      if (fs.length) return fitTo(fs, false);
    }
    if (D.gm && S.level === "gemeente" && D.byCode.has(D.gm.code)) return fitTo([D.byCode.get(D.gm.code)], false);
    fitTo(D.geo.features, false);
  }

  function quantileBreaks(values, k) {
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
  function styleLayer() {
    if (!map || !map.getLayer("regions-fill")) return;
    const prop = numericProp();
    if (!prop) {
      const m = ["match", ["coalesce", ["get", "signal"], "__none"]];
      for (const c of D.classes) m.push(c.id, c.color);
      m.push("#f7f7f7");
      map.setPaintProperty("regions-fill", "fill-color", m);
      map.setPaintProperty("regions-fill", "fill-opacity", ["case", ["has", "signal"], ["case", ["==", ["get", "signal"], null], 0.45, 0.92], 0.45]);
      D.breaks = null;
    } else {
      const vals = (D.geo ? D.geo.features : []).map((f) => f.properties[prop]);
      const br = quantileBreaks(vals, RAMP.length);
      D.breaks = { prop, breaks: br, n: vals.filter((x) => typeof x === "number").length };
      const colors = RAMP.slice(RAMP.length - br.length - 1);
      const step = ["step", ["to-number", ["get", prop]], colors[0]];
      br.forEach((b, i) => step.push(b, colors[i + 1]));
      map.setPaintProperty("regions-fill", "fill-color", ["case", ["==", ["typeof", ["get", prop]], "number"], step, NODATA]);
      map.setPaintProperty("regions-fill", "fill-opacity", 0.92);
    }
    renderLegend();
  }
  function renderLegend() {
    const el = $("#legend");
    const prop = numericProp();
    if (!prop) {
      const counts = {};
      let none = 0;
      for (const f of D.geo ? D.geo.features : []) {
        const s = f.properties.signal;
        if (s) counts[s] = (counts[s] || 0) + 1;
        else none++;
      }
      let h = `<div class="legend-title">${esc(t("legend_signal"))} ${esc(S.year ?? "")}</div><ul>`;
      for (const c of D.classes) {
        h += `<li title="${esc(c.description)}"><span class="swatch ${c.id === "insufficient_data" ? "outlined" : ""}" style="background:${c.color}"></span>${esc(c.label)} <span class="muted">${counts[c.id] ? fmt(counts[c.id], 0) : "0"}</span></li>`;
      }
      if (none) h += `<li><span class="swatch faint"></span>${esc(t("legend_nosignal"))} <span class="muted">${fmt(none, 0)}</span></li>`;
      el.innerHTML = h + "</ul>";
      return;
    }
    const ind = D.indById[S.layer];
    const dec = ind ? 1 : 0;
    const unit = ind ? ind.unit : t("legend_score");
    const br = D.breaks.breaks;
    const colors = RAMP.slice(RAMP.length - br.length - 1);
    let h = `<div class="legend-title">${esc(layerLabel(S.layer))}</div><div class="muted small">${esc(unit)}; ${esc(t("legend_quantiles"))}</div><ul>`;
    colors.forEach((c, i) => {
      const lo = i === 0 ? null : br[i - 1];
      const hi = i < br.length ? br[i] : null;
      const txt = lo === null && hi === null ? t("legend_nodata") : lo === null ? `< ${fmt(hi, dec)}` : hi === null ? `≥ ${fmt(lo, dec)}` : `${fmt(lo, dec)} – ${fmt(hi, dec)}`;
      h += `<li><span class="swatch" style="background:${c}"></span>${esc(txt)}</li>`;
    });
    if (D.breaks.n < (D.geo ? D.geo.features.length : 0)) h += `<li><span class="swatch" style="background:${NODATA}"></span>${esc(t("legend_nodata"))}</li>`;
    el.innerHTML = h + "</ul>";
  }
  function highlight() {
    if (!map || !map.getLayer("regions-selected")) return;
    map.setFilter("regions-selected", ["==", ["get", "code"], S.sel || ""]);
    map.setFilter("regions-compare", ["in", ["get", "code"], ["literal", S.cmp]]);
  }

  // ---------------------------------------------------------------- search
  function setupSearch() {
    const input = $("#search");
    const list = $("#suggestions");
    let timer = null;
    let seq = 0;
    let items = [];
    let active = -1;
    const close = () => {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    };
    const setActive = (i) => {
      active = i;
      $$("li", list).forEach((li, j) => li.setAttribute("aria-selected", String(j === i)));
      if (i >= 0 && items[i]) {
        input.setAttribute("aria-activedescendant", `sugg-${i}`);
        const li = $(`#sugg-${i}`);
        if (li) li.scrollIntoView({ block: "nearest" });
      } else input.removeAttribute("aria-activedescendant");
    };
    const render = () => {
      list.innerHTML = "";
      if (!items.length) {
        const li = document.createElement("li");
        li.className = "empty";
        li.textContent = t("no_results");
        list.appendChild(li);
      }
      items.forEach((r, i) => {
        const li = document.createElement("li");
        li.id = `sugg-${i}`;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.dataset.code = r.code;
        const where = r.level === "gemeente" ? "" : ` · ${r.gemeente_name || ""}`;
        li.innerHTML = `<span class="s-name">${esc(r.name)}</span> <span class="s-meta">${esc(t("level_" + r.level))}${esc(where)} · ${esc(r.code)}</span>`;
        li.addEventListener("mousedown", (e) => {
          e.preventDefault();
          choose(i);
        });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      setActive(items.length ? 0 : -1);
    };
    const choose = (i) => {
      const r = items[i];
      if (!r) return;
      input.value = r.name;
      close();
      selectRegion(r.code, { level: r.level, fly: true, focusPanel: true });
    };
    const query = async () => {
      const q = input.value.trim();
      if (q.length < 2) {
        items = [];
        close();
        return;
      }
      const my = ++seq;
      try {
        const r = await api(`api/regions?${qs({ q, limit: 10 })}`);
        if (my !== seq) return;
        items = (r.data || []).filter((x) => LEVELS.includes(x.level));
        render();
      } catch (e) {
        if (my === seq) status(`${t("load_error")}: ${e.message}`, true);
      }
    };
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(query, 180);
    });
    input.addEventListener("keydown", async (e) => {
      if (e.key === "ArrowDown") {
        e.preventDefault();
        if (list.hidden) return query();
        setActive(Math.min(items.length - 1, active + 1));
      } else if (e.key === "ArrowUp") {
        e.preventDefault();
        setActive(Math.max(0, active - 1));
      } else if (e.key === "Enter") {
        e.preventDefault();
        clearTimeout(timer);
        if (list.hidden || !items.length) await query();
        if (items.length) choose(active >= 0 ? active : 0);
      } else if (e.key === "Escape") {
        if (!list.hidden) {
          e.stopPropagation();
          close();
        }
      }
    });
    input.addEventListener("blur", () => setTimeout(close, 150));
    setupSearch.close = close;
    setupSearch.isOpen = () => !list.hidden;
  }

  // ---------------------------------------------------------------- selection & profile
  async function selectRegion(code, opts = {}) {
    code = String(code).toUpperCase();
    const level = opts.level || levelOfCode(code);
    if (level && level !== S.level && availableLevels().includes(level)) {
      S.level = level;
      fixYear();
      buildControls();
      await loadLayer();
    }
    S.sel = code;
    highlight();
    writeUrl();
    const panelWasHidden = $("#profile").hidden;
    await openProfile(code, opts);
    if (opts.fly && D.byCode.has(code)) fitTo([D.byCode.get(code)], true);
    else if (panelWasHidden && opts.fly !== false && D.byCode.has(code)) fitTo([D.byCode.get(code)], false);
  }
  function levelOfCode(code) {
    if (code.startsWith("BU")) return "buurt";
    if (code.startsWith("WK")) return "wijk";
    if (code.startsWith("GM")) return "gemeente";
    return null;
  }
  async function getProfile(code) {
    const key = `${code}|${S.year}|${S.view}|${S.lang}`;
    if (D.profiles.has(key)) return D.profiles.get(key);
    const lvl = levelOfCode(code);
    const year = lvl === S.level ? S.year : null;
    const p = await api(`api/regions/${encodeURIComponent(code)}?${qs({ year, view: S.view, lang: S.lang })}`);
    if (D.profiles.size > 60) D.profiles.clear();
    if (!p.clusters_pending) D.profiles.set(key, p); // ask again later for the clusters
    return p;
  }
  const isSheet = () => window.matchMedia("(max-width: 900px)").matches;
  function showPanel(id, show) {
    const el = $("#" + id);
    const was = !el.hidden;
    el.hidden = !show;
    document.body.classList.toggle(`with-${id}`, show);
    // bottom sheets leave little map: fold the map settings away while one is open
    const details = $("#controls details");
    if (isSheet() && show && !was && details.open) {
      details.open = false;
      details.dataset.folded = "1";
    } else if (!show && was && details.dataset.folded && !document.body.className.match(/with-/)) {
      details.open = true;
      delete details.dataset.folded;
    }
  }
  async function openProfile(code, opts = {}) {
    const panel = $("#profile");
    const body = $("#profile-body");
    showPanel("profile", true);
    $("#profile-title").textContent = D.byCode.get(code)?.properties.name || code;
    body.innerHTML = `<p class="muted">${esc(t("loading"))}</p>`;
    body.setAttribute("aria-busy", "true");
    let p;
    try {
      p = await getProfile(code);
    } catch (e) {
      body.innerHTML = `<p class="error">${esc(t("load_error"))}: ${esc(e.message)}</p>`;
      body.removeAttribute("aria-busy");
      return;
    }
    if (S.sel !== code) return;
    renderProfile(p);
    body.removeAttribute("aria-busy");
    if (p.gemeente && p.gemeente.code) {
      D.gm = { code: p.gemeente.code, name: p.gemeente.name || p.gemeente.code };
      updateDownloads();
    }
    if (opts.focusPanel) panel.focus();
  }
  function closeProfile() {
    showPanel("profile", false);
    S.sel = null;
    highlight();
    writeUrl();
  }
  const trendTxt = (tr) => t("trend_" + (tr || "unknown"));
  const levelTxt = (l) => t("lvl_" + (l || "unknown"));
  function classSwatch(id) {
    const c = D.classById[id];
    if (!c) return "";
    return `<span class="swatch ${id === "insufficient_data" ? "outlined" : ""}" style="background:${c.color}"></span>`;
  }
  function regionButton(r) {
    if (!r || !r.code) return "";
    return `<button type="button" class="linkish" data-goto="${esc(r.code)}" aria-label="${esc(t("open_profile", { name: r.name || r.code }))}">${esc(r.name || r.code)}</button>`;
  }

  function renderProfile(p) {
    const body = $("#profile-body");
    $("#profile-title").textContent = p.name;
    const sig = p.signal;
    const gm = p.gemeente;
    const inCmp = S.cmp.includes(p.code);
    let h = `<p class="meta">${esc(t("level_" + p.level))} · <code>${esc(p.code)}</code>${gm && gm.code !== p.code ? ` · ${esc(gm.name || gm.code)}` : ""}</p>`;
    h += `<div class="actions">
      <button type="button" class="btn small" id="cmp-add" aria-pressed="${inCmp}">${esc(inCmp ? t("compare_added") : t("compare_add"))}</button>
      <a class="btn small" href="api/regions/${encodeURIComponent(p.code)}/report.pdf" target="_blank" rel="noopener">${esc(t("report_pdf"))}</a>
      ${gm ? `<a class="btn small" download href="${esc(exportUrl("csv", gm.code).replace(/level=[a-z]+/, "level=" + (p.level === "gemeente" ? "wijk" : p.level)))}">${esc(t("data_gemeente", { name: gm.name || gm.code }))}</a>` : ""}
    </div>`;
    if (sig) {
      const c = D.classById[sig.class] || { color: "#ccc" };
      const view = t(sig.view === "relative" ? "view_relative_long" : "view_absolute_long");
      h += `<section class="signal-box" style="--sig:${c.color}">
        <div class="sig-label">${classSwatch(sig.class)}<span>${esc(lbl(sig, "label"))}</span></div>
        <p>${esc(lbl(sig, "description"))}</p>
        <p class="muted small">${esc(t("signal_year", { year: sig.year, view, window: sig.window }))}</p>
        <table class="axes"><thead><tr><th></th><th>${esc(t("score"))}</th><th>${esc(t("level_word"))}</th><th>${esc(t("trend"))}</th></tr></thead><tbody>
        ${["composition", "problems"]
          .map((a) => {
            const x = sig[a] || {};
            return `<tr><th scope="row">${esc(t(a))}</th><td>${esc(fmt(x.score, 0))}</td><td>${esc(levelTxt(x.level))}</td><td class="trend-${esc(x.trend || "unknown")}">${esc(trendTxt(x.trend))}</td></tr>`;
          })
          .join("")}
        </tbody></table>
      </section>`;
      const reasons = sig.reasons || [];
      h += `<section><h3>${esc(t("reasons"))}</h3>`;
      h += reasons.length
        ? `<ul class="reasons">${reasons
            .map((r) => `<li class="axis-${esc(r.axis)}"><span class="axis-tag">${esc(t(r.axis))}</span> ${esc(lbl(r, "sentence"))}</li>`)
            .join("")}</ul>`
        : `<p class="muted">${esc(t("no_reasons"))}</p>`;
      h += `</section>`;
      const sv = sig.sensitivity;
      if (sv) {
        h += `<section><h3>${esc(t("sensitivity"))}</h3><p class="${sv.stable_under_variations ? "" : "warn"}">${esc(
          sv.stable_under_variations ? t("sens_stable", { n: sv.variations }) : t("sens_changed", { k: sv.variations_changed, n: sv.variations }),
        )}</p></section>`;
      }
    } else {
      h += `<section class="signal-box"><p>${esc(t("no_signal"))}</p></section>`;
    }
    h += `<section><h3>${esc(t("clusters"))}</h3>`;
    if (p.clusters && (p.clusters.composition || p.clusters.problems)) {
      h += `<dl class="kv"><dt>${esc(t("cluster_composition"))}</dt><dd>${esc(p.clusters.composition ?? "–")}</dd><dt>${esc(t("cluster_problems"))}</dt><dd>${esc(p.clusters.problems ?? "–")}</dd></dl>`;
    } else h += `<p class="muted">${esc(p.clusters_pending ? t("clusters_pending") : t("clusters_off"))}</p>`;
    h += `</section>`;

    h += `<section><h3>${esc(t("trends"))}</h3>${chartLegend()}<div class="charts">${chartsHtml(p)}</div></section>`;
    h += allFiguresHtml(p);

    const places = [];
    if (p.parent && p.parent.code) places.push(`<dt>${esc(t("parent"))}</dt><dd>${regionButton(p.parent)}</dd>`);
    if (gm && gm.code && gm.code !== p.code && (!p.parent || p.parent.code !== gm.code)) places.push(`<dt>${esc(t("gemeente"))}</dt><dd>${regionButton(gm)}</dd>`);
    if (p.children && p.children.length)
      places.push(`<dt>${esc(t("children"))} (${p.children.length})</dt><dd><ul class="children">${p.children.map((c) => `<li>${regionButton(c)}</li>`).join("")}</ul></dd>`);
    if (places.length) h += `<section><dl class="kv places">${places.join("")}</dl></section>`;

    const br = p.series_breaks || [];
    h += `<section><h3>${esc(t("series_breaks"))}</h3>`;
    h += br.length
      ? `<ul class="breaks">${br.map((b) => `<li><b>${esc(b.previous_year ?? "")}→${esc(b.year)}</b> ${esc(b.reason)}</li>`).join("")}</ul>`
      : `<p class="muted">${esc(t("no_breaks"))}</p>`;
    h += `</section>`;
    body.innerHTML = h;

    $("#cmp-add").addEventListener("click", () => toggleCompare(p.code));
    $$("[data-goto]", body).forEach((b) => b.addEventListener("click", () => selectRegion(b.dataset.goto, { fly: true, focusPanel: true })));
  }

  // ---------------------------------------------------------------- charts (inline SVG)
  function chartLegend() {
    return `<div class="chart-legend small"><span><i class="l-region"></i>${esc(t("chart_region"))}</span>
      <span><i class="l-gm"></i>${esc(t("chart_gm_median"))}</span><span><i class="l-all"></i>${esc(t("chart_all_median"))}</span></div>`;
  }
  const featured = (i) => (D.indById[i.id] || {}).featured;
  // Every KWB figure of the region, latest year, grouped by CBS topic (the charts show the
  // featured ones only: a profile with 150 charts helps nobody at a meeting table).
  function allFiguresHtml(p) {
    const rows = {};
    let n = 0;
    for (const i of p.indicators || []) {
      const s = (i.series || []).filter((d) => typeof d.value === "number");
      const meta = D.indById[i.id];
      if (!s.length || !meta || i.unit === "code") continue;
      const last = s[s.length - 1];
      (rows[meta.topic_label] ||= []).push(
        `<tr><th scope="row">${esc(lbl(i, "label"))}</th><td>${esc(fmt(last.value, i.decimals ?? 1))}</td><td class="muted">${esc(i.unit === "aantal" ? "" : i.unit)}</td><td class="muted">${last.year}</td></tr>`,
      );
      n += 1;
    }
    if (!n) return "";
    const groups = Object.entries(rows)
      .map(([topic, trs]) => `<tr class="group"><th colspan="4">${esc(topic)}</th></tr>${trs.join("")}`)
      .join("");
    return `<section><details><summary>${esc(t("all_figures", { n }))}</summary><table class="figures">${groups}</table></details></section>`;
  }
  function chartsHtml(p) {
    const inds = (p.indicators || [])
      .filter((i) => featured(i) && i.unit !== "code" && (i.series || []).some((s) => typeof s.value === "number"))
      .sort((a, b) => {
        const da = DOMAIN_ORDER.indexOf(a.domain);
        const db = DOMAIN_ORDER.indexOf(b.domain);
        if (da !== db) return da - db;
        return (a.direction === "0") - (b.direction === "0");
      });
    return inds.map((i) => chartSvg(i)).join("");
  }
  function chartSvg(ind) {
    const W = 172;
    const H = 92;
    const m = { l: 34, r: 6, t: 6, b: 16 };
    const region = (ind.series || []).filter((d) => typeof d.value === "number").map((d) => [d.year, d.value]);
    const gmm = (ind.median_in_gemeente || []).filter((d) => typeof d.median === "number").map((d) => [d.year, d.median]);
    const all = (ind.median_all || []).filter((d) => typeof d.median === "number").map((d) => [d.year, d.median]);
    const pts = [...region, ...gmm, ...all];
    let x0 = Math.min(...pts.map((d) => d[0]));
    let x1 = Math.max(...pts.map((d) => d[0]));
    // keep the x axis near the region's own years
    const rx0 = Math.min(...region.map((d) => d[0]));
    if (rx0 - x0 > 6) x0 = rx0 - 2;
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
    const pad = (y1 - y0) * 0.08;
    y0 -= pad;
    y1 += pad;
    const sx = (x) => m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
    const sy = (y) => H - m.b - ((y - y0) / (y1 - y0)) * (H - m.t - m.b);
    const path = (ds) => ds.filter(inX).map((d, i) => `${i ? "L" : "M"}${sx(d[0]).toFixed(1)},${sy(d[1]).toFixed(1)}`).join("");
    const dec = Math.abs(y1) >= 1000 ? 0 : ind.decimals ?? 1;
    const compact = (v) =>
      Math.abs(v) >= 10000 ? new Intl.NumberFormat(S.lang === "en" ? "en-GB" : "nl-NL", { notation: "compact", maximumFractionDigits: 1 }).format(v) : fmt(v, dec);
    const label = lbl(ind, "label");
    const unit = ind.unit && ind.unit !== "aantal" ? ind.unit : "";
    const desc = region.map((d) => `${d[0]}: ${fmt(d[1], ind.decimals ?? 1)}`).join(", ");
    let s = `<figure class="chart"><figcaption title="${esc(label)}">${esc(label)}${unit ? ` <span class="muted">(${esc(unit)})</span>` : ""}</figcaption>`;
    s += `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(label)}: ${esc(desc)}">`;
    s += `<line class="axis" x1="${m.l}" y1="${H - m.b}" x2="${W - m.r}" y2="${H - m.b}"/>`;
    s += `<text class="tick" x="${m.l - 3}" y="${m.t + 7}" text-anchor="end">${esc(compact(y1 - pad))}</text>`;
    s += `<text class="tick" x="${m.l - 3}" y="${H - m.b}" text-anchor="end">${esc(compact(y0 + pad))}</text>`;
    s += `<text class="tick" x="${sx(x0)}" y="${H - 3}" text-anchor="start">${x0}</text>`;
    s += `<text class="tick" x="${sx(x1)}" y="${H - 3}" text-anchor="end">${x1}</text>`;
    if (S.year && S.year > x0 && S.year < x1) s += `<line class="yr" x1="${sx(S.year)}" x2="${sx(S.year)}" y1="${m.t}" y2="${H - m.b}"/>`;
    if (all.length) s += `<path class="l-all" d="${path(all)}"/>`;
    if (gmm.length) s += `<path class="l-gm" d="${path(gmm)}"/>`;
    s += `<path class="l-region" d="${path(region)}"/>`;
    for (const d of region.filter(inX)) s += `<circle class="p-region" cx="${sx(d[0]).toFixed(1)}" cy="${sy(d[1]).toFixed(1)}" r="2.2"><title>${d[0]}: ${esc(fmt(d[1], ind.decimals ?? 1))}</title></circle>`;
    s += `</svg></figure>`;
    return s;
  }

  // ---------------------------------------------------------------- compare
  function toggleCompare(code) {
    if (S.cmp.includes(code)) S.cmp = S.cmp.filter((c) => c !== code);
    else S.cmp = [...S.cmp, code];
    highlight();
    writeUrl();
    $("#compare-count").textContent = S.cmp.length;
    const b = $("#cmp-add");
    if (b) {
      const on = S.cmp.includes(code);
      b.setAttribute("aria-pressed", String(on));
      b.textContent = on ? t("compare_added") : t("compare_add");
    }
    if (!$("#compare").hidden) renderCompare();
  }
  function openCompare(show, focus) {
    showPanel("compare", show);
    S.panel = show ? "compare" : null;
    $("#compare-toggle").setAttribute("aria-expanded", String(show));
    writeUrl();
    if (show) {
      renderCompare();
      if (focus) $("#compare").focus();
    }
  }
  async function renderCompare() {
    const body = $("#compare-body");
    $("#compare-count").textContent = S.cmp.length;
    if (!S.cmp.length) {
      body.innerHTML = `<p class="muted">${esc(t("compare_empty"))}</p>`;
      return;
    }
    body.innerHTML = `<p class="muted">${esc(t("loading"))}</p>`;
    const profiles = await Promise.all(S.cmp.map((c) => getProfile(c).catch((e) => ({ code: c, name: c, error: e.message }))));
    const keyInds = [];
    const seen = new Set();
    for (const p of profiles)
      for (const i of p.indicators || []) {
        if (seen.has(i.id) || i.unit === "code" || !featured(i) || (i.direction === "0" && i.id !== "population")) continue;
        seen.add(i.id);
        keyInds.push(i);
      }
    keyInds.sort((a, b) => DOMAIN_ORDER.indexOf(a.domain) - DOMAIN_ORDER.indexOf(b.domain));
    const latest = (p, id) => {
      const ind = (p.indicators || []).find((i) => i.id === id);
      if (!ind) return null;
      const yr = (p.signal && p.signal.year) || S.year || 9999;
      const s = ind.series.filter((d) => typeof d.value === "number" && d.year <= yr);
      return s.length ? { v: s[s.length - 1].value, y: s[s.length - 1].year, dec: ind.decimals ?? 1 } : null;
    };
    const cell = (p, f) => `<td>${p.error ? "" : f(p)}</td>`;
    const row = (label, f, cls = "") => `<tr class="${cls}"><th scope="row">${esc(label)}</th>${profiles.map((p) => cell(p, f)).join("")}</tr>`;
    let h = `<table class="cmp"><thead><tr><th scope="col"><span class="sr-only">${esc(t("name"))}</span></th>`;
    h += profiles
      .map(
        (p) => `<th scope="col" data-code="${esc(p.code)}"><button type="button" class="linkish" data-goto="${esc(p.code)}">${esc(p.name)}</button>
        <button type="button" class="close small" data-remove="${esc(p.code)}" aria-label="${esc(t("compare_remove"))} ${esc(p.name)}">×</button>
        <div class="muted small">${esc(p.error || (p.gemeente && p.gemeente.code !== p.code ? p.gemeente.name : t("level_" + p.level)))}</div></th>`,
      )
      .join("");
    h += `</tr></thead><tbody>`;
    h += row(t("signal"), (p) => (p.signal ? `${classSwatch(p.signal.class)}${esc(lbl(p.signal, "label"))} <span class="muted small">${p.signal.year}</span>` : "–"));
    for (const a of ["composition", "problems"]) {
      h += row(`${t(a)}: ${t("score").toLowerCase()}`, (p) => esc(p.signal ? fmt(p.signal[a].score, 0) : "–"));
      h += row(`${t(a)}: ${t("trend").toLowerCase()}`, (p) => (p.signal ? `<span class="trend-${esc(p.signal[a].trend)}">${esc(trendTxt(p.signal[a].trend))}</span>` : "–"));
    }
    h += row(t("stable_under_variations"), (p) => (p.signal ? esc(p.signal.sensitivity.stable_under_variations ? t("yes") : t("no")) : "–"));
    h += `<tr class="group"><th colspan="${profiles.length + 1}">${esc(t("key_indicators"))}</th></tr>`;
    for (const i of keyInds) {
      const unit = i.unit && i.unit !== "aantal" ? ` (${i.unit})` : "";
      h += row(`${lbl(i, "label")}${unit}`, (p) => {
        const v = latest(p, i.id);
        return v ? `${esc(fmt(v.v, v.dec))} <span class="muted small">${v.y}</span>` : "–";
      });
    }
    h += `</tbody></table>`;
    if (profiles.length < 2) h = `<p class="muted">${esc(t("compare_one"))}</p>` + h;
    body.innerHTML = h;
    $$("[data-remove]", body).forEach((b) => b.addEventListener("click", () => toggleCompare(b.dataset.remove)));
    $$("[data-goto]", body).forEach((b) => b.addEventListener("click", () => selectRegion(b.dataset.goto, { fly: true })));
  }

  // ---------------------------------------------------------------- wiring
  function refreshOpenPanels() {
    if (S.sel && !$("#profile").hidden) openProfile(S.sel);
    if (!$("#compare").hidden) renderCompare();
  }
  function setupControls() {
    $$('input[name="level"]').forEach((i) =>
      i.addEventListener("change", async () => {
        S.level = i.value;
        fixYear();
        buildControls();
        writeUrl();
        await loadLayer();
        fitFocus();
      }),
    );
    $$('input[name="view"]').forEach((i) =>
      i.addEventListener("change", async () => {
        S.view = i.value;
        writeUrl();
        updateDownloads();
        await loadLayer();
        refreshOpenPanels();
      }),
    );
    $("#year").addEventListener("change", async (e) => {
      S.year = Number(e.target.value);
      writeUrl();
      updateDownloads();
      await loadLayer();
      refreshOpenPanels();
    });
    $("#layer").addEventListener("change", async (e) => {
      S.layer = e.target.value;
      writeUrl();
      if (D.indById[S.layer] || D.layerIndicator) await loadLayer();
      else styleLayer();
    });
    $$(".lang button").forEach((b) => b.addEventListener("click", () => setLang(b.dataset.lang)));
    $$("[data-close]").forEach((b) =>
      b.addEventListener("click", () => (b.dataset.close === "profile" ? closeProfile() : openCompare(false))),
    );
    $("#compare-toggle").addEventListener("click", () => openCompare($("#compare").hidden, true));
    $("#compare-clear").addEventListener("click", () => {
      S.cmp = [];
      highlight();
      writeUrl();
      renderCompare();
    });
    document.addEventListener("keydown", (e) => {
      if (e.key !== "Escape") return;
      if (setupSearch.isOpen && setupSearch.isOpen()) return setupSearch.close();
      const inCompare = $("#compare").contains(document.activeElement);
      if (!$("#profile").hidden && !inCompare) {
        closeProfile();
        $("#search").focus();
      } else if (!$("#compare").hidden) {
        openCompare(false);
        $("#compare-toggle").focus();
      }
    });
  }
  async function setLang(lang) {
    if (lang === S.lang) return;
    S.lang = lang;
    applyI18n();
    writeUrl();
    try {
      await loadVocab();
    } catch (e) {
      status(`${t("load_error")}: ${e.message}`, true);
    }
    buildLayerSelect();
    updateDownloads();
    styleLayer();
    setAttribution();
    if (lastStatus) statusKey(...lastStatus);
    refreshOpenPanels();
  }

  async function init() {
    performance.mark("wr:init");
    readUrl();
    applyI18n();
    setMapStatus("init");
    setupSearch();
    setupControls();
    // Start the map layer and the map itself at once; the year defaults to the API's default year.
    const hashZoom = Number((location.hash.match(/map=([\d.]+)\//) || [])[1]);
    const initialZoom = hasHash && hashZoom ? hashZoom : 11;
    const prefetched = api(layerUrl(initialZoom)).catch(() => null);
    const first = Promise.all([api("api/health"), loadVocab()]);
    const mapReady = createMap();
    try {
      const [health] = await first;
      performance.mark("wr:vocab");
      D.health = health;
    } catch (e) {
      status(`${t("load_error")}: ${e.message}`, true);
      setMapStatus("error:" + e.message);
      return;
    }
    const avail = availableLevels();
    const early = S.level;
    if (!avail.includes(S.level)) S.level = avail.includes("buurt") ? "buurt" : avail[avail.length - 1] || "gemeente";
    fixYear();
    if (S.sel && levelOfCode(S.sel) === "gemeente") D.gm = { code: S.sel, name: null };
    else if (S.sel && /^(BU|WK)/.test(S.sel)) D.gm = { code: "GM" + S.sel.slice(2, 6), name: null };
    buildControls();
    $("#compare-count").textContent = S.cmp.length;
    writeUrl();
    await mapReady;
    addLayers();
    const fresh = early !== S.level || !["signal", "composition", "problems"].includes(S.layer);
    await loadLayer({ zoom: initialZoom, prefetched: fresh ? null : prefetched, fit: !hasHash && !S.sel });
    if (!hasHash && S.sel && D.byCode.has(S.sel)) fitTo([D.byCode.get(S.sel)], false);
    map.on("moveend", () => {
      if (D.geo && neededBucket(map.getZoom()) > D.zoom) loadLayer();
    });
    nameGemeente();
    if (S.sel) openProfile(S.sel);
    if (S.panel === "compare") openCompare(true);
  }

  window.wijkradar = { state: S, data: D, selectRegion, get map() { return map; } };
  document.addEventListener("DOMContentLoaded", init);
})();
