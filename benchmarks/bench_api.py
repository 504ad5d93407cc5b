"""Benchmark: the web API under concurrent load — ``/api/regions/{code}`` and ``/api/map/buurt``.

Run: ``.venv/bin/python benchmarks/bench_api.py [--concurrency 50] [--real DIR|--no-real]``.

Two datasets:

- a SYNTHETIC national-scale one (``benchmarks/synthetic.py``: ~15,000 buurten, 12 years) with
  a SYNTHETIC square-grid GeoPackage of its 15,000 buurt codes (``geo/buurt_2024_SYNTHETIC_
  grid.gpkg``, 500 m squares from ``bench_spatial.synthetic_grid``, nothing real) so that
  ``/api/map/buurt`` has polygons;
- the real data (``../shared/data``), when present.

The server is ``uvicorn --factory wijkradar.web.app:app_from_env --workers 2`` on 127.0.0.1
(as ``wijkradar serve --workers 2``; clusters not warmed, so profiles are measured without the
one-off numba compile). The load generator is ``wrk`` (Debian package; C, so the 2 cores mostly
measure the server) with ``--concurrency`` connections for ``--seconds`` per phase, or async
httpx with ``--httpx``. Phases: profiles computed one by one the first time (*cold*), then
``wrk`` over the same codes (served from each worker's cache), and the national buurt map at
zoom 7 and 12 (first request reported separately; then cached). Goal (issue): profile
p95 < 30 ms at 50 connections on 2 cores, zero errors. Baseline printed beside it:
``/api/health`` (the framework's own cost per request).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

HERE = Path(__file__).parent
GOAL_P95_MS = 30.0


def synthetic_dataset(out: Path) -> Path:
    """Build the SYNTHETIC dataset (KWB CSVs + square-grid GeoPackage) into ``out``."""
    sys.path.insert(0, str(HERE))
    import geopandas as gpd
    import synthetic
    from bench_spatial import synthetic_grid

    from wijkradar.panel.build import build

    syn = HERE / ".synthetic" / "national_12y"
    synthetic.generate(syn)
    grid = syn / "geo" / "buurt_2024_SYNTHETIC_grid.gpkg"
    if not grid.exists():
        codes = [c for _, _, kind, c in synthetic.hierarchy() if kind == "Buurt"]
        _, cells = synthetic_grid(math.ceil(math.sqrt(len(codes))))
        cells = cells.iloc[: len(codes)]
        gdf = gpd.GeoDataFrame(
            {"statcode": codes, "statnaam": [f"SYNTHETISCH vak {c}" for c in codes]},
            geometry=cells.geometry.to_numpy(),
            crs="EPSG:28992",
        )
        grid.parent.mkdir(exist_ok=True)
        gdf.to_file(grid, driver="GPKG")
    return build(syn, out).path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(dataset: Path, port: int, workers: int) -> subprocess.Popen:
    """``uvicorn --factory`` with ``workers`` processes, as ``wijkradar serve --workers`` does."""
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
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]
    proc = subprocess.Popen(cmd, env=env)
    # Wait until every worker has warmed its signals (health says so; workers answer at random,
    # so ask until 20 answers in a row are warm).
    in_a_row = 0
    for _ in range(3000):
        try:
            r = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=5)
            in_a_row = in_a_row + 1 if r.status_code == 200 and r.json().get("warm") else 0
            if in_a_row >= 20:
                return proc
        except httpx.HTTPError:
            in_a_row = 0
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("server did not start")


WRK_LUA = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1], {["Accept-Encoding"] = "gzip"})
end
done = function(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.status + e.timeout
  io.write(string.format('WRKJSON {"n": %%d, "errors": %%d, "rps": %%f, "p50": %%f, '
    .. '"p95": %%f, "p99": %%f}', summary.requests, errors,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000))
  io.write("\\n")
end
"""


def run_wrk(base: str, paths: list[str], concurrency: int, seconds: float) -> dict:
    """Load with wrk (C, Debian package): ``concurrency`` connections for ``seconds``."""
    import json

    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(WRK_LUA % ", ".join(f'"{p}"' for p in paths))
        script = fh.name
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{concurrency}",
                f"-d{int(seconds)}s",
                "--timeout",
                "10s",
                "-s",
                script,
                base,
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=True,
        ).stdout
    finally:
        os.unlink(script)
    return json.loads(out.split("WRKJSON", 1)[1])


async def run(client, urls, concurrency: int, cap_s: float) -> dict:
    lat, errors, sem = [], 0, asyncio.Semaphore(concurrency)
    deadline = time.perf_counter() + cap_s

    async def one(u):
        nonlocal errors
        async with sem:
            if time.perf_counter() > deadline:  # the time cap: skip what is still queued
                return
            t0 = time.perf_counter()
            try:
                r = await client.get(u)
                await r.aread()
                ok = r.status_code == 200
            except httpx.HTTPError:
                ok = False
            lat.append(time.perf_counter() - t0)
            errors += not ok

    t0 = time.perf_counter()
    await asyncio.gather(*(one(u) for u in urls))
    wall = time.perf_counter() - t0
    ms = np.array(lat) * 1000 if lat else np.array([np.nan])
    return {
        "n": len(lat),
        "errors": errors,
        "rps": len(lat) / wall,
        **{f"p{q}": float(np.percentile(ms, q)) for q in (50, 95, 99)},
    }


