"""CBS OData downloads for the fetcher: KWB tables (v3, or v4 standing in), police crime (v3) and
the yearly consumer price index (v3, 83131NED, written as ``prices/cpi.csv``).

Paging follows ``odata.nextLink``/``@odata.nextLink``, or ``$top``/``$skip`` against an
``ODataApi`` base (:data:`ODATA_API_PAGE`); every table's title is checked before its data are
fetched. A v3 table is saved as one JSON document (``DataProperties`` + ``value``), a v4 table in
the envelope of :func:`wijkradar.sources.odata4.envelope_text`; both atomically, so a failed run
leaves an earlier file as it was. The URL patterns are in :mod:`wijkradar.sources.fetch`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx

from wijkradar.errors import FetchError, OfflineError
from wijkradar.files import write_atomic
from wijkradar.sources._common import Phrase
from wijkradar.sources._markers import normalise_label
from wijkradar.sources.fetch._http import fetch_error, is_outage
from wijkradar.sources.fetch._run import _Run, kwb_table_ids
from wijkradar.sources.odata4 import FORMAT_TAG, envelope_text
from wijkradar.sources.police import (
    POLICE_TABLES,
    POLICE_TITLES,
    police_soort_keys,
    police_title_matches,
)
from wijkradar.wording import N_

ODATA_API_PAGE = 10_000  # ODataApi's hard row limit per request
KWB_TITLE = "Kerncijfers wijken en buurten {year}"


def kwb_title_matches(title: str, year: int) -> bool:
    """Whether ``title`` is the title of the KWB edition ``year``.

    Case, punctuation and spacing may differ from :data:`KWB_TITLE`; the words "kerncijfers",
    "wijken" and "buurten" must be there and ``year`` must be the only year in it.
    """
    words = set(normalise_label(title).split())
    years = set(re.findall(r"(?<!\d)(?:19|20)\d{2}(?!\d)", title))
    return {"kerncijfers", "wijken", "buurten"} <= words and years == {str(year)}


# -- OData paging -------------------------------------------------------------------------------


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


def _broken_link(label: str, page: int, url: str, what: Phrase, status: int | None) -> FetchError:
    return fetch_error(
        N_(
            "{label}: de nextLink na pagina {page} is kapot: {url} {what}; verwacht werd de "
            "volgende OData-JSON-pagina (een object met een lijst 'value'). Er is niets "
            "geschreven; een bestand van een eerdere run is niet veranderd."
        ),
        url=url,
        status=status,
        label=label,
        page=page,
        what=what,
    )


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
            back = Phrase(N_("wijst terug naar een pagina die al is opgehaald"))
            raise _broken_link(label, n, shown, back, None)
        seen.add(key)
        try:
            doc = run.http.get_json(next_url, next_params)
        except OfflineError:
            raise
        except FetchError as exc:
            if n == 0 or is_outage(exc):
                exc.url = exc.url or shown
                raise
            failed = Phrase(N_("mislukte ({error})"), error=exc)
            raise _broken_link(label, n, shown, failed, exc.status) from exc
        value = doc.get("value")
        if not isinstance(value, list):
            if n == 0:
                raise fetch_error(N_("{url}: geen lijst 'value' in het OData-antwoord"), url=shown)
            no_value = Phrase(N_("antwoordde met JSON zonder lijst 'value'"))
            raise _broken_link(label, n, shown, no_value, None)
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


def _title_error(table: str, url: str, found: str, expected: Phrase | str) -> FetchError:
    return fetch_error(
        N_(
            "{table}: de tabel op {url} heet {found}, maar verwacht werd {expected}; de "
            "tabel-id klopt waarschijnlijk niet voor deze editie (zie catalogue/kwb_tables.csv)"
        ),
        url=url,
        title=found,
        table=table,
        found=repr(found),
        expected=expected,
    )


def _kwb_title_check(table: str, year: int) -> TitleCheck:
    def check(title: str, url: str) -> None:
        if not kwb_title_matches(title, year):
            expected = Phrase(
                N_("de KWB-editie {year} ({title})"),
                year=year,
                title=repr(KWB_TITLE.format(year=year)),
            )
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
        raise fetch_error(
            N_("{url}: verwacht TableInfos met een Title, gekregen {got}"),
            url=url,
            got=str(doc)[:120],
        )
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
    size = _save(out, json.dumps(doc, ensure_ascii=False))
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
        raise fetch_error(
            N_("{url}: verwacht de Properties van een tabel met een Title"), url=props_url
        )
    check(title, props_url)
    meta = f"{label} metadata"
    measures = _get_all(run, f"{table_url}/MeasureCodes", {}, meta, v4=True)
    try:
        groups: list[dict] | None = _get_all(run, f"{table_url}/MeasureGroups", {}, meta, v4=True)
    except FetchError as exc:
        if isinstance(exc, OfflineError) or exc.status != 404:
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
    size = _save(out, envelope_text(header, obs))
    _record(run, out, data_url, size, flt, len(obs), title, "v4")


def _save(path: Path, text: str) -> int:
    """Write ``text`` atomically (a failed run leaves an earlier file as it was); its size."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(path, text).stat().st_size


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
    return fetch_error(
        N_("OData v3 mislukte: {v3}; de terugval op OData v4 mislukte ook: {v4}"),
        offline=both_offline,
        url=v3.url,
        status=v3.status,
        fallback=v4,
        v3=v3,
        v4=v4,
    )


