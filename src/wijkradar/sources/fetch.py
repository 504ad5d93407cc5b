"""Online fetcher: CBS Kerncijfers (OData), police crime per buurt, boundaries, Leefbaarometer.

Everything lands under one folder (``to``) in the layout the readers expect::

    kwb/kwb_{year}_{table}_odata.json             CBS OData TypedDataSet + DataProperties
    police/police_crime_{year}_{table}_odata.json police registered crime (same envelope)
    geo/<name>.gpkg                               wijk- en buurtkaart GeoPackage
    leefbaarometer/<name>.csv                     Leefbaarometer 3.0 open data
    fetch-manifest.json                           url, size, ETag, query per fetched file

URL patterns (checked against public code and docs, 2024–2025):

* CBS OData v3: ``https://opendata.cbs.nl/ODataFeed/odata/{table}/TypedDataSet?$format=json``
  and ``.../{table}/DataProperties``. ``ODataApi`` refuses queries of more than 10 000 rows
  ("query returns more than 10000 records"), so bulk downloads use ``ODataFeed``, which pages
  with ``odata.nextLink`` (this is what the cbsodata package does: ``BULK = "ODataFeed/odata"``).
  Against an ``ODataApi`` base we page with ``$top``/``$skip`` instead.
* Police: ``https://dataderden.cbs.nl/ODataFeed/odata/47018NED`` (yearly per wijk/buurt,
  ``Perioden`` ``2019JJ00``) or ``47022NED`` (monthly, ``2019MM01``); dimension
  ``SoortMisdrijf`` keys are padded to 6 characters (``'1.1.1 '``), value
  ``GeregistreerdeMisdrijven_1`` (data.politie.nl / dataderden.cbs.nl).
* Boundaries: CBS ``https://download.cbs.nl/regionale-kaarten/wijkbuurtkaart_{year}_v{n}.zip``
  (a zip holding the GeoPackage; v1 is the first release, v2/v3 add figures), falling back to
  PDOK's Atom download ``https://service.pdok.nl/cbs/wijkenbuurten/{year}/atom/downloads/
  wijkenbuurten_{year}.gpkg`` (2021+; older years have other file names, see docs/fetch.md).
* Leefbaarometer 3.0: ``https://www.leefbaarometer.nl/resources/open-data-leefbaarometer-meting-
  {measurement}.zip`` (CSV per level, e.g. ``Leefbaarometer-scores buurten 2002-2024.csv``); every
  measurement repeats the whole series, so only the newest one is fetched.

Region filter: OData v3 ``startswith(WijkenEnBuurten,'GM0363')`` works on both hosts (the
padded codes start with the prefix). ``substringof('0363',WijkenEnBuurten)`` is also supported
but matches codes that merely contain the digits (``BU05990363``), so we send one
``startswith`` per level: ``GM0363`` → ``GM0363``, ``WK0363``, ``BU0363``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

import httpx

from wijkradar.codes import EXPECTED_SHAPE, is_valid_code, normalise_code
from wijkradar.errors import FetchError, OfflineError
from wijkradar.sources._common import kwb_tables
from wijkradar.sources.fetch_files import fetch_geometry, fetch_leefbaarometer
from wijkradar.sources.fetch_http import Manifest, Progress, Transport, write_json_atomic
from wijkradar.sources.police import POLICE_TABLES, police_soort_keys

ALL = ("kwb", "geometry", "police", "leefbaarometer")
ODATA_API_PAGE = 10_000  # ODataApi's hard row limit per request


@dataclass(frozen=True)
class BaseUrls:
    """Base URLs of the publishers' services; override for mirrors and tests.

    ``from_env`` reads ``WIJKRADAR_CBS_ODATA_URL``, ``WIJKRADAR_POLICE_ODATA_URL``,
    ``WIJKRADAR_CBS_GEO_URL``, ``WIJKRADAR_PDOK_URL`` and ``WIJKRADAR_LEEFBAAROMETER_URL``.
    """

    cbs_odata: str = "https://opendata.cbs.nl/ODataFeed/odata"
    police_odata: str = "https://dataderden.cbs.nl/ODataFeed/odata"
    cbs_geo: str = "https://download.cbs.nl/regionale-kaarten"
    pdok: str = "https://service.pdok.nl/cbs/wijkenbuurten"
    leefbaarometer: str = "https://www.leefbaarometer.nl/resources"

    _ENV = {
        "cbs_odata": "WIJKRADAR_CBS_ODATA_URL",
        "police_odata": "WIJKRADAR_POLICE_ODATA_URL",
        "cbs_geo": "WIJKRADAR_CBS_GEO_URL",
        "pdok": "WIJKRADAR_PDOK_URL",
        "leefbaarometer": "WIJKRADAR_LEEFBAAROMETER_URL",
    }

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> BaseUrls:
        """Defaults, overridden by the ``WIJKRADAR_*_URL`` environment variables."""
        env = os.environ if env is None else env
        names = {f.name: cls._ENV[f.name] for f in fields(cls)}
        return cls(**{name: env[var] for name, var in names.items() if env.get(var)})

    @classmethod
    def local(cls, root: str) -> BaseUrls:
        """All five under one server (``root/cbs``, ``root/police``, ...), for tests and mirrors."""
        root = root.rstrip("/")
        return cls(f"{root}/cbs", f"{root}/police", f"{root}/geo", f"{root}/pdok", f"{root}/lbm")


@dataclass(frozen=True)
class FetchPlan:
    """What to fetch: KWB years, target folder, and which of :data:`ALL`."""

    years: tuple[int, ...]
    to: Path
    what: tuple[str, ...] = ALL

    def __post_init__(self) -> None:
        unknown = [w for w in self.what if w not in ALL]
        if unknown or not self.what:
            raise ValueError(f"what must be a non-empty subset of {', '.join(ALL)}; got {unknown}")
        if not self.years or not all(isinstance(y, int) for y in self.years):
            raise ValueError(f"years must be a non-empty sequence of ints; got {self.years!r}")
        if "kwb" in self.what:
            missing = sorted(set(self.years) - set(kwb_table_ids()))
            if missing:
                known = ", ".join(str(y) for y in sorted(kwb_table_ids()))
                raise ValueError(f"no KWB table for {missing}; known years: {known}")


@dataclass(frozen=True)
class FetchedFile:
    """A file written by this run."""

    path: Path
    url: str
    size: int


@dataclass(frozen=True)
class FailedFetch:
    """A file that could not be fetched; ``error`` has ``url`` and ``status`` attributes."""

    what: str
    target: str
    error: FetchError


@dataclass(frozen=True)
class FetchReport:
    """Outcome of :func:`fetch`: files written, skipped (already complete) and failed."""

    plan: FetchPlan
    written: tuple[FetchedFile, ...] = ()
    skipped: tuple[Path, ...] = ()
    failed: tuple[FailedFetch, ...] = ()

    @property
    def ok(self) -> bool:
        """True when nothing failed."""
        return not self.failed

    def raise_on_failure(self) -> None:
        """Raise the first failure's FetchError (the message names its URL)."""
        if self.failed:
            raise self.failed[0].error


