"""Benchmark: the wijkprofiel report (issue #5) on the REAL offline data.

Run: ``.venv/bin/python benchmarks/bench_report.py [--dataset DIR] [--limit N]`` (builds the
dataset from ``WIJKRADAR_DATA`` or ``../shared/data`` into a temporary folder when no
``--dataset`` is given). Goals: one buurt report (PDF) under 1 s; all Amsterdam buurten in a
batch, with wall time, peak memory and pages per second printed.

Baseline, named: *HTML only* — the same context and template without WeasyPrint, to show what
the PDF step costs.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dataset", type=Path)
    ap.add_argument("--limit", type=int, default=None, help="only the first N buurten")
    args = ap.parse_args()

    import wijkradar
    from wijkradar.outputs.report import batch_codes, render_batch, render_report
    from wijkradar.outputs.report.context import build_context
    from wijkradar.outputs.report.render import render_html

    tmp = Path(tempfile.mkdtemp(prefix="bench_report_"))
    if args.dataset is None:
        from wijkradar.panel.build import build

        data = Path(os.environ.get("WIJKRADAR_DATA", HERE.parent.parent / "shared" / "data"))
        t = time.perf_counter()
        args.dataset = build(data, tmp / "ds").path
        print(f"dataset built in {time.perf_counter() - t:.1f} s → {args.dataset}")
    ds = wijkradar.open_dataset(args.dataset)
    codes = batch_codes(ds, "GM0363", "buurt")
    t = time.perf_counter()
    render_report(ds, codes[0], tmp / "warm.pdf")  # signals, divide, fonts: once per process
    print(f"first report (warm-up: signals, divide, fonts): {time.perf_counter() - t:.2f} s")

    sample = codes[1:11]
    pdf, html = [], []
    for c in sample:
        t = time.perf_counter()
        render_report(ds, c, tmp / f"{c}.pdf")
        pdf.append(time.perf_counter() - t)
        t = time.perf_counter()
        render_html(build_context(ds, c))
        html.append(time.perf_counter() - t)
    print(
        f"one buurt report, PDF: median {statistics.median(pdf):.2f} s, max {max(pdf):.2f} s "
        f"over {len(sample)} buurten (goal < 1 s)"
    )
    print(f"  baseline HTML only: median {statistics.median(html):.2f} s")

    n = args.limit or len(codes)
    out = tmp / "batch"
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t = time.perf_counter()
    if args.limit:
        from wijkradar.outputs.report import render as render_mod

        keep = set(codes[:n])
        real = render_mod.batch_codes
        render_mod.batch_codes = lambda *a, **k: [c for c in real(*a, **k) if c in keep]
    res = render_batch(ds, "GM0363", "buurt", out)
    wall = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"batch, Amsterdam buurten: {len(res.done)} reports ({len(res.failed)} failed), "
        f"{res.pages} pages in {wall:.1f} s → {len(res.done) / wall:.2f} reports/s, "
        f"{res.pages / wall:.1f} pages/s; peak memory {rss:.0f} MB (before batch {rss0:.0f} MB)"
    )
    size = sum(p.stat().st_size for p in res.done) / max(len(res.done), 1) / 1024
    print(f"  mean PDF size {size:.0f} KiB; output in {out}")
    for c, msg in list(res.failed.items())[:5]:
        print(f"  failed {c}: {msg}")


if __name__ == "__main__":
    main()
