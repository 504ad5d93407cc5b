"""Benchmark: ``wijkradar validate`` (the validation report, issue #10) on the REAL offline data.

Run: ``.venv/bin/python benchmarks/bench_validate.py [--dataset DIR]`` (builds the dataset from
``WIJKRADAR_DATA`` or ``../shared/data`` into a temporary folder when no ``--dataset`` is
given). Goal: the whole report, every signal result with its sensitivity included, under 60 s.

Baseline, named: *signals only* — the same signal results without the report (no backtest,
no Markdown, no SVG), to show what the report itself adds on top of the signals it needs.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOAL_S = 60.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dataset", type=Path)
    args = ap.parse_args()

    import wijkradar
    from wijkradar.outputs.validation import write_validation
    from wijkradar.vocab import LEVELS

    tmp = Path(tempfile.mkdtemp(prefix="bench_validate_"))
    if args.dataset is None:
        from wijkradar.panel.build import build

        data = Path(os.environ.get("WIJKRADAR_DATA", HERE.parent.parent / "shared" / "data"))
        t = time.perf_counter()
        args.dataset = build(data, tmp / "ds").path
        print(f"dataset built in {time.perf_counter() - t:.1f} s → {args.dataset}")

    ds = wijkradar.open_dataset(args.dataset)
    t = time.perf_counter()
    paths = write_validation(ds, tmp / "docs" / "validation.md")
    wall = time.perf_counter() - t
    print(
        f"validate, whole report: {wall:.1f} s ({len(paths) - 1} figures) "
        f"(goal < {GOAL_S:.0f} s: {'ok' if wall < GOAL_S else 'TOO SLOW'})"
    )

    fresh = wijkradar.open_dataset(args.dataset)  # a new memo: nothing computed yet
    t = time.perf_counter()
    n = 0
    for level in LEVELS:
        for year in fresh.years(level):
            fresh.signals(level=level, year=year)
            n += 1
    print(f"  baseline signals only: {time.perf_counter() - t:.1f} s for {n} level-years")
    print(f"  output in {tmp / 'docs'}")


if __name__ == "__main__":
    main()
