"""Online fetcher: CBS Kerncijfers (OData v3/v4), police crime, boundaries, Leefbaarometer.

Everything lands under one folder (``to``) in the layout the readers expect::

    kwb/kwb_{year}_{table}_odata.json             CBS OData v3 TypedDataSet + DataProperties
    kwb/kwb_{year}_{table}_odata4.json            or: CBS OData v4 Observations + metadata
    police/police_crime_{year}_{table}_odata.json police registered crime (v3 envelope)
    geo/<name>.gpkg                               wijk- en buurtkaart GeoPackage
    leefbaarometer/<name>.csv                     Leefbaarometer 3.0 buurt/wijk/gemeente scores
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

Which OData API (``api``): ``"auto"`` (default) fetches a KWB table from v3 and falls back to v4
when v3 is down — a 5xx/429 or timeouts that outlast the retries, or a v3 host that cannot be
reached while the v4 host can. v3 stays first because its bulk feed serves every edition in the
wide shape the catalogue matches on; v4 is complete too but ~100 times more records (one per
cell). ``"v3"`` and ``"v4"`` use one API only. Every table's title is checked before its data
are fetched (:func:`kwb_title_matches`, :func:`~wijkradar.sources.police.police_title_matches`).

Region filter: ``startswith(WijkenEnBuurten,'GM0363')`` works on v3 and v4 (the padded codes
start with the prefix); one clause per level: ``GM0363`` → ``GM0363``, ``WK0363``, ``BU0363``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx

from wijkradar.codes import EXPECTED_SHAPE, is_valid_code, normalise_code
from wijkradar.errors import FetchError, OfflineError
from wijkradar.sources._common import kwb_tables
from wijkradar.sources._markers import normalise_label
from wijkradar.sources.fetch_files import fetch_geometry, fetch_leefbaarometer
from wijkradar.sources.fetch_http import (
    Manifest,
    Progress,
    Transport,
    is_outage,
    write_json_atomic,
    write_text_atomic,
)
from wijkradar.sources.odata4 import FORMAT_TAG, envelope_text
from wijkradar.sources.police import (
    POLICE_TABLES,
    POLICE_TITLES,
    police_soort_keys,
    police_title_matches,
)

ALL = ("kwb", "geometry", "police", "leefbaarometer")
APIS = ("auto", "v3", "v4")
ODATA_API_PAGE = 10_000  # ODataApi's hard row limit per request
KWB_TITLE = "Kerncijfers wijken en buurten {year}"


@dataclass(frozen=True)
class BaseUrls:
    """Base URLs of the publishers' services; override for mirrors and tests.

    ``from_env`` reads ``WIJKRADAR_CBS_ODATA_URL``, ``WIJKRADAR_POLICE_ODATA_URL``,
    ``WIJKRADAR_CBS_GEO_URL``, ``WIJKRADAR_PDOK_URL``, ``WIJKRADAR_LEEFBAAROMETER_URL`` and
    ``WIJKRADAR_CBS_ODATA4_URL``.
    """

    cbs_odata: str = "https://opendata.cbs.nl/ODataFeed/odata"
    police_odata: str = "https://dataderden.cbs.nl/ODataFeed/odata"
    cbs_geo: str = "https://download.cbs.nl/regionale-kaarten"
    pdok: str = "https://service.pdok.nl/cbs/wijkenbuurten"
    leefbaarometer: str = "https://www.leefbaarometer.nl/resources"
    cbs_odata4: str = "https://datasets.cbs.nl/odata/v1/CBS"

    _ENV = {
        "cbs_odata": "WIJKRADAR_CBS_ODATA_URL",
        "police_odata": "WIJKRADAR_POLICE_ODATA_URL",
        "cbs_geo": "WIJKRADAR_CBS_GEO_URL",
        "pdok": "WIJKRADAR_PDOK_URL",
        "leefbaarometer": "WIJKRADAR_LEEFBAAROMETER_URL",
        "cbs_odata4": "WIJKRADAR_CBS_ODATA4_URL",
    }

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> BaseUrls:
        """Defaults, overridden by the ``WIJKRADAR_*_URL`` environment variables."""
        env = os.environ if env is None else env
        names = {f.name: cls._ENV[f.name] for f in fields(cls)}
        return cls(**{name: env[var] for name, var in names.items() if env.get(var)})

    @classmethod
    def local(cls, root: str) -> BaseUrls:
        """All six under one server (``root/cbs``, ``root/police``, ..., ``root/cbs4``)."""
        root = root.rstrip("/")
        return cls(
            f"{root}/cbs", f"{root}/police", f"{root}/geo", f"{root}/pdok", f"{root}/lbm",
            f"{root}/cbs4",
        )  # fmt: skip


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
    api: str = "auto"
    v3_offline: OfflineError | None = None  # once v3 is unreachable, later years go to v4
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


def kwb_title_matches(title: str, year: int) -> bool:
    """Whether ``title`` is the title of the KWB edition ``year``.

    Case, punctuation and spacing may differ from :data:`KWB_TITLE`; the words "kerncijfers",
    "wijken" and "buurten" must be there and ``year`` must be the only year in it.
    """
    words = set(normalise_label(title).split())
    years = set(re.findall(r"(?<!\d)(?:19|20)\d{2}(?!\d)", title))
    return {"kerncijfers", "wijken", "buurten"} <= words and years == {str(year)}


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
        raise ValueError(f"police_table must be one of {', '.join(POLICE_TABLES)}")
    if api not in APIS:
        raise ValueError(f"api must be one of {', '.join(APIS)}; got {api!r}")
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
        api=api,
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


# -- OData paging -------------------------------------------------------------------------------


def _parse_regions(regions: str | None) -> tuple[str, ...]:
    if not regions:
        return ()
    codes = tuple(normalise_code(c) for c in regions.split(",") if c.strip())
    bad = [c for c in codes if not is_valid_code(c) or c.startswith("NL")]
    if bad:
        raise ValueError(f"regions must be GM/WK/BU codes ({EXPECTED_SHAPE}); got {bad}")
    return codes


def region_filter(codes: Iterable[str], key: str = "WijkenEnBuurten") -> str:
    """OData ``$filter`` clause selecting the regions and everything inside them.

    ``key`` is the property holding the code: the dimension in a data set, ``Identifier`` in a
    v4 codes list.
    """
    parts = []
    for code in codes:
        digits = code[2:]
        levels = {"GM": ("GM", "WK", "BU"), "WK": ("WK", "BU"), "BU": ("BU",)}[code[:2]]
        parts += [f"startswith({key},'{lvl}{digits}')" for lvl in levels]
    return "(" + " or ".join(parts) + ")" if parts else ""


def _full_url(url: str, params: dict[str, str] | None) -> str:
    """``url`` with ``params`` merged into its query, as httpx sends it.

    (``httpx.URL(url, params=None)`` would drop the query a nextLink carries.)
    """
    full = httpx.URL(url)
    return str(full.copy_merge_params(params) if params else full)


def _page_key(url: str, params: dict[str, str] | None) -> tuple:
    """A URL with its query decoded and sorted, so a link back to a page is recognised."""
    full = urlsplit(_full_url(url, params))
    query = tuple(sorted(parse_qsl(full.query, keep_blank_values=True)))
    return (full.scheme, full.netloc.lower(), full.path.rstrip("/"), query)


def _with_url(err: FetchError, url: str, status: int | None = None) -> FetchError:
    """Give ``err`` the ``url``/``status`` attributes every fetch error carries."""
    if getattr(err, "url", None) is None:
        err.url = url  # type: ignore[attr-defined]
    if not hasattr(err, "status"):
        err.status = status  # type: ignore[attr-defined]
    return err


def _broken_link(label: str, page: int, url: str, what: str, status: int | None) -> FetchError:
    err = FetchError(
        f"{label}: the nextLink after page {page} is broken: {url} {what}; expected the next "
        "OData JSON page (an object with a 'value' list). Nothing was written; a file saved "
        "by an earlier run is unchanged."
    )
    err.url, err.status = url, status  # type: ignore[attr-defined]
    return err


def _get_all(
    run: _Run, url: str, params: dict[str, str], label: str, *, v4: bool = False
) -> list[dict]:
    """All records of an OData collection: follow the nextLink, else page with $skip (v3 API).

    A nextLink that fails (HTTP error, a body that is not a JSON page) or points back to a
    page already fetched is one FetchError naming that URL.
    """
    page = ODATA_API_PAGE if not v4 and "/odataapi/" in url.lower() else None
    params = dict(params) if v4 else {"$format": "json", **params}
    records: list[dict] = []
    seen: set[tuple] = set()
    next_url: str | None = url
    next_params: dict[str, str] | None = dict(params, **({"$top": str(page)} if page else {}))
    n = 0
    while next_url:
        shown = _full_url(next_url, next_params)
        key = _page_key(next_url, next_params)
        if key in seen:
            raise _broken_link(label, n, shown, "points back to a page already fetched", None)
        seen.add(key)
        try:
            doc = run.http.get_json(next_url, next_params)
        except OfflineError:
            raise
        except FetchError as exc:
            if n == 0 or is_outage(exc):
                _with_url(exc, shown)
                raise
            raise _broken_link(
                label, n, shown, f"failed ({exc})", getattr(exc, "status", None)
            ) from exc
        value = doc.get("value")
        if not isinstance(value, list):
            if n == 0:
                raise _with_url(
                    FetchError(f"{shown}: no 'value' list in the OData response"), shown
                )
            raise _broken_link(label, n, shown, "answered JSON without a 'value' list", None)
        n += 1
        records.extend(value)
        run.tick(label, len(records), None)
        link = doc.get("@odata.nextLink") or doc.get("odata.nextLink")
        if link:  # the link carries all query options; a relative one is resolved
            next_url, next_params = str(httpx.URL(shown).join(str(link))), None
        elif page and len(value) == page:
            next_url = url
            next_params = dict(params, **{"$top": str(page), "$skip": str(len(records))})
        else:
            next_url = None
    return records


# -- titles -------------------------------------------------------------------------------------

TitleCheck = Callable[[str, str], None]  # (title found, URL it came from) → raise on mismatch


def _title_error(table: str, url: str, found: str, expected: str) -> FetchError:
    err = FetchError(
        f"{table}: the table at {url} is titled {found!r}, but {expected} was expected; "
        "the table id is probably wrong for this edition (see catalogue/kwb_tables.csv)"
    )
    err.url, err.status = url, None  # type: ignore[attr-defined]
    err.title = found  # type: ignore[attr-defined]
    return err


def _kwb_title_check(table: str, year: int) -> TitleCheck:
    def check(title: str, url: str) -> None:
        if not kwb_title_matches(title, year):
            expected = f"the KWB edition {year} ({KWB_TITLE.format(year=year)!r})"
            raise _title_error(table, url, title, expected)

    return check


def _police_title_check(table: str) -> TitleCheck:
    def check(title: str, url: str) -> None:
        if not police_title_matches(table, title):
            raise _title_error(table, url, title, repr(POLICE_TITLES[table]))

    return check


def _v3_title(run: _Run, table_url: str) -> tuple[str, str]:
    """(Title, URL) from a v3 table's ``TableInfos``."""
    url = f"{table_url}/TableInfos"
    doc = run.http.get_json(url, {"$format": "json"})
    value = doc.get("value")
    info = value[0] if isinstance(value, list) and value else None
    title = info.get("Title") if isinstance(info, dict) else None
    if not isinstance(title, str):
        err = FetchError(f"{url}: expected TableInfos with a Title, got {str(doc)[:120]}")
        err.url, err.status = url, None  # type: ignore[attr-defined]
        raise err
    return title, url


