/* CBS region codes carry their level and gemeente, as wijkradar.codes says (level_of, gemeente_of):
   GM0363 is a gemeente, WK036300 a wijk and BU03630001 a buurt, both in GM0363.

   The one place the page reads a code. It needs to where it has nothing but a code: a `sel` or
   `cmp` in a shared link, a code handed to window.wijkradar.selectRegion, and the features of a
   map layer (/api/map sends code, name and figures). Everywhere else the level and gemeente come
   with the API's data (search results, profiles). */

const LEVEL_OF_PREFIX = { GM: "gemeente", WK: "wijk", BU: "buurt" };

/** "BU03630001" → "buurt"; null for anything else. */
export const levelOfCode = (code) => LEVEL_OF_PREFIX[String(code).slice(0, 2)] ?? null;

/** "BU03630001" → "GM0363" (a gemeente code → itself); null for anything else. */
export const gemeenteOfCode = (code) => (levelOfCode(code) ? `GM${String(code).slice(2, 6)}` : null);
