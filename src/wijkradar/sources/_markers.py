"""CBS's missing-value markers and number formats, turned into (value, status) once.

StatLine's "verklaring van symbolen": ``.`` data missing or withheld, ``x`` secret
(suppressed to prevent disclosure), ``-`` nil (zero), ``?`` unreliable figure, empty: cannot
occur. R/pandas exports turned ``.`` into ``NA``; the Wijk- en Buurtkaart codes missing/secret as
``-99999999`` (and ``-99999997`` "not yet available"). Numbers may use a decimal comma.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from wijkradar import vocab
from wijkradar.wording import N_

OBSERVED = "observed"
SUPPRESSED = "suppressed"
MISSING = "missing"
DERIVED = "derived"
STATUSES = vocab.STATUSES  # the panel contract lives in wijkradar.vocab

# marker -> status; "-" (nihil) is a real zero and handled separately.
MARKERS: dict[str, str] = {
    "": MISSING,
    ".": MISSING,
    "x": SUPPRESSED,
    "X": SUPPRESSED,
    "?": MISSING,
    "NA": MISSING,
    "na": MISSING,
    "NaN": MISSING,
    "nan": MISSING,
    "None": MISSING,
}
NIL_MARKERS = ("-", "\u2013", "\u2014")  # '-' and the en/em dashes StatLine sometimes writes
KAART_SECRET = -99999999.0
KAART_MISSING_BELOW = -99999990.0  # -99999997/-99999998: not (yet) available

NUMBER_EXPECTED = N_("een getal of een CBS-teken (. x - ?)")
"""What a value cell may hold, for the ``expected`` of a reader's "geen getal" error (a msgid)."""

_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


class NotNumeric(ValueError):
    """Raised with the position of the first cell that is neither a number nor a marker."""

    def __init__(self, index: object, got: str) -> None:
        self.index = index
        self.got = got
        super().__init__(got)


def parse_numbers(values: pd.Series, *, decimal: str = ",") -> tuple[pd.Series, pd.Series]:
    """Parse a column of CBS cells into float values and a status per cell.

    Parameters
    ----------
    values
        Cells as text (or already numeric).
    decimal
        ``","`` accepts decimal commas (and points, for exports that mix them per column);
        ``"."`` accepts only decimal points, where commas would be thousands separators.

    Returns
    -------
    (value, status)
        ``value`` float64 (NaN unless observed); ``status`` one of :data:`STATUSES`.

    Raises
    ------
    NotNumeric
        For the first cell that is neither a number nor a CBS marker; ``index`` is its label.
    """
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        num = values.astype("float64")
        status = pd.Series(
            np.where(num.isna(), MISSING, OBSERVED), index=values.index, dtype=object
        )
        return num, status
    text = values.astype("string").str.strip().str.replace("\xa0", "", regex=False)
    text = text.fillna("")
    status = text.map(MARKERS)
    nil = text.isin(NIL_MARKERS)
    cand = text.where(status.isna() & ~nil, "")
    if decimal == ",":
        cand = cand.str.replace(",", ".", regex=False)
    is_num = cand.str.fullmatch(_NUMBER.pattern) & (cand != "")
    bad = status.isna() & ~nil & ~is_num.fillna(False)
    if bad.any():
        first = bad[bad].index[0]
        raise NotNumeric(first, str(values.loc[first]))
    num = pd.to_numeric(cand.where(is_num, None), errors="coerce").astype("float64")
    num[nil] = 0.0
    status = status.fillna(OBSERVED).astype(object)
    return num, status


def apply_kaart_missing(value: pd.Series, status: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Turn the Wijk- en Buurtkaart's ``-99999999`` (secret) and ``-9999999x`` codes into NaN."""
    secret = value == KAART_SECRET
    missing = (value <= KAART_MISSING_BELOW) & ~secret
    status = status.copy()
    status[secret] = SUPPRESSED
    status[missing] = MISSING
    value = value.mask(secret | missing)
    return value, status


def normalise_label(label: object) -> str:
    """A column label reduced to lower-case words, for matching on the stable part of CBS names.

    ``'||Gemiddeld inkomen per inwoner '`` and
    ``'Inkomen.Inkomen.van.personen.Gemiddeld.inkomen.per.inwoner'`` both end in
    ``'gemiddeld inkomen per inwoner'``.
    """
    text = str(label).replace("\xa0", " ").lower()
    text = re.sub(r"[^0-9a-zà-ÿ€%²³]+", " ", text)
    return " ".join(text.split())
