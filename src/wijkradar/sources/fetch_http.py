"""HTTP plumbing for the fetcher: bounded retries, resumable downloads, a small manifest.

Private to :mod:`wijkradar.sources.fetch`; nothing here knows about CBS tables.

Retry policy: 429, 5xx gateway/availability statuses, timeouts, connection resets and bodies cut
short are retried ``retries`` times with exponential backoff (``backoff * 2**attempt`` seconds).
A DNS failure is not retried (it will not resolve itself in a second) and a refused connection
that survives the retries becomes :class:`~wijkradar.errors.OfflineError`; any other HTTP status
is a :class:`~wijkradar.errors.FetchError` carrying ``url`` and ``status``. :func:`is_outage` tells
the errors that mean "the service is down" (a retried status that persisted, or timeouts and
resets until the retries ran out) from the ones that mean "this request is wrong" (404, 400).
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from wijkradar.errors import FetchError, OfflineError

RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
CHUNK = 1 << 16
MANIFEST = "fetch-manifest.json"
USER_AGENT = "wijkradar/0.1 (open data fetcher; +https://github.com/wijkradar)"

Progress = Callable[[str, int, "int | None"], None]


def http_error(url: str, status: int, detail: str = "") -> FetchError:
    """A FetchError for an HTTP status, with ``url`` and ``status`` attributes."""
    hint = " (not found: does this table/year exist?)" if status == 404 else ""
    msg = f"HTTP {status} from {url}{hint}"
    if detail:
        msg += f": {detail[:200]}"
    err = FetchError(msg)
    err.url = url  # type: ignore[attr-defined]
    err.status = status  # type: ignore[attr-defined]
    return err


def offline_error(url: str, exc: BaseException) -> OfflineError:
    """An OfflineError naming the host, for DNS/connect failures."""
    host = urlsplit(url).hostname or url
    reason = "name does not resolve" if _is_dns_failure(exc) else f"{exc}"
    err = OfflineError(
        f"cannot reach {host}: no internet connection? ({reason}). Check the network or proxy, "
        f"or point the WIJKRADAR_*_URL settings at a mirror. [{url}]"
    )
    err.url = url  # type: ignore[attr-defined]
    err.status = None  # type: ignore[attr-defined]
    return err


def _is_dns_failure(exc: BaseException | None) -> bool:
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, socket.gaierror):
            return True
        text = str(exc).lower()
        if "name or service not known" in text or "nodename nor servname" in text:
            return True
        if "temporary failure in name resolution" in text or "getaddrinfo" in text:
            return True
        exc = exc.__cause__ or exc.__context__
    return False


class _RetryStatus(Exception):
    """A response status worth retrying (kept so the final error can name it)."""

    def __init__(self, status: int, detail: str = "") -> None:
        self.status = status
        self.detail = detail
        super().__init__(status)


_TRANSIENT = (httpx.TimeoutException, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)


class Transport:
    """One httpx client plus the retry policy; owns the client only when it created it."""

    def __init__(
        self,
        client: httpx.Client | None,
        *,
        retries: int = 3,
        backoff: float = 0.5,
        timeout: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if retries < 0 or backoff < 0 or timeout <= 0:
            raise ValueError("retries and backoff must be >= 0 and timeout > 0")
        self._own = client is None
        self.client = client or httpx.Client(
            follow_redirects=True, headers={"User-Agent": USER_AGENT}, timeout=timeout
        )
        self.retries = retries
        self.backoff = backoff
        self.timeout = timeout
        self.sleep = sleep

    def close(self) -> None:
        """Close the client if we opened it."""
        if self._own:
            self.client.close()

    def _with_retries(self, url: str, attempt: Callable[[], object]) -> object:
        last: BaseException | None = None
        for n in range(self.retries + 1):
            try:
                return attempt()
            except httpx.ConnectError as exc:
                if _is_dns_failure(exc):
                    raise offline_error(url, exc) from exc
                last = exc
            except httpx.ConnectTimeout as exc:
                last = exc
            except (_RetryStatus, *_TRANSIENT) as exc:
                last = exc
            if n < self.retries:
                self.sleep(self.backoff * 2**n)
        if isinstance(last, httpx.ConnectError | httpx.ConnectTimeout):
            raise offline_error(url, last) from last
        if isinstance(last, _RetryStatus):
            raise http_error(url, last.status, last.detail) from None
        tries = self.retries + 1
        err = FetchError(f"{url}: {type(last).__name__}: {last} (gave up after {tries} tries)")
        err.url, err.status = url, None  # type: ignore[attr-defined]
        err.transient = True  # type: ignore[attr-defined]
        raise err

    def get_json(self, url: str, params: dict[str, str] | None = None) -> dict:
        """GET a JSON document (retried); FetchError when it is not JSON."""

        def attempt() -> dict:
            r = self.client.get(url, params=params, timeout=self.timeout)
            _check(r)
            try:
                doc = r.json()
            except ValueError as exc:
                kind = r.headers.get("Content-Type", "no content type")
                err = FetchError(f"{r.url}: the response is not JSON ({kind}; {exc})")
                err.url, err.status = str(r.url), None  # type: ignore[attr-defined]
                raise err from exc
            if not isinstance(doc, dict):
                err = FetchError(f"{r.url}: expected a JSON object, got {type(doc).__name__}")
                err.url, err.status = str(r.url), None  # type: ignore[attr-defined]
                raise err
            return doc

        return self._with_retries(url, attempt)  # type: ignore[return-value]

    def download(
        self,
        url: str,
        dest: Path,
        *,
        etag: str | None = None,
        on_start: Callable[[str | None], None] | None = None,
        progress: Progress | None = None,
        label: str = "",
    ) -> tuple[int, str | None]:
        """Download ``url`` to ``dest`` through ``dest.part``, resuming an existing part.

        A ``.part`` of N bytes is resumed with ``Range: bytes=N-`` (and ``If-Range`` when the
        ETag is known): 206 appends, 200 restarts. The part is renamed onto ``dest`` only when
        complete. Returns (size, ETag).
        """
        part = dest.with_name(dest.name + ".part")
        dest.parent.mkdir(parents=True, exist_ok=True)
        state = {"etag": etag}

        def attempt() -> tuple[int, str | None]:
            offset = part.stat().st_size if part.exists() else 0
            headers = {}
            if offset:
                headers["Range"] = f"bytes={offset}-"
                if state["etag"]:
                    headers["If-Range"] = state["etag"]
            with self.client.stream("GET", url, headers=headers, timeout=self.timeout) as r:
                if r.status_code == 416:  # our part is stale or longer than the file: start over
                    part.unlink(missing_ok=True)
                    raise _RetryStatus(416, "range not satisfiable; restarting")
                _check(r)
                resumed = r.status_code == 206 and offset > 0
                total = _total_size(r, offset if resumed else 0)
                state["etag"] = r.headers.get("ETag") or state["etag"]
                if on_start is not None:
                    on_start(state["etag"])
                done = offset if resumed else 0
                with open(part, "ab" if resumed else "wb") as fh:
                    for chunk in r.iter_bytes(CHUNK):
                        fh.write(chunk)
                        done += len(chunk)
                        if progress is not None:
                            progress(label, done, total)
            size = part.stat().st_size
            if total is not None and size != total:  # cut short without a protocol error
                raise httpx.RemoteProtocolError(f"got {size} of {total} bytes")
            os.replace(part, dest)
            return size, state["etag"]

        return self._with_retries(url, attempt)  # type: ignore[return-value]


def _check(r: httpx.Response) -> None:
    if r.status_code in RETRY_STATUSES:
        raise _RetryStatus(r.status_code, _peek(r))
    if r.status_code >= 400:
        raise http_error(str(r.url), r.status_code, _peek(r))


def _peek(r: httpx.Response) -> str:
    try:
        return r.read().decode("utf-8", "replace").strip()
    except httpx.HTTPError:
        return ""


def _total_size(r: httpx.Response, offset: int) -> int | None:
    rng = r.headers.get("Content-Range", "")
    if r.status_code == 206 and "/" in rng and not rng.endswith("/*"):
        return int(rng.rsplit("/", 1)[1])
    length = r.headers.get("Content-Length")
    return int(length) + offset if length is not None else None


class Manifest:
    """``fetch-manifest.json``: what was fetched, from where, how big, with which ETag.

    A file is complete when its entry exists and its size on disk matches; zips record the
    files they were extracted to instead (the zip itself is removed after extraction).
    """

    def __init__(self, root: Path) -> None:
        self.path = root / MANIFEST
        self.root = root
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except (FileNotFoundError, ValueError):
            data = {}
        self.files: dict[str, dict] = dict(data.get("files", {}))
        self.partial: dict[str, dict] = dict(data.get("partial", {}))

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def complete(self, key: str, *, query: str | None = None) -> bool:
        """Whether ``key`` (relative path) was fetched completely (with the same query)."""
        entry = self.files.get(key)
        if entry is None or (query is not None and entry.get("query") != query):
            return False
        outputs = entry.get("extracted") or {key: entry.get("size")}
        for rel, size in outputs.items():
            p = self.root / rel
            if not p.is_file() or (size is not None and p.stat().st_size != size):
                return False
        return True

    def record(self, key: str, **entry: object) -> None:
        entry["fetched_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        self.files[key] = entry
        self.partial.pop(key, None)
        self.save()

    def record_partial(self, key: str, url: str, etag: str | None) -> None:
        self.partial[key] = {"url": url, "etag": etag}
        self.save()

    def save(self) -> None:
        """Write atomically (temp file, then os.replace)."""
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        doc = {"files": self.files, "partial": self.partial}
        tmp.write_text(json.dumps(doc, indent=1, sort_keys=True), "utf-8")
        os.replace(tmp, self.path)


def is_outage(exc: BaseException) -> bool:
    """Whether a FetchError means the service is unavailable rather than the request wrong.

    True for a retried status (429, 5xx, ...) that persisted through the retries and for
    timeouts/resets that did; False for other HTTP statuses (404 ...) and non-HTTP errors.
    """
    if isinstance(exc, OfflineError):
        return False
    return getattr(exc, "status", None) in RETRY_STATUSES or bool(getattr(exc, "transient", False))


def write_text_atomic(path: Path, text: str) -> int:
    """Write ``text`` as UTF-8 via ``path.part`` + os.replace; returns the size.

    Nothing is written to ``path`` until the text is complete, so a failed run leaves the
    previous file as it was.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    part.write_text(text, "utf-8")
    os.replace(part, path)
    return path.stat().st_size


def write_json_atomic(path: Path, doc: dict) -> int:
    """Write ``doc`` as UTF-8 JSON via ``path.part`` + os.replace; returns the size."""
    return write_text_atomic(path, json.dumps(doc, ensure_ascii=False))