def _already_complete(run: _Run, outs: tuple[Path, ...], query: str) -> bool:
    """Whether the manifest has one of ``outs`` complete for ``query`` (then it is skipped)."""
    if run.force:
        return False
    for out in outs:
        if run.manifest.complete(run.manifest.rel(out), query=query):
            run.skipped.append(out)
            return True
    return False


def _try_v3(run: _Run, download: Callable[[], None]) -> FetchError | None:
    """Run a v3 download: ``None`` when it worked, its error when v4 may stand in, else raise.

    v4 may stand in under ``api="auto"`` for an outage; an unreachable v3 host also sends the
    later years straight to v4 (``run.v3_offline``).
    """
    try:
        download()
    except OfflineError as exc:
        if run.api == "v3":
            raise
        run.v3_offline = exc
        return exc
    except FetchError as exc:
        if run.api == "v3" or not is_outage(exc):
            raise
        return exc
    return None


def fetch_kwb(run: _Run, year: int) -> None:
    """One KWB edition from v3, from v4, or from v3 with v4 standing in (``run.api``)."""
    table = kwb_table_ids()[year]
    out3 = run.plan.to / "kwb" / f"kwb_{year}_{table}_odata.json"
    out4 = run.plan.to / "kwb" / f"kwb_{year}_{table}_odata4.json"
    flt = region_filter(run.regions)
    if _already_complete(run, {"v3": (out3,), "v4": (out4,), "auto": (out3, out4)}[run.api], flt):
        return
    label = f"kwb {year}"
    check = _kwb_title_check(table, year)
    v3_error: FetchError | None = None
    if run.api == "v3" or (run.api == "auto" and run.v3_offline is None):
        v3_error = _try_v3(
            run, lambda: _fetch_v3(run, run.urls.cbs_odata, table, flt, out3, year, label, check)
        )
        if v3_error is None:
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


def fetch_police(run: _Run, year: int) -> None:
    """One year of registered crime (v3 only: the police tables are not on v4)."""
    table = run.police_table
    period = (
        f"Perioden eq '{year}JJ00'"
        if POLICE_TABLES[table] == "year"
        else f"startswith(Perioden,'{year}MM')"
    )
    soort = "(" + " or ".join(f"SoortMisdrijf eq '{k}'" for k in police_soort_keys()) + ")"
    out = run.plan.to / "police" / f"police_crime_{year}_{table}_odata.json"
    flt = " and ".join(f for f in (period, soort, region_filter(run.regions)) if f)
    if _already_complete(run, (out,), flt):
        return
    check = _police_title_check(table)
    _fetch_v3(run, run.urls.police_odata, table, flt, out, year, f"police {year}", check)


# -- consumer prices (83131NED) -----------------------------------------------------------------

CPI_TABLE = "83131NED"
CPI_TITLE = "Consumentenprijzen; prijsindex 2015=100"
CPI_ALL_ITEMS = "T001112  "  # Bestedingscategorieen "000000 Alle bestedingen", padded to 9
CPI_MEASURE = "CPI_1"
CPI_FILTER = f"Bestedingscategorieen eq '{CPI_ALL_ITEMS}' and substringof('JJ',Perioden)"
CPI_FILE = "prices/cpi.csv"
_YEAR = re.compile(r"^(\d{4})JJ00$")


