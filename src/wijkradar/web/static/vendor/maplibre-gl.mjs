/* MapLibre GL JS 5 as an ES module, for the import map in index.html
   (`import { Map } from "maplibre-gl"`). Hand-written; the build beside it is vendored from npm
   (maplibre-gl.js, the UMD build: see web/README.md).

   The UMD build runs as a module unchanged: its factory is strict code, and with neither
   `exports` nor `define` defined it sets globalThis.maplibregl, which this file re-exports (the
   default export, and by name what js/map.js uses). maplibre-gl 6 ships ES modules only: vendor
   its module and point the import map's one line at it; this file and the UMD build then go. */
import "./maplibre-gl.js";

const maplibregl = globalThis.maplibregl;
if (!maplibregl) throw new Error("vendor/maplibre-gl.js did not define maplibregl");

export default maplibregl;
export const { Map, NavigationControl, ScaleControl, AttributionControl } = maplibregl;