def load(base: str, paths: list[str], args) -> dict:
    """wrk when installed (the server is measured, not the client), else async httpx."""
    if shutil.which("wrk") and not args.httpx:
        return run_wrk(base, paths, args.concurrency, args.seconds)
    urls = [paths[i % len(paths)] for i in range(args.requests)]

    async def go() -> dict:
        # an async client of its own: the sync client the caller holds cannot be awaited
        limits = httpx.Limits(max_connections=args.concurrency)
        headers = {"Accept-Encoding": "gzip"}
        async with httpx.AsyncClient(
            base_url=base, timeout=300, headers=headers, limits=limits
        ) as ac:
            return await run(ac, urls, args.concurrency, args.cap)

    return asyncio.run(go())


def line(name: str, r: dict) -> str:
    return (
        f"  {name:<34} n={r['n']:>5}  {r['rps']:7.1f} req/s  p50 {r['p50']:7.1f}  "
        f"p95 {r['p95']:7.1f}  p99 {r['p99']:7.1f} ms  errors {r['errors']}"
    )


def bench(dataset: Path, label: str, args) -> None:
    import wijkradar

    ds = wijkradar.open_dataset(dataset)
    codes = ds.regions.loc[ds.regions["level"] == "buurt", "code"].astype(str).tolist()
    rng = random.Random(5)
    sample = rng.sample(codes, min(args.profiles, len(codes)))
    port = free_port()
    t0 = time.perf_counter()
    proc = start_server(dataset, port, args.workers)
    base = f"http://127.0.0.1:{port}"
    tool = "wrk" if shutil.which("wrk") and not args.httpx else "async httpx"
    try:
        client = httpx.Client(base_url=base, timeout=300, headers={"Accept-Encoding": "gzip"})
        print(
            f"\n{label}: {len(codes):,} buurten; server: {args.workers} uvicorn worker(s), "
            f"up in {time.perf_counter() - t0:.1f} s; load: {tool}, {args.concurrency} "
            f"connections, {os.cpu_count()} cores shared by server and client"
        )
        print(line("baseline /api/health", load(base, ["/api/health"], args)))
        # Every worker computes the signals of the default year once; then each profile is
        # computed once per worker and cached. Cold = first request of a code (sequential).
        cold = []
        for _ in range(args.workers * 2):
            client.get(f"/api/regions/{sample[0]}")
        for code in sample[1:]:
            t1 = time.perf_counter()
            for _ in range(args.workers):
                client.get(f"/api/regions/{code}")
            cold.append((time.perf_counter() - t1) / args.workers * 1000)
        cold_ms = np.array(cold)
        print(
            f"  /api/regions/{{code}} cold, one by one  n={len(cold):>5}  p50 "
            f"{np.percentile(cold_ms, 50):7.1f}  p95 {np.percentile(cold_ms, 95):7.1f} ms"
        )
        r = load(base, [f"/api/regions/{x}" for x in sample[1:]], args)
        print(line(f"/api/regions/{{code}} ({len(sample) - 1} codes)", r))
        verdict = "meets" if r["p95"] < GOAL_P95_MS and r["errors"] == 0 else "MISSES"
        for zoom in (7, 12):
            t1 = time.perf_counter()
            first = client.get(f"/api/map/buurt?zoom={zoom}")
            t_first = time.perf_counter() - t1
            print(
                f"  /api/map/buurt?zoom={zoom} first      {t_first * 1000:7.0f} ms, "
                f"{len(first.content) / 1e6:.2f} MB gzip, {first.json()['count']:,} features"
            )
            for _ in range(args.workers * 2):
                client.get(f"/api/map/buurt?zoom={zoom}")
            print(
                line(
                    f"/api/map/buurt?zoom={zoom} (cached)",
                    load(base, [f"/api/map/buurt?zoom={zoom}"], args),
                )
            )
        print(
            f"  goal profile p95 < {GOAL_P95_MS:.0f} ms at {args.concurrency} connections, "
            f"zero errors: {verdict} (p95 {r['p95']:.1f} ms)"
        )
    finally:
        proc.terminate()
        proc.wait(20)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--concurrency", type=int, default=50)
    ap.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    ap.add_argument("--seconds", type=float, default=10.0, help="wrk duration per phase")
    ap.add_argument("--httpx", action="store_true", help="load with async httpx, not wrk")
    ap.add_argument("--requests", type=int, default=2000, help="requests per warm phase")
    ap.add_argument("--profiles", type=int, default=150, help="distinct codes (cold phase)")
    ap.add_argument("--map-requests", type=int, default=200)
    ap.add_argument("--cap", type=float, default=90.0, help="seconds per phase at most")
    ap.add_argument("--real", type=Path, default=HERE.parent.parent / "shared" / "data")
    ap.add_argument("--no-real", action="store_true")
    ap.add_argument("--no-synthetic", action="store_true")
    args = ap.parse_args()
    from wijkradar.panel.build import build

    with tempfile.TemporaryDirectory() as tmp:
        if not args.no_synthetic:
            t0 = time.perf_counter()
            ds = synthetic_dataset(Path(tmp) / "syn")
            print(f"SYNTHETIC dataset built in {time.perf_counter() - t0:.0f} s")
            bench(ds, "SYNTHETIC national dataset (grid polygons)", args)
        if not args.no_real and args.real.is_dir():
            ds = build(args.real, Path(tmp) / "real").path
            bench(ds, f"real data ({args.real})", args)


if __name__ == "__main__":
    main()
