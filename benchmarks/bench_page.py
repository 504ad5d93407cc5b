"""Benchmark: the web page in headless Chromium — time to the first rendered buurt polygons.

Run: ``.venv/bin/python benchmarks/bench_page.py [--runs 4] [--no-real] [--no-synthetic]``.

Two datasets:

- a SYNTHETIC national-scale one (``bench_api.synthetic_dataset``: ~15,000 buurten from
  ``benchmarks/synthetic.py`` with a SYNTHETIC 500 m square grid as their geometry — nothing
  real), whose national buurt layer the page loads in one request;
- the real data (``../shared/data``), when present.

The server is the real app (``bench_api.start_server``: ``uvicorn --factory`` on 127.0.0.1, one
worker, clusters off). Each run opens a fresh browser context (empty HTTP cache) on ``/`` and waits
for ``window.mapStatus = 'idle:<n>'``; the page records ``window.mapFirstPolygonsAt``
(``performance.now()`` at the first MapLibre ``idle`` with rendered polygons, i.e. milliseconds
since navigation start). Run 1 hits a server that has not built the layer yet (*server cold*);
the median of the other runs is *server warm*. Bytes are the Resource Timing transfer sizes
(compressed, on the wire) and decoded sizes of every request of the page. Baseline printed
beside it: the same page's static files alone (HTML, JS, CSS, MapLibre) — what any page with
this map library pays before the first API call. Goal (issue): first polygons within 1.5 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

GOAL_MS = 1500.0
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--enable-unsafe-swiftshader",
]
RESOURCES = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const rs = performance.getEntriesByType('resource');
  const all = [nav, ...rs];
  const sum = (xs, k) => xs.reduce((a, e) => a + (e[k] || 0), 0);
  const api = rs.filter(e => e.name.includes('/api/'));
  const map = rs.filter(e => e.name.includes('/api/map/'));
  const stat = all.filter(e => !e.name.includes('/api/'));
  return {n: all.length, wire: sum(all, 'transferSize'), decoded: sum(all, 'decodedBodySize'),
          api_wire: sum(api, 'transferSize'), map_wire: sum(map, 'transferSize'),
          map_decoded: sum(map, 'decodedBodySize'), static_wire: sum(stat, 'transferSize'),
          map_ms: map.length ? map[0].responseEnd - map[0].startTime : null,
          static_ms: Math.max(...stat.map(e => e.responseEnd))};
}"""


def measure(browser, base: str, viewport: dict) -> dict:
    ctx = browser.new_context(viewport=viewport)
    page = ctx.new_page()
    outside = []
    page.on(
        "request",
        lambda r: None if r.url.startswith((base, "data:", "blob:")) else outside.append(r.url),
    )
    page.goto(base + "/")
    page.wait_for_function(
        "window.mapFirstPolygonsAt || (window.mapStatus || '').startsWith('error')", timeout=120_000
    )
    out = page.evaluate(RESOURCES)
    out["first_ms"] = page.evaluate("window.mapFirstPolygonsAt")
    page.wait_for_function("(window.mapStatus || '').startsWith('idle')", timeout=120_000)
    out["status"] = page.evaluate("window.mapStatus")
    out["features"] = page.evaluate("window.wijkradar.data.geo.features.length")
    out["external"] = len(outside)
    ctx.close()
    return out


def kb(n: float) -> str:
    return f"{n / 1024:,.0f} KB"


def start_server(dataset: Path, port: int):
    """``uvicorn --factory wijkradar.web.app:app_from_env`` (one worker, clusters off); waits for
    /api/health only — signals not yet warmed are part of the *server cold* run."""
    import os
    import subprocess
    import time

    import httpx

    env = dict(os.environ, WIJKRADAR_DATASET=str(dataset), WIJKRADAR_WARM_CLUSTERS="0")
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "wijkradar.web.app:app_from_env",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    proc = subprocess.Popen(cmd, env=env)
    for _ in range(1200):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=5).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("server did not start")


def bench(dataset: Path, label: str, args) -> None:
    from bench_api import free_port
    from playwright.sync_api import sync_playwright

    port = free_port()
    proc = start_server(dataset, port)
    base = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=ARGS
            )
            runs = [
                measure(browser, base, {"width": 1366, "height": 768}) for _ in range(args.runs)
            ]
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    cold, warm = runs[0], runs[1:] or runs
    med = lambda k: statistics.median(r[k] for r in warm)  # noqa: E731
    print(f"\n## {label}")
    print(
        f"   layer: {warm[-1]['features']:,} buurt polygons in the map layer; rendered on screen: "
        f"{warm[-1]['status']}; requests outside the server: {max(r['external'] for r in runs)}"
    )
    print(
        f"   first polygons, server cold (run 1):  {cold['first_ms']:7.0f} ms"
        f"   (map layer request {cold['map_ms']:.0f} ms)"
    )
    print(
        f"   first polygons, server warm (median of {len(warm)}): {med('first_ms'):7.0f} ms"
        f"   (map layer request {med('map_ms'):.0f} ms)   goal < {GOAL_MS:.0f} ms: "
        f"{'met' if med('first_ms') < GOAL_MS else 'NOT met'}"
    )
    print(
        f"   baseline: static files alone done at {med('static_ms'):7.0f} ms, "
        f"{kb(med('static_wire'))} on the wire"
    )
    print(
        f"   bytes: page total {kb(med('wire'))} on the wire ({kb(med('decoded'))} decoded), "
        f"of which API {kb(med('api_wire'))}; map layer {kb(med('map_wire'))} gzip "
        f"({kb(med('map_decoded'))} GeoJSON)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--runs", type=int, default=4, help="page loads per dataset (run 1 = server cold)"
    )
    ap.add_argument("--real", type=Path, default=HERE.parent.parent / "shared" / "data")
    ap.add_argument("--no-real", action="store_true")
    ap.add_argument("--no-synthetic", action="store_true")
    ap.add_argument("--rebuild", action="store_true", help="rebuild the cached SYNTHETIC dataset")
    args = ap.parse_args()
    from bench_api import synthetic_dataset

    from wijkradar.panel.build import build

    with tempfile.TemporaryDirectory() as tmp:
        if not args.no_synthetic:
            # cached (gitignored) between runs: the SYNTHETIC build takes about a minute
            ds = HERE / ".synthetic" / "bench_page_dataset"
            if args.rebuild or not (ds / "manifest.json").exists():
                import shutil

                shutil.rmtree(ds, ignore_errors=True)
                synthetic_dataset(ds)
            bench(ds, "SYNTHETIC national dataset (500 m grid squares, ~15,000 buurten)", args)
        if not args.no_real and args.real.is_dir():
            ds = build(args.real, Path(tmp) / "real").path
            bench(ds, f"real data ({args.real})", args)


if __name__ == "__main__":
    main()
