/* The status line over the map ("Kaart laden…", errors). A message given by key is shown again
   in the new language after a switch (retranslate). */
import { $ } from "./dom.js";
import { t } from "./i18n.js";

let last = null; // [key, vars, isError]

export function status(msg, isError) {
  const el = $("#status");
  el.textContent = msg || "";
  el.classList.toggle("error", !!isError);
  el.hidden = !msg;
}

export function statusKey(key, vars, isError) {
  last = key ? [key, vars, isError] : null;
  status(key ? t(key, vars) : "", isError);
}

export const statusError = (e) => status(`${t("load_error")}: ${e.message}`, true);

export function retranslate() {
  if (last) statusKey(...last);
}
