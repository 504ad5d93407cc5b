"""Benchmark: `wijkradar build` on the real data and on a SYNTHETIC national-scale set.

Run: ``make bench`` (or ``.venv/bin/python benchmarks/bench_build.py [--years N]``).

Each measurement runs in a fresh subprocess so peak memory (max RSS) is its own. Printed side by
side with the baseline it names: *naive pandas* — ``pandas.read_csv`` of every file, all columns
as text, concatenated (no parsing of markers, no harmonising, no writing), i.e. the least a
script must do to get the same files into one frame.
Goal (issues #2, #8): national-scale build (~110 KWB columns) under 30 s and 2 GB peak on 2 cores.

"source values" are the cells read (baseline: every cell of every CSV as text; wijkradar: every
numeric cell of every value file, parsed with CBS's markers); "rows" are the output rows (baseline:
wide rows; wijkradar: long panel rows). What bounds the build (12 × 110 columns, 25 M panel
rows): reading the 12 files (about 40 % of the wall time: the pandas C tokenizer and number
parsing, one file at a time on one core), then combining, deriving, suppressing and sorting the
panel (about 35 %, all on category codes and int64 keys: no multi-column sorts or hashes of the
whole panel), then the region table, quality report and Parquet. Memory is bounded by the
harmonised rows kept per file (~16 bytes per panel row) and one sorted copy of the panel.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
mode, data, out = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
t0 = time.perf_counter()
if mode == "wijkradar":
    from wijkradar.panel.build import build
    res = build(data, out)
    rows, cells = res.rows, sum(f.rows for f in res.report.files)
else:
    import gzip, pandas as pd
    frames = []
    for p in sorted(data.rglob("*.csv*")):
        if "statline" in p.name:
            frames.append(pd.read_csv(p, sep=";", skiprows=[0, 1, 2, 4], dtype=str,
                                      encoding="utf-8-sig"))
        else:
            frames.append(pd.read_csv(p, sep=None, engine="python", dtype=str))
    wide = pd.concat(frames, ignore_index=True)
    rows, cells = len(wide), int(wide.size)
wall = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
extra = {}
if mode == "wijkradar":  # measured after the clock stopped
    import pyarrow.compute as pc, pyarrow.parquet as pq
    panel = Path(out) / "panel.parquet"
    extra = {
        "indicators": len(pc.unique(pq.read_table(panel, columns=["indicator"])["indicator"])),
        "panel_mb": panel.stat().st_size / 2**20,
        "dataset_mb": sum(p.stat().st_size for p in Path(out).rglob("*") if p.is_file()) / 2**20,
    }
print(json.dumps({"wall": wall, "peak_mb": peak, "rows": rows, "cells": cells, **extra}))
"""


def run(mode: str, data: Path, out: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(data), str(out)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{mode} on {data} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def line(label: str, r: dict, base: dict | None) -> str:
    text = (
        f"  {label:<22} {r['wall']:7.2f} s  {r['peak_mb']:7.0f} MB peak  "
        f"{r['cells']:>11,} source values  {r['cells'] / r['wall']:>11,.0f} values/s  "
        f"→ {r['rows']:>9,} rows ({r['rows'] / r['wall']:>9,.0f} rows/s)"
    )
    if base:
        text += f"  [{r['wall'] / base['wall']:.1f}× baseline time]"
    if "indicators" in r:
        text += (
            f"\n  {'':<22} {r['indicators']} indicators; on disk: panel.parquet "
            f"{r['panel_mb']:.1f} MB, whole dataset {r['dataset_mb']:.1f} MB"
        )
    return text


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--years", type=int, default=12, help="synthetic editions (default 12)")
    ap.add_argument("--skip-real", action="store_true")
    args = ap.parse_args()
    sys.path.insert(0, str(HERE))
    import synthetic

    cores = os.cpu_count()
    print(f"wijkradar build benchmark — {cores} cores, Python {sys.version.split()[0]}")
    real = Path(os.environ.get("WIJKRADAR_DATA", ROOT.parent / "shared" / "data"))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if real.is_dir() and not args.skip_real:
            print(f"\n(a) real data: {real}")
            base = run("naive", real, str(tmp / "n"))
            print(line("naive pandas baseline", base, None))
            print(line("wijkradar build", run("wijkradar", real, str(tmp / "a")), base))
        syn = HERE / ".synthetic" / f"national_{args.years}y"
        print(
            f"\n(b) SYNTHETIC national scale (15,000 buurten, 3,200 wijken, 350 gemeenten, "
            f"{args.years} years, {synthetic.N_COLUMNS} KWB columns from the catalogue; "
            f"generated into {syn})"
        )
        synthetic.generate(syn, years=synthetic.YEARS[: args.years])
        base = run("naive", syn, str(tmp / "n2"))
        print(line("naive pandas baseline", base, None))
        res = run("wijkradar", syn, str(tmp / "b"))
        print(line("wijkradar build", res, base))
        verdict = "meets" if res["wall"] < 30 and res["peak_mb"] < 2048 else "MISSES"
        print(
            f"\n  goal < 30 s and < 2048 MB: {verdict} "
            f"({res['wall']:.1f} s, {res['peak_mb']:.0f} MB)"
        )


if __name__ == "__main__":
    main()