@dataclass
class _Run:
    plan: FetchPlan
    urls: BaseUrls
    http: Transport
    manifest: Manifest
    progress: Progress | None
    regions: tuple[str, ...]
    police_table: str
    force: bool
    written: list[FetchedFile] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    failed: list[FailedFetch] = field(default_factory=list)

    def tick(self, label: str, done: int, total: int | None) -> None:
        if self.progress is not None:
            self.progress(label, done, total)

    def add_written(self, path: Path, url: str, size: int) -> None:
        self.written.append(FetchedFile(path, url, size))


def kwb_table_ids() -> dict[int, str]:
    """KWB year → CBS table id (the catalogue's ``kwb_tables.csv`` inverted)."""
    return {year: table for table, year in kwb_tables().items()}


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
) -> FetchReport:
    """Download KWB tables, police crime, boundaries and Leefbaarometer data into ``to``.

    Parameters
    ----------
    years
        KWB editions (also the police years and boundary years), e.g. ``[2019, 2020]``.
    to
        Target folder; created when missing. See the module docstring for the layout.
    what
        Any of ``"kwb"``, ``"geometry"``, ``"police"``, ``"leefbaarometer"``.
    base_urls
        Publisher base URLs; default :meth:`BaseUrls.from_env`.
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

    Returns
    -------
    FetchReport
        ``written`` / ``skipped`` / ``failed`` files; failures hold a FetchError.

    Raises
    ------
    OfflineError
        When a host cannot be reached at all (DNS failure, connection refused): nothing else
        would succeed either, so the run stops.
    ValueError
        For an unknown ``what``, a year without a KWB table, or a malformed region code.
    """
    plan = FetchPlan(tuple(int(y) for y in years), Path(to), tuple(what))
    if police_table not in POLICE_TABLES:
        raise ValueError(f"police_table must be one of {', '.join(POLICE_TABLES)}")
    codes = _parse_regions(regions)  # validate before opening a client
    run = _Run(
        plan=plan,
        urls=base_urls or BaseUrls.from_env(),
        http=Transport(client, retries=retries, backoff=backoff, timeout=timeout),
        manifest=Manifest(plan.to),
        progress=progress,
        regions=codes,
        police_table=police_table,
        force=force,
    )
    plan.to.mkdir(parents=True, exist_ok=True)
    jobs: list[tuple[str, str, Callable[[], None]]] = []
    for year in plan.years:
        if "kwb" in plan.what:
            jobs.append(("kwb", str(year), lambda y=year: _fetch_kwb(run, y)))
        if "police" in plan.what:
            jobs.append(("police", str(year), lambda y=year: _fetch_police(run, y)))
        if "geometry" in plan.what:
            jobs.append(("geometry", str(year), lambda y=year: fetch_geometry(run, y)))
    if "leefbaarometer" in plan.what:
        jobs.append(("leefbaarometer", "3.0", lambda: fetch_leefbaarometer(run)))
    try:
        for kind, target, job in jobs:
            try:
                job()
            except OfflineError:
                raise
            except FetchError as exc:
                run.failed.append(FailedFetch(kind, target, exc))
    finally:
        run.http.close()
    return FetchReport(plan, tuple(run.written), tuple(run.skipped), tuple(run.failed))


