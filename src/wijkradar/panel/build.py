"""Build a dataset from a data folder: read every file, harmonise, check, write atomically."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from wijkradar._version import __version__
from wijkradar.catalogue import Catalogue, load_catalogue
from wijkradar.catalogue.prices import cpi_for_data
from wijkradar.errors import DataNotFoundError
from wijkradar.panel import harmonise, privacy, quality, regions, store
from wijkradar.panel.schema import sort_key, validate_panel
from wijkradar.sources import BOUNDARIES, LINKS, VALUES, is_ignored, read_any

Progress = Callable[[str, int, int | None], None]
LINK_COLUMNS = ["level", "year_from", "year_to", "code_from", "code_to", "share", "weighting"]


@dataclass
class BuildResult:
    """What :func:`build` made: the dataset path, its quality report and timing."""

    path: Path
    report: quality.QualityReport
    seconds: float
    rows: int


def discover(data_dir: Path) -> list[Path]:
    """Every data file under ``data_dir`` (recursively, sorted), skipping docs and sidecars."""
    if not data_dir.is_dir():
        raise DataNotFoundError("gegevensmap {path} bestaat niet", path=data_dir)
    files = sorted(
        p
        for p in data_dir.rglob("*")
        if p.is_file()
        and not is_ignored(p)
        and not any(part.startswith(".") for part in p.relative_to(data_dir).parts)
    )
    if not files:
        raise DataNotFoundError("geen gegevensbestanden in {path}", path=data_dir)
    return files


def _file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _names_of(frame: pd.DataFrame) -> pd.DataFrame:
    cols = ["code", "year", "name"]
    if not len(frame) or "name" not in frame:
        return pd.DataFrame(columns=cols)
    return frame[cols].drop_duplicates(["code", "year"])


class _Collector:
    """Reads files one at a time and keeps only what the panel needs (memory stays flat)."""

    def __init__(self, catalogue: Catalogue, report: quality.QualityReport) -> None:
        self.catalogue, self.report = catalogue, report
        self.rows: list[pd.DataFrame] = []
        self.names: list[pd.DataFrame] = []
        self.bounds: list[pd.DataFrame] = []
        self.links: list[pd.DataFrame] = []
        self.name_only: list[tuple[str, pd.DataFrame]] = []
        # Per source family (folder): which indicators appear in which editions (gap warnings).
        self.presence: dict[str, dict[str, set[int]]] = {}
        self.editions: dict[str, set[int]] = {}

    def add(self, path: Path, data_dir: Path) -> None:
        reader, out = read_any(path, mapping_dirs=(data_dir,))
        rel = _rel(path, data_dir)
        for r in out.attrs.get("rejected", []):
            self.report.rejected.append({**r, "source": rel})
        if "source" in out:
            out["source"] = rel
        if reader.kind == BOUNDARIES:
            self.bounds.append(out)
            self.names.append(_names_of(out))
            lost = [
                r
                for r in out.attrs.get("rejected", [])
                if r.get("name") and not r["reason"].startswith("duplicate")
            ]
            if lost and len(out):
                year = int(out["year"].iloc[0])
                self.names.append(
                    pd.DataFrame(
                        {
                            "code": [r["code"] for r in lost],
                            "year": year,
                            "name": [r["name"] for r in lost],
                        }
                    )
                )
            self._report_other(rel, "boundaries", out)
        elif reader.kind == LINKS:
            self.links.append(out)
            self._report_other(rel, "links", out)
        elif reader.kind == VALUES:
            has_code = (out["code"] != "").to_numpy(dtype=bool, na_value=True)
            coded = out if has_code.all() else out[has_code]
            if len(coded) < len(out):
                rest = out[out["code"] == ""]
                rest.attrs = dict(out.attrs)
                self.name_only.append((rel, rest))
            coded.attrs = dict(out.attrs)
            self.names.append(_names_of(coded))
            if len(coded) or len(coded) == len(out):  # name-only files report after resolving
                self._harmonise(rel, coded)

    def _report_other(self, rel: str, fmt: str, frame: pd.DataFrame) -> None:
        years = frame["year"] if "year" in frame else frame["year_to"]
        codes = frame["code"] if "code" in frame else frame["code_from"]
        self.report.files.append(
            quality.FileReport(
                path=rel,
                format=fmt,
                rows=len(frame),
                years=sorted(int(y) for y in years.unique()),
                codes=int(codes.nunique()),
                indicators=[],
                unmatched_columns=0,
                rejected=len(frame.attrs.get("rejected", [])),
            )
        )

    def _harmonise(self, rel: str, raw: pd.DataFrame) -> None:
        r, cmap = harmonise.to_panel_rows(raw, self.catalogue)
        self.rows.append(r)
        fmt = raw.attrs.get("format", "?")
        unmatched, explained = self._unmatched(raw, cmap, fmt)
        self._presence(rel, raw, r)
        self.report.files.append(
            quality.FileReport(
                path=rel,
                format=fmt,
                rows=len(raw),
                years=sorted(int(y) for y in raw["year"].unique()),
                codes=int(raw["code"].nunique()),
                indicators=sorted(cmap["indicator"].unique().tolist()),
                unmatched_columns=len(unmatched),
                rejected=len(raw.attrs.get("rejected", [])),
                unmatched=unmatched,
                explained=explained,
            )
        )

    def _unmatched(self, raw: pd.DataFrame, cmap: pd.DataFrame, fmt: str) -> tuple[list, list]:
        """Value columns that feed no indicator: those with a stated reason, and the rest."""
        keys = cmap.attrs.get("keys")
        if keys is None:
            keys = raw[["column", "unit", "year"]].drop_duplicates()
        keys = keys.astype({"year": int})
        hit = set(zip(cmap["column"], cmap["unit"], strict=True))
        left = keys[[(c, u) not in hit for c, u in zip(keys["column"], keys["unit"], strict=True)]]
        reasons = dict(raw.attrs.get("ignored_columns", {}))
        unmatched, explained = [], []
        for (column, unit), g in left.groupby(["column", "unit"], observed=True, sort=True):
            why = reasons.get(column) or self.catalogue.ignored.get((fmt, str(column)))
            entry = {"column": str(column), "unit": str(unit), "years": sorted(g["year"])}
            if why:
                explained.append({**entry, "reason": why})
            else:
                unmatched.append(entry)
        for column, why in reasons.items():  # user-table columns that carry no values at all
            if not any(e["column"] == column for e in explained):
                explained.append({"column": column, "unit": "", "years": [], "reason": why})
        return unmatched, explained

    def _presence(self, rel: str, raw: pd.DataFrame, rows: pd.DataFrame) -> None:
        family = str(Path(rel).parent)
        self.editions.setdefault(family, set()).update(int(y) for y in raw["year"].unique())
        if not len(rows):
            return
        status = rows["status"].astype("category")
        shown = status.cat.codes.to_numpy() != harmonise._code_of(status, "missing")
        pairs = pd.DataFrame(
            {
                "indicator": rows["indicator"].astype("category").cat.codes.to_numpy()[shown],
                "year": rows["year"].to_numpy()[shown],
            }
        ).drop_duplicates()
        names = rows["indicator"].astype("category").cat.categories
        by_ind = self.presence.setdefault(family, {})
        for i, y in zip(pairs["indicator"], pairs["year"], strict=True):
            by_ind.setdefault(str(names[i]), set()).add(int(y))

    def finish_names(self) -> pd.DataFrame:
        """Resolve name-only tables against every name seen; returns the name table."""
        names = regions.name_table(self.names)
        for rel, raw in self.name_only:
            named, resolved, rej = regions.resolve_names(raw, names)
            self.report.resolved_names += resolved
            self.report.rejected += rej
            self._harmonise(rel, named)
        return names


def _links(frames: list[pd.DataFrame]) -> pd.DataFrame:
    if not frames:
        return pd.DataFrame(
            {
                c: pd.Series(
                    dtype="string"
                    if c in ("level", "code_from", "code_to", "weighting")
                    else "float64"
                    if c == "share"
                    else "int16"
                )
                for c in LINK_COLUMNS
            }
        )
    parts = []
    for f in frames:
        f = f.copy()
        if "share" not in f:
            f["share"] = 1.0
        if "weighting" not in f:
            f["weighting"] = "code"
        parts.append(f[LINK_COLUMNS])
    out = pd.concat(parts, ignore_index=True)
    # Prefer the all-addresses weighting where a pair has both (it covers every year pair).
    out = out.sort_values(["level", "year_from", "year_to", "code_from", "code_to", "weighting"])
    out = out.drop_duplicates(["level", "year_from", "year_to", "code_from", "code_to"])
    return out.astype(
        {
            "level": "string",
            "code_from": "string",
            "code_to": "string",
            "weighting": "string",
            "year_from": "int16",
            "year_to": "int16",
        }
    ).reset_index(drop=True)


def build_panel(col: _Collector, catalogue: Catalogue, report: quality.QualityReport):
    """Combine, derive and suppress the harmonised rows into the validated panel."""
    names = col.finish_names()
    combined, conflicts = harmonise.combine(col.rows)
    col.rows.clear()  # the per-file rows are in ``combined`` now; free them before deriving
    report.conflicts = conflicts.to_dict("records") if not conflicts.empty else []
    panel = harmonise.derive(combined, catalogue)
    del combined
    panel, sup = privacy.apply_thresholds(panel, catalogue)
    report.suppressed_by_threshold = sup.total
    report.suppression = sup.to_dict()
    order = np.argsort(sort_key(panel))
    panel = panel.iloc[order]
    del order
    panel = validate_panel(panel.reset_index(drop=True))
    return panel, names


def build(
    data_dir: str | Path,
    out: str | Path,
    *,
    catalogue: Catalogue | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Build the dataset at ``out`` from every file under ``data_dir``.

    Reads each file with the reader its content calls for, maps columns onto the catalogue,
    combines sources, derives rates, applies CBS's publication thresholds, builds the region
    table and the quality report, and swaps the new dataset in atomically.

    Raises
    ------
    SourceFormatError
        For the first malformed file (naming file, row, column or code); the previous dataset
        at ``out`` is left untouched.
    DataNotFoundError
        When ``data_dir`` holds no data files.
    """
    t0 = time.perf_counter()
    data_dir = Path(data_dir)
    catalogue = catalogue or load_catalogue()
    files = discover(data_dir)
    report = quality.QualityReport(data_dir=str(data_dir))
    col = _Collector(catalogue, report)
    for i, path in enumerate(files):
        if progress:
            progress(f"lezen {path.name}", i, len(files))
        col.add(path, data_dir)
    if progress:
        progress("harmoniseren", len(files), len(files))
    panel, names = build_panel(col, catalogue, report)
    links = _links(col.links)
    bounds = col.bounds
    if progress:
        progress("gebieden en grenzen", 0, None)
    region_table = regions.build_regions(panel, names, bounds)
    breaks = quality.series_breaks(panel, names, links, bounds)
    report.series_breaks = breaks.to_dict("records")
    report.gaps = quality.edition_gaps(col.presence, col.editions)
    report.coverage = quality.coverage(panel)
    years = sorted(int(y) for y in panel["year"].unique())
    report.totals = {
        "rows": len(panel),
        "regions": int(panel["code"].nunique()),
        "years": years,
        "indicators": int(panel["indicator"].nunique()),
        "files": len(files),
    }
    digests = [_file_digest(f) for f in files]
    manifest = {
        "built": hashlib.sha256("".join(digests).encode()).hexdigest()[:12],
        "schema_version": store.SCHEMA_VERSION,
        "wijkradar_version": __version__,
        "data_dir": str(data_dir.resolve()),
        "rows": len(panel),
        "years": years,
        "inputs": [
            {"path": _rel(f, data_dir), "bytes": f.stat().st_size, "sha256": d}
            for f, d in zip(files, digests, strict=True)
        ],
    }

    def write(tmp: Path) -> None:
        if progress:
            progress("schrijven", 0, None)
        store.write_parquet(panel, tmp / "panel.parquet")
        store.write_parquet(region_table, tmp / "regions.parquet")
        store.write_parquet(links, tmp / "links.parquet")
        store.write_parquet(breaks, tmp / "breaks.parquet")
        # the price index the signals deflate with: a fetched one in the data, else the packaged
        cpi = cpi_for_data(data_dir)
        cpi.rename("cpi").rename_axis("year").reset_index().to_csv(tmp / "cpi.csv", index=False)
        store.write_json(report.to_dict(), tmp / "quality.json")
        (tmp / "quality.txt").write_text(quality.render_text(report), encoding="utf-8")
        store.write_json(manifest, tmp / store.MANIFEST)

    path = store.write_dataset(Path(out), write)
    return BuildResult(path=path, report=report, seconds=time.perf_counter() - t0, rows=len(panel))
