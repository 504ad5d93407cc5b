"""Benchmark: scores + trends + signals + sensitivity on a SYNTHETIC national-scale panel.

Run: ``.venv/bin/python benchmarks/bench_signals.py`` (builds the synthetic set of
``bench_build.py`` first if needed: 15,000 buurten × 12 years in CBS StatLine CSV format,
clearly labelled synthetic). Goal (issue #3): under 10 s on 2 cores.

Baseline, named: *plain pandas/groupby* — the same computation written the obvious way:
percentile ranks with ``groupby().rank``, one ``numpy.polyfit`` slope per (buurt, indicator)
through ``groupby().apply``, weighted means with ``groupby().apply`` — no noise bands, no
reasons, no sensitivity (it does less, and is still slower).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def baseline(panel: pd.DataFrame, catalogue, year: int, window: int) -> pd.DataFrame:
    from wijkradar.analysis.scores import scored_indicators

    use = scored_indicators(catalogue)
    p = panel[
        (panel["level"] == "buurt")
        & panel["indicator"].isin(use.index)
        & panel["value"].notna()
        & (panel["year"] >= year - window)
    ].copy()
    p["indicator"] = p["indicator"].astype(str)
    p["code"] = p["code"].astype(str)
    sign = p["indicator"].map(use["direction"].map({"+": 1.0, "-": -1.0}))
    p["pct"] = (p["value"] * sign).groupby([p["year"], p["indicator"]]).rank(pct=True) * 100

    def slope(g):
        return np.polyfit(g["year"], g["value"], 1)[0] if len(g) > 1 else np.nan

    slopes = p.groupby(["code", "indicator"])[["year", "value"]].apply(slope)
    latest = p[p["year"] == year]
    latest = latest.assign(
        w=latest["indicator"].map(use["weight"]), d=latest["indicator"].map(use["domain"])
    )
    score = latest.groupby(["code", "d"])[["pct", "w"]].apply(
        lambda g: (g["pct"] * g["w"]).sum() / g["w"].sum()
    )
    return pd.DataFrame({"score": score}).join(
        slopes.rename("slope").groupby("code").mean(), on="code"
    )


def main() -> None:
    import synthetic

    import wijkradar
    from wijkradar.analysis.signals import signals
    from wijkradar.catalogue.rules import load_rules
    from wijkradar.panel.build import build

    syn = HERE / ".synthetic" / "national_12y"
    synthetic.generate(syn)
    with tempfile.TemporaryDirectory() as tmp:
        build(syn, Path(tmp) / "ds")
        ds = wijkradar.open_dataset(Path(tmp) / "ds")
        panel, cat, breaks = ds.panel, ds.indicators, ds.breaks
        rules = load_rules()
        year = int(panel["year"].max())
        n_buurten = panel.loc[panel["level"] == "buurt", "code"].nunique()
        print(
            f"wijkradar signals benchmark — SYNTHETIC panel: {len(panel):,} rows, "
            f"{n_buurten:,} buurten, {panel['year'].nunique()} years; signal year {year}"
        )
        t0 = time.perf_counter()
        base = baseline(panel, cat, year, int(rules["trends"]["window"]))
        t_base = time.perf_counter() - t0
        print(
            f"  plain pandas/groupby baseline  {t_base:7.2f} s   ({len(base):,} rows, "
            "scores + slopes only)"
        )
        t0 = time.perf_counter()
        res = signals(panel, cat, rules, level="buurt", year=year, breaks=breaks)
        t = time.perf_counter() - t0
        print(
            f"  wijkradar signals (+ sensitivity, {len(res.sensitivity)} variations, "
            f"{len(res.reasons):,} reasons)  {t:7.2f} s   [{t / t_base:.2f}× baseline time]"
        )
        t0 = time.perf_counter()
        signals(panel, cat, rules, level="buurt", year=year, breaks=breaks, sensitivity=False)
        t_ns = time.perf_counter() - t0
        print(f"  wijkradar signals without sensitivity                 {t_ns:7.2f} s")
        print(f"  classes: {res.frame['signal'].value_counts().to_dict()}")
        print(f"\n  goal < 10 s: {'meets' if t < 10 else 'MISSES'} ({t:.1f} s)")


if __name__ == "__main__":
    main()