# -- OData tables -------------------------------------------------------------------------------


def _parse_regions(regions: str | None) -> tuple[str, ...]:
    if not regions:
        return ()
    codes = tuple(normalise_code(c) for c in regions.split(",") if c.strip())
    bad = [c for c in codes if not is_valid_code(c) or c.startswith("NL")]
    if bad:
        raise ValueError(f"regions must be GM/WK/BU codes ({EXPECTED_SHAPE}); got {bad}")
    return codes


def region_filter(codes: Iterable[str]) -> str:
    """OData ``$filter`` clause selecting the regions and everything inside them."""
    parts = []
    for code in codes:
        digits = code[2:]
        levels = {"GM": ("GM", "WK", "BU"), "WK": ("WK", "BU"), "BU": ("BU",)}[code[:2]]
        parts += [f"startswith(WijkenEnBuurten,'{lvl}{digits}')" for lvl in levels]
    return "(" + " or ".join(parts) + ")" if parts else ""


def _get_all(run: _Run, url: str, params: dict[str, str], label: str) -> list[dict]:
    """All records of an OData v3 collection: follow ``odata.nextLink``, else page $skip."""
    page = ODATA_API_PAGE if "/odataapi/" in url.lower() else None
    params = {"$format": "json", **params}
    records: list[dict] = []
    next_url: str | None = url
    next_params: dict[str, str] | None = dict(params, **({"$top": str(page)} if page else {}))
    while next_url:
        doc = run.http.get_json(next_url, next_params)
        value = doc.get("value")
        if not isinstance(value, list):
            raise FetchError(f"{next_url}: no 'value' list in the OData response")
        records.extend(value)
        run.tick(label, len(records), None)
        link = doc.get("odata.nextLink") or doc.get("@odata.nextLink")
        if link:  # the link carries all query options
            next_url, next_params = link, None
        elif page and len(value) == page:
            next_url = url
            next_params = dict(params, **{"$top": str(page), "$skip": str(len(records))})
        else:
            next_url = None
    return records


def _fetch_odata(
    run: _Run, base: str, table: str, filters: list[str], out: Path, year: int, label: str
) -> None:
    key = run.manifest.rel(out)
    flt = " and ".join(f for f in filters if f)
    if not run.force and run.manifest.complete(key, query=flt):
        run.skipped.append(out)
        return
    table_url = f"{base.rstrip('/')}/{table}"
    props = _get_all(run, f"{table_url}/DataProperties", {}, f"{label} metadata")
    data_url = f"{table_url}/TypedDataSet"
    rows = _get_all(run, data_url, {"$filter": flt} if flt else {}, label)
    doc = {
        "table": table,
        "year": year,
        "source": data_url,
        "filter": flt,
        "DataProperties": props,
        "value": rows,
    }
    size = write_json_atomic(out, doc)
    run.manifest.record(key, url=data_url, size=size, query=flt, records=len(rows))
    run.add_written(out, data_url, size)


def _fetch_kwb(run: _Run, year: int) -> None:
    table = kwb_table_ids()[year]
    out = run.plan.to / "kwb" / f"kwb_{year}_{table}_odata.json"
    _fetch_odata(
        run, run.urls.cbs_odata, table, [region_filter(run.regions)], out, year, f"kwb {year}"
    )


def _fetch_police(run: _Run, year: int) -> None:
    table = run.police_table
    period = (
        f"Perioden eq '{year}JJ00'"
        if POLICE_TABLES[table] == "year"
        else f"startswith(Perioden,'{year}MM')"
    )
    soort = "(" + " or ".join(f"SoortMisdrijf eq '{k}'" for k in police_soort_keys()) + ")"
    out = run.plan.to / "police" / f"police_crime_{year}_{table}_odata.json"
    _fetch_odata(
        run,
        run.urls.police_odata,
        table,
        [period, soort, region_filter(run.regions)],
        out,
        year,
        f"police {year}",
    )
