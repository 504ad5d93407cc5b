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
from typing import TypeVar
from urllib.parse import urlsplit

import httpx

from wijkradar._version import __version__
from wijkradar.errors import FetchError, OfflineError
from wijkradar.files import write_atomic
from wijkradar.sources._common import ArgumentError, Phrase
from wijkradar.wording import N_

RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
CHUNK = 1 << 16
MANIFEST = "fetch-manifest.json"
USER_AGENT = f"wijkradar/{__version__} (open data fetcher; +https://github.com/wijkradar)"

Progress = Callable[[str, int, "int | None"], None]
T = TypeVar("T")


def _rendered(w, fields: dict[str, object]) -> dict[str, object]:
    return {
        k: v.render(w) if callable(getattr(v, "render", None)) else v for k, v in fields.items()
    }


class _Words:
    """Mixin: a fetch error whose fields are words themselves (another error, a
    :class:`~wijkradar.sources._common.Phrase`), rendered in the same language."""

    def render(self, w) -> str:
        return w._(self.message, **_rendered(w, self.fields))


class _FetchWords(_Words, FetchError):
    pass


class _OfflineWords(_Words, OfflineError):
    pass


def fetch_error(
    message: str,
    *,
    offline: bool = False,
    url: str | None = None,
    status: int | None = None,
    transient: bool = False,
    title: str | None = None,
    fallback: FetchError | None = None,
    **fields: object,
) -> FetchError:
    """A :class:`FetchError` (:class:`OfflineError` when ``offline``) whose Dutch ``message``
    keeps its ``{fields}`` apart, so that ``exc.render(w)`` shows it in the user's language.

    ``{url}`` and ``{status}`` in the message name those arguments. FetchError's constructor
    takes no fields, so they are set here; mark ``message`` with ``N_`` to extract it.
    """
    fields = {"url": url, "status": status, **fields}
    words = any(callable(getattr(v, "render", None)) for v in fields.values())
    if offline:
        cls: type[FetchError] = _OfflineWords if words else OfflineError
    else:
        cls = _FetchWords if words else FetchError
    exc = cls(message, url=url, status=status, transient=transient, title=title, fallback=fallback)
    exc.fields = fields
    exc.args = (message.format(**fields),)
    return exc


_HTTP = {
    (False, False): N_("HTTP {status} van {url}"),
    (False, True): N_("HTTP {status} van {url}: {detail}"),
    (True, False): N_("HTTP {status} van {url} (niet gevonden: bestaat deze tabel of dit jaar?)"),
    (True, True): N_(
        "HTTP {status} van {url} (niet gevonden: bestaat deze tabel of dit jaar?): {detail}"
    ),
}


def http_error(url: str, status: int, detail: str = "") -> FetchError:
    """A FetchError for an HTTP status, with ``url`` and ``status`` attributes."""
    message = _HTTP[status == 404, bool(detail)]
    return fetch_error(message, url=url, status=status, detail=detail[:200])


def offline_error(url: str, exc: BaseException) -> OfflineError:
    """An OfflineError naming the host, for DNS/connect failures."""
    host = urlsplit(url).hostname or url
    reason = Phrase(N_("de naam is niet op te zoeken (DNS)")) if _is_dns_failure(exc) else str(exc)
    return fetch_error(
        N_(
            "{host} is niet bereikbaar: geen internetverbinding? ({reason}). Controleer het "
            "netwerk of de proxy, of laat de instellingen WIJKRADAR_*_URL naar een kopie wijzen. "
            "[{url}]"
        ),
        offline=True,
        url=url,
        host=host,
        reason=reason,
    )


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
            raise ArgumentError(
                N_(
                    "retries en backoff moeten >= 0 zijn en timeout > 0; gekregen "
                    "retries={retries}, backoff={backoff}, timeout={timeout}"
                ),
                retries=retries,
                backoff=backoff,
                timeout=timeout,
            )
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

    def _with_retries(self, url: str, attempt: Callable[[], T]) -> T:
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
        raise fetch_error(
            N_("{url}: {kind}: {reason} (opgegeven na {tries} pogingen)"),
            url=url,
            transient=True,
            kind=type(last).__name__,
            reason=str(last),
            tries=self.retries + 1,
        )

    def get_json(self, url: str, params: dict[str, str] | None = None) -> dict:
        """GET a JSON document (retried); FetchError when it is not JSON."""

        def attempt() -> dict:
            r = self.client.get(url, params=params, timeout=self.timeout)
            _check(r)
            try:
                doc = r.json()
            except ValueError as exc:
                kind = r.headers.get("Content-Type") or Phrase(N_("geen content-type"))
                raise fetch_error(
                    N_("{url}: het antwoord is geen JSON ({kind}; {reason})"),
                    url=str(r.url),
                    kind=kind,
                    reason=str(exc),
                ) from exc
            if not isinstance(doc, dict):
                raise fetch_error(
                    N_("{url}: verwacht een JSON-object, gekregen {kind}"),
                    url=str(r.url),
                    kind=type(doc).__name__,
                )
            return doc

        return self._with_retries(url, attempt)

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
            # Not files.atomic_path: that removes its temporary file on failure, and this one
            # must survive a failed run, so that the next run resumes it.
            os.replace(part, dest)
            return size, state["etag"]

        return self._with_retries(url, attempt)


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
        """Write atomically (:func:`wijkradar.files.write_atomic`)."""
        self.root.mkdir(parents=True, exist_ok=True)
        doc = {"files": self.files, "partial": self.partial}
        write_atomic(self.path, json.dumps(doc, indent=1, sort_keys=True))


def is_outage(exc: FetchError) -> bool:
    """Whether a FetchError means the service is unavailable rather than the request wrong.

    True for a retried status (429, 5xx, ...) that persisted through the retries and for
    timeouts/resets that did; False for other HTTP statuses (404 ...) and non-HTTP errors.
    """
    if isinstance(exc, OfflineError):
        return False
    return exc.status in RETRY_STATUSES or exc.transient
