"""Binary downloads for the fetcher: boundaries (zip/GeoPackage) and Leefbaarometer zips.

URL patterns and the saved layout are documented in :mod:`wijkradar.sources.fetch`. Zips are
downloaded resumably, the useful members are extracted flat next to them (never using paths from
the archive), recorded in the manifest, and the zip is removed.
"""

from __future__ import annotations

import os
import zipfile
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from wijkradar.errors import FetchError, OfflineError

if TYPE_CHECKING:
    from wijkradar.sources.fetch import _Run


def _download(run: _Run, url: str, dest: Path, label: str) -> int:
    key = run.manifest.rel(dest)
    etag = run.manifest.partial.get(key, {}).get("etag")
    size, etag = run.http.download(
        url,
        dest,
        etag=etag,
        progress=run.progress,
        label=label,
        on_start=lambda e: run.manifest.record_partial(key, url, e),
    )
    run.manifest.record(key, url=url, size=size, etag=etag)
    return size


def _first_available(
    run: _Run, candidates: list[tuple[str, Path]], label: str
) -> tuple[str, Path] | None:
    """Download the first candidate URL that is not a 404; FetchError listing all tried.

    Returns (url, path), or ``None`` when the manifest says a candidate is complete already.
    """
    for _url, dest in candidates:
        if not run.force and run.manifest.complete(run.manifest.rel(dest)):
            run.skipped.append(dest)
            return None
    tried = []
    for url, dest in candidates:
        try:
            size = _download(run, url, dest, label)
        except FetchError as exc:
            if getattr(exc, "status", None) != 404 or isinstance(exc, OfflineError):
                raise
            tried.append(url)
            continue
        if dest.suffix != ".zip":
            run.add_written(dest, url, size)
        return url, dest
    err = FetchError(f"{label}: not found at any of: {', '.join(tried)}")
    err.url, err.status = tried[0], 404  # type: ignore[attr-defined]
    raise err


def _extract(
    run: _Run, zip_path: Path, url: str, suffixes: tuple[str | tuple[str, ...], ...]
) -> None:
    """Extract members ending in the first suffix group present, flat, next to the zip.

    ``suffixes`` are tried as alternatives in order (``(".gpkg",)`` before shapefile parts);
    the extracted files are recorded in the manifest and the zip is removed.
    """
    key = run.manifest.rel(zip_path)
    extracted: dict[str, int] = {}
    try:
        with zipfile.ZipFile(zip_path) as zf:
            members = [i for i in zf.infolist() if not i.is_dir()]
            for group in suffixes:
                chosen = [i for i in members if i.filename.lower().endswith(group)]
                if chosen:
                    break
            for info in chosen:
                out = zip_path.parent / Path(info.filename).name  # flat: no zip-slip
                part = out.with_name(out.name + ".part")
                with zf.open(info) as src, open(part, "wb") as dst:
                    while chunk := src.read(1 << 20):
                        dst.write(chunk)
                os.replace(part, out)
                extracted[run.manifest.rel(out)] = out.stat().st_size
                run.add_written(out, url, extracted[run.manifest.rel(out)])
    except zipfile.BadZipFile as exc:
        zip_path.unlink(missing_ok=True)
        run.manifest.files.pop(key, None)
        run.manifest.save()
        raise FetchError(f"{url}: the download is not a valid zip ({exc})") from exc
    if not extracted:
        raise FetchError(f"{url}: the zip holds none of the expected files {suffixes}")
    run.manifest.record(key, url=url, size=zip_path.stat().st_size, extracted=extracted)
    zip_path.unlink()


def fetch_geometry(run: _Run, year: int) -> None:
    geo = run.plan.to / "geo"
    cbs = run.urls.cbs_geo.rstrip("/")
    candidates = [
        (f"{cbs}/wijkbuurtkaart_{year}_v{v}.zip", geo / f"wijkbuurtkaart_{year}_v{v}.zip")
        for v in (3, 2, 1)
    ]
    pdok = run.urls.pdok.rstrip("/")
    candidates.append(
        (
            f"{pdok}/{year}/atom/downloads/wijkenbuurten_{year}.gpkg",
            geo / f"wijkenbuurten_{year}.gpkg",
        )
    )
    got = _first_available(run, candidates, f"geometry {year}")
    if got is not None and got[1].suffix == ".zip":
        # Before 2021 the CBS zips hold shapefiles rather than a GeoPackage: keep those then.
        _extract(run, got[1], got[0], (".gpkg", (".shp", ".shx", ".dbf", ".prj", ".cpg")))


def lbm_measurements(today: date | None = None) -> list[int]:
    """Leefbaarometer 3.0 measurements to try, newest first (every two years since 2020)."""
    year = (today or date.today()).year
    return list(range(year - year % 2, 2019, -2))


def fetch_leefbaarometer(run: _Run) -> None:
    base = run.urls.leefbaarometer.rstrip("/")
    lbm = run.plan.to / "leefbaarometer"
    candidates = [
        (
            f"{base}/open-data-leefbaarometer-meting-{m}.zip",
            lbm / f"open-data-leefbaarometer-meting-{m}.zip",
        )
        for m in lbm_measurements()
    ]
    got = _first_available(run, candidates, "leefbaarometer")
    if got is not None:
        _extract(run, got[1], got[0], ((".csv", ".xlsx"),))
