"""One JSON shape for every failure: ``{"ok": false, "status", "error", "errors"}``.

Handlers for validation errors, HTTP errors (unknown routes, 405) and :class:`WijkradarError`;
a guard middleware for what the read-only API never accepts (other methods, long query
strings, bodies) and a last-resort middleware that turns any unexpected exception into a
500 without a traceback (the traceback is logged on the server).
"""

from __future__ import annotations

import json
import logging
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from wijkradar.errors import (
    DataNotFoundError,
    UnknownIndicatorError,
    UnknownRegionError,
    WijkradarError,
)
from wijkradar.vocab import DEFAULT_LANG, LANGS
from wijkradar.wording import N_, Words, words

log = logging.getLogger("wijkradar.web")

MAX_QUERY = 2048
MAX_PATH = 1024
MAX_BODY = 0
ALLOWED_METHODS = ("GET", "HEAD", "OPTIONS")
MESSAGES = {
    400: N_("ongeldig verzoek"),
    404: N_("niet gevonden"),
    405: N_("methode niet toegestaan: de API is alleen-lezen (GET)"),
    413: N_("verzoek te groot: de API neemt geen inhoud aan"),
    414: N_("adres of zoekvraag te lang"),
    422: N_("ongeldige invoer"),
    500: N_("interne fout"),
}


def request_words(query_string: bytes | str) -> Words:
    """The :class:`Words` of the request's ``lang`` parameter (Dutch when absent or unknown)."""
    if isinstance(query_string, bytes):
        query_string = query_string.decode("latin-1")
    lang = (parse_qs(query_string).get("lang") or [DEFAULT_LANG])[-1]
    return words(lang if lang in LANGS else DEFAULT_LANG)


def error_body(status: int, error: str, errors: list[dict] | None = None) -> dict:
    """The error shape (used by every handler and by the tests)."""
    return {"ok": False, "status": status, "error": error, "errors": errors or []}


def error_response(
    status: int, error: str, errors: list[dict] | None = None, headers=None, lang: str = "nl"
):
    headers = {**(headers or {}), "Content-Language": lang}
    return JSONResponse(error_body(status, error, errors), status_code=status, headers=headers)


def _not_found_errors() -> tuple[type[Exception], ...]:
    return (UnknownRegionError, DataNotFoundError, UnknownIndicatorError)


async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    w = request_words(request.url.query)
    errors = [
        {
            "loc": [str(x) if not isinstance(x, int) else x for x in e.get("loc", ())],
            "msg": str(e.get("msg", "")),
        }
        for e in exc.errors()
    ]
    first = errors[0] if errors else None
    text = w._(MESSAGES[422])
    if first:
        text += f": {'.'.join(str(x) for x in first['loc'][1:]) or first['loc']}: {first['msg']}"
    return error_response(422, text, errors, lang=w.lang)


async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    w = request_words(request.url.query)
    status = exc.status_code
    detail = exc.detail if isinstance(exc.detail, str) else None
    if status == 404 and (not detail or detail == "Not Found"):
        detail = f"{w._(MESSAGES[404])}: {request.url.path}"
    elif status == 405:
        detail = w._(MESSAGES[405])
    text = detail or w._(MESSAGES.get(status, N_("fout")))
    return error_response(status, text, headers=getattr(exc, "headers", None), lang=w.lang)


async def _wijkradar(request: Request, exc: WijkradarError) -> JSONResponse:
    w = request_words(request.url.query)
    status = 404 if isinstance(exc, _not_found_errors()) else 400
    return error_response(status, exc.render(w), lang=w.lang)


def install_handlers(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(WijkradarError, _wijkradar)


async def _send_json(send: Send, status: int, body: dict, extra=(), lang: str = "nl") -> None:
    raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(raw)).encode()),
        (b"content-language", lang.encode()),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": raw})


def _headless(send: Send) -> Send:
    """HEAD: answer as GET without the body (API routes are declared for GET only)."""

    async def wrapped(message) -> None:
        if message["type"] == "http.response.body":
            if message.get("more_body"):
                return
            message = {"type": "http.response.body", "body": b""}
        await send(message)

    return wrapped


class GuardMiddleware:
    """Reject what a read-only API never needs, before routing: other methods (405), query
    strings over 2 KB or paths over 1 KB (414), request bodies (413)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problem = None
        if scope["method"] not in ALLOWED_METHODS:
            problem = 405
        elif (
            len(scope.get("query_string", b"")) > MAX_QUERY
            or len(scope.get("raw_path", b"") or scope["path"].encode()) > MAX_PATH
        ):
            problem = 414
        else:
            headers = dict(scope.get("headers") or [])
            length = headers.get(b"content-length", b"0")
            if b"transfer-encoding" in headers or (length.isdigit() and int(length) > MAX_BODY):
                problem = 413
            elif not length.isdigit():
                problem = 400
        if problem is None and scope["method"] == "HEAD":
            await self.app({**scope, "method": "GET"}, receive, _headless(send))
            return
        if problem is None:
            await self.app(scope, receive, send)
            return
        extra = [(b"allow", b"GET, HEAD, OPTIONS")] if problem == 405 else []
        w = request_words(scope.get("query_string", b"")[:MAX_QUERY])
        body = error_body(problem, w._(MESSAGES[problem]))
        await _send_json(send, problem, body, extra, lang=w.lang)


class CatchAllMiddleware:
    """Any unexpected exception → 500 ``interne fout``; the traceback goes to the log only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception:
            log.exception("unexpected error on %s %s", scope.get("method"), scope.get("path"))
            if not started:
                w = request_words(scope.get("query_string", b"")[:MAX_QUERY])
                await _send_json(send, 500, error_body(500, w._(MESSAGES[500])), lang=w.lang)
