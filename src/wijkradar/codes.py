"""CBS region codes: normalising, validating, level and parent codes.

``GM`` + 4 digits is a gemeente, ``WK`` + 6 a wijk, ``BU`` + 8 a buurt, ``NL00`` the country.
Since 2022 some gemeenten (Amsterdam first) use letters after ``GM####`` (``WK0363AD``,
``BU0363AD01``), so the part after the gemeente number is treated as text. The hierarchy follows
from the code alone: ``BU03630001`` → ``WK036300`` → ``GM0363``.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from wijkradar.frames import decode

LEVELS = ("land", "gemeente", "wijk", "buurt")
"""Region levels from coarse to fine."""

_PATTERNS = {
    "land": re.compile(r"^NL\d{2}$"),
    "gemeente": re.compile(r"^GM\d{4}$"),
    "wijk": re.compile(r"^WK\d{4}[0-9A-Z]{2}$"),
    "buurt": re.compile(r"^BU\d{4}[0-9A-Z]{4}$"),
}
_PREFIX = {"NL": "land", "GM": "gemeente", "WK": "wijk", "BU": "buurt"}
_ANY = re.compile(r"^(?:NL\d{2}|GM\d{4}|WK\d{4}[0-9A-Z]{2}|BU\d{4}[0-9A-Z]{4})$")
EXPECTED_SHAPE = "a CBS code like GM0363, WK036300, WK0363AD, BU03630001 or NL00"


def normalise_code(code: object) -> str:
    """Strip the padding CBS files carry and upper-case a code (``'GM0363    '`` → ``'GM0363'``)."""
    if code is None or (isinstance(code, float) and np.isnan(code)):
        return ""
    return str(code).strip().upper()


def is_valid_code(code: str) -> bool:
    """Whether ``code`` (already normalised) has the shape of a CBS region code."""
    return bool(_ANY.match(code))


def level_of(code: str) -> str:
    """The level of a normalised code: ``land``, ``gemeente``, ``wijk`` or ``buurt``.

    Raises ``ValueError`` for a code of the wrong shape.
    """
    level = _PREFIX.get(code[:2])
    if level is None or not _PATTERNS[level].match(code):
        raise ValueError(f"not {EXPECTED_SHAPE}: {code!r}")
    return level


def gemeente_of(code: str) -> str | None:
    """The gemeente code of a wijk or buurt (or the gemeente itself); ``None`` for the country."""
    if code[:2] in ("GM", "WK", "BU"):
        return "GM" + code[2:6]
    return None


def wijk_of(code: str) -> str | None:
    """The wijk code of a buurt (or the wijk itself); ``None`` above wijk level."""
    if code[:2] == "BU":
        return "WK" + code[2:8]
    if code[:2] == "WK":
        return code
    return None


def parent_of(code: str) -> str | None:
    """The code one level up: buurt → wijk → gemeente → ``None``."""
    if code[:2] == "BU":
        return wijk_of(code)
    if code[:2] == "WK":
        return gemeente_of(code)
    return None


def normalise_codes(values: pd.Series) -> pd.Series:
    """Vectorised :func:`normalise_code` for a column of codes."""
    return values.astype("string").str.strip().str.upper().fillna("")


def invalid_codes(codes: pd.Series) -> pd.Series:
    """Boolean mask of normalised codes that do not have a CBS shape."""
    return ~codes.astype("string").str.fullmatch(_ANY.pattern).fillna(False).astype(bool)


def levels_of(codes: pd.Series) -> pd.Series:
    """Vectorised :func:`level_of` for valid codes (invalid ones give ``<NA>``)."""
    out = codes.astype("string").str[:2].map(_PREFIX)
    out[invalid_codes(codes)] = pd.NA
    return out.astype("string")


def gemeenten_of(codes: pd.Series) -> pd.Series:
    """Vectorised :func:`gemeente_of` (a categorical column is mapped per category, once)."""
    if isinstance(codes.dtype, pd.CategoricalDtype):
        gm = gemeenten_of(pd.Series(codes.cat.categories))
        uniq, at = np.unique(gm.fillna("").to_numpy(str), return_inverse=True)
        per_cat = np.where(gm.isna().to_numpy(), -1, at)
        c = codes.cat.codes.to_numpy()
        rows = np.where(c < 0, -1, per_cat[np.maximum(c, 0)])
        return pd.Series(decode(rows, uniq, dtype="string"), index=codes.index)
    c = codes.astype("string")
    out = "GM" + c.str[2:6]
    return out.where(c.str[:2].isin(["GM", "WK", "BU"]), pd.NA).astype("string")


def wijken_of(codes: pd.Series) -> pd.Series:
    """Vectorised :func:`wijk_of`."""
    c = codes.astype("string")
    out = ("WK" + c.str[2:8]).where(c.str[:2] == "BU", pd.NA)
    out = out.where(c.str[:2] != "WK", c)
    return out.astype("string")


def pad_crosswalk_code(raw: str, level: str) -> str:
    """Prefix a bare crosswalk code (``'0014'`` → ``'GM0014'``, ``'001400'`` → ``'WK001400'``)."""
    raw = str(raw).strip()
    if level == "gemeente":
        return "GM" + raw.zfill(4)
    if level == "wijk":
        return "WK" + raw.zfill(6)
    if level == "buurt":
        return "BU" + raw.zfill(8)
    raise ValueError(f"level must be one of gemeente, wijk, buurt; got {level!r}")
