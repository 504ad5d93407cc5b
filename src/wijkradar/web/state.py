"""The web app's state: the Dataset opened once at startup and the in-memory caches over it.

Caches are per process and bounded (:class:`~wijkradar.web.memo.Memo`): profiles, signal tables
and map layers are computed once per key. LISA clusters (``Dataset.clusters``: ~17 s of numba
compiling on the first call in a process, then cached on disk) are computed in one background
daemon thread; until they are ready the profile omits ``clusters`` and says
``"clusters_pending": true``.
"""

from __future__ import annotations

import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from wijkradar.dataset import Dataset
from wijkradar.dataset.tables import EXPORT_COLUMNS, signals_table
from wijkradar.errors import DataNotFoundError
from wijkradar.jsonable import jsonable
from wijkradar.vocab import LEVELS
from wijkradar.web.mapdata import MapData
from wijkradar.web.memo import Memo
from wijkradar.wording import in_language

log = logging.getLogger("wijkradar.web")


def dumps(obj: Any) -> bytes:
    """Compact UTF-8 JSON (NaN → null via the callers' cleaning; other types → str)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=str).encode()


class Clusters:
    """LISA clusters per (level, year, view), computed in one background daemon thread."""

    def __init__(self, ds: Dataset, enabled: bool = True) -> None:
        self.ds = ds
        self.enabled = enabled
        self.state: dict[tuple, str] = {}
        self.data: dict[tuple, dict] = {}
        self._done: dict[tuple, threading.Event] = {}
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wijkradar-clusters")
        self._lock = threading.Lock()

    def request(self, level: str, year: int, view: str) -> str:
        """``ready``, ``pending`` or ``failed`` (or ``off``); schedules the work if new."""
        if not self.enabled:
            return "off"
        key = (level, int(year), view)
        with self._lock:
            if key not in self.state:
                self.state[key] = "pending"
                self._done[key] = threading.Event()
                self._pool.submit(self._run, key)
            return self.state[key]

    def wait(self, level: str, year: int, view: str, timeout: float | None = None) -> str:
        """Block until the clusters of the key are no longer pending (or ``timeout``)."""
        event = self._done.get((level, int(year), view))
        if event is not None:
            event.wait(timeout)
        return self.state.get((level, int(year), view), "off" if not self.enabled else "new")

    def _run(self, key: tuple) -> None:
        level, year, view = key
        try:
            self.data[key] = self.ds.clusters(level=level, year=year, view=view)
            self.state[key] = "ready"
        except Exception:  # clusters are an extra: log and serve profiles without them
            log.exception("clusters for %s failed", key)
            self.state[key] = "failed"
        finally:
            self._done[key].set()

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


class WebState:
    """The dataset and everything derived from it that the API serves."""

    def __init__(self, ds: Dataset, *, warm_clusters: bool = True) -> None:
        self.ds = ds
        # Load once, before requests arrive (cached_property is not thread-safe to fill).
        _ = ds.panel, ds.regions, ds.region_index, ds.names, ds.indicators, ds.rules
        self.levels: dict[str, dict] = {}
        for level in LEVELS:
            years = ds.years(level)
            self.levels[level] = {
                "years": years,
                "default_year": ds.latest_year(level) if years else None,
            }
        self.clusters = Clusters(ds, enabled=warm_clusters)
        self.warmed = threading.Event()
        self.profiles = Memo(4096)
        self.rendered = Memo(4096)
        self.tables = Memo(64)
        self._years = Memo(1024)
        self.map = MapData(ds)
        ds.search()  # builds the search index now, not on the first request

    def warm_signals(self) -> None:
        """Compute, in a background thread, the signals of every year some region shows by
        default, so that no profile request pays for them; ``self.warm`` tells when done."""

        def run() -> None:
            try:
                for level in LEVELS:
                    if not self.levels[level]["years"]:
                        continue
                    for y in sorted(set(self.ds.default_years(level).unique()), reverse=True):
                        self.ds.signals(level=level, year=int(y), view="absolute")
            except Exception:  # warming is an optimisation: requests compute what they need
                log.exception("warming signals failed")
            finally:
                self.warmed.set()

        threading.Thread(target=run, name="wijkradar-warm", daemon=True).start()

    def warm(self) -> None:
        """Start the cluster computation for the default buurt and wijk years."""
        for level in ("buurt", "wijk"):
            y = self.levels[level]["default_year"]
            if y is not None:
                self.clusters.request(level, y, "absolute")

    # -- validation -----------------------------------------------------------------------

    def year(self, level: str, year: int | None, gemeente: str | None = None) -> int:
        """``year`` checked against the level's years, or the default year."""
        years = self.levels[level]["years"]
        if year is None:
            if gemeente:
                year = self._years.get(
                    (level, gemeente), lambda: self.ds.latest_year(level, gemeente=gemeente)
                )
            else:
                year = self.levels[level]["default_year"]
            if year is None:
                if gemeente:
                    raise DataNotFoundError(
                        "geen gegevens voor {level} in {gemeente}", level=level, gemeente=gemeente
                    )
                raise DataNotFoundError("geen gegevens voor {level}", level=level)
        if year not in years:
            raise DataNotFoundError(
                "geen gegevens voor {level} in {year}; jaren: {years}",
                level=level,
                year=year,
                years=years,
            )
        return int(year)

    # -- services (one call per route) ----------------------------------------------------

    def search(self, q: str | None, level: str | None, gemeente: str | None, limit: int) -> dict:
        rows = self.ds.search(q, level=level, gemeente=gemeente, limit=limit)
        return {"data": rows, "count": len(rows)}

    def profile(self, code: str, year: int | None, view: str, lang: str = "nl") -> bytes:
        """The profile of ``code`` in ``lang`` (one language per answer), as JSON bytes."""
        code = code.strip().upper()
        base = self.profiles.get(
            (code, year, view), lambda: self.ds.profile(code, year=year, view=view, clusters=False)
        )
        sig = base.get("signal")
        if not sig or base["level"] not in LEVELS:
            return self.rendered.get(
                (code, year, view, "none", lang), lambda: dumps(in_language(base, lang))
            )
        key = (base["level"], int(sig["year"]), view)
        state = self.clusters.request(*key)

        def render() -> bytes:
            extra: dict = {"clusters_pending": state == "pending"}
            if state == "ready":
                extra["clusters"] = self.clusters.data[key].get(code, {})
            return dumps(in_language({**base, **extra}, lang))

        # Serialising a profile costs more than answering it: keep the bytes per state.
        return self.rendered.get((code, year, view, state, lang), render)

    def signals(self, level: str, year: int, view: str, gemeente: str | None, lang: str) -> bytes:
        gm = gemeente.strip().upper() if gemeente else None
        return self.tables.get(
            ("signals", level, year, view, gm, lang),
            lambda: self._signals(level, year, view, gm, lang),
        )

    def _signals(self, level: str, year: int, view: str, gemeente: str | None, lang: str) -> bytes:
        res = self.ds.signals(level=level, year=year, view=view)
        table = signals_table(self.ds, res, gemeente=gemeente, lang=lang)
        # the export's columns without the ones the response carries once at the top
        cols = [c for c in EXPORT_COLUMNS if c not in ("level", "year", "view")]
        table = table[cols].astype({c: object for c in cols if c not in ("reasons",)})
        data = jsonable(table.to_dict("records"))
        sens = jsonable(res.sensitivity.to_dict("records")) if res.sensitivity is not None else []
        return dumps(
            {
                "level": level,
                "year": res.year,
                "view": view,
                "window": res.window,
                "data": data,
                "sensitivity": sens,
                "count": len(data),
            }
        )

    def shutdown(self) -> None:
        self.clusters.shutdown()
