"""What a fetch run is: its plan, its report, and the state the downloaders share (:class:`_Run`).

Its own module so that the OData and file downloaders (``_odata``, ``_files``) and the package's
:func:`~wijkradar.sources.fetch.fetch` all import it, and none of them imports another.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path

from wijkradar.codes import is_valid_code, normalise_code
from wijkradar.errors import FetchError, OfflineError
from wijkradar.settings import Settings
from wijkradar.sources._common import ArgumentError, catalogue
from wijkradar.sources.fetch._http import Manifest, Progress, Transport
from wijkradar.wording import N_

ALL = ("kwb", "geometry", "police", "leefbaarometer")
"""What a fetch run gets when nothing else is asked."""
CHOICES = (*ALL, "cpi")
"""Everything a run can fetch: :data:`ALL` plus ``"cpi"`` (CBS 83131NED, only when asked)."""
YEARLESS = ("leefbaarometer", "cpi")
"""Sources that take no year: a plan of these alone needs no ``years``."""
APIS = ("auto", "v3", "v4")


@dataclass(frozen=True)
class BaseUrls:
    """Base URLs of the publishers' services; override for mirrors and tests.

    :meth:`from_settings` takes the ``*_url`` fields of :class:`~wijkradar.settings.Settings`
    (``WIJKRADAR_CBS_ODATA_URL``, ``WIJKRADAR_POLICE_ODATA_URL``, ``WIJKRADAR_CBS_GEO_URL``,
    ``WIJKRADAR_PDOK_URL``, ``WIJKRADAR_LEEFBAAROMETER_URL``, ``WIJKRADAR_CBS_ODATA4_URL``).
    """

    cbs_odata: str = "https://opendata.cbs.nl/ODataFeed/odata"
    police_odata: str = "https://dataderden.cbs.nl/ODataFeed/odata"
    cbs_geo: str = "https://download.cbs.nl/regionale-kaarten"
    pdok: str = "https://service.pdok.nl/cbs/wijkenbuurten"
    leefbaarometer: str = "https://www.leefbaarometer.nl/resources"
    cbs_odata4: str = "https://datasets.cbs.nl/odata/v1/CBS"

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> BaseUrls:
        """Defaults, overridden by the settings' ``<name>_url`` fields that are set (default:
        the settings of the environment, read now)."""
        settings = Settings() if settings is None else settings
        given = {f.name: getattr(settings, f"{f.name}_url", None) for f in fields(cls)}
        return cls(**{name: url for name, url in given.items() if url})

    @classmethod
    def local(cls, root: str) -> BaseUrls:
        """All six under one server (``root/cbs``, ``root/police``, ..., ``root/cbs4``)."""
        root = root.rstrip("/")
        return cls(
            f"{root}/cbs", f"{root}/police", f"{root}/geo", f"{root}/pdok", f"{root}/lbm",
            f"{root}/cbs4",
        )  # fmt: skip


def kwb_table_ids() -> dict[int, str]:
    """KWB year → CBS table id (the catalogue's ``tables``, from ``kwb_tables.csv``)."""
    return {year: table.upper() for year, table in catalogue().tables.items()}


def parse_years(text: str) -> tuple[int, ...]:
    """``'2017-2019,2021'`` → ``(2017, 2018, 2019, 2021)``, sorted and without repeats.

    Raises
    ------
    ValueError
        When a part is not a year or a range ``from-to`` with ``from <= to``, or there is no
        year at all; the message quotes ``text`` (an :class:`ArgumentError`).
    """
    out: set[int] = set()
    try:
        for part in text.split(","):
            part = part.strip()
            if "-" in part:
                lo, hi = (int(x) for x in part.split("-", 1))
                if hi < lo:
                    raise ValueError
                out.update(range(lo, hi + 1))
            elif part:
                out.add(int(part))
        if not out:
            raise ValueError
    except ValueError:
        raise ArgumentError(
            N_("{text}: verwacht bv. 2017-2024 of 2019,2021"), text=repr(text)
        ) from None
    return tuple(sorted(out))


def parse_regions(regions: str | None) -> tuple[str, ...]:
    """Comma-separated GM/WK/BU codes, normalised; ``()`` for none (the whole country)."""
    if not regions:
        return ()
    codes = tuple(normalise_code(c) for c in regions.split(",") if c.strip())
    bad = [c for c in codes if not is_valid_code(c) or c.startswith("NL")]
    if bad:
        raise ArgumentError(
            N_(
                "regions moeten GM-, WK- of BU-codes zijn, zoals GM0363, WK036300 of "
                "BU03630001; gekregen {bad}"
            ),
            bad=bad,
        )
    return codes


@dataclass(frozen=True)
class FetchPlan:
    """What to fetch: KWB years, target folder, and which of :data:`CHOICES` (default
    :data:`ALL`); ``years`` may be empty when every one is :data:`YEARLESS`."""

    years: tuple[int, ...]
    to: Path
    what: tuple[str, ...] = ALL

    def __post_init__(self) -> None:
        unknown = [w for w in self.what if w not in CHOICES]
        if unknown or not self.what:
            raise ArgumentError(
                N_(
                    "what moet een niet-lege deelverzameling zijn van {choices}; gekregen {unknown}"
                ),
                choices=", ".join(CHOICES),
                unknown=unknown,
            )
        yearless = set(self.what) <= set(YEARLESS)
        if (not self.years and not yearless) or not all(isinstance(y, int) for y in self.years):
            raise ArgumentError(
                N_("years moet een niet-lege reeks gehele getallen zijn; gekregen {years}"),
                years=repr(self.years),
            )
        if "kwb" in self.what:
            missing = sorted(set(self.years) - set(kwb_table_ids()))
            if missing:
                known = ", ".join(str(y) for y in sorted(kwb_table_ids()))
                raise ArgumentError(
                    N_("geen KWB-tabel voor {missing}; bekende jaren: {known}"),
                    missing=missing,
                    known=known,
                )


@dataclass(frozen=True)
class FetchedFile:
    """A file written by this run."""

    path: Path
    url: str
    size: int


@dataclass(frozen=True)
class FailedFetch:
    """A file that could not be fetched; ``error`` carries its ``url`` and ``status``."""

    what: str
    target: str
    error: FetchError


@dataclass(frozen=True)
class FetchReport:
    """Outcome of :func:`~wijkradar.sources.fetch.fetch`: files written, skipped, failed."""

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
    """One fetch run: the plan and options, the transport and manifest, and what happened."""

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

    def report(self) -> FetchReport:
        """The outcome so far."""
        return FetchReport(self.plan, tuple(self.written), tuple(self.skipped), tuple(self.failed))