# -- v3 and v4 downloads ------------------------------------------------------------------------


def _fetch_v3(
    run: _Run,
    base: str,
    table: str,
    flt: str,
    out: Path,
    year: int,
    label: str,
    check: TitleCheck,
) -> None:
    table_url = f"{base.rstrip('/')}/{table}"
    title, _ = _checked(check, *_v3_title(run, table_url))
    props = _get_all(run, f"{table_url}/DataProperties", {}, f"{label} metadata")
    data_url = f"{table_url}/TypedDataSet"
    rows = _get_all(run, data_url, {"$filter": flt} if flt else {}, label)
    doc = {
        "table": table,
        "year": year,
        "title": title,
        "api": "v3",
        "source": data_url,
        "filter": flt,
        "DataProperties": props,
        "value": rows,
    }
    size = write_json_atomic(out, doc)
    _record(run, out, data_url, size, flt, len(rows), title, "v3")


def _fetch_v4(
    run: _Run, table: str, codes: tuple[str, ...], out: Path, year: int, label: str,
    check: TitleCheck,
) -> None:  # fmt: skip
    table_url = f"{run.urls.cbs_odata4.rstrip('/')}/{table}"
    props_url = f"{table_url}/Properties"
    props = run.http.get_json(props_url)
    title = props.get("Title")
    if not isinstance(title, str):
        err = FetchError(f"{props_url}: expected the Properties of a table with a Title")
        err.url, err.status = props_url, None  # type: ignore[attr-defined]
        raise err
    check(title, props_url)
    meta = f"{label} metadata"
    measures = _get_all(run, f"{table_url}/MeasureCodes", {}, meta, v4=True)
    try:
        groups: list[dict] | None = _get_all(run, f"{table_url}/MeasureGroups", {}, meta, v4=True)
    except FetchError as exc:
        if isinstance(exc, OfflineError) or getattr(exc, "status", None) != 404:
            raise
        groups = None  # a table without a topic tree
    code_flt = region_filter(codes, "Identifier")
    regions = _get_all(
        run, f"{table_url}/WijkenEnBuurtenCodes", {"$filter": code_flt} if code_flt else {},
        meta, v4=True,
    )  # fmt: skip
    flt = region_filter(codes)
    data_url = f"{table_url}/Observations"
    obs = _get_all(run, data_url, {"$filter": flt} if flt else {}, label, v4=True)
    header = {
        "format": FORMAT_TAG,
        "table": table,
        "year": year,
        "title": title,
        "api": "v4",
        "source": data_url,
        "filter": flt,
        "Properties": {k: v for k, v in props.items() if not k.startswith(("@", "odata."))},
        "MeasureGroups": groups,
        "MeasureCodes": measures,
        "WijkenEnBuurtenCodes": regions,
    }
    size = write_text_atomic(out, envelope_text(header, obs))
    _record(run, out, data_url, size, flt, len(obs), title, "v4")


