"""What routes depend on: the app's :class:`WebState` (the Dataset opened once at startup,
plus in-memory caches) and small ``Annotated`` aliases for the common query parameters.

Caches are per process and bounded (LRU): profiles, signal tables and map layers are computed
once per key, with one lock per key so fifty concurrent requests for a cold key compute it once.
LISA clusters (``Dataset.clusters``: ~17 s of numba compiling on the first call in a process,
then cached on disk) are computed in one background daemon thread; until they are ready the
profile omits ``clusters`` and says ``"clusters_pending": true``.
"""

from __future__ import annotations

import json
import logging
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated, Any

import pandas as pd
from fastapi import Depends, Query, Request

from wijkradar.dataset import Dataset
from wijkradar.errors import DataNotFoundError
from wijkradar.outputs.export import COLUMNS as EXPORT_COLUMNS
from wijkradar.web.schemas import LEVELS, Lang, Level, View

log = logging.getLogger("wijkradar.web")


def dumps(obj: Any) -> bytes:
    """Compact UTF-8 JSON (NaN → null via the callers' cleaning; other types → str)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def clean(obj: Any) -> Any:
    """JSON-safe values (NaN → None, numpy → Python)."""
    from wijkradar.outputs.profile import _clean

    return _clean(obj)


def fold(text: str) -> str:
    """Accent- and case-insensitive form: NFKD without combining marks, case-folded."""
    nfkd = unicodedata.normalize("NFKD", str(text))
    return "".join(ch for ch in nfkd if not unicodedata.combining(ch)).casefold()


class Memo:
    """A bounded LRU mapping that computes each missing key once (one lock per key)."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self._key_locks: dict = {}

    def peek(self, key) -> Any | None:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        return None

    def get(self, key, compute: Callable[[], Any]) -> Any:
        hit = self.peek(key)
        if hit is not None:
            return hit
        with self._lock:
            klock = self._key_locks.setdefault(key, threading.Lock())
        with klock:
            hit = self.peek(key)
            if hit is not None:
                return hit
            value = compute()
            with self._lock:
                self._data[key] = value
                while len(self._data) > self.maxsize:
                    self._data.popitem(last=False)
                self._key_locks.pop(key, None)
            return value


class Clusters:
    """LISA clusters per (level, year, view), computed in one background daemon thread."""

    def __init__(self, ds: Dataset, enabled: bool = True) -> None:
        self.ds = ds
        self.enabled = enabled
        self.state: dict[tuple, str] = {}
        self.data: dict[tuple, dict] = {}
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
                self._pool.submit(self._run, key)
            return self.state[key]

    def _run(self, key: tuple) -> None:
        level, year, view = key
        try:
            self.data[key] = self.ds.clusters(level=level, year=year, view=view)
            self.state[key] = "ready"
        except Exception:  # clusters are an extra: log and serve profiles without them
            log.exception("clusters for %s failed", key)
            self.state[key] = "failed"

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


