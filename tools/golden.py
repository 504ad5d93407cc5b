"""Golden outputs: today's results on ../shared/data, frozen so a redesign can prove it changed
nothing (issue 9). ``tests/test_golden.py`` compares a fresh build with them.

    .venv/bin/python tools/golden.py            # compare, print the first differences
    .venv/bin/python tools/golden.py --update   # rewrite tests/golden/ (say why in CHANGELOG.md)

What is frozen: the signals (frame, reasons, sensitivity) of every level and year that can be
scored, the profiles and actions of three regions, and the API answers to the error-shape
tests' bad requests. Numbers are rounded to 6 significant digits (other machines and library
versions differ in the last bits); NaN is ``null``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
REGIONS = ("BU03630000", "BU05990110", "WK036300")  # Amsterdam and Rotterdam buurt, a wijk
LEVELS = ("buurt", "wijk", "gemeente")


def canonical(obj):
    """JSON-ready, machine-independent: floats to 6 significant digits, NaN → None."""
    import numpy as np
    import pandas as pd

    if isinstance(obj, dict):
        return {str(k): canonical(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [canonical(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [canonical(v) for v in obj.tolist()]
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        f = float(obj)
        if math.isnan(f) or math.isinf(f):
            return None
        return float(f"{f:.6g}")
    if obj is None or obj is pd.NA or obj is pd.NaT:
        return None
    if isinstance(obj, pd.Timestamp):
        return obj.isoformat()
    return obj if isinstance(obj, str) else str(obj)


def _records(frame) -> list:
    frame = frame.reset_index(drop=True)
    for c in frame.columns:
        if str(frame[c].dtype) == "category":
            frame[c] = frame[c].astype(str)
    cols = [c for c in ("code", "indicator", "variation", "window") if c in frame.columns]
    if cols:
        frame = frame.sort_values(cols, kind="stable")
    return canonical(frame.to_dict("records"))


def snapshot(dataset_dir: Path) -> dict[str, object]:
    """Every golden output of the dataset at ``dataset_dir``, by file name."""
    import pandas as pd
    from fastapi.testclient import TestClient

    import wijkradar
    from wijkradar.dataset.tables import REASON_COLUMNS, worded_reasons
    from wijkradar.errors import WijkradarError
    from wijkradar.settings import Settings
    from wijkradar.web import create_app

    ds = wijkradar.open_dataset(dataset_dir)
    out: dict[str, object] = {}
    for level in LEVELS:
        years = sorted(int(y) for y in ds.panel.loc[ds.panel["level"] == level, "year"].unique())
        for year in years:
            try:
                res = ds.signals(level=level, year=year)
            except WijkradarError as exc:
                out[f"signals_{level}_{year}"] = {"error": type(exc).__name__}
                continue
            # the reasons as users see them: the analysis' numbers, worded at the edge
            reasons = pd.DataFrame(worded_reasons(ds, res.reasons), columns=REASON_COLUMNS)
            out[f"signals_{level}_{year}"] = {
                "frame": _records(res.frame),
                "reasons": _records(reasons),
                "sensitivity": _records(res.sensitivity),
            }
    for code in REGIONS:
        out[f"profile_{code}"] = canonical(ds.profile(code))
        out[f"actions_{code}"] = canonical(ds.actions_dict(code, lang="nl"))
    sys.path.insert(0, str(ROOT / "tests" / "web"))
    from test_error_shape import BAD

    answers = {}
    app = create_app(Settings(dataset=Path(dataset_dir), warm_clusters=False))
    with TestClient(app) as client:
        for url, _ in BAD:
            r = client.get(url)
            try:
                body = r.json()
            except ValueError:
                body = r.text[:200]
            answers[url] = {"status": r.status_code, "body": canonical(body)}
    out["api_errors"] = answers
    return out


def load() -> dict[str, object]:
    return {
        p.name.removesuffix(".json.gz"): json.loads(gzip.decompress(p.read_bytes()))
        for p in sorted(GOLDEN.glob("*.json.gz"))
    }


def write(snap: dict[str, object]) -> None:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for old in GOLDEN.glob("*.json.gz"):
        old.unlink()
    for name, obj in snap.items():
        text = json.dumps(obj, ensure_ascii=False, sort_keys=True, indent=0)
        # mtime=0: the same outputs give the same bytes, so git sees no change
        (GOLDEN / f"{name}.json.gz").write_bytes(gzip.compress(text.encode(), mtime=0))


def differences(expected, got, path: str = "", limit: int = 10) -> list[str]:
    """Up to ``limit`` readable differences between two JSON values."""
    out: list[str] = []

    def walk(a, b, where):
        if len(out) >= limit:
            return
        if isinstance(a, dict) and isinstance(b, dict):
            for k in sorted(set(a) | set(b)):
                if k not in a:
                    out.append(f"{where}.{k}: new")
                elif k not in b:
                    out.append(f"{where}.{k}: gone")
                else:
                    walk(a[k], b[k], f"{where}.{k}")
        elif isinstance(a, list) and isinstance(b, list):
            if len(a) != len(b):
                out.append(f"{where}: {len(a)} items, now {len(b)}")
            for i, (x, y) in enumerate(zip(a, b, strict=False)):
                walk(x, y, f"{where}[{i}]")
        elif a != b:
            out.append(f"{where}: {str(a)[:80]!r} → {str(b)[:80]!r}")

    walk(expected, got, path)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--update", action="store_true", help="rewrite tests/golden/")
    ap.add_argument("--dataset", type=Path, help="a dataset built from ../shared/data")
    args = ap.parse_args()
    data = Path(os.environ.get("WIJKRADAR_DATA", ROOT.parent / "shared" / "data"))
    with tempfile.TemporaryDirectory() as tmp:
        dataset = args.dataset
        if dataset is None:
            from wijkradar.panel.build import build

            dataset = Path(tmp) / "ds"
            build(data, dataset)
        snap = snapshot(dataset)
    if args.update:
        write(snap)
        print(f"{len(snap)} golden files written to {GOLDEN}")
        return
    gold = load()
    bad = 0
    for name in sorted(set(gold) | set(snap)):
        diff = differences(gold.get(name), snap.get(name), name)
        if diff:
            bad += 1
            print("\n".join(diff))
    print(f"{len(snap)} outputs, {bad} differ from tests/golden/")
    raise SystemExit(1 if bad else 0)


if __name__ == "__main__":
    main()