def _checked(check: TitleCheck, title: str, url: str) -> tuple[str, str]:
    check(title, url)
    return title, url


def _record(
    run: _Run, out: Path, url: str, size: int, flt: str, n: int, title: str, api: str
) -> None:
    run.manifest.record(
        run.manifest.rel(out), url=url, size=size, query=flt, records=n, title=title, api=api
    )
    run.add_written(out, url, size)


def _drop(run: _Run, path: Path) -> None:
    """Remove a file this fetcher wrote before (the other API's copy of the same table)."""
    key = run.manifest.rel(path)
    if key in run.manifest.files:
        path.unlink(missing_ok=True)
        run.manifest.files.pop(key)
        run.manifest.save()


def _fallback_error(v3: FetchError, v4: FetchError) -> FetchError:
    """v3 failed and so did v4: one error with v3's url/status that tells both stories.

    An :class:`OfflineError` when neither host can be reached (the run stops), else a
    FetchError (this table fails, the run goes on).
    """
    both_offline = isinstance(v3, OfflineError) and isinstance(v4, OfflineError)
    cls = OfflineError if both_offline else FetchError
    err = cls(f"OData v3 failed: {v3}; the OData v4 fallback failed too: {v4}")
    err.url = getattr(v3, "url", None)  # type: ignore[attr-defined]
    err.status = getattr(v3, "status", None)  # type: ignore[attr-defined]
    err.fallback = v4  # type: ignore[attr-defined]
    return err


