"""Small helpers shared by the readers: opening (gzipped) text safely, the catalogue, years from
names, and the checks every reader makes (code shape, unique codes, required columns)."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from wijkradar import codes as cbs
from wijkradar.catalogue import Catalogue, load_catalogue
from wijkradar.errors import RegionCodeError, SourceFormatError, WijkradarError
from wijkradar.wording import N_

ENCODINGS = ("utf-8-sig",)
EXPECTED_CODE = N_("een CBS-code zoals GM0363, WK036300, WK0363AD, BU03630001 of NL00")
"""The ``expected`` of a wrong region code (a msgid; :data:`wijkradar.codes.EXPECTED_SHAPE` in
Dutch)."""


class ArgumentError(WijkradarError, ValueError):
    """A bad argument to a reader or the fetcher: a :class:`ValueError`, as the functions
    promise, whose Dutch message renders in the user's language like every wijkradar error.

    Its message is not a class of :mod:`wijkradar.errors`, so mark it:
    ``ArgumentError(N_("api moet een van {choices} zijn"), choices=...)``.
    """


class Phrase:
    """A Dutch phrase with fields, for a field of an error that is itself words.

    ``SourceFormatError("{what} komt dubbel voor", what=Phrase(N_("naam {name}"), name=...))``:
    the error renders the phrase in its own language (:meth:`SourceFormatError.render`); ``str``
    is the Dutch text. Mark the message with ``N_`` so ``tools/messages.py`` extracts it.
    """

    def __init__(self, message: str, **fields: object) -> None:
        self.message = message
        self.fields = fields

    def render(self, w) -> str:
        """The phrase in ``w``'s language (a :class:`wijkradar.wording.Words`)."""
        fields = {
            k: v.render(w) if callable(getattr(v, "render", None)) else v
            for k, v in self.fields.items()
        }
        return w._(self.message, **fields)

    def __str__(self) -> str:
        return self.message.format(**self.fields) if self.fields else self.message

    def __repr__(self) -> str:
        return f"Phrase({str(self)!r})"


