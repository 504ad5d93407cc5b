"""Render the wijkprofiel: one Jinja2 template → HTML, and through WeasyPrint → PDF (A4).

Writes are atomic (:func:`wijkradar.files.atomic_path`), so an interrupted run never leaves a
half-written report. A batch
reports progress through a callback and keeps the finished files when it is interrupted.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from wijkradar.errors import WijkradarError
from wijkradar.files import atomic_path
from wijkradar.palette import css_variables

if TYPE_CHECKING:
    from wijkradar.dataset import Dataset

HERE = Path(__file__).parent
FORMATS = ("pdf", "html")


@cache
def _env():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(HERE / "templates")),
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def _css_text() -> str:
    # the palette's colours as CSS custom properties, then the stylesheet that uses them
    return css_variables() + (HERE / "templates" / "report.css").read_text(encoding="utf-8")


@cache
def _css():
    from weasyprint import CSS

    return CSS(string=_css_text())


def render_html(context: dict, *, inline_css: bool = True) -> str:
    """The report as one HTML document (CSS inlined, charts as inline SVG)."""
    return (
        _env().get_template("report.html").render(**context, css=_css_text() if inline_css else "")
    )


def _pdf(html: str) -> tuple[bytes, int]:
    from weasyprint import HTML

    doc = HTML(string=html, base_url=str(HERE / "templates")).render(stylesheets=[_css()])
    return doc.write_pdf(), len(doc.pages)


def _format_of(path: Path, fmt: str | None) -> str:
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise WijkradarError(
            "onbekend formaat {fmt} voor {path}: gebruik een naam op .pdf of .html",
            fmt=repr(fmt),
            path=path,
        )
    return fmt


def _write_atomic(path: Path, data: bytes) -> None:
    folder = path.parent
    if not folder.is_dir():
        raise WijkradarError("map {folder} bestaat niet", folder=folder)
    try:
        with atomic_path(path) as tmp:
            tmp.write_bytes(data)
    except OSError as exc:
        raise WijkradarError(
            "kan {path} niet schrijven: {reason}", path=path, reason=exc.strerror
        ) from None


def report_bytes(
    ds: Dataset,
    code: str,
    lang: str = "nl",
    *,
    fmt: str = "pdf",
    year: int | None = None,
    view: str = "absolute",
    level: str | None = None,
) -> bytes:
    """The report of ``code`` as PDF bytes (or UTF-8 HTML with ``fmt='html'``).

    Raises
    ------
    UnknownRegionError, WijkradarError
        Unknown code, region without data, level mismatch, bad language or format.
    """
    return _report(ds, code, lang, fmt=fmt, year=year, view=view, level=level)[0]


def _report(ds, code, lang, *, fmt, year=None, view="absolute", level=None) -> tuple[bytes, int]:
    from wijkradar.outputs.report.context import build_context

    if fmt not in FORMATS:
        raise WijkradarError("formaat moet pdf of html zijn, niet {fmt}", fmt=repr(fmt))
    ctx = build_context(ds, code, lang=lang, year=year, view=view, level=level)
    html = render_html(ctx, inline_css=fmt == "html")
    return (html.encode("utf-8"), 0) if fmt == "html" else _pdf(html)


def render_report(
    ds: Dataset,
    code: str,
    path: str | Path,
    lang: str = "nl",
    fmt: str | None = None,
    *,
    year: int | None = None,
    view: str = "absolute",
    level: str | None = None,
) -> Path:
    """Write the report of ``code`` to ``path`` (format from ``fmt`` or the suffix), atomically.

    Returns the path written.
    """
    path = Path(path)
    kind = _format_of(path, fmt)
    data = report_bytes(ds, code, lang, fmt=kind, year=year, view=view, level=level)
    _write_atomic(path, data)
    return path


@dataclass
class BatchResult:
    """What a batch did: files written, regions that failed (code → message), regions not
    reached because the batch was interrupted."""

    done: list[Path] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    not_done: list[str] = field(default_factory=list)
    interrupted: bool = False
    pages: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed and not self.not_done and not self.interrupted


def batch_codes(ds: Dataset, gemeente: str, level: str) -> list[str]:
    """The codes of ``level`` in ``gemeente`` that have data, in code order."""
    from wijkradar.codes import gemeente_of

    if level not in ("buurt", "wijk"):
        raise WijkradarError("niveau moet buurt of wijk zijn, niet {level}", level=repr(level))
    gm = str(gemeente).strip().upper()
    regions = ds.regions
    if gm not in set(regions.loc[regions["level"] == "gemeente", "code"]):
        raise WijkradarError(
            "gemeente {gm} staat niet in de dataset (verwacht bv. GM0363)", gm=repr(gm)
        )
    lv = regions[(regions["level"] == level)]
    codes = [c for c in lv["code"].astype(str) if gemeente_of(c) == gm]
    p = ds.panel
    with_data = set(p.loc[(p["level"] == level) & p["value"].notna(), "code"].astype(str).unique())
    codes = sorted(c for c in codes if c in with_data)
    if not codes:
        raise WijkradarError(
            "geen gebieden op niveau {level} met gegevens in {gm}", level=level, gm=gm
        )
    return codes


def render_batch(
    ds: Dataset,
    gemeente: str,
    level: str,
    outdir: str | Path,
    *,
    lang: str = "nl",
    fmt: str = "pdf",
    view: str = "absolute",
    progress: Callable[[str, int, int], None] | None = None,
) -> BatchResult:
    """One report per ``level`` region of ``gemeente`` into ``outdir`` (``<code>.<fmt>``).

    A region that fails (no data, …) is recorded and the batch goes on. On
    ``KeyboardInterrupt`` the batch stops: finished files stay, the temporary file of the
    report in progress is removed, and the remaining codes are listed in ``not_done``.
    """
    if fmt not in FORMATS:
        raise WijkradarError("formaat moet pdf of html zijn, niet {fmt}", fmt=repr(fmt))
    out = Path(outdir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WijkradarError(
            "kan map {out} niet maken: {reason}", out=out, reason=exc.strerror
        ) from None
    if not os.access(out, os.W_OK):
        raise WijkradarError("kan niet schrijven in {out}", out=out)
    codes = batch_codes(ds, gemeente, level)
    result = BatchResult()
    for i, code in enumerate(codes):
        if progress:
            progress(code, i, len(codes))
        try:
            data, pages = _report(ds, code, lang, fmt=fmt, view=view, level=level)
            target = out / f"{code}.{fmt}"
            _write_atomic(target, data)
            result.done.append(target)
            result.pages += pages
        except KeyboardInterrupt:
            result.interrupted = True
            result.not_done = codes[i:]
            break
        except WijkradarError as exc:
            result.failed[code] = str(exc)
    if progress:
        progress("", len(result.done) + len(result.failed), len(codes))
    return result
