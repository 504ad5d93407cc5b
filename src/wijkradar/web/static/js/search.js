/* The search box: an ARIA combobox over /api/regions?q= (names and code prefixes). */
import { api, qs } from "./api.js";
import { $, $$, h } from "./dom.js";
import { t } from "./i18n.js";
import { data } from "./state.js";
import { statusError } from "./status.js";

const MIN_CHARS = 2;
const DEBOUNCE_MS = 180; // typing pause before a request
const BLUR_CLOSE_MS = 150; // lets a click on a suggestion land before the list closes
const LIMIT = 10;

/** Wire #search and #suggestions; onChoose(region) with a search result {code, name, level}. */
export function setup({ onChoose }) {
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
      const li = document.getElementById(`sugg-${i}`);
      if (li) li.scrollIntoView({ block: "nearest" });
    } else input.removeAttribute("aria-activedescendant");
  };
  const option = (r, i) => {
    const where = r.level === "gemeente" ? "" : ` · ${r.gemeente_name || ""}`;
    const li = h(
      "li",
      { id: `sugg-${i}`, role: "option", "aria-selected": "false", "data-code": r.code },
      h("span", { class: "s-name" }, r.name),
      " ",
      h("span", { class: "s-meta" }, `${t("level_" + r.level)}${where} · ${r.code}`),
    );
    li.addEventListener("mousedown", (e) => {
      e.preventDefault();
      choose(i);
    });
    return li;
  };
  const render = () => {
    list.replaceChildren(...(items.length ? items.map(option) : [h("li", { class: "empty" }, t("no_results"))]));
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    setActive(items.length ? 0 : -1);
  };
  const choose = (i) => {
    const r = items[i];
    if (!r) return;
    input.value = r.name;
    close();
    onChoose(r);
  };
  const query = async () => {
    const q = input.value.trim();
    if (q.length < MIN_CHARS) {
      items = [];
      close();
      return;
    }
    const my = ++seq;
    try {
      const r = await api(`api/regions?${qs({ q, limit: LIMIT })}`);
      if (my !== seq) return;
      const mapped = data.health?.levels_order ?? [];
      items = (r.data || []).filter((x) => mapped.includes(x.level)); // not the country
      render();
    } catch (e) {
      if (my === seq) statusError(e);
    }
  };
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(query, DEBOUNCE_MS);
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
  input.addEventListener("blur", () => setTimeout(close, BLUR_CLOSE_MS));
  return { close, isOpen: () => !list.hidden };
}