def read_bytes(path: str | Path) -> bytes:
    """The file's bytes, transparently gunzipped; a truncated gzip is a clear error."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise SourceFormatError("bestand niet gevonden", path=path) from exc
    if path.suffix == ".gz" or data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (EOFError, OSError, gzip.BadGzipFile) as exc:
            raise SourceFormatError(
                "de gzip-gegevens zijn afgebroken of beschadigd ({reason})",
                path=path,
                reason=str(exc),
            ) from exc
    return data


def read_text(path: str | Path, *, encoding: str = "utf-8-sig") -> str:
    """Decode a text file (BOM stripped); a wrong encoding names the line and byte."""
    data = read_bytes(path)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceFormatError(
            "byte {byte} op positie {offset} is geen {encoding} (verkeerde tekencodering? "
            "CBS-bestanden zijn UTF-8; sla het bestand op als UTF-8)",
            path=path,
            row=line,
            expected=N_("tekst in {encoding}"),
            byte=f"{data[exc.start]:#04x}",
            offset=exc.start,
            encoding=encoding,
        ) from exc


def read_json(path: str | Path, expected: str, **fields: object) -> object:
    """The file's JSON (gzip and BOM as :func:`read_text` handles them).

    ``expected`` is a msgid (``N_``) naming what the file should be, with its ``fields``.

    Raises
    ------
    SourceFormatError
        When it is not valid JSON: names the file, the line and ``expected``.
    """

    try:
        return json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise SourceFormatError(
            "geen geldige JSON ({reason}; afgebroken download?)",
            path=path,
            row=exc.lineno,
            expected=expected,
            reason=exc.msg,
            **fields,
        ) from exc


def head_text(path: str | Path, n: int = 8192) -> str:
    """The first ``n`` characters (for sniffing formats); undecodable bytes replaced."""
    path = Path(path)
    with open(path, "rb") as fh:
        raw = fh.read(n * 4)
    if path.suffix == ".gz" or raw[:2] == b"\x1f\x8b":
        try:
            with gzip.open(path, "rb") as fh:
                raw = fh.read(n * 4)
        except (EOFError, OSError):
            pass
    return raw.decode("utf-8-sig", errors="replace")[:n]


def sniff_delimiter(first_line: str) -> str:
    """``;`` (StatLine, Dutch Excel) or ``,`` (R/pandas exports) or tab."""
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    return max(counts, key=lambda d: counts[d])


def csv_rows(text: str, delimiter: str) -> list[list[str]]:
    """Parse CSV text with a quote-aware reader (labels can hold the delimiter)."""
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


_YEAR = re.compile(r"(?<!\d)(19[89]\d|20[0-4]\d)(?!\d)")
_TABLE = re.compile(r"(?<![0-9A-Za-z])(\d{5}NED)(?![0-9A-Za-z])", re.IGNORECASE)


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """The packaged catalogue, read and validated once for every reader in this process.

    (:func:`~wijkradar.catalogue.load_catalogue` itself reads the files on every call.)
    """
    return load_catalogue()


@lru_cache(maxsize=1)
def kwb_tables() -> dict[str, int]:
    """CBS table id → KWB year (the catalogue's ``tables`` inverted)."""
    return {table.upper(): year for year, table in catalogue().tables.items()}


_TITLE = re.compile(r"kerncijfers\s+wijken\s+en\s+buurten\s+((?:19|20)\d\d)", re.IGNORECASE)


def table_edition(name: str) -> tuple[str, int] | None:
    """(table id, KWB edition) of a known CBS KWB table id in ``name``, else ``None``."""
    m = _TABLE.search(name)
    if m and m.group(1).upper() in kwb_tables():
        return m.group(1).upper(), kwb_tables()[m.group(1).upper()]
    return None


def check_edition(path: str | Path, *, title: str = "", years: object = None) -> None:
    """The file's title, the CBS table id in its name and its year column name one edition.

    ``years`` is the year column (a Series or an int) when the file has one. A mismatch is an
    error naming both: a file of one edition saved under another's name would otherwise land
    in the wrong year of every series.
    """
    stated: list[tuple[int, Phrase]] = []
    m = _TITLE.search(title or "")
    if m:
        stated.append((int(m.group(1)), Phrase(N_("de titel {title}"), title=repr(title.strip()))))
    named = table_edition(Path(path).name)
    if named:
        said = N_("de tabel-id {table} in de bestandsnaam (KWB {year})")
        stated.append((named[1], Phrase(said, table=named[0], year=named[1])))
    if years is not None:
        found = sorted({int(y) for y in np.atleast_1d(np.asarray(years))})
        if len(found) == 1:
            stated.append((found[0], Phrase(N_("de kolom Jaar ({year})"), year=found[0])))
    for (y1, w1), (y2, w2) in zip(stated, stated[1:], strict=False):
        if y1 != y2:
            raise SourceFormatError(
                "{first} en {second} noemen verschillende KWB-edities ({year1} en {year2})",
                path=path,
                expected=N_("één KWB-editie in titel, bestandsnaam en kolom Jaar"),
                got=(y1, y2),
                first=w1,
                second=w2,
                year1=y1,
                year2=y2,
            )


def year_from_name(path: str | Path, text: str = "") -> int | None:
    """The KWB year named by a CBS table id or a 4-digit year in the file name or title."""
    name = Path(path).name
    for candidate in (name, text):
        m = _TABLE.search(candidate)
        if m and m.group(1).upper() in kwb_tables():
            return kwb_tables()[m.group(1).upper()]
    for candidate in (name, text):
        years = _YEAR.findall(candidate)
        if len(set(years)) == 1:
            return int(years[0])
    return None


# --------------------------------------------------------------------------- checks


def check_codes(
    codes: pd.Series,
    rows: np.ndarray,
    *,
    path: str | Path,
    column: str | None,
    raw: pd.Series | None = None,
    level: str | None = None,
) -> pd.Series:
    """Normalise ``codes``; the first of the wrong shape (or not of ``level``) is an error.

    ``rows`` are the file rows of ``codes`` (by position); the error names ``raw``'s cell if
    given, else the normalised code. Returns the normalised codes (same index).
    """
    norm = cbs.normalise_codes(codes)
    bad = cbs.invalid_codes(norm)
    if level is not None:
        bad |= cbs.levels_of(norm).ne(level).fillna(True)
    bad = bad.to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        shown = norm if raw is None else raw
        raise RegionCodeError(
            N_("geen {level}code") if level else N_("geen gebiedscode"),
            path=path,
            row=int(rows[i]),
            column=column,
            code=str(shown.iloc[i]),
            expected=EXPECTED_CODE,
            level=level,
        )
    return norm


def check_unique(
    codes: pd.Series,
    years: pd.Series | np.ndarray | None,
    rows: np.ndarray,
    *,
    path: str | Path,
    column: str | None,
    what: str = "code",
    rows_word: str = "rows",
) -> None:
    """The first (code, year) that occurs twice is an error naming both rows.

    ``years`` ``None`` checks the codes alone; ``what`` names the key in the message (``code``,
    or ``name`` for name-keyed tables, which then carry no ``code``); ``rows_word`` is ``rows``
    or ``records`` (JSON files).
    """
    key = pd.DataFrame({"code": pd.Series(np.asarray(codes), dtype="string").fillna("")})
    if years is not None:
        key["year"] = np.asarray(years)
    dup = key.duplicated(keep=False).to_numpy()
    if not dup.any():
        return
    first = int(np.flatnonzero(dup)[0])
    same = np.flatnonzero(dup & key.eq(key.iloc[first]).all(axis=1).to_numpy())
    a, b = int(rows[same[0]]), int(rows[same[1]])
    value = str(key["code"].iloc[first])
    said = N_("naam {value}") if what == "name" else N_("code {value}")
    where = N_("records {a} en {b}") if rows_word == "records" else N_("rijen {a} en {b}")
    raise SourceFormatError(
        N_("{what} komt meer dan eens voor in hetzelfde jaar ({rows})")
        if years is not None
        else N_("{what} komt meer dan eens voor ({rows})"),
        path=path,
        row=b,
        column=column,
        code=value if what == "code" else None,
        what=Phrase(said, value=value),
        rows=Phrase(where, a=a, b=b),
    )


def check_columns(found: list[str], required: tuple[str, ...], *, path: str | Path) -> None:
    """Every ``required`` column is in ``found``; the error lists the missing and found ones."""
    missing = [c for c in required if c not in found]
    if missing:
        raise SourceFormatError(
            "kolommen {missing} ontbreken; gevonden kolommen: {found}",
            path=path,
            expected=N_("de kolommen {required}"),
            missing=", ".join(missing),
            found=", ".join(found),
            required=", ".join(required),
        )
