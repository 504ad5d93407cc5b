"""Online fetcher: CBS Kerncijfers (OData v3/v4), police crime, boundaries, Leefbaarometer, CPI.

Everything lands under one folder (``to``) in the layout the readers expect::

    kwb/kwb_{year}_{table}_odata.json             CBS OData v3 TypedDataSet + DataProperties
    kwb/kwb_{year}_{table}_odata4.json            or: CBS OData v4 Observations + metadata
    police/police_crime_{year}_{table}_odata.json police registered crime (v3 envelope)
    geo/<name>.gpkg                               wijk- en buurtkaart GeoPackage
    leefbaarometer/<name>.csv                     Leefbaarometer 3.0 buurt/wijk/gemeente scores
    prices/cpi.csv                                CBS 83131NED yearly CPI, all items (``"cpi"``)
    fetch-manifest.json                           url, size, ETag, query per fetched file

URL patterns (checked against public code and docs, 2024–2026; sources in docs/fetch.md):

* CBS OData v3: ``https://opendata.cbs.nl/ODataFeed/odata/{table}/TypedDataSet?$format=json``,
  ``.../DataProperties`` and ``.../TableInfos`` (``Title``). ``ODataApi`` refuses queries of more
  than 10 000 rows ("query returns more than 10000 records"), so bulk downloads use
  ``ODataFeed``, which pages with ``odata.nextLink``; against an ``ODataApi`` base we page with
  ``$top``/``$skip`` instead.
* CBS OData v4: ``https://datasets.cbs.nl/odata/v1/CBS/{table}/Observations`` (long: one
  ``Measure`` per cell, markers in ``ValueAttribute``), ``.../Properties`` (``Title``),
  ``.../MeasureCodes``, ``.../MeasureGroups`` and ``.../WijkenEnBuurtenCodes``; every collection
  pages with ``@odata.nextLink``. See :mod:`wijkradar.sources.odata4`.
* Police: ``https://dataderden.cbs.nl/ODataFeed/odata/47018NED`` (yearly per wijk/buurt,
  ``Perioden`` ``2019JJ00``) or ``47022NED`` (monthly, ``2019MM01``); dimension
  ``SoortMisdrijf`` keys are padded to 6 characters (``'1.1.1 '``), value
  ``GeregistreerdeMisdrijven_1``. These tables exist on dataderden's OData v3 only.
* Boundaries: CBS ``https://download.cbs.nl/regionale-kaarten/wijkbuurtkaart_{year}_v{n}.zip``,
  falling back to PDOK's Atom download ``https://service.pdok.nl/cbs/wijkenbuurten/{year}/atom/
  downloads/wijkenbuurten_{year}.gpkg``.
* Leefbaarometer 3.0: ``https://www.leefbaarometer.nl/resources/open-data-leefbaarometer-meting-
  {measurement}.zip``; every measurement repeats the whole series, so only the newest is fetched.
* Consumer prices (only with ``what`` naming ``"cpi"``): CBS OData v3 (the ``cbs_odata`` base)
  ``83131NED/TypedDataSet`` with ``$filter=Bestedingscategorieen eq 'T001112  ' and
  substringof('JJ',Perioden)`` (all items, yearly periods ``2019JJ00``), measure ``CPI_1``
  (2015 = 100); written as ``year,cpi`` for :mod:`wijkradar.catalogue.prices`.

Which OData API (``api``): ``"auto"`` (default) fetches a KWB table from v3 and falls back to v4
when v3 is down — a 5xx/429 or timeouts that outlast the retries, or a v3 host that cannot be
reached while the v4 host can. v3 stays first because its bulk feed serves every edition in the
wide shape the catalogue matches on; v4 is complete too but ~100 times more records (one per
cell). ``"v3"`` and ``"v4"`` use one API only. Every table's title is checked before its data
are fetched (:func:`kwb_title_matches`, :func:`~wijkradar.sources.police.police_title_matches`).

Region filter: ``startswith(WijkenEnBuurten,'GM0363')`` works on v3 and v4 (the padded codes
start with the prefix); one clause per level: ``GM0363`` → ``GM0363``, ``WK0363``, ``BU0363``.

The package: ``_run`` (plan, report and the state of one run), ``_http`` (retries, resumable
downloads, the manifest), ``_odata`` (the CBS OData tables) and ``_files`` (boundary and
Leefbaarometer zips).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path

import httpx

from wijkradar.errors import FetchError, OfflineError
from wijkradar.sources._common import ArgumentError
from wijkradar.sources.fetch._files import fetch_geometry, fetch_leefbaarometer
from wijkradar.sources.fetch._http import Manifest, Transport
from wijkradar.sources.fetch._odata import (
    CPI_TABLE,
    KWB_TITLE,
    cpi_title_matches,
    fetch_cpi,
    fetch_kwb,
    fetch_police,
    kwb_title_matches,
    region_filter,
)
from wijkradar.sources.fetch._run import (
    ALL,
    APIS,
    CHOICES,
    YEARLESS,
    BaseUrls,
    FailedFetch,
    FetchedFile,
    FetchPlan,
    FetchReport,
    _Run,
    kwb_table_ids,
    parse_regions,
    parse_years,
)
from wijkradar.sources.police import POLICE_TABLES
from wijkradar.wording import N_

__all__ = [
    "ALL",
    "APIS",
    "CHOICES",
    "CPI_TABLE",
    "KWB_TITLE",
    "YEARLESS",
    "BaseUrls",
    "FailedFetch",
    "FetchPlan",
    "FetchReport",
    "FetchedFile",
    "cpi_title_matches",
    "fetch",
    "kwb_table_ids",
    "kwb_title_matches",
    "parse_regions",
    "parse_years",
    "region_filter",
]


def fetch(
    years: Iterable[int],
    to: str | Path,
    *,
    what: Iterable[str] = ALL,
    base_urls: BaseUrls | None = None,
    client: httpx.Client | None = None,
    retries: int = 3,
    backoff: float = 0.5,
    timeout: float = 60.0,
    progress: Callable[[str, int, int | None], None] | None = None,
    regions: str | None = None,
    police_table: str = "47018NED",
    force: bool = False,
    api: str = "auto",
) -> FetchReport:
    """Download KWB tables, police crime, boundaries, Leefbaarometer data and the CPI into ``to``.

    Parameters
    ----------
    years
        KWB editions (also the police years and boundary years), e.g. ``[2019, 2020]``; may be
        empty when ``what`` names only sources without years (:data:`YEARLESS`).
    to
        Target folder; created when missing. See the module docstring for the layout.
    what
        Any of ``"kwb"``, ``"geometry"``, ``"police"``, ``"leefbaarometer"`` (default all four)
        and ``"cpi"`` (the consumer price index, ``prices/cpi.csv``; only when named).
    base_urls
        Publisher base URLs; default :meth:`BaseUrls.from_settings`.
    client
        An ``httpx.Client`` to use (not closed); default a new one.
    retries, backoff, timeout
        Retries per request on 5xx/429/timeouts/resets, waiting ``backoff * 2**n`` seconds.
    progress
        ``progress(label, done, total)`` after each page/chunk (total ``None`` if unknown).
    regions
        Comma-separated GM/WK/BU codes to restrict the OData tables to (e.g. ``"GM0363"``).
    police_table
        ``"47018NED"`` (yearly) or ``"47022NED"`` (monthly, summed by the reader).
    force
        Fetch again even when the manifest says a file is complete.
    api
        ``"auto"`` (v3, falling back to v4 when v3 is down), ``"v3"`` or ``"v4"``; for the KWB
        tables only (the police tables exist on v3 only).

    Returns
    -------
    FetchReport
        ``written`` / ``skipped`` / ``failed`` files; failures hold a FetchError.

    Raises
    ------
    OfflineError
        When a host cannot be reached at all (DNS failure, connection refused) and no other
        API can stand in: nothing else would succeed either, so the run stops.
    ValueError
        For an unknown ``what`` or ``api``, a year without a KWB table, or a malformed
        region code.
    """
    plan = FetchPlan(tuple(int(y) for y in years), Path(to), tuple(what))
    if police_table not in POLICE_TABLES:
        raise ArgumentError(
            N_("police_table moet een van {choices} zijn; gekregen {got}"),
            choices=", ".join(POLICE_TABLES),
            got=repr(police_table),
        )
    if api not in APIS:
        raise ArgumentError(
            N_("api moet een van {choices} zijn; gekregen {got}"),
            choices=", ".join(APIS),
            got=repr(api),
        )
    codes = parse_regions(regions)  # validate before opening a client
    run = _Run(
        plan=plan,
        urls=base_urls or BaseUrls.from_settings(),
        http=Transport(client, retries=retries, backoff=backoff, timeout=timeout),
        manifest=Manifest(plan.to),
        progress=progress,
        regions=codes,
        police_table=police_table,
        force=force,
        api=api,
    )
    plan.to.mkdir(parents=True, exist_ok=True)
    try:
        for kind, target, job in _jobs(run):
            try:
                job()
            except OfflineError:
                raise
            except FetchError as exc:
                run.failed.append(FailedFetch(kind, target, exc))
    finally:
        run.http.close()
    return run.report()


def _jobs(run: _Run) -> list[tuple[str, str, Callable[[], None]]]:
    """(what, target, download) in the order they run: per year KWB, police, geometry; then
    Leefbaarometer and the CPI."""
    per_year = {"kwb": fetch_kwb, "police": fetch_police, "geometry": fetch_geometry}
    jobs: list[tuple[str, str, Callable[[], None]]] = [
        (what, str(year), partial(per_year[what], run, year))
        for year in run.plan.years
        for what in per_year
        if what in run.plan.what
    ]
    if "leefbaarometer" in run.plan.what:
        jobs.append(("leefbaarometer", "3.0", partial(fetch_leefbaarometer, run)))
    if "cpi" in run.plan.what:
        jobs.append(("cpi", CPI_TABLE, partial(fetch_cpi, run)))
    return jobs
