/* The JSON API: one fetch wrapper that turns the API's one error shape
   ({ok: false, status, error, errors: [{loc, msg}]}) into an ApiError, and the query string. */
import { state, setVocab } from "./state.js";

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

export async function api(path) {
  const r = await fetch(path, { headers: { Accept: "application/json" } });
  let body = null;
  try {
    body = await r.json();
  } catch (e) {
    body = null;
  }
  if (!r.ok || (body && body.ok === false)) {
    const msg = (body && (body.error || (body.errors && body.errors.map((e) => e.msg ?? e).join("; ")))) || `${r.status} ${r.statusText}`;
    throw new ApiError(msg, r.status);
  }
  return body;
}

/** {a: 1, b: null} → "a=1": empty values are left out. */
export const qs = (o) =>
  Object.entries(o)
    .filter(([, v]) => v !== null && v !== undefined && v !== "")
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join("&");

/** Classes and indicators in the current language, into data. */
export async function loadVocab() {
  const [classes, indicators] = await Promise.all([api(`api/classes?${qs({ lang: state.lang })}`), api(`api/indicators?${qs({ lang: state.lang })}`)]);
  setVocab(classes, indicators);
}
