"""Every exception wijkradar raises on bad input.

Data errors carry where the problem is (``path``, ``row``, ``column``, ``code``) and what was
``expected`` versus what we ``got``; the message names them so a user can open the file and fix it.
"""

from __future__ import annotations

from pathlib import Path


class WijkradarError(Exception):
    """Base class: the CLI prints the message and exits non-zero without a traceback."""


class SourceFormatError(WijkradarError):
    """A source file is malformed or has a layout we do not know."""

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
        code: str | None = None,
        expected: str | None = None,
        got: object = None,
    ) -> None:
        self.path = str(path) if path is not None else None
        self.row = row
        self.column = column
        self.code = code
        self.expected = expected
        self.got = got
        self.detail = message
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.path:
            where.append(Path(self.path).name)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        if self.code is not None:
            where.append(f"code {self.code!r}")
        text = ", ".join(where)
        msg = f"{text}: {self.detail}" if text else self.detail
        if self.expected is not None:
            msg += f" (expected {self.expected}"
            msg += f", got {self.got!r})" if self.got is not None else ")"
        if self.path:
            msg += f" [{self.path}]"
        return msg


class RegionCodeError(SourceFormatError):
    """A region code does not have the shape of a CBS GM/WK/BU code."""


class CatalogueError(WijkradarError):
    """The indicator catalogue or a mapping file is inconsistent."""


class UnknownIndicatorError(WijkradarError, KeyError):
    """An indicator id that is not in the catalogue."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class DataNotFoundError(WijkradarError, FileNotFoundError):
    """A data folder, dataset or file that does not exist or holds nothing we can read."""


class FetchError(WijkradarError):
    """Downloading from CBS, PDOK, police or Leefbaarometer failed."""


class OfflineError(FetchError):
    """No connection to the remote host (no internet, DNS failure, refused)."""
