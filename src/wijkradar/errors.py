"""Every exception wijkradar raises on bad input.

Data errors carry where the problem is (``path``, ``row``, ``column``, ``code``) and what was
``expected`` versus what we ``got``; the message names them so a user can open the file and fix it.
"""

from __future__ import annotations

from pathlib import Path


class WijkradarError(Exception):
    """Base class: the CLI prints the message and exits non-zero without a traceback.

    ``WijkradarError("geen gegevens voor {level} in {year}", level=..., year=...)`` keeps the
    Dutch message and its fields apart, so the edges can show it in the user's language with
    :meth:`render` (``str(exc)`` is the Dutch text).
    """

    def __init__(self, message: object = "", /, *args: object, **fields: object) -> None:
        self.message = str(message)
        self.fields = fields
        text = self.message.format(**fields) if fields else self.message
        super().__init__(text, *args)

    def render(self, w) -> str:
        """The message in ``w``'s language (a :class:`wijkradar.wording.Words`); a message the
        catalogues do not know stays as it is; a field that is itself an error (or has a
        ``render``) is shown in the same language."""
        return w._(self.message, **_rendered(w, self.fields))


class _Dutch:
    """The source language without a catalogue: what ``str()`` of an error shows.

    (:mod:`wijkradar.wording` sits above this module; :meth:`SourceFormatError.render` takes
    any object with its ``_`` method.)
    """

    lang = "nl"

    def _(self, message: str, **fields: object) -> str:
        return message.format(**fields) if fields else message


def _say(w, message: str, fields: dict[str, object]) -> str:
    """``message`` in ``w``'s language with ``fields``; a text that is no template (a brace in
    data, a field it does not name) is shown as it is rather than failing the error itself."""
    try:
        return w._(message, **fields)
    except (KeyError, IndexError, ValueError):
        return w._(message)


def _rendered(w, fields: dict[str, object]) -> dict[str, object]:
    """``fields`` with every value that has a ``render(w)`` put in ``w``'s language."""
    return {
        k: v.render(w) if callable(getattr(v, "render", None)) else v for k, v in fields.items()
    }


class SourceFormatError(WijkradarError):
    """A source file is malformed or has a layout we do not know.

    ``message`` (what is wrong) and ``expected`` (what would be right) are Dutch msgids that
    may name ``{fields}``, given as keyword arguments like :class:`WijkradarError`'s; mark an
    ``expected`` with ``N_`` so it is extracted. :meth:`render` puts them in the user's
    language together with where the problem is::

        kwb.csv, rij 8, kolom 'Aantal inwoners', code 'BU05990110': geen getal
        (verwacht een getal of een CBS-teken (. x - ?), gekregen '16O45') [data/kwb.csv]

    ``str()`` is the Dutch text. A field that is itself words (another error, a
    :class:`wijkradar.sources._common.Phrase`: anything with a ``render(w)``) is rendered in the
    same language.
    """

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
        **fields: object,
    ) -> None:
        self.path = str(path) if path is not None else None
        self.row = row
        self.column = column
        self.code = code
        self.expected = expected
        self.got = got
        self.detail = message
        super().__init__(message)
        self.fields = fields
        self.args = (self.render(_Dutch()),)

    def render(self, w) -> str:
        """The message in ``w``'s language (a :class:`wijkradar.wording.Words`), e.g.
        ``kwb.csv, row 8, column 'x': not a number (expected …, got '16O45') [path]``."""
        fields = _rendered(w, self.fields)
        where = [Path(self.path).name] if self.path else []
        if self.row is not None:
            where.append(w._("rij {row}", row=self.row))
        if self.column is not None:
            where.append(w._("kolom {column}", column=repr(self.column)))
        if self.code is not None:
            where.append(w._("code {code}", code=repr(self.code)))
        detail = _say(w, self.detail, fields)
        text = f"{', '.join(where)}: {detail}" if where else detail
        said = []
        if self.expected is not None:
            said.append(w._("verwacht {expected}", expected=_say(w, self.expected, fields)))
        if self.got is not None:
            said.append(w._("gekregen {got}", got=repr(self.got)))
        if said:
            text += f" ({', '.join(said)})"
        if self.path:
            text += f" [{self.path}]"
        return text


class RegionCodeError(SourceFormatError):
    """A region code does not have the shape of a CBS GM/WK/BU code."""


class CatalogueError(WijkradarError):
    """The indicator catalogue or a mapping file is inconsistent."""


class UnknownIndicatorError(WijkradarError, KeyError):
    """An indicator id that is not in the catalogue."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class UnknownRegionError(WijkradarError, KeyError):
    """A region code that is not in the dataset."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class DataNotFoundError(WijkradarError, FileNotFoundError):
    """A data folder, dataset or file that does not exist or holds nothing we can read."""


class FetchError(WijkradarError):
    """Downloading from CBS, PDOK, police or Leefbaarometer failed.

    ``url`` is the request that failed and ``status`` its HTTP status (``None`` without one: no
    answer, or an answer we could not use). ``transient`` marks timeouts and resets that outlasted
    the retries; ``title`` is the table title found where another was expected; ``fallback`` is
    the error of the second API, when the first failed and the fallback failed too.
    """

    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        status: int | None = None,
        transient: bool = False,
        title: str | None = None,
        fallback: FetchError | None = None,
    ) -> None:
        self.url = url
        self.status = status
        self.transient = transient
        self.title = title
        self.fallback = fallback
        super().__init__(message)


class OfflineError(FetchError):
    """No connection to the remote host (no internet, DNS failure, refused)."""


class IndexTableError(SourceFormatError):
    """A user's index table (``wijkradar validate --index FILE.csv``) cannot be compared: no
    ``code`` column, a region name instead of a code, a code twice, no single numeric column,
    or no code the dataset knows. Names the file, the row (its line, the header line 1) and
    the column."""


class CpiError(WijkradarError):
    """The consumer price index (CPI) file cannot deflate what was asked: a year it lacks, or a
    file that is not a ``year,cpi`` table (:mod:`wijkradar.catalogue.prices`)."""
