/* Small DOM helpers. Markup comes from <template> elements in index.html or from h(); every
   value goes in as textContent or an attribute, never as HTML, so nothing needs escaping. */

export const $ = (sel, el = document) => el.querySelector(sel);
export const $$ = (sel, el = document) => Array.from(el.querySelectorAll(sel));

/** A fresh copy of <template id="tpl-NAME">: its element when it holds one, else the fragment. */
export function clone(name) {
  const frag = document.getElementById(`tpl-${name}`).content.cloneNode(true);
  return frag.childElementCount === 1 ? frag.firstElementChild : frag;
}

/** The element marked data-slot="NAME" in root. */
export const slot = (root, name) => root.querySelector(`[data-slot="${name}"]`);

/** h("td", {class: "muted"}, "text", child): an element; null, undefined and false are left out. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined && v !== false) el.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

/** A colour square (legend, tooltip, profile); `outlined` for the white no-data class. */
export function swatch(color, outlined = false) {
  const el = h("span", { class: outlined ? "swatch outlined" : "swatch" });
  if (color) el.style.background = color;
  return el;
}

// style.css turns the panels into bottom sheets below this width
const SHEET_QUERY = "(max-width: 900px)";
export const isSheet = () => window.matchMedia(SHEET_QUERY).matches;

/** Show or hide a panel (#profile, #compare); body.with-ID moves the map controls clear of it. */
export function showPanel(id, show) {
  const el = document.getElementById(id);
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
