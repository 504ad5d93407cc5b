"""Small helpers shared by the readers: opening (gzipped) text safely, years from names, and the
checks every reader makes (code shape, unique codes, required columns)."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from wijkradar import codes as cbs
from wijkradar.errors import RegionCodeError, SourceFormatError

ENCODINGS = ("utf-8-sig",)


def read_bytes(path: str | Path) -> bytes:
    """The file's bytes, transparently gunzipped; a truncated gzip is a clear error."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise SourceFormatError("file not found", path=path) from exc
    if path.suffix == ".gz" or data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (EOFError, OSError, gzip.BadGzipFile) as exc:
            raise SourceFormatError(
                f"the gzip stream is truncated or corrupt ({exc})", path=path
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
            f"cannot decode byte {data[exc.start]:#04x} at offset {exc.start} as {encoding}"
            " (wrong encoding? CBS files are UTF-8; re-save the file as UTF-8)",
            path=path,
            row=line,
            expected=encoding,
        ) from exc


def read_json(path: str | Path, expected: str) -> object:
    """The file's JSON (gzip and BOM as :func:`read_text` handles them).

    Raises
    ------
    SourceFormatError
        When it is not valid JSON: names the file, the line and ``expected``.
    """

    try:
        return json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise SourceFormatError(
            f"not valid JSON ({exc.msg}; truncated download?)",
            path=path,
            row=exc.lineno,
            expected=expected,
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
def kwb_tables() -> dict[str, int]:
    """CBS table id → KWB year, from the catalogue's ``kwb_tables.csv``."""
    text = resources.files("wijkradar.catalogue").joinpath("kwb_tables.csv").read_text("utf-8")
    return {row["table"].upper(): int(row["year"]) for row in csv.DictReader(io.StringIO(text))}


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
    stated = []
    m = _TITLE.search(title or "")
    if m:
        stated.append((int(m.group(1)), f"the title {title.strip()!r}"))
    named = table_edition(Path(path).name)
    if named:
        stated.append((named[1], f"the table id {named[0]} in the file name (KWB {named[1]})"))
    if years is not None:
        found = sorted({int(y) for y in np.atleast_1d(np.asarray(years))})
        if len(found) == 1:
            stated.append((found[0], f"the Jaar column ({found[0]})"))
    for (y1, w1), (y2, w2) in zip(stated, stated[1:], strict=False):
        if y1 != y2:
            raise SourceFormatError(
                f"{w1} and {w2} name different KWB editions ({y1} and {y2})",
                path=path,
                expected="one KWB edition in title, file name and Jaar column",
                got=f"{y1} and {y2}",
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
            f"not a {level} code" if level else "not a region code",
            path=path,
            row=int(rows[i]),
            column=column,
            code=str(shown.iloc[i]),
            expected=cbs.EXPECTED_SHAPE,
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
    or ``name`` for name-keyed tables, which then carry no ``code``).
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
    when = " for the same year" if years is not None else ""
    raise SourceFormatError(
        f"{what} {value} appears more than once{when} ({rows_word} {a} and {b})",
        path=path,
        row=b,
        column=column,
        code=value if what == "code" else None,
    )


def check_columns(found: list[str], required: tuple[str, ...], *, path: str | Path) -> None:
    """Every ``required`` column is in ``found``; the error lists the missing and found ones."""
    missing = [c for c in required if c not in found]
    if missing:
        raise SourceFormatError(
            f"missing columns {', '.join(missing)}; columns found: {', '.join(found)}",
            path=path,
            expected=", ".join(required),
        )
