"""The data-quality report of a build: files read, coverage, series breaks, rejected rows.

Written as ``quality.json`` (for machines) and ``quality.txt`` (for people) into the dataset.
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from wijkradar.sources._markers import normalise_label
from wijkradar.vocab import STATUSES

# A code whose population jumps by more than this share (and this many persons) between two
# editions is more likely redrawn than changed: flagged as a series break, not read as a trend.
BREAK_SHARE = 0.30
BREAK_PERSONS = 200
# A code keeps its series across a boundary change when at least this share of its addresses
# stays together (CBS's change table is address-weighted).
KEEP_SHARE = 0.95


@dataclass
class FileReport:
    """What one source file contributed."""

    path: str
    format: str
    rows: int
    years: list[int]
    codes: int
    indicators: list[str]
    unmatched_columns: int
    rejected: int
    unmatched: list[dict] = field(default_factory=list)
    explained: list[dict] = field(default_factory=list)


@dataclass
class QualityReport:
    """Everything a build has to say about its inputs; see :func:`render_text`."""

    data_dir: str
    files: list[FileReport] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    coverage: list[dict] = field(default_factory=list)
    series_breaks: list[dict] = field(default_factory=list)
    conflicts: list[dict] = field(default_factory=list)
    suppressed_by_threshold: int = 0  # every value the privacy rules suppressed
    suppression: dict = field(default_factory=dict)  # per rule (panel.privacy.Suppression)
    resolved_names: list[dict] = field(default_factory=list)
    totals: dict = field(default_factory=dict)
    gaps: list[dict] = field(default_factory=list)

    @property
    def unmapped_columns(self) -> list[dict]:
        """Every value column, with its file, that maps to no catalogue id and has no reason."""
        return [{"path": f.path, "format": f.format, **u} for f in self.files for u in f.unmatched]

    @property
    def explained_columns(self) -> list[dict]:
        """Value columns that are deliberately no indicator, with the reason."""
        return [{"path": f.path, "format": f.format, **u} for f in self.files for u in f.explained]

    def to_dict(self) -> dict:
        # Shallow on purpose: the long lists are already plain dicts (asdict would deep-copy
        # hundreds of thousands of them).
        out = {f: getattr(self, f) for f in self.__dataclass_fields__}
        out["files"] = [asdict(f) for f in self.files]
        out["unmapped_columns"] = self.unmapped_columns
        out["explained_columns"] = self.explained_columns
        out["warnings"] = warnings(self)
        return out


def edition_gaps(presence: dict[str, dict[str, set[int]]], editions: dict[str, set[int]]) -> list:
    """Indicators a source family has in the editions before and after ``t`` but not in ``t``.

    A family is a folder of the data directory (``kwb/rotterdam``); its editions are the years
    its files cover. Such a gap is usually a renamed column the catalogue does not know yet, or
    a file of that year that lacks the topic.

    Parameters
    ----------
    presence
        family → indicator → years with at least one published (observed or suppressed) value.
    editions
        family → every year its files cover.

    Returns
    -------
    list of dict
        ``family, indicator, year, before, after``, sorted.
    """
    out = []
    for family, by_ind in sorted(presence.items()):
        years = sorted(editions.get(family, ()))
        for ind, have in sorted(by_ind.items()):
            for before, t, after in zip(years, years[1:], years[2:], strict=False):
                if before in have and after in have and t not in have:
                    out.append(
                        {
                            "family": family,
                            "indicator": ind,
                            "year": t,
                            "before": before,
                            "after": after,
                        }
                    )
    return out


def warnings(report: QualityReport) -> list[str]:
    """The summary lines a builder must read: gaps between editions and unmapped columns."""
    out = []
    for g in report.gaps:
        out.append(
            f"{g['family']}: {g['indicator']} staat in {g['before']} en {g['after']} maar niet in "
            f"{g['year']} / is in {g['before']} and {g['after']} but not in {g['year']}"
        )
    for u in report.unmapped_columns:
        out.append(
            f"{u['path']}: kolom {u['column']!r}"
            + (f" ({u['unit']})" if u.get("unit") else "")
            + f" {u['years']} hoort bij geen indicator / maps to no catalogue indicator"
        )
    return out


def coverage(panel: pd.DataFrame) -> list[dict]:
    """Counts of regions per (year, indicator, level) by status."""
    if panel.empty:
        return []
    # One bincount over category codes: a groupby on four keys of a 25 M-row panel is slow.
    cat = {
        c: panel[c]
        if isinstance(panel[c].dtype, pd.CategoricalDtype)
        else panel[c].astype("category")
        for c in ("indicator", "level", "status")
    }
    year = panel["year"].to_numpy(np.int64)
    y0 = int(year.min())
    dims = (
        int(year.max()) - y0 + 1,
        len(cat["indicator"].cat.categories),
        len(cat["level"].cat.categories),
        len(cat["status"].cat.categories),
    )
    flat = year - y0
    for c, n in zip(("indicator", "level", "status"), dims[1:], strict=True):
        flat *= n
        flat += cat[c].cat.codes.to_numpy()
    counts = np.bincount(flat, minlength=int(np.prod(dims))).reshape(dims)
    del flat
    yi, ii, li = np.nonzero(counts.sum(axis=3))
    tab = pd.DataFrame(
        {
            "year": yi + y0,
            "indicator": np.asarray(cat["indicator"].cat.categories, dtype=object)[ii],
            "level": np.asarray(cat["level"].cat.categories, dtype=object)[li],
        }
    )
    for k, s in enumerate(cat["status"].cat.categories):
        tab[str(s)] = counts[yi, ii, li, k]
    for s in STATUSES:
        if s not in tab:
            tab[s] = 0
    tab["with_value"] = tab["observed"] + tab["derived"]
    tab = tab.sort_values(["indicator", "level", "year"])
    cols = [
        "year",
        "indicator",
        "level",
        "with_value",
        "observed",
        "derived",
        "suppressed",
        "missing",
    ]
    return [
        {k: (int(v) if isinstance(v, (np.integer, int)) else v) for k, v in r.items()}
        for r in tab[cols].to_dict("records")
    ]


def _similar(a: str, b: str) -> bool:
    a, b = normalise_label(a), normalise_label(b)
    if not a or not b or a == b or a in b or b in a:
        return True
    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.6


def series_breaks(panel: pd.DataFrame, names: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """Region-years where a code's series is not comparable with its previous edition.

    Reasons: CBS's own "indelingswijziging" code 3; a population jump of more than
    ``BREAK_SHARE`` and ``BREAK_PERSONS``; a different name under the same code; a boundary
    change in the CBS change table (the code's addresses do not all stay together).

    Returns a frame ``code, level, year, previous_year, reason``.
    """
    out = []
    bc = panel[(panel["indicator"] == "boundary_change") & (panel["value"] == 3)]
    for r in bc.itertuples(index=False):
        out.append((r.code, r.level, int(r.year), None, "CBS: indeling gewijzigd (code 3)"))
    pop = panel[(panel["indicator"] == "population") & panel["value"].notna()]
    pop = pop.sort_values(["code", "year"])
    prev_val = pop.groupby("code")["value"].shift()
    prev_year = pop.groupby("code")["year"].shift()
    jump = (pop["value"] - prev_val).abs()
    rel = jump / prev_val.clip(lower=1)
    hit = pop[(rel > BREAK_SHARE) & (jump > BREAK_PERSONS)]
    for r, py, pv in zip(
        hit.itertuples(index=False), prev_year[hit.index], prev_val[hit.index], strict=True
    ):
        out.append(
            (
                r.code,
                r.level,
                int(r.year),
                int(py),
                f"inwoners {int(pv)} → {int(r.value)}: grenzen waarschijnlijk gewijzigd",
            )
        )
    if not names.empty:
        n = names.dropna(subset=["name"]).sort_values(["code", "year"])
        n = n.drop_duplicates(["code", "year"])
        prev_name = n.groupby("code")["name"].shift()
        prev_y = n.groupby("code")["year"].shift()
        for r, pn, py in zip(n.itertuples(index=False), prev_name, prev_y, strict=True):
            if isinstance(pn, str) and not _similar(pn, r.name):
                out.append(
                    (r.code, r.level, int(r.year), int(py), f"naam gewijzigd: {pn!r} → {r.name!r}")
                )
    if not links.empty:
        # Consecutive editions only: the table also holds every longer pair (2016→2024).
        step = links[(links["year_to"] - links["year_from"]) == 1]
        top = step.sort_values("share", ascending=False).drop_duplicates(
            ["level", "year_from", "year_to", "code_from"]
        )
        for r in top.itertuples(index=False):
            if r.share < KEEP_SHARE:
                out.append(
                    (
                        r.code_from,
                        r.level,
                        int(r.year_to),
                        int(r.year_from),
                        f"grenzen gewijzigd: {r.share:.0%} van de adressen naar {r.code_to}",
                    )
                )
            elif r.code_to != r.code_from:
                out.append(
                    (
                        r.code_from,
                        r.level,
                        int(r.year_to),
                        int(r.year_from),
                        f"code gewijzigd: verder als {r.code_to}",
                    )
                )
    frame = pd.DataFrame(out, columns=["code", "level", "year", "previous_year", "reason"])
    frame = frame[frame["code"].isin(set(panel["code"].unique()))]
    frame["previous_year"] = frame["previous_year"].astype("Int64")
    return frame.sort_values(["code", "year", "reason"]).reset_index(drop=True)


def _suppression_detail(s: dict) -> str:
    if not s:
        return ""
    return (
        f" (basis zelfde editie / same-edition base {s.get('threshold', 0):,}; "
        f"basis dichtstbijzijnde editie / nearest edition's base {s.get('nearest_base', 0):,}; "
        f"geen basis / no base {s.get('no_base', 0):,}; "
        f"terug te rekenen / recomputable {s.get('secondary', 0):,})"
    )


def render_text(report: QualityReport, *, max_rows: int = 20) -> str:
    """A readable summary of the report (the full lists are in quality.json)."""
    t = report.totals
    lines = [
        "wijkradar — datakwaliteit / data quality",
        f"bron / source: {report.data_dir}",
        f"panel: {t.get('rows', 0):,} rijen, {t.get('regions', 0):,} gebieden, "
        f"jaren {t.get('years', [])}, {t.get('indicators', 0)} indicatoren",
        f"onderdrukt onder CBS-drempels / suppressed under CBS thresholds: "
        f"{report.suppressed_by_threshold:,}" + _suppression_detail(report.suppression),
        f"kolommen zonder indicator / unmapped value columns: {len(report.unmapped_columns)}; "
        f"bewust geen indicator / explained: {len(report.explained_columns)}; "
        f"gaten tussen edities / gaps between editions: {len(report.gaps)}",
    ]
    lines += _warning_and_file_lines(report, max_rows)
    lines += _rejected_lines(report, max_rows)
    lines += _break_and_coverage_lines(report, max_rows)
    return "\n".join(lines) + "\n"


def _warning_and_file_lines(report: QualityReport, max_rows: int) -> list[str]:
    lines: list[str] = []
    warn = warnings(report)
    if warn:
        lines += ["", f"Waarschuwingen / warnings ({len(warn)}):"]
        lines += [f"  ! {w}" for w in warn[:max_rows]]
        if len(warn) > max_rows:
            lines.append(f"  … {len(warn) - max_rows} meer in quality.json")
    lines += ["", f"Gelezen bestanden / files read ({len(report.files)}):"]
    for f in report.files:
        lines.append(
            f"  {f.path}  [{f.format}]  {f.rows:,} waarden, {f.codes:,} codes, jaren {f.years}, "
            f"{len(f.indicators)} indicatoren, {f.unmatched_columns} kolommen niet in catalogus, "
            f"{f.rejected} rijen afgewezen"
        )
    for s in report.skipped:
        lines.append(f"  {s['path']}  overgeslagen / skipped: {s['reason']}")
    if report.explained_columns:
        lines += ["", "Bewust geen indicator / columns that are no indicator, and why:"]
        for e in report.explained_columns[:max_rows]:
            lines.append(f"  {e['path']}: {e['column']}: {e['reason']}")
    return lines


def _rejected_lines(report: QualityReport, max_rows: int) -> list[str]:
    lines = ["", f"Afgewezen rijen / rejected rows ({len(report.rejected)}):"]
    by_reason: dict[str, int] = {}
    for r in report.rejected:
        by_reason[r["reason"]] = by_reason.get(r["reason"], 0) + 1
    for reason, n in sorted(by_reason.items(), key=lambda kv: -kv[1]):
        lines.append(f"  {n:6,} × {reason}")
    for r in report.rejected[:max_rows]:
        lines.append(
            f"    {r['source']} rij {r['row']}: {r.get('code') or r.get('name')}: {r['reason']}"
        )
    if report.resolved_names:
        lines += [
            "",
            f"Namen omgezet naar codes / names resolved to codes ({len(report.resolved_names)}):",
        ]
        for r in report.resolved_names[:5]:
            lines.append(f"  {r['source']}: {r['name']!r} → {r['code']} (via {r['via']})")
    return lines


def _break_and_coverage_lines(report: QualityReport, max_rows: int) -> list[str]:
    lines = ["", f"Reeksbreuken / series breaks ({len(report.series_breaks)}):"]
    for b in report.series_breaks[:max_rows]:
        lines.append(f"  {b['code']} {b['year']}: {b['reason']}")
    if len(report.series_breaks) > max_rows:
        lines.append(f"  … {len(report.series_breaks) - max_rows} meer in quality.json")
    if report.conflicts:
        lines += ["", f"Tegenstrijdige bronnen / conflicting sources ({len(report.conflicts)}):"]
        for c in report.conflicts[:max_rows]:
            lines.append(f"  {c['code']} {c['year']} {c['indicator']}: {c['min']} … {c['max']}")
    lines += ["", "Dekking / coverage (gebieden met waarde per jaar):"]
    cov = pd.DataFrame(report.coverage)
    if not cov.empty:
        piv = cov.pivot_table(
            index=["indicator", "level"],
            columns="year",
            values="with_value",
            aggfunc="sum",
            fill_value=0,
        )
        lines.append(piv.to_string())
    return lines