def cpi_title_matches(title: str) -> bool:
    """Whether ``title`` is 83131NED's: "consumentenprijzen" and "prijsindex", base 2015=100."""
    words = set(normalise_label(title).split())
    based = re.search(r"2015\s*=\s*100", title) is not None
    return {"consumentenprijzen", "prijsindex"} <= words and based


def _cpi_title_check(title: str, url: str) -> None:
    if not cpi_title_matches(title):
        raise fetch_error(
            N_("{table}: de tabel op {url} heet {found}, maar verwacht werd {expected}"),
            url=url,
            title=title,
            table=CPI_TABLE,
            found=repr(title),
            expected=repr(CPI_TITLE),
        )


def _cpi_years(rows: list[dict], url: str) -> dict[int, float]:
    """Year → CPI_1 of the all-items rows with a yearly period (``2019JJ00``), in year order.

    A year without a figure yet (``null``) is left out; one that is not a positive number is a
    FetchError, and so is an answer without any yearly figure.
    """
    out: dict[int, float] = {}
    for row in rows:
        period = _YEAR.match(str(row.get("Perioden", "")).strip())
        if str(row.get("Bestedingscategorieen", "")).strip() != CPI_ALL_ITEMS.strip() or not period:
            continue
        value = row.get(CPI_MEASURE)
        if value is None:
            continue
        if not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
            raise fetch_error(
                N_("{url}: {period}: {measure} is geen positief getal: {got}"),
                url=url,
                period=period.group(0),
                measure=CPI_MEASURE,
                got=repr(value),
            )
        out[int(period.group(1))] = float(value)
    if not out:
        found = ", ".join(sorted(rows[0])) if rows else "-"
        raise fetch_error(
            N_(
                "{url}: geen jaarcijfer {measure} voor alle bestedingen ({key}) in {n} rijen; "
                "kolommen: {found}"
            ),
            url=url,
            measure=CPI_MEASURE,
            key=CPI_ALL_ITEMS.strip(),
            n=len(rows),
            found=found,
        )
    return dict(sorted(out.items()))


def cpi_csv_text(years: dict[int, float], *, title: str, url: str, query: str) -> str:
    """The ``year,cpi`` file :func:`wijkradar.catalogue.prices.load_cpi` reads, with the same
    ``#`` header (source, base, licence, retrieval) as the packaged ``catalogue/cpi.csv``."""
    today = datetime.now(UTC).date().isoformat()
    key = CPI_ALL_ITEMS.strip()
    head = [
        f"# Consumentenprijsindex (CPI), alle bestedingen, jaargemiddelde; {title}.",
        f'# Bron: CBS, StatLine-tabel {CPI_TABLE} "{title}", onderwerp CPI ({CPI_MEASURE}),',
        f"#   Bestedingscategorieen {key} (000000 Alle bestedingen), perioden JJ00.",
        "# Licentie: CC BY 4.0 (Bron: CBS).",
        f"# Opgehaald {today} door wijkradar fetch: {url} met $filter={query}",
        "year,cpi",
    ]
    lines = [f"{year},{value:.10g}" for year, value in years.items()]
    return "\n".join(head + lines) + "\n"


def fetch_cpi(run: _Run) -> None:
    """CBS 83131NED's yearly all-items CPI (v3; it is not on v4) → ``prices/cpi.csv``."""
    out = run.plan.to / CPI_FILE
    if _already_complete(run, (out,), CPI_FILTER):
        return
    table_url = f"{run.urls.cbs_odata.rstrip('/')}/{CPI_TABLE}"
    title, _ = _checked(_cpi_title_check, *_v3_title(run, table_url))
    data_url = f"{table_url}/TypedDataSet"
    select = f"Bestedingscategorieen,Perioden,{CPI_MEASURE}"
    rows = _get_all(run, data_url, {"$filter": CPI_FILTER, "$select": select}, "cpi")
    years = _cpi_years(rows, data_url)
    size = _save(out, cpi_csv_text(years, title=title, url=data_url, query=CPI_FILTER))
    _record(run, out, data_url, size, CPI_FILTER, len(years), title, "v3")
