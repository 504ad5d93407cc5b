"""Binary downloads for the fetcher: boundaries (zip/GeoPackage) and Leefbaarometer zips.

URL patterns and the saved layout are documented in :mod:`wijkradar.sources.fetch`. Zips are
downloaded resumably, the useful members are extracted flat next to them (never using paths from
the archive, each written atomically), recorded in the manifest, and the zip is removed. Members
under ``__MACOSX/`` and ``._*`` files (macOS resource forks, which the Leefbaarometer zip has
carried) are never taken.

The Leefbaarometer 3.0 open-data zip holds, in one folder (``Leefbaarometer 3.0 - Meting 2024 -
open data/``), a scores file and a development file per level: ``Leefbaarometer-scores buurten
2002-2024.csv``, ``... wijken ...``, ``... gemeenten ...``, ``... PC4 ...``, ``... grids ...`` and
``Leefbaarometer-ontwikkeling <level> 2002-2024.csv``. Only the buurt, wijk and gemeente scores
are extracted (:data:`LBM_LEVELS`); a zip lacking one of them is an error naming what it holds.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

from wijkradar.errors import FetchError, OfflineError
from wijkradar.files import atomic_path
from wijkradar.sources._common import Phrase
from wijkradar.sources.fetch._http import fetch_error
from wijkradar.sources.fetch._run import _Run
from wijkradar.wording import N_


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
            if exc.status != 404 or isinstance(exc, OfflineError):
                raise
            tried.append(url)
            continue
        if dest.suffix != ".zip":
            run.add_written(dest, url, size)
        return url, dest
    raise fetch_error(
        N_("{label}: niet gevonden op een van deze adressen: {tried}"),
        url=tried[0],
        status=404,
        label=label,
        tried=", ".join(tried),
    )


def _members(zf: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The archive's files, without directories and macOS resource forks."""
    return [
        i
        for i in zf.infolist()
        if not i.is_dir()
        and "__MACOSX" not in Path(i.filename).parts
        and not Path(i.filename).name.startswith("._")
    ]


def by_suffix(
    *groups: str | tuple[str, ...],
) -> Callable[[list[zipfile.ZipInfo], str], list[zipfile.ZipInfo]]:
    """A member chooser: the members ending in the first suffix group any member has."""

    def choose(members: list[zipfile.ZipInfo], url: str) -> list[zipfile.ZipInfo]:
        for group in groups:
            chosen = [i for i in members if i.filename.lower().endswith(group)]
            if chosen:
                return chosen
        raise fetch_error(
            N_("{url}: de zip bevat geen van de verwachte bestanden {groups}"),
            url=url,
            groups=groups,
        )

    return choose


def _extract(
    run: _Run,
    zip_path: Path,
    url: str,
    choose: Callable[[list[zipfile.ZipInfo], str], list[zipfile.ZipInfo]],
) -> None:
    """Extract the members ``choose`` picks, flat, next to the zip; record them; drop the zip.

    ``choose(members, url)`` returns the members to keep or raises FetchError saying what the
    zip lacks.
    """
    key = run.manifest.rel(zip_path)
    extracted: dict[str, int] = {}
    try:
        with zipfile.ZipFile(zip_path) as zf:
            try:
                chosen = choose(_members(zf), url)
            except FetchError as exc:
                # Keep the zip for inspection, but not as "complete": the next run fetches again.
                run.manifest.files.pop(key, None)
                run.manifest.save()
                raise fetch_error(
                    N_("{error} (de zip is bewaard in {zip})"), url=url, error=exc, zip=zip_path
                ) from exc
            for info in chosen:
                out = zip_path.parent / Path(info.filename).name  # flat: no zip-slip
                with zf.open(info) as src, atomic_path(out) as tmp, open(tmp, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
                extracted[run.manifest.rel(out)] = out.stat().st_size
                run.add_written(out, url, extracted[run.manifest.rel(out)])
    except zipfile.BadZipFile as exc:
        zip_path.unlink(missing_ok=True)
        run.manifest.files.pop(key, None)
        run.manifest.save()
        raise fetch_error(
            N_("{url}: de download is geen geldige zip ({reason})"), url=url, reason=str(exc)
        ) from exc
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
        _extract(run, got[1], got[0], by_suffix(".gpkg", (".shp", ".shx", ".dbf", ".prj", ".cpg")))


LBM_LEVELS = ("buurten", "wijken", "gemeenten")
"""The Leefbaarometer score files taken from the open-data zip (its names use the plurals)."""
_LBM_SCORES = re.compile(
    r"^leefbaarometer-scores (buurten|wijken|gemeenten)\b.*\.(csv|xlsx)$", re.IGNORECASE
)


def lbm_score_members(members: list[zipfile.ZipInfo], url: str) -> list[zipfile.ZipInfo]:
    """The buurt, wijk and gemeente score files of a Leefbaarometer zip (CSV before XLSX).

    Raises
    ------
    FetchError
        When a level has no scores file; the message lists the zip's files.
    """
    chosen: dict[str, zipfile.ZipInfo] = {}
    for info in members:
        m = _LBM_SCORES.match(Path(info.filename).name)
        if m is None:
            continue
        level = m.group(1).lower()
        if level not in chosen or info.filename.lower().endswith(".csv"):
            chosen[level] = info
    missing = [lvl for lvl in LBM_LEVELS if lvl not in chosen]
    if missing:
        found = [Path(i.filename).name for i in members]
        more = len(found) - 30
        shown = ", ".join(found[:30])
        if more > 0:
            holds = Phrase(N_("{files} en nog {more}"), files=shown, more=more)
        else:
            holds = shown or Phrase(N_("geen bestanden"))
        raise fetch_error(
            N_(
                "{url}: geen Leefbaarometer-scorebestand voor {missing}; verwacht {pattern}, de "
                "zip bevat: {holds}"
            ),
            url=url,
            missing=", ".join(missing),
            pattern=f"'Leefbaarometer-scores <{'|'.join(LBM_LEVELS)}> <years>.csv'",
            holds=holds,
        )
    return [chosen[lvl] for lvl in LBM_LEVELS]


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
        _extract(run, got[1], got[0], lbm_score_members)