def _fetch_kwb(run: _Run, year: int) -> None:
    table = kwb_table_ids()[year]
    out3 = run.plan.to / "kwb" / f"kwb_{year}_{table}_odata.json"
    out4 = run.plan.to / "kwb" / f"kwb_{year}_{table}_odata4.json"
    flt = region_filter(run.regions)
    candidates = {"v3": (out3,), "v4": (out4,), "auto": (out3, out4)}[run.api]
    if not run.force:
        for out in candidates:
            if run.manifest.complete(run.manifest.rel(out), query=flt):
                run.skipped.append(out)
                return
    label = f"kwb {year}"
    check = _kwb_title_check(table, year)
    v3_error: FetchError | None = None
    if run.api == "v3" or (run.api == "auto" and run.v3_offline is None):
        try:
            _fetch_v3(run, run.urls.cbs_odata, table, flt, out3, year, label, check)
        except OfflineError as exc:
            if run.api == "v3":
                raise
            run.v3_offline = v3_error = exc
        except FetchError as exc:
            if run.api == "v3" or not is_outage(exc):
                raise
            v3_error = exc
        else:
            _drop(run, out4)
            return
    v3_error = v3_error or run.v3_offline
    try:
        _fetch_v4(run, table, run.regions, out4, year, label, check)
    except FetchError as exc:
        if v3_error is None:
            raise
        raise _fallback_error(v3_error, exc) from exc
    _drop(run, out3)


def _fetch_police(run: _Run, year: int) -> None:
    table = run.police_table
    period = (
        f"Perioden eq '{year}JJ00'"
        if POLICE_TABLES[table] == "year"
        else f"startswith(Perioden,'{year}MM')"
    )
    soort = "(" + " or ".join(f"SoortMisdrijf eq '{k}'" for k in police_soort_keys()) + ")"
    out = run.plan.to / "police" / f"police_crime_{year}_{table}_odata.json"
    flt = " and ".join(f for f in (period, soort, region_filter(run.regions)) if f)
    if not run.force and run.manifest.complete(run.manifest.rel(out), query=flt):
        run.skipped.append(out)
        return
    check = _police_title_check(table)
    _fetch_v3(run, run.urls.police_odata, table, flt, out, year, f"police {year}", check)
