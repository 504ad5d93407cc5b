"""Every API answer says its language: ``Content-Language`` from the request's ``lang``.

Routes whose body is in one language (the default) get the requested language, Dutch when none
or an unknown one is asked for (the validation error then says so). A route whose body carries
more than one language sets the header itself (the profile: ``nl, en``).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wijkradar.web.errors import request_words


class LanguageMiddleware:
    """Add ``Content-Language`` to every ``/api`` response that does not have one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api"):
            await self.app(scope, receive, send)
            return
        lang = request_words(scope.get("query_string", b"")[:2048]).lang.encode()

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(k.lower() == b"content-language" for k, _ in headers):
                    headers.append((b"content-language", lang))
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, wrapped)
