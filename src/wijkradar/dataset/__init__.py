"""The library's face: ``open_dataset(path)`` → :class:`Dataset`, which owns every derived result.

Loads are ``functools.cached_property`` attributes (read once per Dataset object); derived
results (signals, clusters, medians, facts, tables …) go through one keyed memo,
:meth:`Dataset._memo`. The assembly of the bigger results lives beside this module:
:mod:`.profile` (one region), :mod:`.actions` (action frames), :mod:`.tables` (the signal table
and the export frame) and :mod:`.search` (finding a region by name or code). Outputs (text,
report, files), the web app and the CLI only call the Dataset.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Hashable
from functools import cached_property
from pathlib import Path
from typing import Any

import duckdb
import geopandas as gpd
import pandas as pd

from wijkradar.catalogue import Catalogue, load_catalogue
from wijkradar.codes import gemeenten_of, normalise_code
from wijkradar.errors import WijkradarError
from wijkradar.files import atomic_path
from wijkradar.frames import as_text
from wijkradar.panel.store import resolve_dataset
from wijkradar.vocab import AXES, LEVELS

TABLES = ("panel", "regions", "links", "breaks")
LATEST_YEAR_QUORUM = 0.5
"""latest_year: a year counts when at least this share of the regions can be scored."""


class Dataset:
    """A built wijkradar dataset.

    Attributes
    ----------
    path
        The dataset folder.
    panel
        The long panel (``code, level, year, indicator, value, status, source``).
    regions
        GeoDataFrame of regions (``code, level, name, gemeente_code, gemeente_name, wijk_code,
        first_year, last_year, geometry_source, geometry_year, geometry``), EPSG:28992.
    indicators
        The :class:`~wijkradar.catalogue.Catalogue` the dataset was built with.
    links
        Code changes between years (``level, year_from, year_to, code_from, code_to, share``).
    breaks
        Series breaks (``code, level, year, previous_year, reason, kind``; ``kind`` ``reused``
        means another place under the same code).
    quality
        The data-quality report (dict, as in ``quality.json``).

    Examples
    --------
    >>> ds = open_dataset("wijkradar-data")                         # doctest: +SKIP
    >>> ds.query("select count(*) from panel where level = 'buurt'")  # doctest: +SKIP
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._results: dict[Hashable, Any] = {}
        self._lock = threading.Lock()

    def _memo(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The result stored under ``key``, computed by ``compute()`` the first time."""
        try:
            return self._results[key]
        except KeyError:
            pass
        value = compute()
        with self._lock:
            return self._results.setdefault(key, value)

    def __repr__(self) -> str:
        m = self.manifest
        return f"<Dataset {self.path} — {m.get('rows', '?'):,} rows, years {m.get('years', [])}>"

    @cached_property
    def manifest(self) -> dict:
        return json.loads((self.path / "manifest.json").read_text(encoding="utf-8"))

    @cached_property
    def panel(self) -> pd.DataFrame:
        return pd.read_parquet(self.path / "panel.parquet")

    @cached_property
    def regions(self) -> gpd.GeoDataFrame:
        regions = gpd.read_parquet(self.path / "regions.parquet")
        return regions.drop(columns=["bbox"], errors="ignore")  # GeoParquet 1.1 covering column

    @cached_property
    def region_index(self) -> pd.DataFrame:
        """:attr:`regions` indexed by code (without geometry work per lookup)."""
        return self.regions.set_index("code")

    @cached_property
    def names(self) -> pd.Series:
        """Code → region name."""
        return self.region_index["name"]

    @cached_property
    def links(self) -> pd.DataFrame:
        return pd.read_parquet(self.path / "links.parquet")

    @cached_property
    def breaks(self) -> pd.DataFrame:
        return pd.read_parquet(self.path / "breaks.parquet")

    @cached_property
    def indicators(self) -> Catalogue:
        # The installed catalogue interprets the data (weights, noise models, phrases); the
        # copy in <dataset>/catalogue records what the build matched, for provenance.
        cat = load_catalogue()
        missing = set(as_text(self.panel["indicator"]).unique()) - set(cat.ids)
        if missing:
            raise WijkradarError(
                "de dataset bevat indicatoren die de catalogus niet kent: {ids}; bouw de "
                "dataset opnieuw",
                ids=sorted(missing),
            )
        return cat

    @cached_property
    def quality(self) -> dict:
        return json.loads((self.path / "quality.json").read_text(encoding="utf-8"))

    @cached_property
    def con(self) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection with views ``panel``, ``regions``, ``links``, ``breaks``,
        ``indicators`` over the dataset's files (nothing is loaded until queried)."""
        con = duckdb.connect()
        for t in TABLES:
            f = str(self.path / f"{t}.parquet").replace("'", "''")
            con.execute(f"CREATE VIEW {t} AS SELECT * FROM read_parquet('{f}')")
        ind = str(self.path / "catalogue" / "indicators.csv").replace("'", "''")
        con.execute(
            f"CREATE VIEW indicators AS SELECT * FROM read_csv('{ind}', header=true, "
            "all_varchar=true)"
        )
        return con

    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        """Run SQL (DuckDB dialect) over the dataset's tables and return a DataFrame."""
        return self.con.execute(sql, params or []).df()

    # -- derived results (one memo per Dataset object; clusters also on disk) ----------------

    def years(self, level: str) -> list[int]:
        """The years with panel rows at ``level``."""

        def compute() -> list[int]:
            p = self.panel
            return sorted(int(y) for y in p.loc[p["level"] == level, "year"].unique())

        return self._memo(("years", level), compute)

    def signals(
        self,
        *,
        level: str,
        year: int | None = None,
        view: str = "absolute",
        rules=None,
        sensitivity: bool = True,
    ):
        """Signals of a level (see :func:`wijkradar.analysis.signals.signals`).

        Raises
        ------
        WijkradarError
            For a level other than buurt, wijk or gemeente, or a year without data.
        """
        from wijkradar.analysis.signals import signals

        if level not in LEVELS:
            raise WijkradarError(
                "niveau moet buurt, wijk of gemeente zijn, niet {level}", level=repr(level)
            )
        if year is None:
            year = self.latest_year(level)
        if year is not None and year not in self.years(level):
            years = self.years(level)
            raise WijkradarError(
                "geen gegevens voor {level} in {year}; jaren: {years}",
                level=level,
                year=year,
                years=years,
            )

        def compute():
            return signals(
                self.panel,
                self.indicators,
                rules or self.rules,
                level=level,
                year=year,
                view=view,
                breaks=self.breaks,
                sensitivity=sensitivity,
                cpi=self.cpi,
            )

        return self._memo(("signals", level, year, view, id(rules), sensitivity), compute)

    @cached_property
    def cpi(self) -> pd.Series:
        """The consumer price index the build recorded (``cpi.csv``; the packaged CBS index
        for datasets built before it was recorded)."""
        from wijkradar.catalogue.prices import load_cpi

        own = self.path / "cpi.csv"
        return load_cpi(own if own.exists() else None)

    @cached_property
    def rules(self):
        """The packaged signal rules (:func:`wijkradar.catalogue.rules.load_rules`)."""
        from wijkradar.catalogue.rules import load_rules

        return load_rules()

    def _scoreable(self, level: str) -> pd.DataFrame:
        """Per (year, code) of ``level``: can an axis be scored?
        (:func:`~wijkradar.analysis.scores.scoreable`, with :attr:`rules`)"""
        from wijkradar.analysis.scores import scoreable

        return self._memo(
            ("scoreable", level),
            lambda: scoreable(self.panel, self.indicators, self.rules, level=level),
        )

    def latest_year(
        self, level: str, *, gemeente: str | None = None, code: str | None = None
    ) -> int | None:
        """The latest year in which an axis can be scored at ``level``.

        A year qualifies when, for at least half of the regions (or for ``code``), the
        composition or the problems indicators present carry the rules' ``min_weight_share``
        of their domain's weight or make up one of the sufficient sets; else the latest year
        with any scored indicator.
        """
        ok = self._scoreable(level)
        if gemeente:
            ok = ok[ok["gemeente"] == normalise_code(gemeente)]
        if code:
            ok = ok[ok["code"] == code]
        if ok.empty:
            return None
        frac = ok.groupby("year")["ok"].mean()
        good = frac[frac >= LATEST_YEAR_QUORUM]
        return int(good.index.max()) if len(good) else int(ok["year"].max())

    def default_years(self, level: str) -> pd.Series:
        """Code → the year its profile shows by default (:meth:`latest_year` per code)."""
        ok = self._scoreable(level)
        good = ok[ok["ok"]].groupby("code")["year"].max()
        anyyear = ok.groupby("code")["year"].max()
        return good.reindex(anyyear.index).fillna(anyyear).astype(int)

    def _cache_path(self, name: str) -> Path:
        return self.path / "cache" / f"{self.manifest.get('built', '')}{name}"

    def clusters(
        self,
        *,
        level: str,
        year: int | None = None,
        view: str = "absolute",
        codes: list[str] | None = None,
        permutations: int = 999,
        cached_only: bool = False,
    ) -> dict:
        """LISA cluster label per code for the composition and problems scores.

        Computed once per (level, year, view) and kept in ``<dataset>/cache/`` (the first
        esda call in a process compiles for ~15 s). With ``cached_only`` nothing is computed:
        the answer is empty unless the clusters are already known.
        """
        res = self.signals(level=level, year=year, view=view, sensitivity=False)
        path = self._cache_path(f"clusters_{level}_{res.year}_{view}_{permutations}.parquet")
        key = ("clusters", level, res.year, view, permutations)
        if cached_only and key not in self._results and not path.exists():
            return {}
        frame = self._memo(key, lambda: self._cluster_frame(res, path, permutations))
        if codes is not None:
            frame = frame[frame["code"].isin(codes)]
        out: dict = {}
        for r in frame.itertuples(index=False):
            out.setdefault(r.code, {})[r.axis] = r.cluster
        return out

    def _cluster_frame(self, res, path: Path, permutations: int) -> pd.DataFrame:
        from wijkradar.analysis.spatial import clusters_by_group, local_clusters

        if path.exists():
            return pd.read_parquet(path)
        f = res.frame.set_index("code")
        regions = self.regions[self.regions["level"] == res.level]
        parts = []
        for axis in AXES:
            values = f[f"{axis}_score"]
            if res.view == "relative":
                groups = pd.Series(gemeenten_of(values.index.to_series()).to_numpy(), values.index)
                c = clusters_by_group(values, regions, groups, permutations=permutations)
            else:
                c = local_clusters(values, regions, permutations=permutations).to_frame()
            parts.append(c[["code", "cluster"]].assign(axis=axis))
        frame = pd.concat(parts, ignore_index=True)
        try:
            path.parent.mkdir(exist_ok=True)
            with atomic_path(path) as tmp:
                frame.to_parquet(tmp)
        except OSError:
            pass  # a read-only dataset: compute again next time
        return frame

    def axis_scores(self, view: str = "absolute") -> pd.DataFrame:
        """Both axes' scores of every region and edition, each year scored from its own values
        (:func:`~wijkradar.analysis.scores.domain_scores` with :attr:`rules`)."""
        from wijkradar.analysis.scores import domain_scores

        def compute() -> pd.DataFrame:
            s = domain_scores(self.panel, self.indicators, self.rules, view=view)
            return s.assign(code=as_text(s["code"]), year=s["year"].astype(int))

        return self._memo(("axis_scores", view), compute)

    def trajectories(self, *, level: str, view: str = "absolute", gemeente: str | None = None):
        """Per region and edition: axis fifths, signal, Leefbaarometer class
        (:func:`wijkradar.dataset.dynamics.trajectories`)."""
        from wijkradar.dataset.dynamics import trajectories

        return self._memo(
            ("trajectories", level, view, gemeente),
            lambda: trajectories(self, level=level, view=view, gemeente=gemeente),
        )

    def transitions(self, *, level: str, by: str, **kw):
        """Markov transitions of ``by`` (:func:`wijkradar.dataset.dynamics.transitions`)."""
        from wijkradar.dataset.dynamics import transitions

        return transitions(self, level=level, by=by, **kw)

    def movers(self, *, level: str, year_from: int, year_to: int, **kw):
        """Stijgers en dalers (:func:`wijkradar.dataset.dynamics.movers`)."""
        from wijkradar.dataset.dynamics import movers

        key = ("movers", level, year_from, year_to, tuple(sorted(kw.items())))
        return self._memo(
            key, lambda: movers(self, level=level, year_from=year_from, year_to=year_to, **kw)
        )

    def surroundings(self, *, level: str, view: str = "absolute") -> pd.DataFrame:
        """Meerschalig: each region's axis changes beside its neighbours', with the relation
        ``with | against | alone | holds | stable | unknown``
        (:func:`wijkradar.dataset.dynamics.surroundings`)."""
        from wijkradar.dataset.dynamics import surroundings

        return surroundings(self, level=level, view=view)

    def warning(self, *, level: str, **kw):
        """Early-warning risks with their backtest (:func:`wijkradar.dataset.warning.warning`)."""
        from wijkradar.dataset.warning import warning

        key = ("warning", level, tuple(sorted(kw.items())))
        return self._memo(key, lambda: warning(self, level=level, **kw))

    def divide(self, *, level: str = "buurt") -> pd.DataFrame:
        """Tweedeling per gemeente and year (see :func:`wijkradar.analysis.divide.divide`)."""
        from wijkradar.analysis.divide import divide

        return self._memo(("divide", level), lambda: divide(self.panel, level=level).to_frame())

    def medians(self, level: str, gemeente: str | None = None) -> dict:
        """Indicator → yearly median and count over the regions of ``level`` (in ``gemeente``)."""
        from wijkradar.dataset.profile import medians

        return self._memo(
            ("medians", level, gemeente), lambda: medians(self.panel, level, gemeente)
        )

    def profile(
        self, code: str, *, year: int | None = None, view: str = "absolute", clusters: bool = True
    ) -> dict:
        """Everything known about one region (see :func:`wijkradar.dataset.profile.build_profile`).

        Raises
        ------
        UnknownRegionError
            When ``code`` is not in the dataset (with close matches).
        """
        from wijkradar.dataset.profile import build_profile

        return build_profile(self, code, year=year, view=view, clusters=clusters)

    def actions(self, code: str, *, year: int | None = None, view: str = "absolute", matrix=None):
        """The action frames ``code`` triggers (see :func:`.actions.region_actions`)."""
        from wijkradar.dataset.actions import region_actions

        return region_actions(self, code, year=year, view=view, matrix=matrix)

    def actions_dict(
        self,
        code: str,
        *,
        lang: str = "nl",
        year: int | None = None,
        view: str = "absolute",
        matrix=None,
    ) -> dict:
        """:meth:`actions` JSON-ready, with sentences in ``lang`` (see
        :func:`.action_words.action_dict`)."""
        from wijkradar.dataset.actions import region_actions_dict

        return region_actions_dict(self, code, lang=lang, year=year, view=view, matrix=matrix)

    def signals_table(
        self,
        *,
        level: str,
        year: int | None = None,
        view: str = "absolute",
        gemeente: str | None = None,
        lang: str = "nl",
    ) -> pd.DataFrame:
        """One row per region with names and reasons (see :func:`.tables.signals_table`)."""
        from wijkradar.dataset.tables import signals_table

        return signals_table(
            self, self.signals(level=level, year=year, view=view), gemeente=gemeente, lang=lang
        )

    def export_frame(
        self,
        *,
        level: str,
        year: int | None = None,
        view: str = "absolute",
        gemeente: str | None = None,
        lang: str = "nl",
    ) -> pd.DataFrame:
        """The flat frame every download holds (see :func:`.tables.export_frame`)."""
        from wijkradar.dataset.tables import export_frame

        return export_frame(self, level=level, year=year, view=view, gemeente=gemeente, lang=lang)

    def search(
        self,
        q: str | None = None,
        *,
        level: str | None = None,
        gemeente: str | None = None,
        limit: int = 20,
    ) -> list[dict]:
        """Regions whose name or code matches ``q`` (see :func:`.search.search`)."""
        from wijkradar.dataset.search import search

        index = self._memo(("search_index",), self._search_index)
        return search(index, q, level=level, gemeente=gemeente, limit=limit)

    def _search_index(self) -> pd.DataFrame:
        from wijkradar.dataset.search import search_index

        return search_index(self.regions)

    def series(self, code: str, indicator: str) -> pd.DataFrame:
        """One region's values of one indicator over the years."""
        p = self.panel
        return p[(p["code"] == code) & (p["indicator"] == indicator)].sort_values("year")


def open_dataset(path: str | Path | None = None) -> Dataset:
    """Open a built dataset (default ``WIJKRADAR_DATASET`` or ``./wijkradar-data``).

    Raises
    ------
    DataNotFoundError
        When the folder holds no dataset.
    """
    return Dataset(resolve_dataset(path))
