"""The Python API over a built dataset: ``open_dataset(path)`` → :class:`Dataset`."""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path

import duckdb
import geopandas as gpd
import pandas as pd

from wijkradar.catalogue import Catalogue, load_catalogue
from wijkradar.errors import WijkradarError
from wijkradar.panel.store import resolve_dataset

TABLES = ("panel", "regions", "links", "breaks")


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
        Series breaks (``code, level, year, previous_year, reason``).
    quality
        The data-quality report (dict, as in ``quality.json``).

    Examples
    --------
    >>> ds = open_dataset("wijkradar-data")                         # doctest: +SKIP
    >>> ds.query("select count(*) from panel where level = 'buurt'")  # doctest: +SKIP
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

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
        missing = set(self.panel["indicator"].astype(str).unique()) - set(cat.ids)
        if missing:
            raise WijkradarError(
                f"de dataset bevat indicatoren die de catalogus niet kent: {sorted(missing)}; "
                "bouw de dataset opnieuw"
            )
        return cat

    @cached_property
    def built_catalogue(self) -> Catalogue:
        """The catalogue the dataset was built with (copied into ``<dataset>/catalogue``)."""
        return load_catalogue(self.path / "catalogue")

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

    # -- analysis (cached per Dataset object; clusters also on disk, see _cache_path) ---------

    def signals(
        self,
        *,
        level: str,
        year: int | None = None,
        view: str = "absolute",
        rules=None,
        sensitivity: bool = True,
    ):
        """Signals of a level (see :func:`wijkradar.analysis.signals.signals`)."""
        from wijkradar.analysis.signals import signals
        from wijkradar.catalogue.rules import load_rules

        if year is None and level in ("buurt", "wijk", "gemeente"):
            year = self.latest_year(level)
        key = (level, year, view, id(rules), sensitivity)
        cache = self.__dict__.setdefault("_signals", {})
        if key not in cache:
            if level not in ("buurt", "wijk", "gemeente"):
                raise WijkradarError(f"niveau moet buurt, wijk of gemeente zijn, niet {level!r}")
            if year is not None and year not in set(
                self.panel.loc[self.panel["level"] == level, "year"].unique()
            ):
                years = sorted(
                    int(y) for y in self.panel.loc[self.panel["level"] == level, "year"].unique()
                )
                raise WijkradarError(f"geen gegevens voor {level} in {year}; jaren: {years}")
            names = self.regions.set_index("code")["name"]
            cache[key] = signals(
                self.panel,
                self.indicators,
                rules or load_rules(),
                level=level,
                year=year,
                view=view,
                breaks=self.breaks,
                names=names,
                sensitivity=sensitivity,
            )
        return cache[key]

    def _scoreable(self, level: str, min_weight_share: float = 0.5) -> pd.DataFrame:
        """Per (year, code) of ``level``: can an axis be scored (weight share reached)? Cached."""
        from wijkradar.analysis.scores import scored_indicators

        cache = self.__dict__.setdefault("_scoreable_cache", {})
        key = (level, min_weight_share)
        if key not in cache:
            use = scored_indicators(self.indicators)
            p = self.panel
            m = (p["level"] == level) & p["indicator"].isin(use.index) & p["value"].notna()
            sel = p.loc[m, ["code", "year", "indicator"]].copy()
            sel["code"] = sel["code"].astype(str)
            sel["indicator"] = sel["indicator"].astype(str)
            sel["domain"] = sel["indicator"].map(use["domain"])
            sel["w"] = sel["indicator"].map(use["weight"])
            total = use.groupby("domain")["weight"].sum()
            share = sel.groupby(["year", "code", "domain"])["w"].sum().reset_index()
            share["ok"] = share["w"] / share["domain"].map(total) >= min_weight_share
            ok = share.groupby(["year", "code"])["ok"].any()
            # ... or all indicators of one of the rules' sufficient sets (lbm_safety alone)
            from wijkradar.catalogue.rules import load_rules

            present = sel.groupby(["year", "code"])["indicator"].agg(set)
            for sets in load_rules()["scores"].get("sufficient_sets", {}).values():
                for group in sets:
                    ok |= present.map(lambda have, g=frozenset(group): g <= have)
            ok = ok.reset_index()
            ok["gemeente"] = ok["code"].str[2:6]
            cache[key] = ok
        return cache[key]

    def latest_year(
        self,
        level: str,
        *,
        gemeente: str | None = None,
        code: str | None = None,
        min_weight_share: float = 0.5,
    ) -> int | None:
        """The latest year in which an axis can be scored at ``level``.

        A year qualifies when, for at least half of the regions (or for ``code``), the
        composition or the problems indicators present carry ``min_weight_share`` of their
        domain's weight; else the latest year with any scored indicator.
        """
        ok = self._scoreable(level, min_weight_share)
        if gemeente:
            ok = ok[ok["gemeente"] == gemeente.strip().upper()[2:6]]
        if code:
            ok = ok[ok["code"] == code]
        if ok.empty:
            return None
        frac = ok.groupby("year")["ok"].mean()
        good = frac[frac >= 0.5]
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
    ) -> dict:
        """LISA cluster label per code for the composition and problems scores.

        Computed once per (level, year, view) and kept in ``<dataset>/cache/`` (the first
        esda call in a process compiles for ~15 s).
        """
        from wijkradar.analysis.spatial import clusters_by_group, local_clusters

        res = self.signals(level=level, year=year, view=view, sensitivity=False)
        path = self._cache_path(f"clusters_{level}_{res.year}_{view}_{permutations}.parquet")
        if path.exists():
            frame = pd.read_parquet(path)
        else:
            f = res.frame.set_index("code")
            regions = self.regions[self.regions["level"] == level]
            parts = []
            for axis in ("composition", "problems"):
                values = f[f"{axis}_score"]
                if view == "relative":
                    groups = pd.Series(values.index.str[2:6], index=values.index)
                    c = clusters_by_group(values, regions, groups, permutations=permutations)
                else:
                    c = local_clusters(values, regions, permutations=permutations).to_frame()
                parts.append(c[["code", "cluster"]].assign(axis=axis))
            frame = pd.concat(parts, ignore_index=True)
            try:
                path.parent.mkdir(exist_ok=True)
                tmp = path.with_suffix(".tmp")
                frame.to_parquet(tmp)
                tmp.replace(path)
            except OSError:
                pass  # a read-only dataset: compute again next time
        if codes is not None:
            frame = frame[frame["code"].isin(codes)]
        out: dict = {}
        for r in frame.itertuples(index=False):
            out.setdefault(r.code, {})[r.axis] = r.cluster
        return out

    def divide(self, *, level: str = "buurt") -> pd.DataFrame:
        """Tweedeling per gemeente and year (see :func:`wijkradar.analysis.divide.divide`)."""
        from wijkradar.analysis.divide import divide

        cache = self.__dict__.setdefault("_divide", {})
        if level not in cache:
            cache[level] = divide(self.panel, level=level).to_frame()
        return cache[level]

    def medians(self, level: str, gemeente: str | None = None) -> dict:
        """Indicator → yearly median over the regions of ``level`` (in ``gemeente``); cached."""
        from wijkradar.outputs.profile import medians

        cache = self.__dict__.setdefault("_medians", {})
        key = (level, gemeente)
        if key not in cache:
            cache[key] = medians(self.panel, level, gemeente)
        return cache[key]

    def profile(
        self, code: str, *, year: int | None = None, view: str = "absolute", clusters: bool = True
    ) -> dict:
        """Everything known about one region (see :mod:`wijkradar.outputs.profile`)."""
        from wijkradar.outputs.profile import build_profile

        return build_profile(self, code, year=year, view=view, clusters=clusters)

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