class WebState:
    """The dataset and everything derived from it that the API serves."""

    def __init__(self, ds: Dataset, *, warm_clusters: bool = True) -> None:
        from wijkradar.web.mapdata import MapData

        self.ds = ds
        # Load once, before requests arrive (cached_property is not thread-safe to fill).
        panel, regions, _ = ds.panel, ds.regions, ds.indicators
        self.levels: dict[str, dict] = {}
        for level in LEVELS:
            years = sorted(int(y) for y in panel.loc[panel["level"] == level, "year"].unique())
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
        reg = regions[regions["level"].isin(LEVELS)]
        self.index = pd.DataFrame(
            {
                "code": reg["code"].astype(str).to_numpy(),
                "name": reg["name"].astype(object).to_numpy(),
                "level": reg["level"].astype(str).to_numpy(),
                "gemeente_code": reg["gemeente_code"].astype(object).to_numpy(),
                "gemeente_name": reg["gemeente_name"].astype(object).to_numpy(),
            }
        )
        self.index["key"] = [fold(n) if isinstance(n, str) else "" for n in self.index["name"]]
        self.index["rank_level"] = self.index["level"].map({"gemeente": 0, "wijk": 1, "buurt": 2})

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
                where = f" in {gemeente}" if gemeente else ""
                raise DataNotFoundError(f"geen gegevens voor {level}{where}")
        if year not in years:
            raise DataNotFoundError(f"geen gegevens voor {level} in {year}; jaren: {years}")
        return int(year)

    # -- services (one call per route) ----------------------------------------------------

    def search(self, q: str | None, level: str | None, gemeente: str | None, limit: int) -> dict:
        idx = self.index
        if level:
            idx = idx[idx["level"] == level]
        if gemeente:
            idx = idx[idx["gemeente_code"] == gemeente.strip().upper()]
        if q and q.strip():
            key, up = fold(q.strip()), q.strip().upper()
            by_code = idx["code"].str.startswith(up)
            pos = idx["key"].str.find(key)
            hit = by_code | (pos >= 0)
            idx = idx[hit].assign(_later=~(by_code[hit] | (pos[hit] == 0)))
            idx = idx.sort_values(["_later", "rank_level", "key", "code"])
        else:
            idx = idx.sort_values(["rank_level", "key", "code"])
        cols = ["code", "name", "level", "gemeente_code", "gemeente_name"]
        rows = clean(idx[cols].head(limit).to_dict("records"))
        return {"data": rows, "count": len(rows)}

    def profile(self, code: str, year: int | None, view: str) -> bytes:
        code = code.strip().upper()
        base = self.profiles.get(
            (code, year, view), lambda: self.ds.profile(code, year=year, view=view, clusters=False)
        )
        sig = base.get("signal")
        if not sig or base["level"] not in LEVELS:
            return dumps(base)
        key = (base["level"], int(sig["year"]), view)
        state = self.clusters.request(*key)

        def render() -> bytes:
            extra: dict = {"clusters_pending": state == "pending"}
            if state == "ready":
                extra["clusters"] = self.clusters.data[key].get(code, {})
            return dumps({**base, **extra})

        # Serialising a profile costs more than answering it: keep the bytes per state.
        return self.rendered.get((code, year, view, state), render)

    def signals(self, level: str, year: int, view: str, gemeente: str | None, lang: str) -> bytes:
        gm = gemeente.strip().upper() if gemeente else None
        return self.tables.get(
            ("signals", level, year, view, gm, lang),
            lambda: self._signals(level, year, view, gm, lang),
        )

    def _signals(self, level: str, year: int, view: str, gemeente: str | None, lang: str) -> bytes:
        from wijkradar.outputs.tables import signals_table

        res = self.ds.signals(level=level, year=year, view=view)
        table = signals_table(self.ds, res, gemeente=gemeente, lang=lang)
        # the export's columns without the ones the response carries once at the top
        cols = [c for c in EXPORT_COLUMNS if c not in ("level", "year", "view")]
        table = table[cols].astype({c: object for c in cols if c not in ("reasons",)})
        data = clean(table.to_dict("records"))
        sens = clean(res.sensitivity.to_dict("records")) if res.sensitivity is not None else []
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


def get_state(request: Request) -> WebState:
    return request.app.state.web


StateDep = Annotated[WebState, Depends(get_state)]
LangQ = Annotated[Lang, Query(description="Taal van labels: nl (standaard) of en.")]
ViewQ = Annotated[View, Query(description="absolute (landelijk) of relative (binnen de gemeente).")]
YearQ = Annotated[int | None, Query(ge=1900, le=2100, description="Jaar; standaard het laatste.")]
GemeenteQ = Annotated[
    str | None,
    Query(pattern=r"^(GM|gm)\d{4}$", description="Alleen deze gemeente, bv. GM0363."),
]
LevelQ = Annotated[Level, Query(description="buurt, wijk of gemeente.")]
