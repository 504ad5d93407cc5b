"""Benchmark: Markov transitions of the composition score, wijkradar beside giddy written by hand.

Run: ``.venv/bin/python benchmarks/bench_dynamics.py`` (part of ``make bench``). It gets the
SYNTHETIC national panel the way ``bench_signals.py`` does (``synthetic.generate`` into
``benchmarks/.synthetic/national_12y``, ``build`` into a temporary directory: 15,000 buurten ×
12 editions in CBS StatLine format, every value generated, nothing real), then measures in a
fresh child process so its peak memory (max RSS) is the measurement's own, not the build's.

The synthetic KWB files have no boundaries. Unless the build found buurt polygons (a grid left
in the synthetic directory by ``bench_api.py``), the child gives every buurt code the same
SYNTHETIC 500 m square of ``bench_spatial.synthetic_grid`` that ``bench_api.py`` uses, in
memory only (``ds.regions``), so the Spatial Markov and the queen graph have ~15,000 polygons.

A peer, side by side. The natural peer is geosnap (its ``transition`` wraps giddy), but geosnap
is **not** installed and must not be: it pulls in some 54 further, heavy packages, and its
``DataStore`` fetches data over the network, so it breaks offline. The peer is therefore giddy
itself, written the way a researcher would: the composition score per buurt and year
(``ds.axis_scores("absolute")``), cut into per-year quintiles with ``pandas.qcut``, only the
buurten with a value in every edition (``giddy.markov.Markov`` takes an n × t array), then
``giddy.markov.Markov`` and ``giddy.markov.Spatial_Markov`` (discrete, on a row-standardised
``libpysal.weights.Queen`` built from the buurt geometries). Against it:
``ds.transitions(level="buurt", by="composition")`` with its Spatial Markov.

The two need not agree to the digit, and the script says why: wijkradar bands every buurt with
a score in an edition (ties by average rank), pools each buurt's consecutive editions even when
it misses some editions, and never pairs across a series cut; its Spatial Markov drops buurten
without a queen neighbour (the peer keeps them: giddy then takes their own state as the lag).
So wijkradar's pure functions (``bands``, ``pairs``, ``transitions``) are also run on the peer's
balanced set, where the matrices must agree.

The axis scores both start from are computed once first and timed apart. Peak memory: max RSS
of the child after each step, and tracemalloc's peak of each method in a second, untimed pass.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path

import libpysal
import numpy as np
import pandas as pd
from giddy.markov import Markov, Spatial_Markov

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

K = 5
CLASSES = list(range(1, K + 1))


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def with_grid(ds) -> str:
    """Give the buurten SYNTHETIC square polygons unless the build attached some; says which."""
    import synthetic
    from bench_spatial import synthetic_grid

    regions = ds.regions
    buurt = regions["level"] == "buurt"
    have = int((buurt & regions.geometry.notna()).sum())
    if have >= 0.9 * int(buurt.sum()):
        return f"buurt polygons from the build ({have:,})"
    codes = [c for _, _, kind, c in synthetic.hierarchy() if kind == "Buurt"]
    _, cells = synthetic_grid(math.ceil(math.sqrt(len(codes))))
    square = pd.Series(cells.geometry.to_numpy()[: len(codes)], index=codes)
    geom = regions.geometry.copy()
    geom[buurt] = square.reindex(regions.loc[buurt, "code"].astype(str)).to_numpy()
    ds.regions = regions.set_geometry(geom)  # in memory only: the dataset on disk is untouched
    return f"SYNTHETIC 500 m grid squares for {int(buurt.sum()):,} buurt codes (in memory)"


def peer(scores: pd.DataFrame, geo: pd.DataFrame) -> dict:
    """giddy as a researcher writes it; returns its pieces and the time of each step."""
    t = {}
    t0 = time.perf_counter()
    c = scores[(scores["level"] == "buurt") & (scores["domain"] == "composition")]
    wide = c.pivot(index="code", columns="year", values="score").dropna()  # balanced n × t
    q = wide.apply(lambda col: pd.qcut(col, K, labels=False))  # per-year quintiles 0..4
    y = q.to_numpy(int)
    t["quintiles"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    m = Markov(y, summary=False)
    steady = m.steady_state
    t["Markov + steady state"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    gdf = geo.set_index("code").loc[wide.index]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the islands warning: counted below
        w = libpysal.weights.Queen.from_dataframe(gdf, use_index=True, silence_warnings=True)
    w.transform = "r"
    t["Queen weights"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sm = Spatial_Markov(y, w, discrete=True)
        x2 = sm.x2  # the homogeneity test wijkradar reports too
    t["Spatial_Markov + χ² test"] = time.perf_counter() - t0
    return {"wide": wide, "q": q, "m": m, "w": w, "sm": sm, "t": t, "steady": steady, "x2": x2}


def show(label: str, a: np.ndarray, b: np.ndarray, names=("giddy", "wijkradar")) -> float:
    """Print two k × k probability matrices side by side; return their max abs difference."""
    print(f"\n  {label}")
    head = " ".join(f"{c:>6}" for c in CLASSES)
    print(f"    from  {names[0] + ' (to)':<{7 * K}}   {names[1] + ' (to)'}")
    print(f"          {head}    {head}")
    for i, c in enumerate(CLASSES):
        left = " ".join(f"{v:6.3f}" for v in a[i])
        right = " ".join(f"{v:6.3f}" for v in b[i])
        print(f"    {c:>4}  {left}    {right}")
    d = float(np.nanmax(np.abs(a - b)))
    print(f"    max |difference| = {d:.2e}")
    return d


def spatial_array(sp) -> np.ndarray:
    """wijkradar's Spatial Markov probabilities as giddy's (lag, from, to) array."""
    return np.stack([sp.probabilities[c].to_numpy(float) for c in CLASSES])


def child(path: str) -> None:
    import wijkradar
    from wijkradar.analysis import dynamics as dyn

    ds = wijkradar.open_dataset(path)
    geo_note = with_grid(ds)
    n_buurten = int(ds.panel.loc[ds.panel["level"] == "buurt", "code"].nunique())
    print(
        f"wijkradar dynamics benchmark — SYNTHETIC panel: {n_buurten:,} buurten, "
        f"{len(ds.years('buurt'))} editions; geometry: {geo_note}"
    )
    print(f"  {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")
    print(
        "  peer: giddy directly (geosnap is not installed and must not be: ~54 heavy "
        "packages, and its DataStore breaks offline)"
    )
    print(f"\n  {'step':<58}{'wall s':>8}{'max RSS MB':>12}")

    def row(label, secs):
        print(f"  {label:<58}{secs:8.2f}{rss_mb():12.0f}")

    print(f"  {'(open dataset, geometries)':<58}{'':>8}{rss_mb():12.0f}")
    t0 = time.perf_counter()
    scores = ds.axis_scores("absolute")
    row("shared input: ds.axis_scores('absolute')", time.perf_counter() - t0)
    t0 = time.perf_counter()
    _ = Markov(np.array([[0, 1, 0], [1, 0, 1]]), summary=False).steady_state
    row("one-off: numba compile of quantecon's steady state", time.perf_counter() - t0)
    reg = ds.regions
    geo = reg.loc[reg["level"] == "buurt", ["code", "geometry"]].copy()
    geo["code"] = geo["code"].astype(str)

    np.random.seed(0)  # giddy breaks ties of the neighbours' modal state with numpy's generator
    t0 = time.perf_counter()
    p = peer(scores, geo)
    t_peer = time.perf_counter() - t0
    row("peer: qcut + giddy Markov + Queen + Spatial_Markov", t_peer)
    for k, v in p["t"].items():
        print(f"    {k:<56}{v:8.2f}")

    t0 = time.perf_counter()
    res = ds.transitions(level="buurt", by="composition")
    t_wr = time.perf_counter() - t0
    row("wijkradar: ds.transitions(level='buurt', by='composition')", t_wr)
    t0 = time.perf_counter()
    res_ns = ds.transitions(level="buurt", by="composition", spatial=False)
    row("  of which without the Spatial Markov (spatial=False)", time.perf_counter() - t0)
    print(f"  wijkradar / peer time: {t_wr / t_peer:.2f}×")

    # -- agreement -------------------------------------------------------------------------
    wide, m, sm, w = p["wide"], p["m"], p["sm"], p["w"]
    n, t = wide.shape
    print(
        f"\n  peer: {n:,} balanced buurten × {t} editions = {n * (t - 1):,} pairs; queen "
        f"islands {len(w.islands):,}"
    )
    print(
        f"  wijkradar: {res.n_regions:,} buurten, {res.n_pairs:,} pairs, {res.cut_pairs} left "
        f"out at a series cut; notes {res.notes or '-'}"
    )
    d_all = show(
        "transition probabilities (rows: from fifth, 1 = least vulnerable)",
        np.asarray(m.p, float),
        res.probabilities.to_numpy(float),
    )
    if not np.allclose(res_ns.probabilities.to_numpy(float), res.probabilities.to_numpy(float)):
        print("    NOTE: spatial=False gave other probabilities than spatial=True")

    # wijkradar's pure functions on the peer's balanced set
    vals = wide.stack().rename("value").reset_index()
    st = dyn.bands(vals, k=K, direction="+")
    q_long = (p["q"] + 1).stack().rename("q").reset_index()
    both = st.merge(q_long, on=["code", "year"])
    moved = int((both["state"] != both["q"]).sum())
    pr, cut = dyn.pairs(st, ds.breaks)
    same = dyn.transitions(pr, CLASSES, cut_pairs=cut, regions=geo, states=st)
    d_bal = show(
        "on the peer's balanced set: wijkradar's bands + pairs + transitions",
        np.asarray(m.p, float),
        same.probabilities.to_numpy(float),
    )
    print(
        f"    ({len(both):,} region-years; {moved} banded differently by qcut's interpolated "
        "cut points than by wijkradar's ceil(k × average rank / n))"
    )
    d_sp_same = None
    if res.spatial is not None and same.spatial is not None:
        s_peer = np.asarray(sm.P, float)
        d_sp = float(np.nanmax(np.abs(s_peer - spatial_array(res.spatial))))
        d_sp_bal = float(np.nanmax(np.abs(s_peer - spatial_array(same.spatial))))
        print(
            f"\n  Spatial Markov (lag = neighbours' modal fifth): giddy χ² {sm.x2:,.1f} "
            f"(p {sm.x2_pvalue:.3f}) on {n:,} buurten; wijkradar χ² {res.spatial.chi2:,.1f} "
            f"(p {res.spatial.p_value:.3f}) on {res.spatial.n_regions:,}"
        )
        print(
            f"    max |difference| of the 5 conditional matrices: full run {d_sp:.2e}; "
            f"on the balanced set {d_sp_bal:.2e} ({same.spatial.n_regions:,} buurten with a "
            "neighbour)"
        )
        # giddy itself on exactly wijkradar's spatial set: its bands, no islands, its row order
        # (that of the region table) and its seed for the tie-breaking draws
        drop = set(w.islands)
        kept = [c for c in geo["code"] if c in w.id2i and c not in drop]
        y_wr = st.pivot(index="code", columns="year", values="state").loc[kept] - 1
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            w_kept = libpysal.weights.Queen.from_dataframe(
                geo.set_index("code").loc[kept], use_index=True, silence_warnings=True
            )
            w_kept.transform = "r"
            np.random.seed(getattr(dyn, "SEED", 0))
            sm_kept = Spatial_Markov(y_wr.to_numpy(int), w_kept, discrete=True)
        d_sp_same = float(
            np.nanmax(np.abs(np.asarray(sm_kept.P, float) - spatial_array(same.spatial)))
        )
        print(
            f"    giddy on exactly wijkradar's spatial set ({len(kept):,} buurten, its bands, "
            f"its order and seed): max |difference| {d_sp_same:.2e}"
        )
        worst = int(np.nanargmax(np.abs(s_peer - spatial_array(same.spatial)).max(axis=(1, 2))))
        show(
            f"balanced set, lag fifth {CLASSES[worst]} (the largest difference): giddy's "
            "islands and draws",
            s_peer[worst],
            spatial_array(same.spatial)[worst],
        )
    else:
        print(f"\n  no Spatial Markov from wijkradar: {res.notes}")
    print(
        "\n  why they differ: "
        + (
            "they agree on every transition probability."
            if d_all < 1e-9
            else (
                f"wijkradar pools {res.n_pairs:,} pairs from {res.n_regions:,} buurten "
                f"(also the unbalanced ones, bands among all buurten of an edition), the peer "
                f"{n * (t - 1):,} from its {n:,} balanced buurten (quintiles among those only); "
                f"on the same balanced set the matrices differ by {d_bal:.1e}"
                + (f" — the {moved} boundary region-years qcut bands differently" if moved else "")
                + "."
            )
        )
    )
    print(
        "  Spatial Markov: the same and the balanced-set differences above, plus: wijkradar "
        f"leaves out buurten without a queen neighbour (giddy keeps the peer's {len(w.islands):,} "
        "islands, their own state as the lag), and giddy breaks ties of the neighbours' modal "
        "state at random (the peer seeded 0, wijkradar its own seed; a different set or row "
        "order draws differently)"
        + (
            f"; on exactly the same set, giddy and wijkradar differ by {d_sp_same:.1e}."
            if d_sp_same is not None
            else "."
        )
    )

    # -- memory of each method (untimed second pass) ------------------------------------------
    tracemalloc.start()
    peer(scores, geo)
    _, peak_peer = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    ds.transitions(level="buurt", by="composition")
    _, peak_wr = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"\n  peak memory (tracemalloc, on top of the loaded dataset and scores): peer "
        f"{peak_peer / 2**20:,.0f} MB, wijkradar {peak_wr / 2**20:,.0f} MB; max RSS of the "
        f"whole child {rss_mb():,.0f} MB; load average at the end {os.getloadavg()[0]:.1f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child)
        return
    import synthetic

    from wijkradar.panel.build import build

    syn = HERE / ".synthetic" / "national_12y"
    synthetic.generate(syn)
    with tempfile.TemporaryDirectory() as tmp:
        build(syn, Path(tmp) / "ds")
        subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--child", str(Path(tmp) / "ds")],
            check=True,
        )


if __name__ == "__main__":
    main()
